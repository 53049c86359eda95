/**
 * The exact stage of screened scoring (screening.ts), round by round: score
 * bounds from the bounding pass, candidates taken in order of decreasing
 * bound, two blocks of LANES per round (exact-stage.ts), until no bound can
 * reach the k-th best exact score.
 */
import type { ScaledInputs } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import type { BoundingResult, BoundingTask } from './bounding-kernel';
import { BoundOrder } from './bound-order';
import { LANES, type ExactConfig, type ExactRequest, type ExactResult } from './exact-stage';
import { sigmaNeeded } from './sigma-needed';
import { acquisitionScore, type AcquisitionSpec } from './functions';
import { tightenByAnchors, type ColumnSolve } from './screening-anchors';
import { scoreBound, scoreBounds, sigmaBound, SLACK, type RelevantSubset } from './screening-bounds';

/**
 * Rows of S's forward substitution every candidate gets in the mean pass (a
 * tighter first bound, and the order candidates are taken in); the exact
 * stage solves them again for the candidates it takes. Later checkpoints: every 32 rows of S, every quarter
 * of the rows done from 128 on (a check costs one score, a row up to |S|
 * multiply-adds per candidate), then |S|.
 */
export const HEAD = 32;
/**
 * Candidates a round of the exact stage takes (two blocks of LANES, which
 * two threads can solve at once); the cut rises between rounds.
 */
const ROUND = 2 * LANES;

export interface ScreenedScores {
  /** `m` scores: exact where computed, NaN where skipped */
  score: Float64Array;
  /** `m` posterior means (standardized): exact where the score is, upper bounds of them elsewhere */
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
  /**
   * kernel rows k(x, X) computed: one per candidate, again for each one taken
   * for exact checks (counted whole: the exact stage computes only the
   * entries its substitutions reach, so for a candidate dropped early this is
   * an upper bound)
   */
  kernelRows: number;
  /** multiply-adds of the forward substitutions (bounds and exact variances) */
  madds: number;
}

/** A screening's inputs: the bounding pass's task, the scaled inputs, S, the anchors' centres. */
export interface Prepared {
  task: BoundingTask;
  sc: ScaledInputs;
  S: RelevantSubset;
  /** centres for anchored bounds, when asked for */
  anchors: { centres: ArrayLike<number>; nCentres: number } | null;
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
 * the first, and it is waited for only after the next round's second block
 * was posted, so that thread is never idle between rounds (its scores join
 * the cut a round later: at 1,000/6, 65,536 candidates, a heavy warm request
 * took about 10% more exact variances and 6% less wall time with one worker).
 * Every candidate's result depends only on its own floats and the cut its
 * round was taken with (exact-stage.ts), so where a block is solved changes
 * nothing, and every candidate whose bound reaches the final cut is scored
 * exactly or dropped by a bound under a cut no higher than the final one.
 * `columns` solves the anchored bounds' column blocks (the same floats as
 * without it; called only after the setup step).
 */
export function* finishScreening(
  factors: Omit<PosteriorFactors, 'Linv'>, prep: Prepared, pass: BoundingResult,
  acquisition: AcquisitionSpec, best: number, k: number, floor: number,
  solve: (req: ExactRequest) => ExactResult, columns?: ColumnSolve,
): Generator<ScreeningStep, ScreenedScores, unknown> {
  const { n, d, L, signalVariance: s2 } = factors;
  const { sc, task: { points, count: m, head } } = prep;
  const { mean } = pass;
  const bound = new Float64Array(m);
  // the sigma each bound came from, lowered by the anchored bounds (screening-anchors.ts)
  const sb = new Float64Array(m);
  for (let p = 0; p < m; p++) sb[p] = sigmaBound(pass.varianceBound[p], s2);
  const sigma = prep.anchors ? sb : null;
  const score = new Float64Array(m).fill(NaN);
  // upper bounds of the bounds where marked, made exact when popped (scoreBounds)
  const lazy = new Uint8Array(m);
  scoreBounds(acquisition, mean, sb, best, m, bound, lazy);
  // decreasing bound, NaN last; popped only as far as the pass below goes (it
  // stops at the first bound under the cut)
  const order = new BoundOrder(bound);
  let stopped = false;
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
  // z = (mu - best - xi) / sigma at the last candidate's sigmaNeeded, where the next one's
  // search starts (candidates taken in turn have similar ones)
  let hintZ = NaN;
  // the blocks' inputs, gathered per round: candidates `ids` (indices into points)
  const request = (ids: Int32Array, prune: boolean, cut: number): ExactRequest => {
    const cnt = ids.length;
    const req: ExactRequest = {
      cnt, points: new Float64Array(cnt * d), sigma: new Float64Array(cnt), prune,
    };
    for (let c = 0; c < cnt; c++) {
      const p = ids[c];
      req.points.set(points.subarray(p * d, p * d + d), c * d);
      const lo = prune ? sigmaNeeded(acquisition, mean[p], best, cut, s2, hintZ) : -Infinity;
      req.sigma[c] = lo;
      if (lo > 0 && lo < Infinity) hintZ = (mean[p] - best - acquisition.xi) / lo;
    }
    return req;
  };
  const account = (ids: Int32Array, res: ExactResult): void => {
    for (let c = 0; c < ids.length; c++) {
      subsetRows += res.sDone[c]; // its head rows again, then on
      madds += tri(0, res.sDone[c]) + tri(0, res.done[c]);
      rows += res.done[c];
      if (res.done[c] !== n) continue;
      mean[ids[c]] = res.mean[c]; // the exact mean, in place of the pass's upper bound
      finish(ids[c], res.q[c]);
    }
  };
  // the previous round's second block, posted and not yet accounted for
  let inFlight: { ids: Int32Array; handle: unknown } | null = null;
  yield { setup: exactConfig(factors, prep) };
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
      const rest = stopped ? new Uint32Array(0) : order.rest();
      if (floor > -Infinity || anchorsPay(rest, bound, cut)) {
        anchorsPending = false;
        tight = bound.slice();
        const { centres, nCentres } = prep.anchors!;
        madds += tightenByAnchors(sc, L, points, centres, nCentres, tight, sigma!, rest, mean, acquisition, best, cut, columns);
      }
    }
    let cnt = 0;
    while (cnt < ROUND && !stopped) {
      const p = order.pop();
      if (p < 0) { stopped = true; break; }
      const b = bound[p];
      if (Number.isNaN(b)) continue;
      if (b < cut) { stopped = true; break; }
      // below the cut by its anchored bound (or the upper bound of its bound): never taken,
      // whatever its exact bound, and the cut only rises
      if (tight && tight[p] < cut) continue;
      if (lazy[p] === 1) {
        // back in the order under the exact bound (from the pass's sigma bound: `sb` may
        // have been lowered by the anchors since), so the candidates are taken in the
        // order of the exact bounds
        lazy[p] = 0;
        bound[p] = scoreBound(acquisition, mean[p], sigmaBound(pass.varianceBound[p], s2), best);
        if (tight && bound[p] < tight[p]) tight[p] = bound[p];
        order.push(p);
        continue;
      }
      lanes[cnt++] = p;
    }
    if (cnt === 0) break;
    kernelRows += cnt;
    // nothing to prune against yet: straight to the exact variances
    const prune = kth > -Infinity;
    const split = Math.min(cnt, LANES);
    const ids2 = cnt > split ? lanes.slice(split, cnt) : null;
    const handle = ids2 ? yield { post: request(ids2, prune, cut) } : null;
    const ids1 = lanes.slice(0, split);
    account(ids1, solve(request(ids1, prune, cut)));
    // The previous round's second block joins the threshold only now, after this
    // round was chosen and posted: a thread solving second blocks always has the
    // next one queued. Scores joining later only make pruning a little weaker.
    if (inFlight) account(inFlight.ids, (yield { wait: inFlight.handle }) as ExactResult);
    inFlight = ids2 ? { ids: ids2, handle } : null;
  }
  if (inFlight) account(inFlight.ids, (yield { wait: inFlight.handle }) as ExactResult);
  return { score, mean, exact, rows, subsetRows: subsetRows + m * head, work: { kernelRows, madds } };
}

/**
 * Whether anchored bounds are worth trying now in a screening without a
 * floor (round one: half its candidates spread over the space): where at
 * least half the candidates not yet taken still reach the cut, the cut has
 * separated nothing yet and an anchor would bound tens of thousands of
 * candidates the rising cut drops anyway (round one at 1,000/6 with 65,536
 * candidates: 49,103 of 49,120 live, the anchor took none, 8-25 ms), so
 * they wait for a later round. Where they paid in round one (2,000/20:
 * 245-477 of 7,436 live, 70-87% of them taken) the cut had already done
 * that. Round two (a floor; every candidate next to a centre) is not
 * asked: there an anchor took 80% of 2,436 candidates all still live.
 */
export function anchorsPay(rest: Uint32Array, bound: Float64Array, cut: number): boolean {
  let live = 0;
  for (let i = 0; i < rest.length; i++) if (bound[rest[i]] >= cut) live++;
  return 2 * live <= rest.length;
}

/** What the exact stage's block solvers need. */
export function exactConfig(factors: Omit<PosteriorFactors, 'Linv'>, prep: Prepared): ExactConfig {
  const { sc, S, task } = prep;
  return {
    kernel: sc.kernel, n: factors.n, d: factors.d, s2: factors.signalVariance, Z: sc.Z, inv: sc.inv, L: factors.L, alpha: factors.alpha,
    s: S.size, sL: S.L, sIdx: S.idx, sSlack: S.slack, head: task.head, step: HEAD, slack: SLACK,
  };
}
