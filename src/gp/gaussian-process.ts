/**
 * The GaussianProcess class: the state of a fit (data, factor, target
 * scaling). What it keeps of the hyperparameters from fit to fit (their
 * optimization, the refit bookkeeping, the saved state) is
 * ./hyperparameter-state's. The numerics live beside it: hyperparameter MAP
 * fit in ./hyperparameter-fit, when to refit in ./refit-schedule, target
 * scaling in ./standardization, the posterior in ./posterior, what is read
 * from the factor (likelihood, lazy Linv, original units) in ./gp-readout,
 * the checks of data and saved states in ./gp-checks.
 */
import { InvalidOptionError, StateError } from '../errors';
import type { KernelName } from './kernels';
import type { LengthscaleModel } from './lengthscale-model';
import { CovarianceFactor } from './covariance-factor';
import { checkFitData, checkInputs } from './gp-checks';
import { emptyStats, resolveGPOptions, type GPFitStats, type GPOptions, type GPSettings, type GPState, type PredictOptions } from './gp-options';
import { leaveOneOutZ, logMarginalFromFactor, meanToOriginalUnits, posteriorToOriginalUnits, trainingMeanOf, withLazyLinv, type TargetScaling } from './gp-readout';
import { fixedTheta } from './hyperparameter-fit';
import { HyperparameterState } from './hyperparameter-state';
import { solveLower, solveLowerTranspose } from './linalg';
import { meanFromFactors, posteriorFromFactors, type Posterior } from './posterior';
import { unpackHyperparameters } from './priors';
import { standardization } from './standardization';
import type { GPHyperparameters, PosteriorFactors } from './types';
import { show } from '../util/format-value';

// Kept importable from here, where they were first defined.
export type { GPFitStats, GPOptions, GPState, PredictOptions } from './gp-options';
export { REFIT_ALWAYS_BELOW, REFIT_GROWTH, isStale } from './refit-schedule';

/**
 * Zero-mean Gaussian process on standardized targets over unit-cube inputs,
 * float64: `fit` estimates the hyperparameters (MAP, unless fixed) and
 * factors the covariance; `predict` answers in the targets' original units.
 *
 * @example
 * ```ts
 * const X = Float64Array.of(0.1, 0.2, 0.5, 0.5, 0.9, 0.7); // n x d = 3 x 2, row-major
 * const gp = new GaussianProcess({ rng: new Rng(1) }).fit(X, Float64Array.of(1, 3, 2), 2);
 * const { mean, variance } = gp.predict(Float64Array.of(0.4, 0.4), 1); // m x d = 1 x 2: m means and latent variances
 * ```
 */
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
  /** the hyperparameters kept from fit to fit, their optimization, and the last one's record */
  private readonly hyper: HyperparameterState;
  private readonly cov = new CovarianceFactor();

  private _n = 0;
  private _d = 0;
  private X: Float64Array = new Float64Array(0);
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
    this.hyper = new HyperparameterState(this.settings);
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
    const theta = this.hyper.theta;
    return theta ? unpackHyperparameters(theta, theta.length - 2) : unpackHyperparameters(this.hyper.defaultTheta(this._d), this._d);
  }
  /** log p(y | hyperparameters) of all n standardized targets (priors excluded); 0 when n = 0 */
  get logMarginalLikelihood(): number { return this._lml; }
  /** jitter added to the diagonal in the final factorization (usually 0) */
  get jitter(): number { return this.cov.jitter; }
  /** where the last fit spent its time; a copy */
  get fitStats(): GPFitStats { return { ...this.stats }; }

  /**
   * Fit hyperparameters (unless fixed) and factor the covariance of all points.
   * A first fit starts from the default and `restarts` random starts; a refit
   * from the previous fit's hyperparameters, the default start and the random
   * start of the best objective value. With n > maxFitPoints the hyperparameters are fitted on a
   * random subset, then all n points are factored once (O(n^3)).
   * @param X `n x d` row-major inputs in the unit cube (copied)
   * @param y `n` targets in original units (copied, standardized internally)
   * @param d input dimension
   */
  fit(X: Float64Array, y: Float64Array, d: number): this {
    checkFitData(X, y, d);
    const n = y.length;
    if (this.hyper.otherDimension(d)) this.hyper.theta = null; // dimension changed: no warm start

    const { scale, mean, std } = standardization(y, this.priorMean);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) ys[i] = (y[i] / scale - mean) / std;

    const stats = this.stats = emptyStats();
    let theta: Float64Array;
    const fixed = this.settings.fixed;
    const reason = fixed ? 'fixed' : n === 0 ? 'first' : this.hyper.reason(X, n, d);
    stats.reason = reason;
    let t = now();
    if (fixed) theta = fixedTheta(fixed, d, this.settings.noiseFloor);
    else if (n === 0) theta = this.hyper.defaultTheta(d);
    else if (reason === 'kept') theta = this.hyper.theta!;
    else theta = this.hyper.optimize(X, ys, n, d, this.stats);
    stats.hyperparameterMs = now() - t;
    t = now();
    const z = this.factor(X, ys, n, d, theta);
    stats.factorMs = now() - t;
    if (reason === 'kept' && this.hyper.staleAt(z, n)) {
      stats.reason = 'stale';
      t = now();
      theta = this.hyper.optimize(X, ys, n, d, this.stats);
      stats.hyperparameterMs += now() - t;
      t = now();
      this.factor(X, ys, n, d, theta);
      stats.factorMs += now() - t;
    }
    stats.refitted = stats.reason !== 'kept' && stats.reason !== 'fixed' && n > 0;
    if (stats.refitted) this.hyper.optimized(X, n, d);
    stats.keptRows = this.cov.kept;
    this.yScale = scale;
    this.yMean = mean;
    this.yStd = std;
    this.hyper.theta = theta;
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
    if (n === 0 || this.hyper.otherDimension(d)) return 'first';
    return this.hyper.reason(X, n, d);
  }

  /**
   * What the next fit depends on besides the data: the random stream of its
   * restarts and the hyperparameters it warm-starts from. A resumed study
   * restores it with {@link restoreState} to continue bit for bit.
   */
  state(): GPState {
    return this.hyper.state();
  }

  /**
   * Continues from a saved {@link state} (the data are refitted by the next `fit`).
   * @throws InvalidOptionError naming `state` when it is not one a GP saved (nothing is changed then):
   * an all-zero generator state would stay zero for good, and a short one is written back as nulls;
   * hyperparameters outside the fit's bounds (this GP's noise floor included) are none it fits
   */
  restoreState(s: GPState): void {
    this.hyper.restore(s);
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
    // Linv costs O(n^3) and only the WebGPU engine reads it: built on first access (to the stats of the fit then current)
    this.cachedFactors ??= withLazyLinv(this.factorsWithoutLinv(), () => this.cov.inverse(), (ms) => void (this.stats.linvMs += ms));
    return this.cachedFactors;
  }

  /**
   * Posterior mean and latent-function variance (noise excluded) at m points,
   * in original target units unless `standardized` is set.
   * @param Xs `m x d` row-major points in the unit cube (the first m x d values of a longer array, as a pooled buffer is)
   */
  predict(Xs: Float64Array, m: number, opts: PredictOptions = {}): Posterior {
    this.assertFitted('predict');
    this.checkPoints(Xs, m);
    const post = posteriorFromFactors(this.factorsWithoutLinv(), Xs, m);
    if (!opts.standardized) posteriorToOriginalUnits(post, m, this.scaling());
    return post;
  }

  /**
   * The posterior mean alone at m points, in original target units unless
   * `standardized` is set: `predict(Xs, m).mean` bit for bit, without the
   * variance's O(m n^2) solves (a report's permutation importance asks
   * hundreds of means, and spent seconds on variances it never read).
   * @param Xs `m x d` row-major points in the unit cube (the first m x d values of a longer array)
   * @example gp.predictMean(new Float64Array([0.5, 0.5]), 1)[0]
   */
  predictMean(Xs: Float64Array, m: number, opts: PredictOptions = {}): Float64Array {
    this.assertFitted('predictMean');
    this.checkPoints(Xs, m);
    const mean = meanFromFactors(this.factorsWithoutLinv(), Xs, m);
    if (!opts.standardized) meanToOriginalUnits(mean, m, this.scaling());
    return mean;
  }

  /**
   * Posterior mean at the n training inputs in O(n), from the identity
   * K_f alpha = (K_y - noise I) alpha = y - noise alpha. Equals
   * `predict(X, n).mean` (up to rounding) without its O(n^3) cost.
   */
  trainingMean(opts: PredictOptions = {}): Float64Array {
    this.assertFitted('trainingMean');
    const noise = this.hyperparameters.noiseVariance + this.cov.jitter;
    return trainingMeanOf(this.ys, this.alpha, noise, this._n, opts.standardized ? null : this.scaling());
  }

  /**
   * Leave-one-out z-score of each training target, standardized units (see
   * leaveOneOutZ in ./gp-readout): how far target i lies from what the other
   * n - 1 predict, in predictive sd. O(n^3) the first time (it needs Linv).
   */
  leaveOneOutZ(): Float64Array {
    const f = this.factors();
    return leaveOneOutZ(f.Linv, f.alpha, this._n);
  }

  /** Original units to standardized: (y - mean) / std. */
  standardize(y: number): number { return (y / this.yScale - this.yMean) / this.yStd; }
  /** Standardized units to original: z * std + mean. */
  unstandardize(z: number): number { return (z * this.yStd + this.yMean) * this.yScale; }

  /** @throws InvalidOptionError naming `m` or `Xs`: m points of d finite coordinates are needed */
  private checkPoints(Xs: Float64Array, m: number): void {
    if (!Number.isInteger(m) || m < 0) throw new InvalidOptionError(`m: must be a non-negative integer (got ${show(m)})`, 'm');
    if (!ArrayBuffer.isView(Xs) || Xs instanceof DataView) throw new InvalidOptionError(`Xs: expected a Float64Array of m x d values, got ${show(Xs)}`, 'Xs');
    if (Xs.length < m * this._d) {
      throw new InvalidOptionError(`Xs: expected m x d = ${m * this._d} values, got ${Xs.length}`, 'Xs');
    }
    // a NaN coordinate (or one whose distances overflow) would come back as a NaN mean with variance 0: false certainty
    checkInputs(Xs.subarray(0, m * this._d), this._d, 'Xs');
  }

  /** The {@link factors} of the last fit but Linv; a fresh object over the shared arrays. */
  private factorsWithoutLinv(): Omit<PosteriorFactors, 'Linv'> {
    const h = this.hyperparameters;
    return {
      kernel: this.kernel, n: this._n, d: this._d, X: this.X, lengthscales: h.lengthscales,
      signalVariance: h.signalVariance, noiseVariance: h.noiseVariance + this.cov.jitter,
      alpha: this.alpha, L: this.cov.L, yMean: this.yMean * this.yScale, yStd: this.yStd * this.yScale,
    };
  }

  /** The last fit's target standardization (see ./standardization). */
  private scaling(): TargetScaling {
    return { scale: this.yScale, mean: this.yMean, std: this.yStd };
  }

  private assertFitted(method: string): void {
    if (!this.fitted) throw new StateError(`GaussianProcess: call fit() before ${method}()`);
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
    this._lml = logMarginalFromFactor(L, n, z);
    this.X = Float64Array.from(X);
    this.ys = ys;
    this._n = n;
    this._d = d;
    return z;
  }
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
