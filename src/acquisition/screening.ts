/**
 * Scoring that skips what cannot win. An exact posterior variance costs
 * O(n^2) per candidate, the mean O(n d). So every candidate first gets an
 * upper bound of its exact mean (bounding-kernel.ts: a fast exp and a proven
 * margin; the exact stage computes the exact mean of every candidate it
 * scores) and an upper bound on its standard deviation, hence on its
 * score; candidates are then taken in order of decreasing bound, and the pass
 * stops once the next bound is below the k-th best exact score: no skipped
 * candidate can be among the k best.
 *
 * The bounds (screening-bounds.ts): conditioning on fewer observations cannot
 * lower the variance. In the mean pass: the tighter of the variance given the
 * candidate's 4 most correlated observations alone and the variance given the
 * first 32 observations of a subset S shared by the round (the observations
 * most correlated with the round's centres, |S| <= 512). Then, in rounds of
 * two blocks of LANES candidates (exact-stage.ts; with a pool, the second
 * block is solved on a worker thread meanwhile, WebAssembly SIMD on both),
 * the forward substitution through L_S runs on and is
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
import { scaleInputs } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import type { ColumnBlock } from '../gp/forward-block';
import type { BoundingResult, BoundingTask } from './bounding-kernel';
import { boundingWasm, resolveBoundingBackend, runBoundingPass } from './bounding-wasm';
import {
  exactLanes, jsExactStage, LANES, wasmExactStage, type ExactConfig, type ExactRequest, type ExactResult, type ExactSolver,
} from './exact-stage';
import type { AcquisitionSpec } from './functions';
import { passHead, RelevantSubset } from './screening-bounds';
import { finishScreening, type Prepared, type ScreenedScores } from './screening-rounds';
export type { ScreenedScores, ScreeningStep, ScreeningWork } from './screening-rounds';

/** A solver of exact-stage blocks on another thread; `release()` (optional, idempotent) when the screening no longer needs it. */
export type RemoteSolver = ((req: ExactRequest) => Promise<ExactResult>) & { release?(): void };

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
export function screenedScoresParallel(
  pool: BoundingRunner, factors: Omit<PosteriorFactors, 'Linv'>, points: Float64Array, m: number,
  acquisition: AcquisitionSpec, best: number, k: number, opts: ScreeningOptions = {},
): Promise<ScreenedScores> {
  const run = screeningTurn.then(() => screenParallel(pool, factors, points, m, acquisition, best, k, opts));
  screeningTurn = run.catch(() => {});
  return run;
}

/**
 * The end of the last screening started on this thread: split screenings
 * take turns. The WebAssembly module's memory is one per thread; an exact
 * stage that finds its inputs overwritten there lays them out again
 * (exact-stage.ts), so interleaving would be correct, but two screenings
 * interleaving at their awaits (two engines, or one engine proposing for two
 * studies at once) would copy their factors back and forth at every block.
 */
let screeningTurn: Promise<unknown> = Promise.resolve();

async function screenParallel(
  pool: BoundingRunner, factors: Omit<PosteriorFactors, 'Linv'>, points: Float64Array, m: number,
  acquisition: AcquisitionSpec, best: number, k: number, opts: ScreeningOptions,
): Promise<ScreenedScores> {
  // S is factored while the workers start the pass (its leading block, which the pass
  // needs, first): the same floats, and the other thread no longer waits for it
  const task = boundingTask(factors, points, m, opts, true);
  const pass = await pool.run(task.task, () => task.S.complete());
  task.S.complete();
  let solve: ExactSolver | null = null;
  let remote: RemoteSolver | null = null;
  const steps = finishScreening(factors, task, pass, acquisition, best, k, opts.floor ?? -Infinity, (req) => solve!(req), columnsOf(() => solve));
  try {
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
  } finally {
    remote?.release?.(); // the pool may lend its shared factor buffer to the next screening
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
  /** the pass; `meanwhile` (if given) runs once on this thread while other threads start on it */
  run(task: BoundingTask, meanwhile?: () => void): Promise<BoundingResult>;
  /** a solver of exact-stage blocks on another thread for one screening, or null (exact-stage.ts); released when the screening ends */
  exactSolver?(cfg: ExactConfig): RemoteSolver | null;
}

/** The relevant subset S and the bounding pass's inputs. */
function boundingTask(
  factors: Omit<PosteriorFactors, 'Linv'>, points: Float64Array, m: number, opts: ScreeningOptions, defer = false,
): Prepared {
  const { n, d, L, alpha, signalVariance: s2 } = factors;
  const sc = scaleInputs(factors);
  const centres = opts.centres ?? points;
  const nCentres = opts.centres ? (opts.nCentres ?? Math.floor(centres.length / d)) : Math.min(16, m);
  const S = new RelevantSubset(sc, L, factors.noiseVariance, centres, nCentres, undefined, defer);
  let head = passHead(m, S.size);
  // deferred: the pass gets S's leading head x head block alone (all it reads of S);
  // where the head is all of S there is nothing to gain
  if (head >= S.size) {
    S.complete();
    head = passHead(m, S.size); // 0 where S would not factor
  }
  let sub = { sIdx: S.idx, sL: S.L, sSize: S.size };
  if (defer && head < S.size) {
    const lead = S.leading(head);
    if (!lead) head = 0; // not even those rows factor: no head bound (the near bound still holds)
    sub = lead ? { sIdx: S.idx.slice(0, head), sL: lead, sSize: head } : { sIdx: new Int32Array(0), sL: new Float64Array(0), sSize: 0 };
  }
  const task: BoundingTask = {
    kernel: sc.kernel, n, d, s2, noise: factors.noiseVariance, Z: sc.Z, inv: sc.inv, alpha,
    points: points.length === m * d ? points : points.subarray(0, m * d), count: m,
    ...sub, sSlack: S.slack, head,
  };
  const anchors = opts.anchored && opts.centres && nCentres > 0 ? { centres, nCentres } : null;
  return { task, sc, S, anchors };
}

/** The anchors' column solves through this thread's block solver where it has them (WebAssembly), else in JavaScript. */
function columnsOf(solver: () => ExactSolver | null): (blk: ColumnBlock) => void {
  return (blk) => {
    const s = solver();
    if (!s?.columns) throw new Error('column solves before the exact stage\'s setup');
    s.columns(blk, blk.quads);
  };
}

/** The block solver for this thread: through the WebAssembly module where the pass ran there. */
function localSolver(prep: Prepared, cfg: ExactConfig): ExactSolver {
  const ex = resolveBoundingBackend(prep.task.backend) === 'wasm' ? boundingWasm() : null;
  return ex ? wasmExactStage(ex, cfg, exactLanes, LANES) : jsExactStage(cfg, prep.sc, LANES);
}

/** Runs the exact stage with every block on this thread. */
function finishHere(
  factors: Omit<PosteriorFactors, 'Linv'>, prep: Prepared, pass: BoundingResult,
  acquisition: AcquisitionSpec, best: number, k: number, floor: number,
): ScreenedScores {
  let solve: ExactSolver | null = null;
  const steps = finishScreening(factors, prep, pass, acquisition, best, k, floor, (req) => solve!(req), columnsOf(() => solve));
  for (let it = steps.next(); ; ) {
    if (it.done) return it.value;
    const step = it.value;
    if ('setup' in step) { solve = localSolver(prep, step.setup); it = steps.next(); }
    else if ('post' in step) it = steps.next(solve!(step.post));
    else it = steps.next(step.wait);
  }
}
