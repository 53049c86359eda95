/**
 * Zero-mean Gaussian process on standardized targets over unit-cube inputs,
 * float64. The class holds the state of a fit (data, factor, hyperparameters,
 * refit bookkeeping); the numerics live beside it: hyperparameter MAP fit in
 * ./hyperparameter-fit, when to refit in ./refit-schedule, target scaling in
 * ./standardization, the posterior in ./posterior.
 */
import { log } from '../util/math';
import { InvalidOptionError, StateError } from '../errors';
import type { KernelName } from './kernels';
import type { LengthscaleModel } from './lengthscale-model';
import { CovarianceFactor } from './covariance-factor';
import {
  checkFitData, checkInputs, checkState, emptyStats, resolveGPOptions, thetaProblem, type GPFitStats, type GPOptions, type GPSettings, type GPState, type PredictOptions,
} from './gp-options';
import { FIT_POOL_MIN_POINTS, sharedFitPool } from './fit-pool';
import { groupCount } from './lengthscale-model';
import { defaultTheta, fitHyperparameters, fixedTheta, runSequentially, type FitTaskRunner } from './hyperparameter-fit';
import { solveLower, solveLowerTranspose } from './linalg';
import { posteriorFromFactors, type Posterior } from './posterior';
import { unpackHyperparameters } from './priors';
import { fingerprint, isStale, refitReason } from './refit-schedule';
import { standardization } from './standardization';
import type { GPHyperparameters, PosteriorFactors } from './types';

// Kept importable from here, where they were first defined.
export type { GPFitStats, GPOptions, GPState, PredictOptions } from './gp-options';
export { REFIT_ALWAYS_BELOW, REFIT_GROWTH, isStale } from './refit-schedule';

const HALF_LOG_2PI = 0.5 * log(2 * Math.PI);

export class GaussianProcess {
  /** the covariance kernel */
  readonly kernel: KernelName;
  /** the lengthscale model (see {@link GPOptions.lengthscales}) */
  readonly lengthscaleModel: LengthscaleModel;
  /** the constant prior mean, standard deviations from the targets' mean (see {@link GPOptions.priorMean}) */
  readonly priorMean: number;
  /** the lengthscale each column uses (see {@link GPOptions.lengthscaleGroups}); null: one per column */
  readonly lengthscaleGroups: Int32Array | null;
  private readonly settings: GPSettings;
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
    this.settings = resolveGPOptions(opts);
    this.kernel = this.settings.kernel;
    this.lengthscaleModel = this.settings.lengthscaleModel;
    this.priorMean = this.settings.priorMean;
    this.lengthscaleGroups = this.settings.lengthscaleGroups;
  }

  /** number of observations of the last fit */
  get n(): number { return this._n; }
  /** input dimension of the last fit */
  get d(): number { return this._d; }
  /** fitted (or fixed) hyperparameters, standardized units; a copy */
  get hyperparameters(): GPHyperparameters {
    // theta's own dimension: restored from a state before any fit, the last fit's d is 0
    return this.theta ? unpackHyperparameters(this.theta, this.theta.length - 2) : unpackHyperparameters(this.defaultTheta(this._d), this._d);
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
    checkFitData(X, y, d);
    const n = y.length;
    if (this.theta && this.theta.length !== d + 2) this.theta = null; // dimension changed: no warm start

    const { scale, mean, std } = standardization(y, this.priorMean);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) ys[i] = (y[i] / scale - mean) / std;

    const stats = this.stats = emptyStats();
    let theta: Float64Array;
    const fixed = this.settings.fixed;
    const reason = fixed ? 'fixed' : n === 0 ? 'first' : this.refitReason(X, n, d);
    stats.reason = reason;
    let t = now();
    if (fixed) theta = fixedTheta(fixed, d, this.settings.noiseFloor);
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
    if (this.settings.fixed) return 'fixed';
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
      rng: this.settings.rng.state(), theta: this.theta ? Array.from(this.theta) : null, fitN: this.fitN, fitKey: this.fitKey,
    };
  }

  /**
   * Continues from a saved {@link state} (the data are refitted by the next `fit`).
   * @throws InvalidOptionError naming `state` when it is not one a GP saved (nothing is changed then):
   * an all-zero generator state would stay zero for good, and a short one is written back as nulls;
   * hyperparameters outside the fit's bounds (this GP's noise floor included) are none it fits
   */
  restoreState(s: GPState): void {
    checkState(s);
    const outside = s.theta !== null && !this.settings.fixed ? thetaProblem(s.theta, this.settings.noiseFloor) : null;
    if (outside !== null) throw new InvalidOptionError(`state: ${outside}`, 'state');
    this.settings.rng.setState(s.rng);
    this.theta = s.theta === null ? null : Float64Array.from(s.theta);
    this.fitN = s.fitN ?? 0;
    this.fitKey = s.fitKey ?? 0;
  }

  /**
   * Everything the acquisition engines need, in standardized units. Linv is
   * computed on first access after a fit (O(n^3 / 6)) and cached; the CPU
   * engine never reads it. The arrays
   * are shared with this GP: treat them as read-only, and as valid until the
   * next fit (it reuses the factor's storage: an extended factor's rows move
   * apart in place); `detachFactors` (./posterior) keeps a copy. `noiseVariance` includes
   * any jitter the factorization needed, so L L^T = K + noiseVariance I exactly.
   */
  factors(): PosteriorFactors {
    this.assertFitted('factors');
    if (!this.cachedFactors) {
      // Linv costs O(n^3) and only the WebGPU engine reads it: build it on first access.
      let Linv: Float64Array | undefined;
      const f = this.factorsWithoutLinv() as PosteriorFactors;
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
    // a NaN coordinate (or one whose distances overflow) would come back as a NaN mean with variance 0: false certainty
    checkInputs(Xs.subarray(0, m * this._d), this._d, 'Xs');
    const post = posteriorFromFactors(this.factorsWithoutLinv(), Xs, m);
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

  /** The {@link factors} of the last fit but Linv; a fresh object over the shared arrays. */
  private factorsWithoutLinv(): Omit<PosteriorFactors, 'Linv'> {
    const h = this.hyperparameters;
    return {
      kernel: this.kernel, n: this._n, d: this._d, X: this.X, lengthscales: h.lengthscales,
      signalVariance: h.signalVariance, noiseVariance: h.noiseVariance + this.cov.jitter,
      alpha: this.alpha, L: this.cov.L, yMean: this.yMean * this.yScale, yStd: this.yStd * this.yScale,
    };
  }

  private assertFitted(method: string): void {
    if (!this.fitted) throw new StateError(`GaussianProcess: call fit() before ${method}()`);
  }

  /** Lengthscales at the prior mode, signal variance 1, noise 1e-3 (clipped to the bounds). */
  private defaultTheta(d: number): Float64Array {
    const g = this.settings.lengthscaleGroups;
    return defaultTheta(d, this.settings.noiseFloor, g && g.length === d ? groupCount(g) : d);
  }

  private optimize(X: Float64Array, ys: Float64Array, n: number, d: number): Float64Array {
    // the pool starts here, so its workers are up by the time fits get large enough to use them
    const pool = sharedFitPool(this.settings.workers);
    const run: FitTaskRunner = pool
      ? (job, tasks) => (job.n >= FIT_POOL_MIN_POINTS ? pool.run(job, tasks) : runSequentially(job, tasks))
      : runSequentially;
    return fitHyperparameters(this.settings, X, ys, n, d, this.theta, this.stats, run);
  }

  /** See {@link refitReason}. */
  private refitReason(X: Float64Array, n: number, d: number): GPFitStats['reason'] {
    const last = { hasTheta: this.theta !== null, fitN: this.fitN, fitKey: this.fitKey };
    return refitReason(last, this.settings.refit, X, n, d);
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
    for (let i = 0; i < n; i++) lml -= 0.5 * z[i] * z[i] + log(L[i * n + i]);
    this._lml = lml;
    this.X = Float64Array.from(X);
    this.ys = ys;
    this._n = n;
    this._d = d;
    return z;
  }
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
