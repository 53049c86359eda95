/**
 * The hyperparameter side of a GaussianProcess: the log-hyperparameters it
 * keeps from fit to fit (the warm start of the next optimization, or the ones
 * a refit 'auto' keeps), where a fit starts without them, their optimization
 * (on the shared fit pool), and the record of the last one (n, and a
 * fingerprint of its inputs) that ./refit-schedule judges. With the random
 * stream it is the GP's resumable state (GPState), saved by
 * GaussianProcess.state and put back by restoreState. Kept apart from the
 * class, which holds the data, the factor and the target scaling of a fit.
 */
import { InvalidOptionError } from '../errors';
import { FIT_POOL_MIN_POINTS, sharedFitPool } from './fit-pool';
import { checkState, thetaProblem } from './gp-checks';
import type { GPFitStats, GPSettings, GPState } from './gp-options';
import { defaultTheta, fitHyperparameters, runSequentially, type FitTaskRunner } from './hyperparameter-fit';
import { groupCount } from './lengthscale-model';
import { fingerprint, isStale, refitReason } from './refit-schedule';

export class HyperparameterState {
  /** fitted log-hyperparameters (d lengthscales, signal, noise), the warm start of the next fit; null before one */
  theta: Float64Array | null = null;
  /** n when the hyperparameters were last optimized */
  private fitN = 0;
  /** {@link fingerprint} of the first fitN input rows of that optimization */
  private fitKey = 0;

  constructor(private readonly settings: GPSettings) {}

  /** Lengthscales at the prior mode, signal variance 1, noise 1e-3 (clipped to the bounds). */
  defaultTheta(d: number): Float64Array {
    const g = this.settings.lengthscaleGroups;
    return defaultTheta(d, this.settings.noiseFloor, g && g.length === d ? groupCount(g) : d);
  }

  /** Optimizes the hyperparameters on the fit's data, warm-started from {@link theta}; `stats` gets the fit's counts. */
  optimize(X: Float64Array, ys: Float64Array, n: number, d: number, stats: GPFitStats): Float64Array {
    // the pool starts here, so its workers are up by the time fits get large enough to use them
    const share = sharedFitPool(this.settings.workers);
    const run: FitTaskRunner = share
      ? (job, tasks) => (job.n >= FIT_POOL_MIN_POINTS ? share.pool.run(job, tasks, { helpers: share.helpers }) : runSequentially(job, tasks))
      : runSequentially;
    return fitHyperparameters(this.settings, X, ys, n, d, this.theta, stats, run);
  }

  /** Whether there is a theta and it was fitted in another dimension than `d` (no warm start then). */
  otherDimension(d: number): boolean {
    return this.theta !== null && this.theta.length !== d + 2;
  }

  /** Why the next fit of these inputs must optimize the hyperparameters, or 'kept' (see refitReason). */
  reason(X: Float64Array, n: number, d: number): GPFitStats['reason'] {
    const last = { hasTheta: this.theta !== null, fitN: this.fitN, fitKey: this.fitKey };
    return refitReason(last, this.settings.refit, X, n, d);
  }

  /** Whether the residuals `z` of the points added since the last optimization make kept hyperparameters stale (see isStale). */
  staleAt(z: Float64Array, n: number): boolean {
    return isStale(z, this.fitN, n);
  }

  /** Records an optimization of the hyperparameters on the first `n` rows of `X`. */
  optimized(X: Float64Array, n: number, d: number): void {
    this.fitN = n;
    this.fitKey = fingerprint(X, n * d);
  }

  /** The resumable state (see GaussianProcess.state). */
  state(): GPState {
    return {
      rng: this.settings.rng.state(), theta: this.theta ? Array.from(this.theta) : null, fitN: this.fitN, fitKey: this.fitKey,
    };
  }

  /**
   * Puts back a saved {@link state}, random stream included (see
   * GaussianProcess.restoreState).
   * @throws InvalidOptionError naming `state` when it is not one a GP saved, or its hyperparameters are outside the fit's bounds (nothing is changed then)
   */
  restore(s: GPState): void {
    checkState(s);
    const outside = s.theta !== null && !this.settings.fixed ? thetaProblem(s.theta, this.settings.noiseFloor) : null;
    if (outside !== null) throw new InvalidOptionError(`state: ${outside}`, 'state');
    this.settings.rng.setState(s.rng);
    this.theta = s.theta === null ? null : Float64Array.from(s.theta);
    this.fitN = s.fitN ?? 0;
    this.fitKey = s.fitKey ?? 0;
  }
}
