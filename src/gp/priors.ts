/**
 * Hyperparameter parametrization, box bounds and weak priors.
 *
 * The optimizer works on theta = [log l_1, ..., log l_d, log s2, log noise]
 * (standardized targets, unit-cube inputs).
 *
 * Priors (all Gaussian on the log-hyperparameter):
 * - lengthscales: the dimension-scaled LogNormal(sqrt2 + log(d)/2, sqrt3) of
 *   Hvarfner, Hellsten & Nardi (2024), "Vanilla Bayesian Optimization Performs
 *   Great in High Dimensions" (ICML), BoTorch's default since v0.12.
 * - noise variance: LogNormal(-4, 1), BoTorch's companion default
 *   (`get_gaussian_likelihood_with_lognormal_prior`), favouring small noise.
 * - signal variance: log s2 ~ N(0, 1), a weak prior centred on 1, the
 *   variance of standardized targets (our choice; BoTorch's ScaleKernel uses a
 *   very weak Gamma(2, 0.15)).
 * BoTorch/GPyTorch maximize log p(y | h) + log p_LogNormal(h) at the natural
 * value h = exp(theta), without the Jacobian of the log transform. As a
 * function of theta that is exactly a Gaussian N(theta; loc - scale^2, scale),
 * centred on the LogNormal's mode, so for the two BoTorch priors we use that
 * Gaussian: the same MAP objective, written in the space we optimize in.
 */
import { exp, log } from '../util/math';
import type { GPHyperparameters } from './types';

/** A Normal prior on a log-hyperparameter. */
export interface LogNormalPrior {
  /** mean of the log-hyperparameter */
  mean: number;
  /** standard deviation of the log-hyperparameter */
  sd: number;
}

export interface HyperPriors {
  logLengthscale: LogNormalPrior;
  logSignalVariance: LogNormalPrior;
  logNoiseVariance: LogNormalPrior;
}

/** Lengthscale box on the unit cube: below 0.01 neighbouring points decorrelate; above 100 a dimension is irrelevant. */
export const LENGTHSCALE_BOUNDS: readonly [number, number] = [1e-2, 1e2];
/** Signal-variance box; standardized targets have variance 1. */
export const SIGNAL_VARIANCE_BOUNDS: readonly [number, number] = [1e-3, 1e2];
/** Noise-variance upper bound: noise cannot exceed the standardized target variance. */
export const NOISE_VARIANCE_MAX = 1;
/** Default noise floor (standardized units). */
export const DEFAULT_NOISE_FLOOR = 1e-6;

const SQRT2 = Math.SQRT2;
const SQRT3 = Math.sqrt(3);

/**
 * The default priors for input dimension `d` (see the module comment):
 * log l ~ N(sqrt2 + log(d)/2 - 3, sqrt3), log s2 ~ N(0, 1), log noise ~ N(-5, 1)
 * (for l and noise the mean is the BoTorch LogNormal's loc minus scale^2, its mode).
 * The lengthscale prior's mode is 0.205 sqrt(d): 0.50 at d = 6, 0.92 at d = 20.
 */
export function defaultHyperPriors(d: number): HyperPriors {
  return {
    logLengthscale: { mean: SQRT2 + 0.5 * log(Math.max(d, 1)) - 3, sd: SQRT3 },
    logSignalVariance: { mean: 0, sd: 1 },
    logNoiseVariance: { mean: -4 - 1, sd: 1 },
  };
}

const HALF_LOG_2PI = 0.5 * log(2 * Math.PI);

function negLogNormal(p: LogNormalPrior, t: number): number {
  const z = (t - p.mean) / p.sd;
  return 0.5 * z * z + log(p.sd) + HALF_LOG_2PI;
}

/**
 * -log p(theta) for the packed log-hyperparameters (length d + 2); when `grad`
 * is given, adds d(-log p)/d theta into it.
 */
export function negLogPrior(theta: ArrayLike<number>, d: number, priors: HyperPriors, grad?: Float64Array): number {
  let f = 0;
  const parts: [LogNormalPrior, number][] = [];
  for (let k = 0; k < d; k++) parts.push([priors.logLengthscale, k]);
  parts.push([priors.logSignalVariance, d], [priors.logNoiseVariance, d + 1]);
  for (const [p, k] of parts) {
    f += negLogNormal(p, theta[k]);
    if (grad) grad[k] += (theta[k] - p.mean) / (p.sd * p.sd);
  }
  return f;
}

/** Box bounds on theta (length d + 2) for the given noise floor. */
export function hyperparameterBounds(d: number, noiseFloor: number): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(d + 2);
  const upper = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) {
    lower[k] = log(LENGTHSCALE_BOUNDS[0]);
    upper[k] = log(LENGTHSCALE_BOUNDS[1]);
  }
  lower[d] = log(SIGNAL_VARIANCE_BOUNDS[0]);
  upper[d] = log(SIGNAL_VARIANCE_BOUNDS[1]);
  lower[d + 1] = log(noiseFloor);
  upper[d + 1] = log(NOISE_VARIANCE_MAX);
  return { lower, upper };
}

/** theta = [log lengthscales, log signalVariance, log noiseVariance]. */
export function packHyperparameters(h: GPHyperparameters): Float64Array {
  const d = h.lengthscales.length;
  const theta = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) theta[k] = log(h.lengthscales[k]);
  theta[d] = log(h.signalVariance);
  theta[d + 1] = log(h.noiseVariance);
  return theta;
}

/** Inverse of {@link packHyperparameters}. */
export function unpackHyperparameters(theta: ArrayLike<number>, d: number): GPHyperparameters {
  const lengthscales = new Float64Array(d);
  for (let k = 0; k < d; k++) lengthscales[k] = exp(theta[k]);
  return { lengthscales, signalVariance: exp(theta[d]), noiseVariance: exp(theta[d + 1]) };
}
