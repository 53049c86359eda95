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
 * the k best (and every candidate that could be among them). With `floor`,
 * only candidates that can score above it matter: the k best are exact
 * wherever they exceed `floor` (round two uses round one's best score).
 */
export function screenedScores(
  factors: Omit<PosteriorFactors, 'Linv'>, points: Float64Array, m: number,
  acquisition: AcquisitionSpec, best: number, k: number, floor = -Infinity,
): ScreenedScores {
  const { n, L, alpha, signalVariance: s2 } = factors;
  const sc = scaleInputs(factors);
  let kx = new Float64Array(n);
  let v = new Float64Array(n);
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
  const finish = (p: number, q: number): void => {
    rows += n;
    const s = s2 - q;
    const value = acquisitionScore(acquisition, mean[p], Math.sqrt(s > 0 ? s : 0), best);
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
  // A candidate that survives every checkpoint waits for a second one, and the two
  // finish their forward substitutions together (each row of L read once for both).
  // Its score joins the threshold a little later, which only makes pruning weaker.
  let kxB = new Float64Array(n);
  let vB = new Float64Array(n);
  let pendP = -1;
  let pendQ = 0;
  let pendDone = 0;
  const q2 = new Float64Array(2);
  for (let r = 0; r < m; r++) {
    const p = order[r];
    const b = bound[p];
    if (Number.isNaN(b)) continue;
    const kth = Math.max(top.length >= k ? top[k - 1] : -Infinity, floor);
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
    if (pendP < 0) {
      [kx, kxB] = [kxB, kx];
      [v, vB] = [vB, v];
      pendP = p;
      pendQ = q;
      pendDone = done;
      continue;
    }
    if (pendDone !== done) {
      finish(pendP, forwardRows(L, n, kxB, vB, pendDone, n, pendQ));
      finish(p, forwardRows(L, n, kx, v, done, n, q));
    } else {
      forwardRowsPair(L, n, kxB, vB, kx, v, done, n, pendQ, q, q2);
      finish(pendP, q2[0]);
      finish(p, q2[1]);
    }
    pendP = -1;
  }
  if (pendP >= 0) finish(pendP, forwardRows(L, n, kxB, vB, pendDone, n, pendQ));
  return { score, mean, exact, rows };
}


/**
 * {@link forwardRows} for two right-hand sides at once, each with exactly the
 * arithmetic of `dot` (four accumulators, then the tail, then
 * (s0 + s1) + (s2 + s3)), so each result equals the single-candidate one bit
 * for bit. Writes the two sums of squares into `out`.
 */
export function forwardRowsPair(
  L: Float64Array, n: number, ka: Float64Array, va: Float64Array, kb: Float64Array, vb: Float64Array,
  from: number, to: number, qa: number, qb: number, out: Float64Array,
): void {
  for (let i = from; i < to; i++) {
    const ri = i * n;
    let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;
    let b0 = 0; let b1 = 0; let b2 = 0; let b3 = 0;
    let j = 0;
    for (; j + 3 < i; j += 4) {
      const l0 = L[ri + j]; const l1 = L[ri + j + 1]; const l2 = L[ri + j + 2]; const l3 = L[ri + j + 3];
      a0 += l0 * va[j]; a1 += l1 * va[j + 1]; a2 += l2 * va[j + 2]; a3 += l3 * va[j + 3];
      b0 += l0 * vb[j]; b1 += l1 * vb[j + 1]; b2 += l2 * vb[j + 2]; b3 += l3 * vb[j + 3];
    }
    for (; j < i; j++) {
      a0 += L[ri + j] * va[j];
      b0 += L[ri + j] * vb[j];
    }
    const d = L[ri + i];
    const xa = (ka[i] - ((a0 + a1) + (a2 + a3))) / d;
    const xb = (kb[i] - ((b0 + b1) + (b2 + b3))) / d;
    va[i] = xa;
    vb[i] = xb;
    qa += xa * xa;
    qb += xb * xb;
  }
  out[0] = qa;
  out[1] = qb;
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
