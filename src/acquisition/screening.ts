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
import { ColumnBlock, forwardRowsBlock } from '../gp/forward-block';
import { kernelRow, scaleInputs, type ScaledInputs } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import type { BoundingResult, BoundingTask } from './bounding-kernel';
import { boundingWasm, resolveBoundingBackend, runBoundingPass, WasmKernelRows } from './bounding-wasm';
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
/** Candidates whose variances are computed together (a multiple of 4). */
const LANES = 16;

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
  return finishScreening(factors, task, runBoundingPass(task.task), acquisition, best, k, opts.floor ?? -Infinity);
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
  return finishScreening(factors, task, await pool.run(task.task), acquisition, best, k, opts.floor ?? -Infinity);
}

/** Runs a bounding pass, possibly split over threads (BoundingPool). */
export interface BoundingRunner {
  run(task: BoundingTask): Promise<BoundingResult>;
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

/** Score bounds from the bounding pass, then exact scores in order of decreasing bound until none can win. */
function finishScreening(
  factors: Omit<PosteriorFactors, 'Linv'>, prep: Prepared, pass: BoundingResult,
  acquisition: AcquisitionSpec, best: number, k: number, floor: number,
): ScreenedScores {
  const { n, L, signalVariance: s2 } = factors;
  const { sc, S, task: { points, count: m, head } } = prep;
  const s = S.size;
  const kx = new Float64Array(n);
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
  // Candidates go LANES at a time, in order of decreasing bound. A lane whose
  // bound falls below the cut at a checkpoint of S is dropped (the last lane
  // takes its place); the rest get exact variances together. Scores join the
  // threshold when the block finishes, which only makes pruning a little weaker.
  const blkS = new ColumnBlock(s, LANES / 4);
  const blk = new ColumnBlock(n, LANES / 4);
  const lanes = new Int32Array(LANES);
  // the exact stage's kernel rows through the module where the pass ran there (the same floats)
  const ex = resolveBoundingBackend(prep.task.backend) === 'wasm' ? boundingWasm() : null;
  const wasmRows = ex ? new WasmKernelRows(ex, sc.kernel, n, factors.d, sc.Z, sc.inv, s2, LANES) : null;
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
    for (; cnt < LANES && r < m; r++) {
      const p = order[r];
      const b = bound[p];
      if (Number.isNaN(b)) continue;
      if (b < cut) { r = m; break; }
      if (tight && tight[p] < cut) continue;
      lanes[cnt++] = p;
    }
    if (cnt === 0) break;
    const rowsOut = wasmRows ? wasmRows.rows(points, lanes, cnt) : null;
    for (let c = 0; c < cnt; c++) {
      const p = lanes[c];
      // the same floats as the mean pass
      let row: Float64Array = kx;
      if (rowsOut) row = rowsOut.subarray(c * n, c * n + n);
      else kernelRow(sc, points, p, kx);
      blk.setColumn(c, row);
      S.gather(row, blkS, c);
      blkS.setSolved(c, wHead.subarray(p * head, p * head + head), head, qHead[p]);
    }
    kernelRows += cnt;
    // nothing to prune against yet: straight to the exact variances
    for (let done = head; kth > -Infinity && done < s && cnt > 0;) {
      const check = Math.min(done + Math.max(HEAD, done >> 2), s);
      forwardRowsBlock(S.L, s, blkS, done, check, (cnt + 3) >> 2);
      subsetRows += (check - done) * cnt;
      madds += tri(done, check) * cnt;
      done = check;
      for (let c = cnt - 1; c >= 0; c--) {
        if (scoreBound(acquisition, mean[lanes[c]], sigmaBound(s2 - blkS.q[c] + S.slack, s2), best) >= cut) continue;
        cnt--;
        if (c !== cnt) {
          blkS.move(cnt, c, done);
          blk.move(cnt, c, 0);
          lanes[c] = lanes[cnt];
        }
      }
    }
    // The exact solves, checked on the way as well: s2 - (sum over the first r rows
    // of L) is the variance given the first r observations, in the very floats the
    // exact variance adds to, so it needs no slack.
    blk.q.fill(0);
    let done = 0;
    while (done < n && cnt > 0) {
      const check = kth > -Infinity ? Math.min(done + Math.max(HEAD, done >> 2), n) : n;
      forwardRowsBlock(L, n, blk, done, check, (cnt + 3) >> 2);
      madds += tri(done, check) * cnt;
      done = check;
      if (done === n) break;
      for (let c = cnt - 1; c >= 0; c--) {
        if (scoreBound(acquisition, mean[lanes[c]], sigmaBound(s2 - blk.q[c], s2), best) >= cut) continue;
        rows += done;
        cnt--;
        if (c !== cnt) {
          blk.move(cnt, c, done);
          lanes[c] = lanes[cnt];
        }
      }
    }
    rows += cnt * n;
    for (let c = 0; c < cnt; c++) finish(lanes[c], blk.q[c]);
  }
  return { score, mean, exact, rows, subsetRows: subsetRows + m * head, work: { kernelRows, madds } };
}
