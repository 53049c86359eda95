/**
 * When a GP refit may keep the previous hyperparameters (refit 'auto', see
 * GPOptions.refit): the growth schedule, the check that the inputs still begin
 * with those of the last refit, and the chi-square staleness test of the
 * points added since.
 */
import type { GPFitStats } from './gp-options';

/** With refit 'auto', below this many points (at the last refit) the hyperparameters are refitted every time. */
export const REFIT_ALWAYS_BELOW = 64;
/** With refit 'auto', hyperparameters are refitted once n reaches this factor times n at the last refit. */
export const REFIT_GROWTH = 1.1;
/** Standard normal quantile of the staleness test's level (0.999). */
const STALE_Z = 3.090232306167813;

/** What the schedule needs to know of the last hyperparameter optimization. */
export interface LastRefit {
  /** whether there are hyperparameters to keep */
  hasTheta: boolean;
  /** n at the last refit */
  fitN: number;
  /** {@link fingerprint} of the first fitN input rows of that refit */
  fitKey: number;
}

/**
 * Why the next fit must optimize the hyperparameters, or 'kept' when the
 * previous ones can stand (refit 'auto').
 * @param X `n x d` row-major inputs of the next fit
 */
export function refitReason(
  last: LastRefit, refit: 'always' | 'auto', X: Float64Array, n: number, d: number,
): GPFitStats['reason'] {
  if (!last.hasTheta) return 'first';
  if (refit === 'always' || last.fitN < REFIT_ALWAYS_BELOW) return 'always';
  if (n < last.fitN || fingerprint(X, last.fitN * d) !== last.fitKey) return 'data';
  if (n >= last.fitN * REFIT_GROWTH) return 'schedule';
  return 'kept';
}

/**
 * True when the residuals z[from..n-1] of the points added since the last
 * refit are implausible under the model: sum z^2 above the 0.999 quantile of
 * chi-square with n - from degrees of freedom (Wilson-Hilferty approximation).
 * These are the terms the new points add to -2 log p(y), less the log
 * determinant: a kept model that predicts the new points badly is refitted.
 */
export function isStale(z: Float64Array, from: number, n: number): boolean {
  const k = n - from;
  if (k <= 0) return false;
  let s = 0;
  for (let i = from; i < n; i++) s += z[i] * z[i];
  const a = 2 / (9 * k);
  const c = 1 - a + STALE_Z * Math.sqrt(a);
  const q = k * (c * c * c); // not c ** 3: Math.pow's last bit differs between runtimes
  return !(s <= q);
}

/** FNV-1a over the float64 bit patterns of x[0..len-1]: identifies the inputs a refit saw. */
export function fingerprint(x: Float64Array, len: number): number {
  const w = new Uint32Array(x.buffer, x.byteOffset, 2 * len);
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) {
    h ^= w[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
