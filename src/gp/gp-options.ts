/**
 * The GaussianProcess's option, statistics and saved-state types, and the
 * validation of its options and data, apart from the class so that the numerics
 * (./hyperparameter-fit, ./refit-schedule) can share them without importing it.
 */
import { InvalidOptionError } from '../errors';
import { checkOptionKeys, given } from '../util/option-keys';
import { Rng, type RngState } from '../util/rng';
import { resolveWorkers, type WorkersOption } from '../util/workers';
import { KERNEL_NAMES, type KernelName } from './kernels';
import { groupCount, LENGTHSCALE_MODELS, type LengthscaleModel } from './lengthscale-model';
import { DEFAULT_NOISE_FLOOR, hyperparameterBounds, NOISE_VARIANCE_MAX } from './priors';
import type { GPHyperparameters } from './types';

export interface GPOptions {
  /** covariance kernel; default 'matern52' */
  kernel?: KernelName;
  /** smallest noise variance, in standardized units, in (0, 1); default 1e-6 */
  noiseFloor?: number;
  /** add the default hyperparameter priors to the likelihood; default true */
  priors?: boolean;
  /**
   * random starts (drawn from the priors) besides the default start; default 4.
   * A first fit probes all of them; a warm refit (previous hyperparameters as an
   * extra start) probes only the one with the best objective value.
   */
  restarts?: number;
  /** hyperparameters are fitted on a random subset of at most this many points; default 250 */
  maxFitPoints?: number;
  /** randomness for restarts and subsets; default `new Rng(0)` */
  rng?: Rng;
  /** use these hyperparameters instead of fitting (noise raised to the floor if below) */
  fixedHyperparameters?: GPHyperparameters;
  /**
   * when to refit the hyperparameters: 'always' at every fit; 'auto' at every
   * fit below 64 points, and above that only once n has grown 10% since the
   * last refit, when the inputs no longer begin with those of the last refit,
   * or when the new points are implausible under the kept model (their
   * sequential standardized residuals fail a chi-square test at 0.1%).
   * Between refits the covariance factor is extended in O(n^2) per new point.
   * Default 'auto'.
   */
  refit?: 'always' | 'auto';
  /**
   * one lengthscale per dimension ('ard'), one shared by all ('shared',
   * isotropic, as bayes_opt), or whichever of the two has the higher Laplace
   * evidence at each hyperparameter fit ('auto'; see ./lengthscale-model).
   * Default 'ard'.
   */
  lengthscales?: LengthscaleModel;
  /**
   * the lengthscale each input column uses, as indices 0 .. G - 1 (d
   * entries, each index used): columns with one index share a lengthscale,
   * as the one-hot columns of a categorical parameter should (one lengthscale
   * per parameter, as Optuna's and BoTorch's mixed kernels have; the
   * optimizers pass their space's). 'ard' then fits G lengthscales and the
   * priors scale with G. Default: one per column.
   * @example `{ lengthscaleGroups: [0, 1, 1, 1] }` // a float, then a 3-choice categorical's one-hot
   */
  lengthscaleGroups?: ArrayLike<number>;
  /**
   * constant prior mean, in standard deviations of the targets from their
   * sample mean: the posterior mean returns to it far from the data. 0 is
   * plain standardization; a negative value is pessimistic (in the
   * maximization sense), so unexplored corners no longer look as good as an
   * average observation (De Ath, Fieldsend & Everson 2020, "What do you mean?
   * The role of the mean function in Bayesian optimisation"). Default 0.
   */
  priorMean?: number;
  /**
   * helper threads for the hyperparameter fit's restarts: 'auto' is
   * min(3, cores - 1), 0 fits on the calling thread. The fitted
   * hyperparameters are bit for bit the same with any count (see ./fit-pool;
   * Node only, elsewhere the fit runs on the calling thread). Default 'auto'.
   */
  workers?: WorkersOption;
}

/** {@link GPOptions} validated, with every default filled in. */
export interface GPSettings {
  kernel: KernelName;
  noiseFloor: number;
  usePriors: boolean;
  restarts: number;
  maxFitPoints: number;
  rng: Rng;
  fixed: GPHyperparameters | undefined;
  refit: 'always' | 'auto';
  lengthscaleModel: LengthscaleModel;
  /** see GPOptions.lengthscaleGroups; null: one per column (given so, too) */
  lengthscaleGroups: Int32Array | null;
  priorMean: number;
  workers: WorkersOption;
}

export interface PredictOptions {
  /** return standardized units instead of the original target units; default false */
  standardized?: boolean;
}

/** Where the last {@link GaussianProcess.fit} spent its time (ms), for profiling. */
export interface GPFitStats {
  /** hyperparameter optimization (0 when the hyperparameters were kept or fixed) */
  hyperparameterMs: number;
  /** building and factoring K(X, X) + noise I over all n points, and alpha */
  factorMs: number;
  /** computing Linv on first access to `factors().Linv` after this fit (0 until then) */
  linvMs: number;
  /** marginal-likelihood evaluations of the hyperparameter optimization */
  evaluations: number;
  /** points the hyperparameters were fitted on (0 when none were fitted) */
  fitPoints: number;
  /** whether the hyperparameters were optimized by this fit */
  refitted: boolean;
  /** why: 'first', 'always' (small n or refit 'always'), 'schedule' (n grew), 'data' (inputs changed), 'stale', or 'kept' */
  reason: 'first' | 'always' | 'schedule' | 'data' | 'stale' | 'kept' | 'fixed';
  /** the lengthscale model the last hyperparameter optimization chose (absent when none ran) */
  lengthscales?: 'ard' | 'shared';
  /** leading rows of the covariance factor reused from the previous fit (0: factored afresh) */
  keptRows: number;
}

/** The most likelihood restarts a fit may ask for (the default is 4). */
export const MAX_RESTARTS = 1000;

/** The GP's resumable state (plain JSON): see {@link GaussianProcess.state}. */
export interface GPState {
  rng: RngState;
  /** log-hyperparameters of the last fit (d lengthscales, signal, noise), or null before one */
  theta: number[] | null;
  /** n when the hyperparameters were last optimized (absent: 0) */
  fitN?: number;
  /** fingerprint of the first fitN input rows of that fit (absent: 0) */
  fitKey?: number;
}

export function emptyStats(): GPFitStats {
  return {
    hyperparameterMs: 0, factorMs: 0, linvMs: 0, evaluations: 0, fitPoints: 0, refitted: false, reason: 'first', keptRows: 0,
  };
}

/** Checks `opts` (throwing InvalidOptionError naming the first bad one) and fills in the defaults. */
export function resolveGPOptions(opts: GPOptions): GPSettings {
  checkOptionKeys(opts, 'GaussianProcess', GP_OPTION_NAMES);
  if (opts.priors !== undefined && typeof opts.priors !== 'boolean') {
    throw new InvalidOptionError(`priors: must be a boolean (got ${JSON.stringify(opts.priors)})`, 'priors');
  }
  const rng = opts.rng as Partial<Rng> | undefined;
  if (rng !== undefined && !(rng !== null && typeof rng === 'object' && typeof rng.random === 'function' && typeof rng.normal === 'function')) {
    throw new InvalidOptionError('rng: must be an Rng (new Rng(seed))', 'rng');
  }
  if (opts.fixedHyperparameters !== undefined) checkHyperparameterShape(opts.fixedHyperparameters);
  const kernel = given(opts.kernel, 'matern52');
  if (!KERNEL_NAMES.includes(kernel)) {
    throw new InvalidOptionError(
      `kernel: must be one of ${KERNEL_NAMES.map((k) => `"${k}"`).join(', ')} (got ${JSON.stringify(kernel)})`, 'kernel');
  }
  const noiseFloor = given(opts.noiseFloor, DEFAULT_NOISE_FLOOR);
  if (typeof noiseFloor !== 'number' || !(noiseFloor > 0 && noiseFloor < NOISE_VARIANCE_MAX)) {
    throw new InvalidOptionError(`noiseFloor: must be a number in (0, 1) (got ${String(noiseFloor)})`, 'noiseFloor');
  }
  const restarts = given(opts.restarts, 4);
  // each restart is a whole optimization of the likelihood: a count in the millions would hang the fit
  if (!Number.isInteger(restarts) || restarts < 0 || restarts > MAX_RESTARTS) {
    throw new InvalidOptionError(`restarts: must be an integer from 0 to ${MAX_RESTARTS} (got ${String(restarts)})`, 'restarts');
  }
  const maxFitPoints = given(opts.maxFitPoints, 250);
  if (!Number.isInteger(maxFitPoints) || maxFitPoints < 1) {
    throw new InvalidOptionError(
      `maxFitPoints: must be a positive integer (got ${String(maxFitPoints)})`, 'maxFitPoints');
  }
  const refit = given(opts.refit, 'auto');
  if (refit !== 'always' && refit !== 'auto') {
    throw new InvalidOptionError(`refit: must be "always" or "auto" (got ${JSON.stringify(refit)})`, 'refit');
  }
  const ls = given(opts.lengthscales, 'ard');
  if (!LENGTHSCALE_MODELS.includes(ls)) {
    throw new InvalidOptionError(
      `lengthscales: must be one of ${LENGTHSCALE_MODELS.map((k) => `"${k}"`).join(', ')} (got ${JSON.stringify(ls)})`,
      'lengthscales');
  }
  resolveWorkers(opts.workers, 2); // validates now; the count is taken when the pool starts
  const priorMean = given(opts.priorMean, 0);
  if (typeof priorMean !== 'number' || !Number.isFinite(priorMean)) {
    throw new InvalidOptionError(`priorMean: must be a finite number (got ${String(priorMean)})`, 'priorMean');
  }
  return {
    priorMean, kernel, noiseFloor, usePriors: opts.priors ?? true, restarts, maxFitPoints, rng: opts.rng ?? new Rng(0),
    fixed: opts.fixedHyperparameters, refit, lengthscaleModel: ls, lengthscaleGroups: resolveGroups(opts.lengthscaleGroups), workers: opts.workers ?? 'auto',
  };
}

/** GPOptions.lengthscaleGroups checked (their count against d at the fit). */
function resolveGroups(g: unknown): Int32Array | null {
  if (g === undefined) return null;
  const why = lengthscaleGroupsProblem(g);
  if (why !== null) throw new InvalidOptionError(`lengthscaleGroups: ${why}`, 'lengthscaleGroups');
  const out = Int32Array.from(g as ArrayLike<number>);
  return groupCount(out) === out.length ? null : out; // one column per group is plain ARD: the fit takes its own, exact path
}

/**
 * What is wrong with `lengthscaleGroups` value `g` (a list of group indices
 * 0 .. G - 1, each used), or null; the optimizer asks before its storage opens.
 */
export function lengthscaleGroupsProblem(g: unknown): string | null {
  const list = g as ArrayLike<unknown> | null;
  if (list === null || typeof list !== 'object' || typeof list.length !== 'number') return `must be a list of group indices (got ${String(g)})`;
  const used = new Uint8Array(list.length);
  for (let k = 0; k < list.length; k++) {
    const v = list[k];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < list.length)) {
      return `entry ${k} must be an integer from 0 to ${list.length - 1} (got ${String(v)})`;
    }
    used[v] = 1;
  }
  const G = groupCount(list as ArrayLike<number>);
  for (let j = 0; j < G; j++) if (!used[j]) return `group ${j} is used by no column (indices run 0 .. G - 1)`;
  return null;
}

/** The keys of {@link GPOptions}. */
const GP_OPTION_NAMES: readonly string[] = [
  'kernel', 'noiseFloor', 'priors', 'restarts', 'maxFitPoints', 'rng', 'fixedHyperparameters', 'refit', 'lengthscales', 'lengthscaleGroups', 'priorMean', 'workers',
];

/** `fixedHyperparameters` has the shape of GPHyperparameters (its values and d are checked at the fit, see fixedTheta). */
function checkHyperparameterShape(h: unknown): void {
  const o = h as Partial<GPHyperparameters> | null;
  const ls = o?.lengthscales as unknown;
  const arrayLike = ls instanceof Float64Array || (Array.isArray(ls) && ls.every((v) => typeof v === 'number'));
  if (o === null || typeof o !== 'object' || !arrayLike || typeof o.signalVariance !== 'number' || typeof o.noiseVariance !== 'number') {
    throw new InvalidOptionError(
      'fixedHyperparameters: must be { lengthscales (d numbers), signalVariance, noiseVariance }', 'fixedHyperparameters');
  }
}

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
    if (!Number.isFinite(v)) throw new InvalidOptionError(`${what}: value ${i} (point ${Math.floor(i / d)}) is not finite (got ${v})`, what);
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
  if (!Number.isInteger(d) || d < 1) throw new InvalidOptionError(`d: must be a positive integer (got ${d})`, 'd');
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
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) || rng.every((w) => w === 0)) {
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
