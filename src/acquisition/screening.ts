/**
 * Scoring that skips what cannot win. An exact posterior variance costs
 * O(n^2) per candidate, the mean O(n d). So every candidate first gets its
 * exact mean and an upper bound on its standard deviation, hence on its
 * score; candidates are then taken in order of decreasing bound, and the pass
 * stops once the next bound is below the k-th best exact score: no skipped
 * candidate can be among the k best.
 *
 * The bounds (screening-bounds.ts): conditioning on fewer observations cannot
 * lower the variance. In the mean pass: the tighter of the variance given the
 * candidate's 4 most correlated observations alone and the variance given the
 * first 32 observations of a subset S shared by the round (the observations
 * most correlated with the round's centres, |S| <= 512). Then, LANES
 * candidates at a time, the forward substitution through L_S runs on and is
 * checked every 32 rows of S (every quarter of the rows done from 128 on):
 * a candidate whose bound can no longer reach the k-th best is dropped.
 * Survivors get the exact variance from the posterior's factor L, checked
 * on the way as well: s2 minus the sum over the first r rows is the variance
 * given the first r observations. EI, log EI and UCB increase with sigma;
 * log PI increases with sigma below the incumbent and is at most 0 above it.
 *
 * With `anchored`, candidates clustered around the centres are also bounded
 * from a Taylor expansion at their nearest centre (screening-anchors.ts),
 * which separates near-ties the subset bounds cannot.
 *
 * The mean and the exact variance use the arithmetic of
 * `posteriorFromFactors` (the blocked solve keeps it per column), so the
 * scores computed are bit for bit those of exhaustive scoring, and the top k
 * (ties: lower index first) are the same.
 */
import { scaleInputs, type ScaledInputs } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import type { BoundingResult, BoundingTask } from './bounding-kernel';
import { boundingWasm, resolveBoundingBackend, runBoundingPass } from './bounding-wasm';
import {
  exactLanes, jsExactStage, LANES, sigmaNeeded, wasmExactStage, type ExactConfig, type ExactRequest, type ExactResult,
} from './exact-stage';
import { acquisitionScore, type AcquisitionSpec } from './functions';
import { tightenByAnchors } from './screening-anchors';
import { RelevantSubset, scoreBound, sigmaBound, SLACK } from './screening-bounds';

/**
 * Rows of S's forward substitution every candidate gets in the mean pass (a
 * tighter first bound, and the order candidates are taken in); their values
 * are kept (m x 32 doubles). Later checkpoints: every 32 rows of S, every quarter
 * of the rows done from 128 on (a check costs one score, a row up to |S|
 * multiply-adds per candidate), then |S|.
 */
const HEAD = 32;
/**
 * Candidates a round of the exact stage takes (two blocks of LANES, which
 * two threads can solve at once); the cut rises between rounds.
 */
const ROUND = 2 * LANES;

export interface ScreenedScores {
  /** `m` scores: exact where computed, NaN where skipped */
  score: Float64Array;
  /** `m` exact posterior means (standardized) */
  mean: Float64Array;
  /** candidates whose exact variance was computed (the others were skipped, some after a partial bound) */
  exact: number;
  /** rows of the posterior's forward substitution computed (n per exact variance, fewer for one dropped on the way; about n flops each) */
  rows: number;
  /** rows of the subset's forward substitution computed, for bounds (about |S| flops each, |S| <= 512) */
  subsetRows: number;
  /** load-independent work: kernel rows k(x, X) computed (n d each) and forward-substitution multiply-adds */
  work: ScreeningWork;
}

/** Work of a screened scoring, independent of machine load. */
export interface ScreeningWork {
  /** kernel rows k(x, X) computed: one per candidate, again for each one taken for exact checks */
  kernelRows: number;
  /** multiply-adds of the forward substitutions (bounds and exact variances) */
  madds: number;
}

/** Options of {@link screenedScores}. */
export interface ScreeningOptions {
  /** only scores above it matter: the k best are exact wherever they exceed it [-Infinity] */
  floor?: number;
  /** `c x d` points the round's candidates cluster around, to choose S by [the first 16 candidates] */
  centres?: Float64Array;
  /** rows of `centres` [centres.length / d] */
  nCentres?: number;
  /**
   * with `centres`: once 2 (d + 1) exact variances have been computed and a
   * cut exists, skip candidates by anchored bounds too (screening-anchors.ts),
   * anchors built where they pay [false]
   */
  anchored?: boolean;
}

/**
 * Scores of `m` points (`m x d` row-major) with exact values at least for
 * the k best (and every candidate that could be among them). With `floor`,
 * only candidates that can score above it matter (round two uses round one's
 * best score).
 * @example
 *   const r = screenedScores(factors, pts, m, { kind: 'ei', xi: 0.01, kappa: 2.576 }, best, 16, { centres: inc });
 *   topK(r.score, 16); // the same 16 as exhaustive scoring
 */
export function screenedScores(
  factors: Omit<PosteriorFactors, 'Linv'>, points: Float64Array, m: number,
  acquisition: AcquisitionSpec, best: number, k: number, opts: ScreeningOptions = {},
): ScreenedScores {
  const task = boundingTask(factors, points, m, opts);
  return finishHere(factors, task, runBoundingPass(task.task), acquisition, best, k, opts.floor ?? -Infinity);
}

/**
 * {@link screenedScores} with the bounding pass split over `pool`'s worker
 * threads and the calling thread (bounding-pool.ts); the same result, bit
 * for bit, since every candidate gets the same arithmetic wherever it runs.
 */
export async function screenedScoresParallel(
  pool: BoundingRunner, factors: Omit<PosteriorFactors, 'Linv'>, points: Float64Array, m: number,
  acquisition: AcquisitionSpec, best: number, k: number, opts: ScreeningOptions = {},
): Promise<ScreenedScores> {
  const task = boundingTask(factors, points, m, opts);
  const pass = await pool.run(task.task);
  let solve: ((req: ExactRequest) => ExactResult) | null = null;
  let remote: ((req: ExactRequest) => Promise<ExactResult>) | null = null;
  const steps = finishScreening(factors, task, pass, acquisition, best, k, opts.floor ?? -Infinity, (req) => solve!(req));
  for (let it = steps.next(); ; ) {
    if (it.done) return it.value;
    const step = it.value;
    if ('setup' in step) {
      solve = localSolver(task, step.setup);
      const wasm = resolveBoundingBackend(task.task.backend) === 'wasm';
      remote = wasm && factors.n >= EXACT_SPLIT_MIN_N ? pool.exactSolver?.(step.setup) ?? null : null;
      it = steps.next();
    } else if ('post' in step) {
      let out: ExactResult | Promise<ExactResult>;
      if (remote) {
        out = remote(step.post);
        out.catch(() => {}); // awaited at the block's `wait`; not unhandled meanwhile
      } else out = solve!(step.post);
      it = steps.next(out);
    } else it = steps.next(await (step.wait as ExactResult | Promise<ExactResult>));
  }
}

/**
 * Observations from which the exact stage's second block of a round goes to
 * a worker thread: below, a block's solves (16 n^2 / 2 multiply-adds) cost
 * less than the round trip.
 */
export const EXACT_SPLIT_MIN_N = 200;

/** Runs a bounding pass, possibly split over threads (BoundingPool), and optionally blocks of the exact stage. */
export interface BoundingRunner {
  run(task: BoundingTask): Promise<BoundingResult>;
  /** a solver of exact-stage blocks on another thread for one screening, or null (exact-stage.ts) */
  exactSolver?(cfg: ExactConfig): ((req: ExactRequest) => Promise<ExactResult>) | null;
}

interface Prepared {
  task: BoundingTask;
  sc: ScaledInputs;
  S: RelevantSubset;
  /** centres for anchored bounds, when asked for */
  anchors: { centres: ArrayLike<number>; nCentres: number } | null;
}

/** The relevant subset S and the bounding pass's inputs. */
function boundingTask(
  factors: Omit<PosteriorFactors, 'Linv'>, points: Float64Array, m: number, opts: ScreeningOptions,
): Prepared {
  const { n, d, L, alpha, signalVariance: s2 } = factors;
  const sc = scaleInputs(factors);
  const centres = opts.centres ?? points;
  const nCentres = opts.centres ? (opts.nCentres ?? Math.floor(centres.length / d)) : Math.min(16, m);
  const S = new RelevantSubset(sc, L, factors.noiseVariance, centres, nCentres);
  const task: BoundingTask = {
    kernel: sc.kernel, n, d, s2, noise: factors.noiseVariance, Z: sc.Z, inv: sc.inv, alpha,
    points: points.length === m * d ? points : points.subarray(0, m * d), count: m,
    sIdx: S.idx, sL: S.L, sSize: S.size, sSlack: S.slack, head: Math.min(HEAD, S.size),
  };
  const anchors = opts.anchored && opts.centres && nCentres > 0 ? { centres, nCentres } : null;
  return { task, sc, S, anchors };
}

/** A block of the exact stage the driver may hand to another thread ({@link ScreeningStep}). */
export type ScreeningStep =
  | { setup: ExactConfig }
  | { post: ExactRequest }
  | { wait: unknown };

/**
 * Score bounds from the bounding pass, then exact scores in order of
 * decreasing bound until none can win, as a generator: each round takes up
 * to ROUND candidates in two blocks; the second is yielded (`post`, later
 * `wait`) so a driver can solve it on another thread while this one solves
 * the first. Every candidate's result depends only on its own floats and the
 * round's cut (exact-stage.ts), so where a block is solved changes nothing.
 */
function* finishScreening(
  factors: Omit<PosteriorFactors, 'Linv'>, prep: Prepared, pass: BoundingResult,
  acquisition: AcquisitionSpec, best: number, k: number, floor: number,
  solve: (req: ExactRequest) => ExactResult,
): Generator<ScreeningStep, ScreenedScores, unknown> {
  const { n, L, signalVariance: s2 } = factors;
  const { sc, S, task: { points, count: m, head } } = prep;
  const { d } = factors;
  const s = S.size;
  const { mean, wHead, qHead } = pass;
  const bound = new Float64Array(m);
  for (let p = 0; p < m; p++) bound[p] = scoreBound(acquisition, mean[p], sigmaBound(pass.varianceBound[p], s2), best);
  const score = new Float64Array(m).fill(NaN);
  // NaN bounds sort last: a comparator that returns NaN leaves the sort's
  // order undefined, and the pass below stops at the first bound under the cut.
  const key = (p: number): number => (Number.isNaN(bound[p]) ? -Infinity : bound[p]);
  const order = Uint32Array.from({ length: m }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
  const top: number[] = []; // k best exact scores, descending
  let exact = 0;
  let rows = 0;
  let subsetRows = 0;
  let kernelRows = m;
  const tri = (a: number, b: number): number => (b * (b - 1) - a * (a - 1)) / 2; // sum of i over [a, b)
  let madds = m * tri(0, head);
  let anchorsPending = prep.anchors !== null;
  let tight: Float64Array | null = null; // bounds lowered by anchors, where built
  const finish = (p: number, q: number): void => {
    const v = s2 - q;
    const value = acquisitionScore(acquisition, mean[p], Math.sqrt(v > 0 ? v : 0), best);
    score[p] = value;
    exact++;
    if (Number.isNaN(value)) return;
    if (top.length < k || value > top[top.length - 1]) {
      let j = top.length < k ? top.length : k - 1;
      if (top.length < k) top.push(value);
      while (j > 0 && top[j - 1] < value) { top[j] = top[j - 1]; j--; }
      top[j] = value;
    }
  };
  const lanes = new Int32Array(ROUND);
  // the blocks' inputs, gathered per round
  const request = (from: number, to: number, prune: boolean, cut: number): ExactRequest => {
    const cnt = to - from;
    const req: ExactRequest = {
      cnt, points: new Float64Array(cnt * d), wHead: new Float64Array(cnt * head),
      qHead: new Float64Array(cnt), sigma: new Float64Array(cnt), prune,
    };
    for (let c = 0; c < cnt; c++) {
      const p = lanes[from + c];
      req.points.set(points.subarray(p * d, p * d + d), c * d);
      req.wHead.set(wHead.subarray(p * head, p * head + head), c * head);
      req.qHead[c] = qHead[p];
      req.sigma[c] = prune ? sigmaNeeded(acquisition, mean[p], best, cut, s2) : -Infinity;
    }
    return req;
  };
  const account = (from: number, req: ExactRequest, res: ExactResult): void => {
    for (let c = 0; c < req.cnt; c++) {
      subsetRows += res.sDone[c] - head;
      madds += tri(head, res.sDone[c]) + tri(0, res.done[c]);
      rows += res.done[c];
      if (res.done[c] === n) finish(lanes[from + c], res.q[c]);
    }
  };
  yield { setup: exactConfig(factors, prep) };
  let r = 0;
  for (;;) {
    const kth = Math.max(top.length >= k ? top[k - 1] : -Infinity, floor);
    const cut = kth - SLACK * Math.max(1, Math.abs(kth));
    if (anchorsPending && kth > -Infinity && exact >= 2 * (factors.d + 1)) {
      // Once a cut exists and the exact variances have cost as much as two anchors
      // (near-ties the partial bounds do not separate), the candidates not yet taken
      // may get anchored bounds. They
      // only skip candidates: the order stays that of the subset bounds, which ranks
      // the candidates more alike (sorting by a mix of tight and loose bounds took
      // the loose ones first and raised the cut later).
      anchorsPending = false;
      tight = bound.slice();
      const { centres, nCentres } = prep.anchors!;
      madds += tightenByAnchors(sc, L, points, centres, nCentres, tight, order.subarray(r), mean, acquisition, best, cut);
    }
    let cnt = 0;
    for (; cnt < ROUND && r < m; r++) {
      const p = order[r];
      const b = bound[p];
      if (Number.isNaN(b)) continue;
      if (b < cut) { r = m; break; }
      if (tight && tight[p] < cut) continue;
      lanes[cnt++] = p;
    }
    if (cnt === 0) break;
    kernelRows += cnt;
    // nothing to prune against yet: straight to the exact variances
    const prune = kth > -Infinity;
    const split = Math.min(cnt, LANES);
    const second = cnt > split ? request(split, cnt, prune, cut) : null;
    const handle = second ? yield { post: second } : null;
    const first = request(0, split, prune, cut);
    const own = solve(first);
    // scores join the threshold when the round finishes, which only makes pruning a little weaker
    account(0, first, own);
    if (second) account(split, second, (yield { wait: handle }) as ExactResult);
  }
  return { score, mean, exact, rows, subsetRows: subsetRows + m * head, work: { kernelRows, madds } };
}

/** What the exact stage's block solvers need. */
function exactConfig(factors: Omit<PosteriorFactors, 'Linv'>, prep: Prepared): ExactConfig {
  const { sc, S, task } = prep;
  return {
    kernel: sc.kernel, n: factors.n, d: factors.d, s2: factors.signalVariance, Z: sc.Z, inv: sc.inv, L: factors.L,
    s: S.size, sL: S.L, sIdx: S.idx, sSlack: S.slack, head: task.head, step: HEAD, slack: SLACK,
  };
}

/** The block solver for this thread: through the WebAssembly module where the pass ran there. */
function localSolver(prep: Prepared, cfg: ExactConfig): (req: ExactRequest) => ExactResult {
  const ex = resolveBoundingBackend(prep.task.backend) === 'wasm' ? boundingWasm() : null;
  return ex ? wasmExactStage(ex, cfg, exactLanes, LANES) : jsExactStage(cfg, prep.sc, LANES);
}

/** Runs the exact stage with every block on this thread. */
function finishHere(
  factors: Omit<PosteriorFactors, 'Linv'>, prep: Prepared, pass: BoundingResult,
  acquisition: AcquisitionSpec, best: number, k: number, floor: number,
): ScreenedScores {
  let solve: ((req: ExactRequest) => ExactResult) | null = null;
  const steps = finishScreening(factors, prep, pass, acquisition, best, k, floor, (req) => solve!(req));
  for (let it = steps.next(); ; ) {
    if (it.done) return it.value;
    const step = it.value;
    if ('setup' in step) { solve = localSolver(prep, step.setup); it = steps.next(); }
    else if ('post' in step) it = steps.next(solve!(step.post));
    else it = steps.next(step.wait);
  }
}
