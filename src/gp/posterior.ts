/**
 * Posterior mean and variance from precomputed factors: the float64
 * reference the GPU engine's posterior is compared against.
 */
import { kernelFromR2, scaledSqDist } from './kernels';
import { dot } from './linalg';
import type { PosteriorFactors } from './types';

export interface Posterior {
  /** `m` posterior means */
  mean: Float64Array;
  /** `m` posterior variances of the latent function (noise excluded), >= 0 */
  variance: Float64Array;
}

/**
 * Posterior of the latent function at `m` points, in standardized units:
 * mean = k(x)^T alpha, variance = max(s2 - ||L^{-1} k(x)||^2, 0).
 * Uses forward substitution with L (backward stable); mathematically equal to
 * the `Linv k(x)` form the GPU evaluates. With n = 0 this is the prior
 * (mean 0, variance s2). Memory O(n) beyond the outputs; cost O(m n^2).
 * @param Xs `m x d` row-major points in the unit cube
 */
export function posteriorFromFactors(f: Omit<PosteriorFactors, 'Linv'>, Xs: ArrayLike<number>, m: number): Posterior {
  const { n, d, X, L, alpha, signalVariance: s2 } = f;
  const inv = new Float64Array(d);
  for (let k = 0; k < d; k++) inv[k] = 1 / f.lengthscales[k];
  const mean = new Float64Array(m);
  const variance = new Float64Array(m);
  const v = new Float64Array(n);
  for (let p = 0; p < m; p++) {
    let mu = 0;
    let q = 0;
    for (let i = 0; i < n; i++) {
      const ki = s2 * kernelFromR2(f.kernel, scaledSqDist(Xs, p, X, i, inv, d));
      mu += ki * alpha[i];
      // forward substitution, row i of L against the solved prefix of v
      const ri = i * n;
      const vi = (ki - dot(L, ri, v, 0, i)) / L[ri + i];
      v[i] = vi;
      q += vi * vi;
    }
    mean[p] = mu;
    const s = s2 - q;
    variance[p] = s > 0 ? s : 0;
  }
  return { mean, variance };
}
