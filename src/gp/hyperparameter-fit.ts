/**
 * MAP estimation of the GP hyperparameters (log marginal likelihood plus weak
 * priors, see ./priors) by bounded L-BFGS in log space from several starts:
 * each start gets a few iterations, then the best is run to convergence.
 * Refits also start from the previous optimum, which makes the per-iteration
 * refit of a Bayesian-optimization loop cheap. Theta is the packed vector of
 * log-hyperparameters: d lengthscales, signal variance, noise variance.
 */
import { log } from '../util/math';
import { InvalidOptionError } from '../errors';
import type { Rng } from '../util/rng';
import type { GPFitStats, GPSettings } from './gp-options';
import { modelObjective, runFitTask, type FitJob, type FitTask, type FitTaskResult } from './fit-tasks';
import { expandShared, expandTied, groupCount, reduceToShared, reduceToTied } from './lengthscale-model';
import { MarginalLikelihood } from './likelihood';
import { defaultHyperPriors, hyperparameterBounds, packHyperparameters } from './priors';
import type { GPHyperparameters } from './types';
import { show } from '../util/format-value';

/** Noise variance the default start uses (standardized units). */
const DEFAULT_START_NOISE = 1e-3;

/** The settings a hyperparameter fit reads. */
export type FitSettings = Pick<
  GPSettings, 'kernel' | 'noiseFloor' | 'usePriors' | 'restarts' | 'maxFitPoints' | 'rng' | 'lengthscaleModel' | 'lengthscaleGroups'
>;

/** Lengthscales at the prior mode (of G lengthscales: see defaultHyperPriors), signal variance 1, noise 1e-3 (clipped to the bounds). */
export function defaultTheta(d: number, noiseFloor: number, G = d): Float64Array {
  const { lower, upper } = hyperparameterBounds(d, noiseFloor);
  const mode = defaultHyperPriors(G).logLengthscale.mean;
  const t = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) t[k] = mode;
  t[d] = 0;
  t[d + 1] = log(DEFAULT_START_NOISE);
  return clip(t, lower, upper);
}

/** Shortest fixed lengthscale: inputs within ±1e100 (MAX_GP_INPUT) over it keep scaled squared distances finite. */
export const MIN_FIXED_LENGTHSCALE = 1e-50;

/** Theta of user-given hyperparameters, checked against d, noise raised to the floor. */
export function fixedTheta(h: GPHyperparameters, d: number, noiseFloor: number): Float64Array {
  const bad = (what: string, v: number) => new InvalidOptionError(
    `fixedHyperparameters: ${what} must be a positive finite number (got ${show(v)})`, 'fixedHyperparameters');
  if (h.lengthscales.length !== d) {
    throw new InvalidOptionError(
      `fixedHyperparameters: expected ${d} lengthscales, got ${h.lengthscales.length}`, 'fixedHyperparameters');
  }
  h.lengthscales.forEach((l, k) => {
    if (!(l > 0 && Number.isFinite(l))) throw bad(`lengthscale ${k}`, l);
    // with inputs up to ±MAX_GP_INPUT, a shorter one overflows the scaled distances (a NaN Matérn kernel)
    if (l < MIN_FIXED_LENGTHSCALE) {
      throw new InvalidOptionError(`fixedHyperparameters: lengthscale ${k} must be at least ${MIN_FIXED_LENGTHSCALE} (got ${show(l)})`, 'fixedHyperparameters');
    }
  });
  if (!(h.signalVariance > 0 && Number.isFinite(h.signalVariance))) throw bad('signalVariance', h.signalVariance);
  if (!(h.noiseVariance >= 0 && Number.isFinite(h.noiseVariance))) {
    throw new InvalidOptionError(
      `fixedHyperparameters: noiseVariance must be a non-negative finite number (got ${show(h.noiseVariance)})`,
      'fixedHyperparameters');
  }
  return packHyperparameters({ ...h, noiseVariance: Math.max(h.noiseVariance, noiseFloor) });
}

/** Runs a fit's independent tasks, on this thread or spread over threads; results in task order. */
export type FitTaskRunner = (job: FitJob, tasks: FitTask[]) => FitTaskResult[];

/** Runs the tasks one after another on the calling thread. */
export const runSequentially: FitTaskRunner = (job, tasks) => tasks.map((t) => runFitTask(job, t));

/**
 * Multi-start bounded L-BFGS on the MAP objective; returns the best theta.
 * Counts evaluations, fit points and the chosen lengthscale model in `stats`.
 * Every start is probed with a few iterations, then the most promising one
 * of each lengthscale model is run to convergence (most of the multi-start
 * robustness at a fraction of the cost). The probes of both models are
 * independent, and so are the two final runs: `run` may spread each of the
 * two rounds over threads (./fit-pool) without changing a bit of the result.
 * @param X `n x d` row-major inputs in the unit cube
 * @param ys `n` standardized targets
 * @param warm theta of the previous fit (same d), or null
 * @throws InvalidOptionError when `lengthscaleGroups` has not d entries
 */
export function fitHyperparameters(
  s: FitSettings, X: Float64Array, ys: Float64Array, n: number, d: number, warm: Float64Array | null,
  stats: GPFitStats, run: FitTaskRunner = runSequentially,
): Float64Array {
  const groups = s.lengthscaleGroups;
  if (groups && groups.length !== d) {
    throw new InvalidOptionError(
      `lengthscaleGroups: expected ${d} entries (one per input column), got ${groups.length}`, 'lengthscaleGroups');
  }
  const G = groups ? groupCount(groups) : d;
  const { Xf, yf, nf } = n > s.maxFitPoints
    ? subsample(X, ys, n, d, s.maxFitPoints, s.rng)
    : { Xf: X, yf: ys, nf: n };
  const job: FitJob = { kernel: s.kernel, X: Xf, y: yf, n: nf, d, usePriors: s.usePriors, noiseFloor: s.noiseFloor, ...(groups ? { groups } : {}) };
  // ARD points of tied lengthscales travel reduced (G + 2), and come back full
  const toArd = (t: Float64Array): Float64Array => (groups ? reduceToTied(t, groups, G) : t);
  const fromArd = (x: Float64Array): Float64Array => (groups ? expandTied(x, groups, G) : x);
  const starts = startingPoints(s, d, G, warm, job, stats);
  stats.fitPoints = nf;
  const mode = s.lengthscaleModel;
  const models: ('ard' | 'shared')[] = mode === 'auto' ? ['ard', 'shared'] : [mode];
  // Round 1: every start of every model, a few iterations each.
  const probes = run(job, models.flatMap((model) => starts.map((t): FitTask => ({
    kind: 'probe', model, start: model === 'shared' ? reduceToShared(t, d) : toArd(t),
  }))));
  for (const r of probes) stats.evaluations += r.evaluations;
  const best = models.map((_, i) => bestProbe(probes.slice(i * starts.length, (i + 1) * starts.length)));
  const ardBest = mode === 'shared' ? null : best[0];
  const sharedBest = mode === 'ard' ? null : best[best.length - 1];
  if (mode === 'ard' || (ardBest && !ardBest.finite)) {
    stats.lengthscales = 'ard';
    return ardBest!.finite ? fromArd(finals(run, job, [['ard', ardBest!, false]], stats)[0].x) : starts[0];
  }
  if (mode === 'shared') {
    stats.lengthscales = 'shared';
    return sharedBest!.finite ? expandShared(finals(run, job, [['shared', sharedBest!, false]], stats)[0].x, d) : starts[0];
  }
  if (!sharedBest!.finite) {
    stats.lengthscales = 'ard';
    return fromArd(finals(run, job, [['ard', ardBest!, false]], stats)[0].x);
  }
  // Round 2: both models to convergence, with their Laplace evidence.
  const [ard, shared] = finals(run, job, [['ard', ardBest!, true], ['shared', sharedBest!, true]], stats);
  const useShared = shared.evidence! > ard.evidence!;
  stats.lengthscales = useShared ? 'shared' : 'ard';
  return useShared ? expandShared(shared.x, d) : fromArd(ard.x);
}

/** The first probe with the least value (the sequential multi-start's choice). */
function bestProbe(results: FitTaskResult[]): FitTaskResult & { finite: boolean } {
  let best: FitTaskResult | null = null;
  for (const r of results) if (!best || r.f < best.f) best = r;
  return { ...best!, finite: best !== null && Number.isFinite(best.f) };
}

/** Round 2 for the given models: each best probe run to convergence (evidence when asked). */
function finals(
  run: FitTaskRunner, job: FitJob, which: ['ard' | 'shared', FitTaskResult, boolean][], stats: GPFitStats,
): FitTaskResult[] {
  const out = run(job, which.map(([model, b, evidence]): FitTask => ({
    kind: 'final', model, start: b.x, f: b.f, converged: b.converged, evidence,
  })));
  for (const r of out) stats.evaluations += r.evaluations;
  return out;
}

/**
 * The starts of a fit (full points, d + 2): the warm start (previous theta)
 * if any, the default start, and `restarts` random ones drawn from the
 * priors (one lengthscale per group of `job.groups`). A warm refit probes
 * only the random start with the best objective value, since the previous
 * optimum is usually still (near) optimal.
 */
function startingPoints(
  s: FitSettings, d: number, G: number, warm: Float64Array | null, job: FitJob, stats: GPFitStats,
): Float64Array[] {
  const { lower, upper } = hyperparameterBounds(d, s.noiseFloor);
  const pri = defaultHyperPriors(G);
  const groups = job.groups;
  const randomStarts: Float64Array[] = [];
  for (let r = 0; r < s.restarts; r++) {
    const t = new Float64Array(d + 2);
    if (groups) {
      const l = Array.from({ length: G }, () => pri.logLengthscale.mean + pri.logLengthscale.sd * s.rng.normal());
      for (let k = 0; k < d; k++) t[k] = l[groups[k]];
    } else for (let k = 0; k < d; k++) t[k] = pri.logLengthscale.mean + pri.logLengthscale.sd * s.rng.normal();
    t[d] = pri.logSignalVariance.mean + pri.logSignalVariance.sd * s.rng.normal();
    t[d + 1] = pri.logNoiseVariance.mean + pri.logNoiseVariance.sd * s.rng.normal();
    randomStarts.push(clip(t, lower, upper));
  }
  const starts: Float64Array[] = [defaultTheta(d, s.noiseFloor, G)];
  if (!warm) return starts.concat(randomStarts);
  starts.unshift(clip(Float64Array.from(warm), lower, upper));
  // the MAP objective of the ARD model, at a full point
  const value = groups ? tiedValue(job, G) : (() => {
    const ml = new MarginalLikelihood({ kernel: job.kernel, X: job.X, y: job.y, n: job.n, d }, s.usePriors ? pri : null);
    return (t: Float64Array) => ml.evaluate(t);
  })();
  let bestStart: Float64Array | null = null;
  let bestValue = Infinity;
  for (const t of randomStarts) {
    stats.evaluations++;
    const v = value(t);
    if (v < bestValue) { bestValue = v; bestStart = t; }
  }
  if (bestStart) starts.push(bestStart);
  return starts;
}

/** The tied ARD model's MAP objective (./fit-tasks) at a full point whose lengthscales are tied already. */
function tiedValue(job: FitJob, G: number): (t: Float64Array) => number {
  const { fg } = modelObjective(job, 'ard');
  const grad = new Float64Array(G + 2);
  return (t) => fg(reduceToTied(t, job.groups!, G), grad);
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
