/**
 * Checks of what a GaussianProcess is handed besides its options: the data of
 * a fit, the points of a prediction, and a saved state to restore. Apart from
 * ./gp-options (which checks the options once, at construction) because these
 * run on every call, and because a journal's reader checks a saved model
 * state with them without a GP at hand.
 */
import { InvalidOptionError } from '../errors';
import type { GPState } from './gp-options';
import { hyperparameterBounds } from './priors';
import { show } from '../util/format-value';
import { isRngState } from '../util/rng';

/**
 * Largest input magnitude a GP takes: beyond it a scaled squared distance can
 * overflow to Infinity, where Matérn 5/2 is (1 + inf) * 0 = NaN (a NaN mean
 * with a zero variance, or a factor that fails). The optimizer's inputs are in
 * the unit cube.
 */
export const MAX_GP_INPUT = 1e100;

/** @throws InvalidOptionError naming `what` when an entry of `X` is not finite or beyond ±MAX_GP_INPUT */
export function checkInputs(X: ArrayLike<number>, d: number, what: string): void {
  for (let i = 0; i < X.length; i++) {
    const v = X[i];
    if (!Number.isFinite(v)) throw new InvalidOptionError(`${what}: value ${i} (point ${Math.floor(i / d)}) is not finite (got ${show(v)})`, what);
    if (Math.abs(v) > MAX_GP_INPUT) {
      throw new InvalidOptionError(`${what}: value ${i} (point ${Math.floor(i / d)}) is ${v}, beyond ±${MAX_GP_INPUT} (its scaled distances overflow the kernel)`, what);
    }
  }
}

/**
 * Checks the data of a fit: a positive integer d, X of n x d values, all finite
 * and within ±MAX_GP_INPUT, and n finite targets.
 * @param X `n x d` row-major inputs
 * @param y `n` targets
 */
export function checkFitData(X: Float64Array, y: Float64Array, d: number): void {
  if (!Number.isInteger(d) || d < 1) throw new InvalidOptionError(`d: must be a positive integer (got ${show(d)})`, 'd');
  if (y === null || typeof y !== 'object' || typeof (y as { length?: unknown }).length !== 'number') {
    throw new InvalidOptionError(`y: expected an array of n targets, got ${y === null ? 'null' : typeof y}`, 'y');
  }
  const n = y.length;
  if (X.length !== n * d) {
    throw new InvalidOptionError(
      `X: expected n x d = ${n * d} values (n = ${n} targets, d = ${d}), got ${X.length}`, 'X');
  }
  checkInputs(X, d, 'X');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) throw new InvalidOptionError(`y: entry ${i} is not finite (${y[i]})`, 'y');
  }
}

/**
 * Why `s` is not a state GaussianProcess.state gives, or null: the one check
 * of that shape, for restoreState and for a journal's saved model state. An
 * all-zero generator state would stay zero for good; a short one is written
 * back as nulls.
 */
export function gpStateProblem(s: unknown): string | null {
  if (s === null || typeof s !== 'object') return `expected a GP state object, got ${s === null ? 'null' : typeof s}`;
  const { rng, theta, fitN, fitKey } = s as Partial<Record<keyof GPState, unknown>>;
  if (!isRngState(rng)) {
    return '"rng" must be 4 unsigned 32-bit integers, not all 0';
  }
  if (theta !== null && (!Array.isArray(theta) || !theta.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    return '"theta" must be null or a list of finite numbers (log lengthscales, signal and noise)';
  }
  for (const [k, v] of [['fitN', fitN], ['fitKey', fitKey]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)) return `"${k}" must be a non-negative integer`;
  }
  return null;
}

/**
 * Why the saved hyperparameters `theta` (log lengthscales, log signal
 * variance, log noise variance) are not ones a GP with noise floor
 * `noiseFloor` fits, or null: a fit keeps each within its bounds
 * (hyperparameterBounds), so a value outside them was written by hand or
 * damaged, and kept by the next fit it would model nonsense (a lengthscale
 * of 1e-22: a variance of 1e21 everywhere; a noise of 0 below the floor).
 */
export function thetaProblem(theta: readonly number[], noiseFloor: number): string | null {
  const d = theta.length - 2;
  if (d < 0) return null; // no dimension fits it: the next fit starts afresh
  const { lower, upper } = hyperparameterBounds(d, noiseFloor);
  const what = (k: number) => (k < d ? `log lengthscale ${k}` : k === d ? 'log signal variance' : 'log noise variance');
  for (let k = 0; k < theta.length; k++) {
    if (!(theta[k] >= lower[k] && theta[k] <= upper[k])) return `"theta": ${what(k)} ${theta[k]} is outside the fit's bounds [${lower[k]}, ${upper[k]}]`;
  }
  return null;
}

/** @throws InvalidOptionError naming `state` unless `s` has the shape GaussianProcess.state gives ({@link gpStateProblem}) */
export function checkState(s: unknown): asserts s is GPState {
  const problem = gpStateProblem(s);
  if (problem !== null) throw new InvalidOptionError(`state: ${problem}`, 'state');
}
