/**
 * MAP estimation of the GP hyperparameters (log marginal likelihood plus weak
 * priors, see ./priors) by bounded L-BFGS in log space from several starts:
 * each start gets a few iterations, then the best is run to convergence.
 * Refits also start from the previous optimum, which makes the per-iteration
 * refit of a Bayesian-optimization loop cheap. Theta is the packed vector of
 * log-hyperparameters: d lengthscales, signal variance, noise variance.
 */
import { InvalidOptionError } from '../errors';
import { minimizeLbfgsb, type LbfgsbResult } from '../util/lbfgsb';
import type { Rng } from '../util/rng';
import type { GPFitStats, GPSettings } from './gp-options';
import { expandShared, laplaceLogEvidence, reduceToShared, sharedObjective } from './lengthscale-model';
import { MarginalLikelihood } from './likelihood';
import { defaultHyperPriors, hyperparameterBounds, packHyperparameters } from './priors';
import type { GPHyperparameters } from './types';

/** Noise variance the default start uses (standardized units). */
const DEFAULT_START_NOISE = 1e-3;
/** Per-start optimizer budget; hyperparameter MAP needs no more precision than this. */
const FIT_OPTIONS = { maxIterations: 100, pgtol: 1e-4, ftol: 1e-9 };
/** Iterations each start gets before only the best one is continued. */
const PROBE_ITERATIONS = 8;

/** The settings a hyperparameter fit reads. */
export type FitSettings = Pick<
  GPSettings, 'kernel' | 'noiseFloor' | 'usePriors' | 'restarts' | 'maxFitPoints' | 'rng' | 'lengthscaleModel'
>;

/** Objective and gradient of a minimization: returns f(t), writes df/dt into g. */
type Objective = (t: Float64Array, g: Float64Array) => number;

/** Lengthscales at the prior mode, signal variance 1, noise 1e-3 (clipped to the bounds). */
export function defaultTheta(d: number, noiseFloor: number): Float64Array {
  const { lower, upper } = hyperparameterBounds(d, noiseFloor);
  const mode = defaultHyperPriors(d).logLengthscale.mean;
  const t = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) t[k] = mode;
  t[d] = 0;
  t[d + 1] = Math.log(DEFAULT_START_NOISE);
  return clip(t, lower, upper);
}

/** Theta of user-given hyperparameters, checked against d, noise raised to the floor. */
export function fixedTheta(h: GPHyperparameters, d: number, noiseFloor: number): Float64Array {
  const bad = (what: string, v: number) => new InvalidOptionError(
    `fixedHyperparameters: ${what} must be a positive finite number (got ${v})`, 'fixedHyperparameters');
  if (h.lengthscales.length !== d) {
    throw new InvalidOptionError(
      `fixedHyperparameters: expected ${d} lengthscales, got ${h.lengthscales.length}`, 'fixedHyperparameters');
  }
  h.lengthscales.forEach((l, k) => { if (!(l > 0 && Number.isFinite(l))) throw bad(`lengthscale ${k}`, l); });
  if (!(h.signalVariance > 0 && Number.isFinite(h.signalVariance))) throw bad('signalVariance', h.signalVariance);
  if (!(h.noiseVariance >= 0 && Number.isFinite(h.noiseVariance))) {
    throw new InvalidOptionError(
      `fixedHyperparameters: noiseVariance must be a non-negative finite number (got ${h.noiseVariance})`,
      'fixedHyperparameters');
  }
  return packHyperparameters({ ...h, noiseVariance: Math.max(h.noiseVariance, noiseFloor) });
}

/**
 * Multi-start bounded L-BFGS on the MAP objective; returns the best theta.
 * Counts evaluations, fit points and the chosen lengthscale model in `stats`.
 * @param X `n x d` row-major inputs in the unit cube
 * @param ys `n` standardized targets
 * @param warm theta of the previous fit (same d), or null
 */
export function fitHyperparameters(
  s: FitSettings, X: Float64Array, ys: Float64Array, n: number, d: number, warm: Float64Array | null,
  stats: GPFitStats,
): Float64Array {
  const { Xf, yf, nf } = n > s.maxFitPoints
    ? subsample(X, ys, n, d, s.maxFitPoints, s.rng)
    : { Xf: X, yf: ys, nf: n };
  const ml = new MarginalLikelihood(
    { kernel: s.kernel, X: Xf, y: yf, n: nf, d },
    s.usePriors ? defaultHyperPriors(d) : null,
  );
  const starts = startingPoints(s, d, warm, ml, stats);
  stats.fitPoints = nf;
  const fg: Objective = (t, g) => (stats.evaluations++, ml.evaluate(t, g));
  const { lower, upper } = hyperparameterBounds(d, s.noiseFloor);
  const mode = s.lengthscaleModel;
  const ard = mode === 'shared' ? null : multiStart(fg, starts, lower, upper);
  if (mode === 'ard' || (ard && !ard.finite)) {
    stats.lengthscales = 'ard';
    return ard ? ard.x : starts[0];
  }
  // The shared-lengthscale model: same starts, lengthscales averaged (in log).
  const plain = new MarginalLikelihood({ kernel: s.kernel, X: Xf, y: yf, n: nf, d }, null);
  const pri = s.usePriors ? defaultHyperPriors(d) : null;
  const sfg = sharedObjective((t, g) => (stats.evaluations++, plain.evaluate(t, g)), d, pri);
  const sl = reduceToShared(lower, d);
  const su = reduceToShared(upper, d);
  const shared = multiStart(sfg, starts.map((t) => reduceToShared(t, d)), sl, su);
  if (mode === 'shared' || !ard) {
    stats.lengthscales = 'shared';
    return shared.finite ? expandShared(shared.x, d) : starts[0];
  }
  const useShared = shared.finite
    && laplaceLogEvidence(sfg, shared.x, shared.f, sl, su) > laplaceLogEvidence(fg, ard.x, ard.f, lower, upper);
  stats.lengthscales = useShared ? 'shared' : 'ard';
  return useShared ? expandShared(shared.x, d) : ard.x;
}

/**
 * The starts of a fit: the warm start (previous theta) if any, the default
 * start, and `restarts` random ones drawn from the priors. A warm refit
 * probes only the random start with the best objective value, since the
 * previous optimum is usually still (near) optimal.
 */
function startingPoints(
  s: FitSettings, d: number, warm: Float64Array | null, ml: MarginalLikelihood, stats: GPFitStats,
): Float64Array[] {
  const { lower, upper } = hyperparameterBounds(d, s.noiseFloor);
  const pri = defaultHyperPriors(d);
  const randomStarts: Float64Array[] = [];
  for (let r = 0; r < s.restarts; r++) {
    const t = new Float64Array(d + 2);
    for (let k = 0; k < d; k++) t[k] = pri.logLengthscale.mean + pri.logLengthscale.sd * s.rng.normal();
    t[d] = pri.logSignalVariance.mean + pri.logSignalVariance.sd * s.rng.normal();
    t[d + 1] = pri.logNoiseVariance.mean + pri.logNoiseVariance.sd * s.rng.normal();
    randomStarts.push(clip(t, lower, upper));
  }
  const starts: Float64Array[] = [defaultTheta(d, s.noiseFloor)];
  if (!warm) return starts.concat(randomStarts);
  starts.unshift(clip(Float64Array.from(warm), lower, upper));
  let bestStart: Float64Array | null = null;
  let bestValue = Infinity;
  for (const t of randomStarts) {
    stats.evaluations++;
    const v = ml.evaluate(t);
    if (v < bestValue) { bestValue = v; bestStart = t; }
  }
  if (bestStart) starts.push(bestStart);
  return starts;
}

/** A random subset of nf of the n points (rows in their original order), for fitting on fewer points. */
function subsample(
  X: Float64Array, ys: Float64Array, n: number, d: number, nf: number, rng: Rng,
): { Xf: Float64Array; yf: Float64Array; nf: number } {
  const idx = sampleIndices(n, nf, rng);
  const Xf = new Float64Array(nf * d);
  const yf = new Float64Array(nf);
  for (let a = 0; a < nf; a++) {
    yf[a] = ys[idx[a]];
    for (let k = 0; k < d; k++) Xf[a * d + k] = X[idx[a] * d + k];
  }
  return { Xf, yf, nf };
}

/**
 * Multi-start bounded L-BFGS: every start is probed with a few iterations,
 * then the most promising one is run to convergence (most of the multi-start
 * robustness at a fraction of the cost). Returns the best point and value.
 */
function multiStart(
  fg: Objective, starts: Float64Array[], lower: Float64Array, upper: Float64Array,
): { x: Float64Array; f: number; finite: boolean } {
  let best: LbfgsbResult | null = null;
  for (const s of starts) {
    const res = minimizeLbfgsb(fg, s, { lower, upper, ...FIT_OPTIONS, maxIterations: PROBE_ITERATIONS });
    if (!best || res.f < best.f) best = res;
  }
  if (!best || !Number.isFinite(best.f)) return { x: starts[0], f: Infinity, finite: false };
  if (best.converged) return { x: best.x, f: best.f, finite: true };
  const final = minimizeLbfgsb(fg, best.x, { lower, upper, ...FIT_OPTIONS });
  return final.f <= best.f ? { x: final.x, f: final.f, finite: true } : { x: best.x, f: best.f, finite: true };
}

/** k distinct indices from [0, n), sorted, by a partial Fisher-Yates shuffle. */
function sampleIndices(n: number, k: number, rng: Rng): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.subarray(0, k).sort();
}

/** Clamps t into [lower, upper] in place. */
function clip(t: Float64Array, lower: Float64Array, upper: Float64Array): Float64Array {
  for (let i = 0; i < t.length; i++) t[i] = Math.min(upper[i], Math.max(lower[i], t[i]));
  return t;
}
