/**
 * Float64 twin of screening.wgsl's `bounds`: an upper bound of each
 * candidate's ranking score from its exact mean and the variance given its
 * most informative observation alone, s2 - max_j k_j^2 / (K_jj + noise + jitter).
 * Conditioning on every observation cannot leave a larger variance, and the
 * ranking scores (log EI, UCB with kappa >= 0) increase with sigma; log PI
 * increases with sigma below the goal and is at most 0 from it on. The GPU
 * adds margins for f32 rounding (src/gpu/screened-round.ts); this twin has
 * none, so it is the bound the kernel approximates from above.
 */
import { kernelFromR2 } from '../gp/kernels';
import type { PosteriorFactors } from '../gp/types';
import { acquisitionScore, type AcquisitionSpec } from './functions';

/**
 * Upper bounds of the ranking scores (`acquisitionScore`) of `m` points
 * (`m x d` row-major, unit cube).
 * @example
 *   const ub = nearestBounds(factors, pts, m, { kind: 'ei', xi: 0, kappa: 2.576 }, best);
 *   // ub[i] >= acquisitionScore(spec, mean_i, sigma_i, best) for every i
 */
export function nearestBounds(
  f: Omit<PosteriorFactors, 'Linv'>, points: ArrayLike<number>, m: number, spec: AcquisitionSpec, best: number,
  anchors?: { points: ArrayLike<number>; count: number; variance: ArrayLike<number> },
): Float64Array {
  const { n, d, X, L, alpha, signalVariance: s2 } = f;
  const diag = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let t = 0; t <= j; t++) diag[j] += L[j * n + t] * L[j * n + t];
  }
  const out = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let mu = 0;
    let qa = 0;
    let qb = 0;
    let a = 0;
    let b = 0;
    let ka = 0;
    let kb = 0;
    for (let j = 0; j < n; j++) {
      const kj = s2 * kernelFromR2(f.kernel, scaledDistance2(points, c, X, j, d, f.lengthscales));
      mu += alpha[j] * kj;
      const r = (kj * kj) / diag[j];
      if (r > qa) {
        qb = qa; b = a; kb = ka;
        qa = r; a = j; ka = kj;
      } else if (r > qb) {
        qb = r; b = j; kb = kj;
      }
    }
    let reduction = qa;
    if (qb > 0) {
      const kab = s2 * kernelFromR2(f.kernel, scaledDistance2(X, a, X, b, d, f.lengthscales));
      const det = diag[a] * diag[b] - kab * kab;
      if (det > PAIR_CONDITION * diag[a] * diag[b]) {
        reduction = Math.max(reduction, (diag[b] * ka * ka - 2 * kab * ka * kb + diag[a] * kb * kb) / det);
      }
    }
    let sigma = Math.sqrt(Math.max(s2 - reduction, 0));
    for (let i = 0; i < (anchors?.count ?? 0); i++) {
      const k = s2 * kernelFromR2(f.kernel, scaledDistance2(points, c, anchors!.points, i, d, f.lengthscales));
      sigma = Math.min(sigma, Math.sqrt(Math.max(anchors!.variance[i], 0)) + Math.sqrt(Math.max(2 * (s2 - k), 0)));
    }
    out[c] = spec.kind === 'pi' && mu >= best + spec.xi ? 0 : acquisitionScore(spec, mu, sigma, best);
  }
  return out;
}

/** As screening.wgsl's PAIR_CONDITION: the pair is used where det > this times diag_a diag_b. */
const PAIR_CONDITION = 1e-2;

/** Squared scaled distance between row p of `A` and row j of `B` (`x d` row-major). */
function scaledDistance2(
  A: ArrayLike<number>, p: number, B: ArrayLike<number>, j: number, d: number, ls: ArrayLike<number>,
): number {
  let r2 = 0;
  for (let q = 0; q < d; q++) {
    const t = (A[p * d + q] - B[j * d + q]) / ls[q];
    r2 += t * t;
  }
  return r2;
}
