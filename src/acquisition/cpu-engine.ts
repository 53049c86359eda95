/**
 * The float64 CPU engine: the reference every GPU kernel is checked against,
 * and the fallback where WebGPU is missing or the device is lost.
 */
import { posteriorFromFactors } from '../gp';
import type { PosteriorFactors } from '../gp/types';
import {
  REFINE_TOP, roundOneCandidates, roundSizes, roundTwoCandidates, snapRow,
} from './candidates';
import {
  checkEvaluateRequest, checkProposeRequest, factorsDim, cpuCandidateCap, CPU_CANDIDATE_BYTES, usedAfterDispose,
  type Engine, type Evaluation, type ProposeRequest, type ProposeResult,
} from './engine';
import { acquisitionScore, type AcquisitionSpec } from './functions';
import { BoundingPool, MIN_SLICE_WORK, resolveWorkers, type WorkersOption } from './bounding-pool';
import { loadBoundingWasm } from './bounding-wasm';
import { screenedScores, screenedScoresParallel, type BoundingRunner, type ScreenedScores } from './screening';
import { clamp01, isFixedFloat } from '../space/encode';
import type { DimLayout } from '../space/types';
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { checkOptionKeys, given } from '../util/option-keys';

/** Candidates scored per batch: bounds the k-matrix memory at chunk x n doubles. */
const CHUNK = 2048;

/** Scores of `m` points (`m x d` row-major) under the posterior and acquisition. */
export function scorePoints(
  factors: PosteriorFactors, points: ArrayLike<number>, m: number,
  acquisition: AcquisitionSpec, best: number,
): Evaluation {
  const d = factors.d;
  const mean = new Float64Array(m);
  const variance = new Float64Array(m);
  const score = new Float64Array(m);
  for (let s = 0; s < m; s += CHUNK) {
    const e = Math.min(m, s + CHUNK);
    // A view when the points are already float64 (the proposal path); a copy otherwise.
    const chunk = points instanceof Float64Array
      ? points.subarray(s * d, e * d)
      : Float64Array.from({ length: (e - s) * d }, (_, i) => points[s * d + i]);
    const post = posteriorFromFactors(factors, chunk, e - s);
    for (let i = 0; i < e - s; i++) {
      mean[s + i] = post.mean[i];
      variance[s + i] = post.variance[i];
      score[s + i] = acquisitionScore(acquisition, post.mean[i], Math.sqrt(post.variance[i]), best);
    }
  }
  return { mean, variance, score };
}

/** Indices of the k largest finite scores, best first (ties: lower index first). */
export function topK(score: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < score.length; i++) {
    const v = score[i];
    if (Number.isNaN(v)) continue;
    if (idx.length === k && !(v > score[idx[k - 1]])) continue;
    let p = idx.length === k ? k - 1 : idx.length;
    while (p > 0 && v > score[idx[p - 1]]) p--;
    idx.splice(p, 0, i);
    if (idx.length > k) idx.pop();
  }
  return idx;
}

/**
 * snapRow for rows 0..m-1 of `X` (`m x d`). Where every parameter is a
 * float that can vary, snapping is clamp01 of each coordinate (space/encode.ts
 * snapInto), done in place here without snapRow's view and layout walk per
 * row (the same floats; 10,000 rows a round).
 */
export function snapRows(X: Float64Array, m: number, d: number, layout: readonly DimLayout[]): void {
  if (!layout.every((l) => l.kind === 'continuous' && !isFixedFloat(l))) {
    for (let i = 0; i < m; i++) snapRow(X, i, d, layout);
    return;
  }
  const dims = Int32Array.from(layout, (l) => l.dim);
  for (let i = 0; i < m; i++) {
    const o = i * d;
    for (let j = 0; j < dims.length; j++) X[o + dims[j]] = clamp01(X[o + dims[j]]);
  }
}

/** One screened scoring a proposal asks for (the arguments of `screenedScores`). */
type ScreenCall = Parameters<typeof screenedScores>;

/**
 * The two-round search as a generator that yields its two screened scorings,
 * so the same code runs them on the calling thread ({@link proposeOnCpu}) or
 * with the bounding pass split over worker threads (the engine's propose).
 */
function* proposalSteps(req: ProposeRequest, maxBytes: number): Generator<ScreenCall, ProposeResult, ScreenedScores> {
  const { factors, acquisition, best, layout, seed } = req;
  const d = factors.d;
  const { m1, m2 } = roundSizes(Math.min(cpuCandidateCap(d, maxBytes), Math.max(1, Math.floor(req.candidates))));
  const c1 = roundOneCandidates(seed, m1, d, req.incumbents, req.nIncumbents);
  snapRows(c1, m1, d, layout);
  // Exact scores for every candidate that can be among the k best; the rest provably cannot.
  const r1 = yield [factors, c1, m1, acquisition, best, Math.min(REFINE_TOP, m1), {
    ...(req.nIncumbents > 0 ? { centres: req.incumbents, nCentres: req.nIncumbents, anchored: true } : {}),
  }];
  const s1 = r1.score;
  let exact = r1.exact;
  const work = { ...r1.work };
  const top = topK(s1, Math.min(REFINE_TOP, m1));
  if (top.length === 0) {
    // Every score was NaN (a broken posterior): return a feasible point rather than nothing.
    return { x: c1.slice(0, d), score: -Infinity, scored: m1, exact, work, engine: 'cpu' };
  }
  let bestX = c1.slice(top[0] * d, top[0] * d + d);
  let bestScore = s1[top[0]];
  if (m2 > 0 && top.length > 0) {
    const centres = new Float64Array(top.length * d);
    top.forEach((t, r) => centres.set(c1.subarray(t * d, t * d + d), r * d));
    const c2 = roundTwoCandidates(seed, m2, d, centres, top.length);
    snapRows(c2, m2, d, layout);
    // Only a round-two point that beats round one's best can change the answer.
    const r2 = yield [factors, c2, m2, acquisition, best, 1, { floor: bestScore, centres, nCentres: top.length, anchored: true }];
    const s2 = r2.score;
    exact += r2.exact;
    work.kernelRows += r2.work.kernelRows;
    work.madds += r2.work.madds;
    const [w] = topK(s2, 1);
    if (w !== undefined && s2[w] > bestScore) {
      bestScore = s2[w];
      bestX = c2.slice(w * d, w * d + d);
    }
  }
  return { x: bestX, score: bestScore, scored: m1 + m2, exact, work, engine: 'cpu' };
}

/**
 * Runs the two-round candidate search of candidates.ts in float64, over at
 * most `cpuCandidateCap(d, maxBytes)` candidates (fewer than requested shows
 * in `scored`), on the calling thread.
 * @throws InvalidOptionError as an engine's propose does (see checkProposeRequest; a missing request was a
 *   TypeError), or naming `maxBytes` (not a positive finite number)
 */
export function proposeOnCpu(req: ProposeRequest, maxBytes = CPU_CANDIDATE_BYTES): ProposeResult {
  checkProposeRequest(req);
  checkMaxBytes(maxBytes, 'maxBytes');
  const steps = proposalSteps(req, maxBytes);
  for (let it = steps.next(); ; it = steps.next(screenedScores(...it.value))) if (it.done) return it.value;
}

/** {@link proposeOnCpu} with the bounding passes split over `pool`; the same result bit for bit. */
export async function proposeOnCpuParallel(req: ProposeRequest, pool: BoundingRunner, maxBytes = CPU_CANDIDATE_BYTES): Promise<ProposeResult> {
  const steps = proposalSteps(req, maxBytes);
  for (let it = steps.next(); ; it = steps.next(await screenedScoresParallel(pool, ...it.value))) if (it.done) return it.value;
}

/** NaN or a string made every proposal empty (no point, a NaN score), 0 or less scored one candidate. */
function checkMaxBytes(maxBytes: unknown, name: string): void {
  if (!(typeof maxBytes === 'number' && Number.isFinite(maxBytes) && maxBytes > 0)) {
    throw new InvalidOptionError(`${name}: expected a positive finite number of bytes, got ${show(maxBytes)}`, name);
  }
}

/** Options of {@link createCpuEngine}. */
export interface CpuEngineOptions {
  /** memory for one suggestion's candidates; more candidates than fit are not scored [CPU_CANDIDATE_BYTES, 256 MiB] */
  maxCandidateBytes?: number;
  /**
   * helper threads for the bounding pass of screened scoring, and (the
   * first of them, from n = 200 observations on) for half of each round of its
   * exact stage (worker_threads in Node and Deno, Web Workers in browsers).
   * 'auto' is min(3, cores - 1), cores from navigator.hardwareConcurrency in
   * browsers: the calling thread works too. Results are
   * the same bit for bit with any value, so runs with `randomState` repeat.
   * Started at the first proposal that is large enough, and stopped by
   * dispose(); idle workers never keep a process alive ['auto']
   */
  workers?: WorkersOption;
}

/**
 * Creates the float64 CPU engine. Its only resources are the worker threads
 * of `workers`, started lazily; dispose() stops them (idempotent).
 * @throws InvalidOptionError naming an unknown option, a bad `maxCandidateBytes` or `workers` value
 */
export function createCpuEngine(opts: CpuEngineOptions = {}): Engine {
  checkOptionKeys(opts, 'createCpuEngine', ['maxCandidateBytes', 'workers']);
  const maxBytes = given(opts.maxCandidateBytes, CPU_CANDIDATE_BYTES);
  checkMaxBytes(maxBytes, 'maxCandidateBytes');
  resolveWorkers(opts.workers, 2); // validates now; the count is taken when the pool starts
  const held: { pool: Promise<BoundingPool | null> | null } = { pool: null };
  let wasmReady: Promise<boolean> | null = null;
  let disposed = false;
  const engine: Engine = {
    kind: 'cpu',
    description: 'CPU float64 reference',
    async propose(req) {
      if (disposed) throw usedAfterDispose();
      checkProposeRequest(req);
      const t0 = performance.now();
      // the WebAssembly bounding pass, compiled asynchronously once (a page's main
      // thread may refuse synchronous compilation); the JavaScript pass where it fails
      await (wasmReady ??= loadBoundingWasm());
      // worth threads only when the pass is large (at the default 10,000 candidates: from n = 53 on)
      const big = !disposed && req.factors.n * Math.min(req.candidates, cpuCandidateCap(req.factors.d, maxBytes)) >= 4 * MIN_SLICE_WORK;
      // Where workers cannot start (a runtime without eval or Web Workers) or fail, the
      // pass stays on this thread from then on: the same result, only slower.
      if (big) held.pool ??= BoundingPool.create(opts.workers).catch(() => null);
      const p = big ? await held.pool : null;
      let res: ProposeResult;
      try {
        res = p ? await proposeOnCpuParallel(req, p, maxBytes) : proposeOnCpu(req, maxBytes);
      } catch (err) {
        if (!p) throw err;
        p.dispose();
        held.pool = Promise.resolve(null);
        res = proposeOnCpu(req, maxBytes);
      }
      res.timings = { uploadMs: 0, scoringMs: performance.now() - t0, readbackMs: 0 };
      return res;
    },
    async evaluate(factors, points, m, acquisition, best) {
      if (disposed) throw usedAfterDispose();
      checkEvaluateRequest(factorsDim(factors), points, m, acquisition, best);
      return scorePoints(factors, points, m, acquisition, best);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      unclaimedPools.unregister(engine);
      void held.pool?.then((p) => p?.dispose());
    },
  };
  unclaimedPools.register(engine, held, engine);
  return engine;
}

/** A CPU engine collected without dispose() (an optimizer dropped undisposed) stops its bounding workers. */
const unclaimedPools = new FinalizationRegistry<{ pool: Promise<BoundingPool | null> | null }>((h) => {
  void h.pool?.then((p) => p?.dispose());
});
