/**
 * Zero-mean Gaussian process on standardized targets over unit-cube inputs,
 * float64. Hyperparameters are MAP estimates (log marginal likelihood plus weak
 * priors, see ./priors) found by bounded L-BFGS in log space from several
 * starts: each start gets a few iterations, then the best is run to
 * convergence. Refits also start from the previous optimum, which makes the
 * per-iteration refit of a Bayesian-optimization loop cheap.
 */
import { InvalidOptionError, StateError } from '../errors';
import { minimizeLbfgsb, type LbfgsbResult } from '../util/lbfgsb';
import { Rng, type RngState } from '../util/rng';
import { KERNEL_NAMES, type KernelName } from './kernels';
import {
  LENGTHSCALE_MODELS, expandShared, laplaceLogEvidence, reduceToShared, sharedObjective, type LengthscaleModel,
} from './lengthscale-model';
import { MarginalLikelihood } from './likelihood';
import { CovarianceFactor } from './covariance-factor';
import { solveLower, solveLowerTranspose } from './linalg';
import { posteriorFromFactors, type Posterior } from './posterior';
import {
  DEFAULT_NOISE_FLOOR, NOISE_VARIANCE_MAX, defaultHyperPriors, hyperparameterBounds,
  packHyperparameters, unpackHyperparameters,
} from './priors';
import type { GPHyperparameters, PosteriorFactors } from './types';

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
}

export interface PredictOptions {
  /** return standardized units instead of the original target units; default false */
  standardized?: boolean;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** Noise variance the default start uses (standardized units). */
const DEFAULT_START_NOISE = 1e-3;
/** Per-start optimizer budget; hyperparameter MAP needs no more precision than this. */
const FIT_OPTIONS = { maxIterations: 100, pgtol: 1e-4, ftol: 1e-9 };
/** Iterations each start gets before only the best one is continued. */
const PROBE_ITERATIONS = 8;
/** With refit 'auto', below this many points (at the last refit) the hyperparameters are refitted every time. */
export const REFIT_ALWAYS_BELOW = 64;
/** With refit 'auto', hyperparameters are refitted once n reaches this factor times n at the last refit. */
export const REFIT_GROWTH = 1.1;
/** Standard normal quantile of the staleness test's level (0.999). */
const STALE_Z = 3.090232306167813;

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

export class GaussianProcess {
  /** the covariance kernel */
  readonly kernel: KernelName;
  private readonly noiseFloor: number;
  private readonly usePriors: boolean;
  private readonly restarts: number;
  private readonly maxFitPoints: number;
  private readonly rng: Rng;
  private readonly fixed: GPHyperparameters | undefined;
  private readonly refit: 'always' | 'auto';
  /** the lengthscale model (see {@link GPOptions.lengthscales}) */
  readonly lengthscaleModel: LengthscaleModel;
  private fitN = 0;
  private fitKey = 0;
  private readonly cov = new CovarianceFactor();

  private _n = 0;
  private _d = 0;
  private X: Float64Array = new Float64Array(0);
  private theta: Float64Array | null = null; // fitted log-hyperparameters, the warm start of the next fit
  private alpha: Float64Array = new Float64Array(0);
  private ys: Float64Array = new Float64Array(0); // standardized targets
  // y_std = (y / yScale - yMean) / yStd; yScale is 1 unless targets come near the float64 limit
  private yScale = 1;
  private yMean = 0;
  private yStd = 1;
  private _lml = 0;
  private fitted = false;
  private cachedFactors: PosteriorFactors | null = null;
  private stats: GPFitStats = emptyStats();

  constructor(opts: GPOptions = {}) {
    const kernel = opts.kernel ?? 'matern52';
    if (!KERNEL_NAMES.includes(kernel)) {
      throw new InvalidOptionError(
        `kernel: must be one of ${KERNEL_NAMES.map((k) => `"${k}"`).join(', ')} (got "${String(kernel)}")`, 'kernel');
    }
    const noiseFloor = opts.noiseFloor ?? DEFAULT_NOISE_FLOOR;
    if (typeof noiseFloor !== 'number' || !(noiseFloor > 0 && noiseFloor < NOISE_VARIANCE_MAX)) {
      throw new InvalidOptionError(`noiseFloor: must be a number in (0, 1) (got ${String(noiseFloor)})`, 'noiseFloor');
    }
    const restarts = opts.restarts ?? 4;
    if (!Number.isInteger(restarts) || restarts < 0) {
      throw new InvalidOptionError(`restarts: must be a non-negative integer (got ${String(restarts)})`, 'restarts');
    }
    const maxFitPoints = opts.maxFitPoints ?? 250;
    if (!Number.isInteger(maxFitPoints) || maxFitPoints < 1) {
      throw new InvalidOptionError(
        `maxFitPoints: must be a positive integer (got ${String(maxFitPoints)})`, 'maxFitPoints');
    }
    this.kernel = kernel;
    this.noiseFloor = noiseFloor;
    this.usePriors = opts.priors ?? true;
    this.restarts = restarts;
    this.maxFitPoints = maxFitPoints;
    this.rng = opts.rng ?? new Rng(0);
    this.fixed = opts.fixedHyperparameters;
    const refit = opts.refit ?? 'auto';
    if (refit !== 'always' && refit !== 'auto') {
      throw new InvalidOptionError(`refit: must be "always" or "auto" (got ${JSON.stringify(refit)})`, 'refit');
    }
    this.refit = refit;
    const ls = opts.lengthscales ?? 'ard';
    if (!LENGTHSCALE_MODELS.includes(ls)) {
      throw new InvalidOptionError(
        `lengthscales: must be one of ${LENGTHSCALE_MODELS.map((k) => `"${k}"`).join(', ')} (got ${JSON.stringify(ls)})`,
        'lengthscales');
    }
    this.lengthscaleModel = ls;
  }

  /** number of observations of the last fit */
  get n(): number { return this._n; }
  /** input dimension of the last fit */
  get d(): number { return this._d; }
  /** fitted (or fixed) hyperparameters, standardized units; a copy */
  get hyperparameters(): GPHyperparameters {
    return unpackHyperparameters(this.theta ?? this.defaultTheta(this._d), this._d);
  }
  /** log p(y | hyperparameters) of all n standardized targets (priors excluded); 0 when n = 0 */
  get logMarginalLikelihood(): number { return this._lml; }
  /** jitter added to the diagonal in the final factorization (usually 0) */
  get jitter(): number { return this.cov.jitter; }
  /** where the last fit spent its time; a copy */
  get fitStats(): GPFitStats { return { ...this.stats }; }

  /**
   * Fit hyperparameters (unless fixed) and factor the covariance of all points.
   * Refits start from the previous fit's hyperparameters as well as the default
   * and random starts. With n > maxFitPoints the hyperparameters are fitted on a
   * random subset, then all n points are factored once (O(n^3)).
   * @param X `n x d` row-major inputs in the unit cube (copied)
   * @param y `n` targets in original units (copied, standardized internally)
   * @param d input dimension
   */
  fit(X: Float64Array, y: Float64Array, d: number): this {
    if (!Number.isInteger(d) || d < 1) throw new InvalidOptionError(`d: must be a positive integer (got ${d})`, 'd');
    const n = y.length;
    if (X.length !== n * d) {
      throw new InvalidOptionError(
        `X: expected n x d = ${n * d} values (n = ${n} targets, d = ${d}), got ${X.length}`, 'X');
    }
    for (let i = 0; i < X.length; i++) {
      if (!Number.isFinite(X[i])) throw new InvalidOptionError(`X: entry ${i} is not finite (${X[i]})`, 'X');
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(y[i])) throw new InvalidOptionError(`y: entry ${i} is not finite (${y[i]})`, 'y');
    }
    if (this.theta && this.theta.length !== d + 2) this.theta = null; // dimension changed: no warm start

    const { scale, mean, std } = standardization(y);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) ys[i] = (y[i] / scale - mean) / std;

    const stats = this.stats = emptyStats();
    let theta: Float64Array;
    const reason = this.fixed ? 'fixed' : n === 0 ? 'first' : this.refitReason(X, n, d);
    stats.reason = reason;
    let t = now();
    if (this.fixed) theta = this.fixedTheta(d);
    else if (n === 0) theta = this.defaultTheta(d);
    else if (reason === 'kept') theta = this.theta!;
    else theta = this.optimize(X, ys, n, d);
    stats.hyperparameterMs = now() - t;
    t = now();
    const z = this.factor(X, ys, n, d, theta);
    stats.factorMs = now() - t;
    if (reason === 'kept' && isStale(z, this.fitN, n)) {
      stats.reason = 'stale';
      t = now();
      theta = this.optimize(X, ys, n, d);
      stats.hyperparameterMs += now() - t;
      t = now();
      this.factor(X, ys, n, d, theta);
      stats.factorMs += now() - t;
    }
    stats.refitted = stats.reason !== 'kept' && stats.reason !== 'fixed' && n > 0;
    if (stats.refitted) {
      this.fitN = n;
      this.fitKey = fingerprint(X, n * d);
    }
    stats.keptRows = this.cov.kept;
    this.yScale = scale;
    this.yMean = mean;
    this.yStd = std;
    this.theta = theta;
    this.fitted = true;
    return this;
  }

  /**
   * What the next {@link fit} of these inputs will do with the
   * hyperparameters, without side effects: 'kept' (refit 'auto' between
   * refits; the fit may still find them stale once it has factored), or why
   * it will optimize them. Callers that derive something costly from the
   * data, such as the output warp, recompute it only when this is not 'kept'.
   * @param X `n x d` row-major inputs, as the fit will get them
   */
  plannedRefit(X: Float64Array, n: number, d: number): GPFitStats['reason'] {
    if (this.fixed) return 'fixed';
    if (n === 0 || (this.theta && this.theta.length !== d + 2)) return 'first';
    return this.refitReason(X, n, d);
  }

  /**
   * What the next fit depends on besides the data: the random stream of its
   * restarts and the hyperparameters it warm-starts from. A resumed study
   * restores it with {@link restoreState} to continue bit for bit.
   */
  state(): GPState {
    return {
      rng: this.rng.state(), theta: this.theta ? Array.from(this.theta) : null, fitN: this.fitN, fitKey: this.fitKey,
    };
  }

  /** Continues from a saved {@link state} (the data are refitted by the next `fit`). */
  restoreState(s: GPState): void {
    this.rng.setState(s.rng);
    this.theta = s.theta === null ? null : Float64Array.from(s.theta);
    this.fitN = s.fitN ?? 0;
    this.fitKey = s.fitKey ?? 0;
  }

  /**
   * Everything the acquisition engines need, in standardized units. Linv is
   * computed on first access after a fit (O(n^3 / 6)) and cached; the CPU
   * engine never reads it. The arrays
   * are shared with this GP: treat them as read-only. `noiseVariance` includes
   * any jitter the factorization needed, so L L^T = K + noiseVariance I exactly.
   */
  factors(): PosteriorFactors {
    this.assertFitted('factors');
    if (!this.cachedFactors) {
      const h = this.hyperparameters;
      const L = this.cov.L;
      const n = this._n;
      // Linv costs O(n^3) and only the WebGPU engine reads it: build it on first access.
      let Linv: Float64Array | undefined;
      const f = {
        kernel: this.kernel,
        n,
        d: this._d,
        X: this.X,
        lengthscales: h.lengthscales,
        signalVariance: h.signalVariance,
        noiseVariance: h.noiseVariance + this.cov.jitter,
        alpha: this.alpha,
        L,
        yMean: this.yMean * this.yScale,
        yStd: this.yStd * this.yScale,
      } as Omit<PosteriorFactors, 'Linv'> as PosteriorFactors;
      Object.defineProperty(f, 'Linv', {
        enumerable: true,
        get: () => {
          if (!Linv) {
            const t = now();
            Linv = this.cov.inverse();
            this.stats.linvMs += now() - t;
          }
          return Linv;
        },
      });
      this.cachedFactors = f;
    }
    return this.cachedFactors;
  }

  /**
   * Posterior mean and latent-function variance (noise excluded) at m points,
   * in original target units unless `standardized` is set.
   * @param Xs `m x d` row-major points in the unit cube
   */
  predict(Xs: Float64Array, m: number, opts: PredictOptions = {}): Posterior {
    this.assertFitted('predict');
    if (!Number.isInteger(m) || m < 0) throw new InvalidOptionError(`m: must be a non-negative integer (got ${m})`, 'm');
    if (Xs.length < m * this._d) {
      throw new InvalidOptionError(`Xs: expected m x d = ${m * this._d} values, got ${Xs.length}`, 'Xs');
    }
    const h = this.hyperparameters;
    const post = posteriorFromFactors({
      kernel: this.kernel, n: this._n, d: this._d, X: this.X, lengthscales: h.lengthscales,
      signalVariance: h.signalVariance, noiseVariance: h.noiseVariance + this.cov.jitter,
      alpha: this.alpha, L: this.cov.L, yMean: this.yMean * this.yScale, yStd: this.yStd * this.yScale,
    }, Xs, m);
    if (!opts.standardized) {
      const s = this.yStd;
      const c = this.yScale;
      for (let i = 0; i < m; i++) {
        post.mean[i] = (post.mean[i] * s + this.yMean) * c;
        post.variance[i] *= s * s;
        if (c !== 1) post.variance[i] *= c * c;
      }
    }
    return post;
  }

  /**
   * Posterior mean at the n training inputs in O(n), from the identity
   * K_f alpha = (K_y - noise I) alpha = y - noise alpha. Equals
   * `predict(X, n).mean` (up to rounding) without its O(n^3) cost.
   */
  trainingMean(opts: PredictOptions = {}): Float64Array {
    this.assertFitted('trainingMean');
    const noise = this.hyperparameters.noiseVariance + this.cov.jitter;
    const out = new Float64Array(this._n);
    for (let i = 0; i < this._n; i++) {
      const z = this.ys[i] - noise * this.alpha[i];
      out[i] = opts.standardized ? z : (z * this.yStd + this.yMean) * this.yScale;
    }
    return out;
  }

  /** Original units to standardized: (y - mean) / std. */
  standardize(y: number): number { return (y / this.yScale - this.yMean) / this.yStd; }
  /** Standardized units to original: z * std + mean. */
  unstandardize(z: number): number { return (z * this.yStd + this.yMean) * this.yScale; }

  private assertFitted(method: string): void {
    if (!this.fitted) throw new StateError(`GaussianProcess: call fit() before ${method}()`);
  }

  /** Lengthscales at the prior mode, signal variance 1, noise 1e-3 (clipped to the bounds). */
  private defaultTheta(d: number): Float64Array {
    const { lower, upper } = hyperparameterBounds(d, this.noiseFloor);
    const mode = defaultHyperPriors(d).logLengthscale.mean;
    const t = new Float64Array(d + 2);
    for (let k = 0; k < d; k++) t[k] = mode;
    t[d] = 0;
    t[d + 1] = Math.log(DEFAULT_START_NOISE);
    return clip(t, lower, upper);
  }

  private fixedTheta(d: number): Float64Array {
    const h = this.fixed!;
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
    return packHyperparameters({ ...h, noiseVariance: Math.max(h.noiseVariance, this.noiseFloor) });
  }

  /** Multi-start bounded L-BFGS on the MAP objective; returns the best theta. */
  private optimize(X: Float64Array, ys: Float64Array, n: number, d: number): Float64Array {
    let Xf = X;
    let yf = ys;
    let nf = n;
    if (n > this.maxFitPoints) {
      nf = this.maxFitPoints;
      const idx = sampleIndices(n, nf, this.rng);
      Xf = new Float64Array(nf * d);
      yf = new Float64Array(nf);
      for (let a = 0; a < nf; a++) {
        yf[a] = ys[idx[a]];
        for (let k = 0; k < d; k++) Xf[a * d + k] = X[idx[a] * d + k];
      }
    }
    const ml = new MarginalLikelihood(
      { kernel: this.kernel, X: Xf, y: yf, n: nf, d },
      this.usePriors ? defaultHyperPriors(d) : null,
    );
    const { lower, upper } = hyperparameterBounds(d, this.noiseFloor);
    const pri = defaultHyperPriors(d);
    const randomStarts: Float64Array[] = [];
    for (let r = 0; r < this.restarts; r++) {
      const t = new Float64Array(d + 2);
      for (let k = 0; k < d; k++) t[k] = pri.logLengthscale.mean + pri.logLengthscale.sd * this.rng.normal();
      t[d] = pri.logSignalVariance.mean + pri.logSignalVariance.sd * this.rng.normal();
      t[d + 1] = pri.logNoiseVariance.mean + pri.logNoiseVariance.sd * this.rng.normal();
      randomStarts.push(clip(t, lower, upper));
    }
    const starts: Float64Array[] = [this.defaultTheta(d)];
    if (this.theta) {
      // Warm refit: the previous optimum is usually still (near) optimal, so of the
      // random starts only the one with the best objective value is probed.
      starts.unshift(clip(Float64Array.from(this.theta), lower, upper));
      let bestStart: Float64Array | null = null;
      let bestValue = Infinity;
      for (const t of randomStarts) {
        this.stats.evaluations++;
        const v = ml.evaluate(t);
        if (v < bestValue) { bestValue = v; bestStart = t; }
      }
      if (bestStart) starts.push(bestStart);
    } else {
      starts.push(...randomStarts);
    }
    this.stats.fitPoints = nf;
    const fg = (t: Float64Array, g: Float64Array) => (this.stats.evaluations++, ml.evaluate(t, g));
    const mode = this.lengthscaleModel;
    const ard = mode === 'shared' ? null : multiStart(fg, starts, lower, upper);
    if (mode === 'ard' || (ard && !ard.finite)) {
      this.stats.lengthscales = 'ard';
      return ard ? ard.x : starts[0];
    }
    // The shared-lengthscale model: same starts, lengthscales averaged (in log).
    const plain = new MarginalLikelihood({ kernel: this.kernel, X: Xf, y: yf, n: nf, d }, null);
    const sfg = sharedObjective((t, g) => (this.stats.evaluations++, plain.evaluate(t, g)), d, this.usePriors ? pri : null);
    const sl = reduceToShared(lower, d);
    const su = reduceToShared(upper, d);
    const shared = multiStart(sfg, starts.map((t) => reduceToShared(t, d)), sl, su);
    if (mode === 'shared' || !ard) {
      this.stats.lengthscales = 'shared';
      return shared.finite ? expandShared(shared.x, d) : starts[0];
    }
    const useShared = shared.finite
      && laplaceLogEvidence(sfg, shared.x, shared.f, sl, su) > laplaceLogEvidence(fg, ard.x, ard.f, lower, upper);
    this.stats.lengthscales = useShared ? 'shared' : 'ard';
    return useShared ? expandShared(shared.x, d) : ard.x;
  }

  /**
   * Why the next fit must optimize the hyperparameters, or 'kept' when the
   * previous ones can stand (refit 'auto', see {@link GPOptions.refit}).
   */
  private refitReason(X: Float64Array, n: number, d: number): GPFitStats['reason'] {
    if (!this.theta) return 'first';
    if (this.refit === 'always' || this.fitN < REFIT_ALWAYS_BELOW) return 'always';
    if (n < this.fitN || fingerprint(X, this.fitN * d) !== this.fitKey) return 'data';
    if (n >= this.fitN * REFIT_GROWTH) return 'schedule';
    return 'kept';
  }

  /**
   * Factors K(X, X) + noise I over all points (extending the previous factor
   * when it can); sets L, alpha, the log marginal likelihood. Returns
   * z = L^{-1} y, the sequential standardized residuals.
   */
  private factor(X: Float64Array, ys: Float64Array, n: number, d: number, theta: Float64Array): Float64Array {
    this.cov.update(this.kernel, X, n, d, theta);
    const L = this.cov.L;
    this.cachedFactors = null;
    const z = solveLower(L, n, ys);
    this.alpha = solveLowerTranspose(L, n, z);
    let lml = 0;
    lml -= n * HALF_LOG_2PI;
    for (let i = 0; i < n; i++) lml -= 0.5 * z[i] * z[i] + Math.log(L[i * n + i]);
    this._lml = lml;
    this.X = Float64Array.from(X);
    this.ys = ys;
    this._n = n;
    this._d = d;
    return z;
  }
}

/** Above this |y|, targets are divided by a power of two first: differences and sums of values near ±1.8e308 overflow. */
const SCALE_ABOVE = 2 ** 1000;

function emptyStats(): GPFitStats {
  return {
    hyperparameterMs: 0, factorMs: 0, linvMs: 0, evaluations: 0, fitPoints: 0, refitted: false, reason: 'first', keptRows: 0,
  };
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
  const q = k * (1 - a + STALE_Z * Math.sqrt(a)) ** 3;
  return !(s <= q);
}

/** FNV-1a over the float64 bit patterns of x[0..len-1]: identifies the inputs a refit saw. */
function fingerprint(x: Float64Array, len: number): number {
  const w = new Uint32Array(x.buffer, x.byteOffset, 2 * len);
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) {
    h ^= w[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Sample mean and (n - 1) standard deviation of y / scale; std = 1 when it is
 * zero, tiny relative to the mean (rounding noise), or undefined (n < 2).
 * `scale` is 1 for ordinary targets (so results are exactly those of plain
 * standardization) and a power of two near max |y| beyond SCALE_ABOVE, so
 * that targets anywhere in the float64 range standardize without overflow.
 */
function standardization(yRaw: Float64Array): { scale: number; mean: number; std: number } {
  const n = yRaw.length;
  let big = 0;
  for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(yRaw[i]));
  const scale = big > SCALE_ABOVE ? 2 ** Math.floor(Math.log2(big)) : 1;
  const y = scale === 1 ? yRaw : yRaw.map((v) => v / scale);
  return { scale, ...meanStd(y) };
}

function meanStd(y: Float64Array): { mean: number; std: number } {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (y[i] - mean) / (i + 1);
  if (n < 2) return { mean, std: 1 };
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(y[i] - mean));
  if (!(scale > 0) || !Number.isFinite(scale)) return { mean, std: 1 };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((y[i] - mean) / scale) ** 2;
  const std = scale * Math.sqrt(ss / (n - 1));
  if (!(std > 1e-12 * Math.abs(mean)) || !Number.isFinite(std)) return { mean, std: 1 };
  return { mean, std };
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

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Multi-start bounded L-BFGS: every start is probed with a few iterations,
 * then the most promising one is run to convergence (most of the multi-start
 * robustness at a fraction of the cost). Returns the best point and value.
 */
function multiStart(
  fg: (t: Float64Array, g: Float64Array) => number, starts: Float64Array[], lower: Float64Array, upper: Float64Array,
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

function clip(t: Float64Array, lower: Float64Array, upper: Float64Array): Float64Array {
  for (let i = 0; i < t.length; i++) t[i] = Math.min(upper[i], Math.max(lower[i], t[i]));
  return t;
}
