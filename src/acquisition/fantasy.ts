/**
 * The acquisition averaged over F fantasy models (float64): the reference and
 * CPU fallback of shaders/fantasy-acquisition.wgsl (see fantasyScores).
 */
import { exp, log } from '../util/math';
import { crossCovariance } from '../gp/kernels';
import { posteriorFromFactors } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import { logExpectedImprovement, logProbabilityOfImprovement, SIGMA_FLOOR, type AcquisitionSpec } from './functions';

/** F fantasy models sharing one factor (see {@link fantasyScores}). */
export interface Fantasies {
  /** F >= 1 */
  count: number;
  /** `F x n` row-major, standardized units */
  alphas: Float64Array;
  /** `F` incumbents, standardized units */
  bests: Float64Array;
}

/**
 * The averaged score of one candidate from its F fantasy means (`mus`) and
 * its common posterior standard deviation (see {@link fantasyScores}).
 */
export function averagedScore(spec: AcquisitionSpec, mus: ArrayLike<number>, sigma: number, bests: ArrayLike<number>, F: number): number {
  const s = Math.max(sigma, SIGMA_FLOOR);
  if (spec.kind === 'ucb') {
    let m = 0;
    for (let f = 0; f < F; f++) m += mus[f];
    return m / F + spec.kappa * s;
  }
  const one = spec.kind === 'pi'
    ? (f: number) => logProbabilityOfImprovement(mus[f], s, bests[f], spec.xi)
    : (f: number) => logExpectedImprovement(mus[f], s, bests[f], spec.xi);
  let top = -Infinity;
  const v = new Float64Array(F);
  for (let f = 0; f < F; f++) top = Math.max(top, (v[f] = one(f)));
  if (!Number.isFinite(top)) return top;
  let sum = 0;
  for (let f = 0; f < F; f++) sum += exp(v[f] - top);
  return top + log(sum / F);
}

/**
 * Averaged acquisition scores of `m` points under F fantasy models that share
 * `factors`' L (its own alpha is not used). Pending points (asked, not yet
 * told) are given F joint draws from the posterior. Each draw defines a
 * fantasy model on the same inputs and hyperparameters, so all F share the
 * factor L and the posterior variance; they differ only in alpha
 * (`alpha_f = K^-1 y_f`, the targets at the pending rows drawn) and in their
 * incumbent `best_f` (the real best, or a drawn value above it). The score
 * of a candidate is the acquisition averaged over the fantasies, in the
 * spirit of qEI/qLogEI with fantasies (BoTorch; Optuna 5's GPSampler for
 * running trials):
 *
 *   EI, log EI: log (1/F) sum_f EI(mu_f, sigma, best_f)   (log-sum-exp of log EI_f)
 *   PI:         log (1/F) sum_f PI(mu_f, sigma, best_f)
 *   UCB:        (1/F) sum_f mu_f + kappa sigma
 *
 * with mu_f = k(x, X) . alpha_f. A point next to a pending one gains little
 * in the fantasies where the pending point turned out well, so it scores low.
 * @param points `m x d` row-major, unit cube
 * @returns `m` scores
 * @example
 * ```ts
 * const fz = { count: 2, alphas, bests };     // alphas: 2 x n, bests: 2
 * const s = fantasyScores(factors, fz, points, m, { kind: 'ei', xi: 0.01, kappa: 2.576 });
 * ```
 */
export function fantasyScores(
  factors: PosteriorFactors, fz: Fantasies, points: Float64Array, m: number, spec: AcquisitionSpec,
): Float64Array {
  const { n, d } = factors;
  const F = fz.count;
  const out = new Float64Array(m);
  const CHUNK = 1024;
  const mus = new Float64Array(F);
  for (let s = 0; s < m; s += CHUNK) {
    const e = Math.min(m, s + CHUNK);
    const chunk = points.subarray(s * d, e * d);
    const variance = posteriorFromFactors(factors, chunk, e - s).variance;
    const K = crossCovariance(factors.kernel, chunk, e - s, factors.X, n, d, factors.lengthscales, factors.signalVariance);
    for (let c = 0; c < e - s; c++) {
      for (let f = 0; f < F; f++) {
        let mu = 0;
        for (let i = 0; i < n; i++) mu += K[c * n + i] * fz.alphas[f * n + i];
        mus[f] = mu;
      }
      out[s + c] = averagedScore(spec, mus, Math.sqrt(variance[c]), fz.bests, F);
    }
  }
  return out;
}
