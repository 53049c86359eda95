/**
 * Scoring that skips what cannot win. An exact posterior variance costs
 * O(n^2) per candidate, the mean O(n d). So every candidate first gets its
 * exact mean and an upper bound on its standard deviation, hence on its
 * score; candidates are then taken in order of decreasing bound, and the pass
 * stops once the next bound is below the k-th best exact score: no skipped
 * candidate can be among the k best.
 *
 * The bounds: conditioning on fewer observations cannot lower the variance.
 * In the mean pass: the tighter of the variance given its 4 most correlated
 * observations S alone, s2 - k_S^T (K_SS + noise I)^{-1} k_S, and the
 * variance given the first 32 observations, s2 - sum_{i < 32} v_i^2 with
 * v = L^{-1} k(x) (32 rows of the forward substitution). Then, while the
 * forward substitution of a candidate runs on, s2 - sum_{i < r} v_i^2 keeps
 * bounding it: at r = 64, 128, ... a candidate whose bound can no longer
 * reach the k-th best is dropped. EI, log EI and UCB increase with sigma;
 * log PI increases with sigma below the incumbent and is at most 0 above it.
 *
 * The mean and the exact variance use the arithmetic of
 * `posteriorFromFactors`, so the scores computed are bit for bit those of
 * exhaustive scoring, and the top k (ties: lower index first) are the same.
 */
import { kernelFromR2 } from '../gp/kernels';
import { dotSeq, forwardRows, kernelRow, scaleInputs, type ScaledInputs } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import { acquisitionScore, type AcquisitionSpec } from './functions';

/** Relative slack on the variance bound and on the score comparison, for rounding. */
const SLACK = 1e-9;
/**
 * Rows of the forward substitution every candidate gets in the mean pass (a
 * tighter first bound, and the order candidates are taken in); their kernel
 * values are kept (m x 32 doubles). Later checkpoints: 64, 128, ... rows.
 */
const HEAD = 32;

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
  const near = new NearBound(sc, factors.noiseVariance);
  const head = Math.min(HEAD, n);
  const kHead = new Float64Array(m * head);
  for (let p = 0; p < m; p++) {
    kernelRow(sc, points, p, kx);
    kHead.set(kx.subarray(0, head), p * head);
    const mu = dotSeq(kx, alpha, n);
    mean[p] = mu;
    // the tightest of: given its NEAR most correlated observations; given the first `head` ones
    const qHead = forwardRows(L, n, kx, v, 0, head, 0);
    const vb = Math.min(near.variance(kx), s2 - qHead);
    bound[p] = scoreBound(acquisition, mu, sigmaBound(vb, s2), best);
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
    kx.set(kHead.subarray(p * head, p * head + head));
    let full = head === n;
    let q = forwardRows(L, n, kx, v, 0, head, 0); // the same floats as the mean pass
    let done = head;
    let dropped = false;
    for (let check = 2 * head; check < n; check *= 2) {
      if (!full) {
        kernelRow(sc, points, p, kx); // the same floats as the mean pass
        full = true;
      }
      q = forwardRows(L, n, kx, v, done, check, q);
      done = check;
      if (kth > -Infinity && scoreBound(acquisition, mean[p], sigmaBound(s2 - q, s2), best) < cut) {
        dropped = true;
        break;
      }
    }
    if (dropped) { rows += done; continue; }
    if (!full) kernelRow(sc, points, p, kx);
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


/** Observations the local bound conditions on. */
const NEAR = 4;

/**
 * Upper bound of the posterior variance at a point from its NEAR most
 * correlated observations alone: s2 - k_S^T (K_SS + noise I)^{-1} k_S, by a
 * small Cholesky. Widened by the rounding the small solve can make on an
 * ill-conditioned K_SS (duplicates, noise at the floor); falls back to the
 * prior variance when K_SS will not factor.
 */
class NearBound {
  private readonly idx = new Int32Array(NEAR);
  private readonly val = new Float64Array(NEAR);
  private readonly A = new Float64Array(NEAR * NEAR);
  private readonly w = new Float64Array(NEAR);
  private readonly slack: number;

  constructor(private readonly s: ScaledInputs, private readonly noise: number) {
    const s2 = s.signalVariance;
    this.slack = 1e-14 * NEAR * (s2 / Math.max(noise, 1e-300)) * s2;
  }

  variance(kx: Float64Array): number {
    const { n, d, Z, signalVariance: s2, kernel } = this.s;
    const r = Math.min(NEAR, n);
    if (r === 0) return s2;
    const { idx, val, A, w } = this;
    val.fill(-Infinity);
    for (let i = 0; i < n; i++) {
      const k = kx[i];
      if (!(k > val[r - 1])) continue;
      let j = r - 1;
      while (j > 0 && val[j - 1] < k) { val[j] = val[j - 1]; idx[j] = idx[j - 1]; j--; }
      val[j] = k;
      idx[j] = i;
    }
    for (let a = 0; a < r; a++) {
      for (let b = 0; b < a; b++) {
        let r2 = 0;
        for (let q = 0; q < d; q++) {
          const t = Z[q * n + idx[a]] - Z[q * n + idx[b]];
          r2 += t * t;
        }
        A[a * NEAR + b] = s2 * kernelFromR2(kernel, r2);
      }
      A[a * NEAR + a] = s2 + this.noise;
    }
    // Cholesky of the r x r block, then w = L_S^{-1} k_S
    let q = 0;
    for (let a = 0; a < r; a++) {
      for (let b = 0; b <= a; b++) {
        let t = A[a * NEAR + b];
        for (let c = 0; c < b; c++) t -= A[a * NEAR + c] * A[b * NEAR + c];
        if (a === b) {
          if (!(t > 0)) return s2;
          A[a * NEAR + a] = Math.sqrt(t);
        } else {
          A[a * NEAR + b] = t / A[b * NEAR + b];
        }
      }
      let t = val[a];
      for (let c = 0; c < a; c++) t -= A[a * NEAR + c] * w[c];
      w[a] = t / A[a * NEAR + a];
      q += w[a] * w[a];
    }
    return s2 - q + this.slack;
  }
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
