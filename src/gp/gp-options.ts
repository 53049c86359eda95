/**
 * The GaussianProcess's option, statistics and saved-state types, and the
 * validation of its options, apart from the class so that the numerics
 * (./hyperparameter-fit, ./refit-schedule) can share them without importing it.
 * The checks of a fit's data and of a saved state are ./gp-checks'.
 */
import { InvalidOptionError } from '../errors';
import { checkOptionKeys, given } from '../util/option-keys';
import { Rng, type RngState } from '../util/rng';
import { resolveWorkers, type WorkersOption } from '../util/workers';
import { KERNEL_NAMES, type KernelName } from './kernels';
import { groupCount, LENGTHSCALE_MODELS, type LengthscaleModel } from './lengthscale-model';
import { DEFAULT_NOISE_FLOOR, NOISE_VARIANCE_MAX } from './priors';
import type { GPHyperparameters } from './types';
import { show } from '../util/format-value';

// Kept importable from here, where it was first defined (a journal's reader, src/storage/trial-fold.ts, imports it so).
export { gpStateProblem } from './gp-checks';

/** Options of a GaussianProcess, checked by its constructor (InvalidOptionError naming the option). */
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
    throw new InvalidOptionError(`noiseFloor: must be a number in (0, 1) (got ${show(noiseFloor)})`, 'noiseFloor');
  }
  const restarts = given(opts.restarts, 4);
  // each restart is a whole optimization of the likelihood: a count in the millions would hang the fit
  if (!Number.isInteger(restarts) || restarts < 0 || restarts > MAX_RESTARTS) {
    throw new InvalidOptionError(`restarts: must be an integer from 0 to ${MAX_RESTARTS} (got ${show(restarts)})`, 'restarts');
  }
  const maxFitPoints = given(opts.maxFitPoints, 250);
  if (!Number.isInteger(maxFitPoints) || maxFitPoints < 1) {
    throw new InvalidOptionError(
      `maxFitPoints: must be a positive integer (got ${show(maxFitPoints)})`, 'maxFitPoints');
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
    throw new InvalidOptionError(`priorMean: must be a finite number (got ${show(priorMean)})`, 'priorMean');
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
  if (list === null || typeof list !== 'object' || typeof list.length !== 'number') return `must be a list of group indices (got ${show(g)})`;
  const used = new Uint8Array(list.length);
  for (let k = 0; k < list.length; k++) {
    const v = list[k];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < list.length)) {
      return `entry ${k} must be an integer from 0 to ${list.length - 1} (got ${show(v)})`;
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
