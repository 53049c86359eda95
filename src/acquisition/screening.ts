/**
 * Scoring that skips what cannot win. An exact posterior variance costs
 * O(n^2) per candidate, the mean O(n d). So every candidate first gets its
 * exact mean and an upper bound on its standard deviation, hence on its
 * score; candidates are then taken in order of decreasing bound, and the pass
 * stops once the next bound is below the k-th best exact score: no skipped
 * candidate can be among the k best.
 *
 * The bounds: conditioning on fewer observations cannot lower the variance.
 * First, the variance given the single most correlated observation j alone,
 * s2 - k(x, x_j)^2 / (s2 + noise), which comes free with the mean (and is at
 * most the prior variance s2). Then, while the forward substitution
 * v = L^{-1} k(x) runs, s2 - sum_{i < r} v_i^2 is the variance given the first
 * r observations: at r = 8, 32, 128, ... a candidate whose bound can no longer
 * reach the k-th best is dropped. EI, log EI and UCB increase with sigma;
 * log PI increases with sigma below the incumbent and is at most 0 above it.
 *
 * The mean and the exact variance use the arithmetic of
 * `posteriorFromFactors`, so the scores computed are bit for bit those of
 * exhaustive scoring, and the top k (ties: lower index first) are the same.
 */
import { dotSeq, forwardRows, kernelRow, scaleInputs } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import { acquisitionScore, type AcquisitionSpec } from './functions';

/** Relative slack on the variance bound and on the score comparison, for rounding. */
const SLACK = 1e-9;
/** First checkpoint (rows of the forward substitution) of the progressive bound; then every 4x. */
const FIRST_CHECK = 8;

export interface ScreenedScores {
  /** `m` scores: exact where computed, NaN where skipped */
  score: Float64Array;
  /** `m` exact posterior means (standardized) */
  mean: Float64Array;
  /** candidates whose exact variance was computed (the others were skipped, some after a partial one) */
  exact: number;
  /** forward-substitution rows computed over all candidates (n per exact variance) */
  rows: number;
}

/**
 * Scores of `m` points (`m x d` row-major) with exact values at least for
 * the k best (and every candidate that could be among them).
 */
export function screenedScores(
  factors: Omit<PosteriorFactors, 'Linv'>, points: Float64Array, m: number,
  acquisition: AcquisitionSpec, best: number, k: number,
): ScreenedScores {
  const { n, L, alpha, signalVariance: s2 } = factors;
  const sc = scaleInputs(factors);
  const kx = new Float64Array(n);
  const v = new Float64Array(n);
  const mean = new Float64Array(m);
  const bound = new Float64Array(m);
  const score = new Float64Array(m).fill(NaN);
  const denom = s2 + factors.noiseVariance;
  for (let p = 0; p < m; p++) {
    kernelRow(sc, points, p, kx);
    let kmax = 0;
    for (let i = 0; i < n; i++) if (kx[i] > kmax) kmax = kx[i];
    const mu = dotSeq(kx, alpha, n);
    mean[p] = mu;
    bound[p] = scoreBound(acquisition, mu, sigmaBound(s2 - (kmax * kmax) / denom, s2), best);
  }
  const order = Uint32Array.from({ length: m }, (_, i) => i).sort((a, b) => bound[b] - bound[a]);
  const top: number[] = []; // k best exact scores, descending
  let exact = 0;
  let rows = 0;
  for (let r = 0; r < m; r++) {
    const p = order[r];
    const b = bound[p];
    if (Number.isNaN(b)) continue;
    const kth = top.length >= k ? top[k - 1] : -Infinity;
    const cut = kth - SLACK * Math.max(1, Math.abs(kth));
    if (b < cut) break;
    kernelRow(sc, points, p, kx);
    let q = 0;
    let done = 0;
    let dropped = false;
    for (let check = FIRST_CHECK; check < n; check *= 4) {
      q = forwardRows(L, n, kx, v, done, check, q);
      done = check;
      if (kth > -Infinity && scoreBound(acquisition, mean[p], sigmaBound(s2 - q, s2), best) < cut) {
        dropped = true;
        break;
      }
    }
    if (dropped) { rows += done; continue; }
    q = forwardRows(L, n, kx, v, done, n, q);
    rows += n;
    const s = s2 - q;
    const value = acquisitionScore(acquisition, mean[p], Math.sqrt(s > 0 ? s : 0), best);
    score[p] = value;
    exact++;
    if (Number.isNaN(value)) continue;
    if (top.length < k || value > top[top.length - 1]) {
      let j = top.length < k ? top.length : k - 1;
      if (top.length < k) top.push(value);
      while (j > 0 && top[j - 1] < value) { top[j] = top[j - 1]; j--; }
      top[j] = value;
    }
  }
  return { score, mean, exact, rows };
}


/** sqrt of a variance upper bound, widened for rounding and capped at the prior. */
function sigmaBound(variance: number, s2: number): number {
  const vb = Math.max(0, variance) * (1 + SLACK) + SLACK * s2;
  return Math.sqrt(Math.min(vb, s2));
}

/** An upper bound of the ranking score over every sigma in [0, sigmaMax]. */
function scoreBound(spec: AcquisitionSpec, mu: number, sigmaMax: number, best: number): number {
  if (spec.kind === 'pi' && mu - best - spec.xi >= 0) return 0; // log PI <= log 1
  if (spec.kind === 'ucb') return mu + Math.max(spec.kappa, 0) * sigmaMax;
  return acquisitionScore(spec, mu, sigmaMax, best);
}
