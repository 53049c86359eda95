/**
 * What is read from a fitted GaussianProcess's factor, as free numerics beside
 * the class (which holds the fit's state, see ./gaussian-process): the log
 * marginal likelihood of a factorization, the engines' factors with Linv
 * computed on first access, and posteriors and training means taken from
 * standardized units back to the targets' own. Each is the arithmetic the
 * class did inline, in the same order, so results are bit for bit the same.
 */
import { log } from '../util/math';
import type { Posterior } from './posterior';
import type { PosteriorFactors } from './types';

const HALF_LOG_2PI = 0.5 * log(2 * Math.PI);

/** How the fit's targets were standardized: y_std = (y / scale - mean) / std (see ./standardization). */
export interface TargetScaling {
  scale: number;
  mean: number;
  std: number;
}

/**
 * log p(y | hyperparameters) of n standardized targets from the Cholesky
 * factor `L` (`n x n`, row-major) of K + noise I and z = L^{-1} y.
 */
export function logMarginalFromFactor(L: Float64Array, n: number, z: Float64Array): number {
  let lml = 0;
  lml -= n * HALF_LOG_2PI;
  for (let i = 0; i < n; i++) lml -= 0.5 * z[i] * z[i] + log(L[i * n + i]);
  return lml;
}

/**
 * `f` with a `Linv` property that computes the inverse factor on first
 * access (O(n^3); only the WebGPU engine reads it) and keeps it; `spent`
 * gets the ms that took.
 */
export function withLazyLinv(f: Omit<PosteriorFactors, 'Linv'>, inverse: () => Float64Array, spent: (ms: number) => void): PosteriorFactors {
  let Linv: Float64Array | undefined;
  Object.defineProperty(f, 'Linv', {
    enumerable: true,
    get: () => {
      if (!Linv) {
        const t = now();
        Linv = inverse();
        spent(now() - t);
      }
      return Linv;
    },
  });
  return f as PosteriorFactors;
}

/** Takes the first `m` means and variances of `post` from standardized units to the targets' own, in place. */
export function posteriorToOriginalUnits(post: Posterior, m: number, s: TargetScaling): void {
  const { std, scale: c } = s;
  meanToOriginalUnits(post.mean, m, s);
  for (let i = 0; i < m; i++) {
    post.variance[i] *= std * std;
    if (c !== 1) post.variance[i] *= c * c;
  }
}

/** The first m standardized means to original units, in place (as posteriorToOriginalUnits does them). */
export function meanToOriginalUnits(mean: Float64Array, m: number, s: TargetScaling): void {
  for (let i = 0; i < m; i++) mean[i] = (mean[i] * s.std + s.mean) * s.scale;
}

/**
 * Posterior mean at the n training inputs, from the identity
 * K_f alpha = (K_y - noise I) alpha = y - noise alpha (`ys`: the
 * standardized targets); in standardized units when `s` is null.
 */
export function trainingMeanOf(ys: Float64Array, alpha: Float64Array, noise: number, n: number, s: TargetScaling | null): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = ys[i] - noise * alpha[i];
    out[i] = s === null ? z : (z * s.std + s.mean) * s.scale;
  }
  return out;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Leave-one-out z-scores of the n training targets (Rasmussen & Williams
 * 5.4.2): z_i = (y_i - mu_-i) / sd_-i, where mu_-i and sd_-i are the
 * predictive mean and sd (noise included) of target i from the other n - 1,
 * read from the full fit as y_i - mu_-i = alpha_i / [K^-1]_ii and
 * sd_-i^2 = 1 / [K^-1]_ii. Positive: observed above what the rest predict.
 * [K^-1]_ii is the squared norm of column i of `Linv` (`n x n`, lower,
 * row-major), so this costs O(n^2) given Linv (O(n^3) to make it).
 * @example
 * leaveOneOutZ(gp.factors().Linv, gp.factors().alpha, gp.n); // |z| > 4: a target the model cannot explain as noise
 */
export function leaveOneOutZ(Linv: Float64Array, alpha: Float64Array, n: number): Float64Array {
  const kinv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const row = j * n;
    for (let i = 0; i <= j; i++) kinv[i] += Linv[row + i] * Linv[row + i];
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = alpha[i] / Math.sqrt(kinv[i]);
  return z;
}
