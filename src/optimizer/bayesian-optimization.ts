/**
 * The Bayesian-optimization facade: BaseOptimizer's ask/tell and `maximize`
 * with BayesSampler choosing the points (the shared proposal step,
 * ./proposal), and the model read back out (`recommend`, `predict`).
 */
import type { Engine } from '../acquisition/engine';
import type { AcquisitionSpec } from '../acquisition/functions';
import type { GaussianProcess } from '../gp';
import type { Params, PboundsInput, SpaceSpec } from '../space/types';
import type { ModelPrediction, Recommendation } from '../study/types';
import { BaseOptimizer } from './base-optimizer';
import { BayesSampler, type SuggestionFitStats } from './bayes-sampler';
import { checkPointList } from './call-checks';
import { parseAcquisition, type NoPbounds, type ObjectiveParams, type OptimizerOptions } from './options';

export { winsorizeLowerTail } from './proposal';

/**
 * Bayesian optimization: a float64 GP fitted to every completed trial, and an
 * acquisition maximized over tens of thousands of candidates by the engine
 * (WebGPU or the CPU reference). `S` / `B`: the `space` / `pbounds` given,
 * inferred; they type the params of `f`, `suggest`, `register`, `res`, `max`
 * and `onTrial` (see ObjectiveParams).
 *
 * @example
 * ```ts
 * import { BayesianOptimization } from 'webgpu-bayesopt';
 * const opt = new BayesianOptimization({
 *   f: ({ x, y }) => -(x ** 2) - (y - 1) ** 2 + 1, // x and y are numbers: pbounds types them
 *   pbounds: { x: [2, 4], y: [-3, 3] },
 *   randomState: 1,
 * });
 * await opt.maximize({ initPoints: 5, nIter: 25 });
 * console.log(opt.max); // { target, params }
 * ```
 */
export class BayesianOptimization<const S extends SpaceSpec = SpaceSpec, B extends PboundsInput = NoPbounds, P = ObjectiveParams<S, B>> extends BaseOptimizer<P> {
  /** the acquisition in use, fully specified */
  readonly acquisition: AcquisitionSpec;
  /**
   * the surrogate: the GP fitted at the latest model-guided suggestion,
   * except a stall-exploration step's, which fits a GP of its own (see
   * `stallExploration`); {@link fitStats} tells which GP the latest
   * suggestion fitted. It lives on the model's scale: targets in the
   * maximizing sense (negated when minimizing), through the output warp
   * (`outputWarping`), with pending points' rows; to plot the model in the
   * objective's units, use {@link predict}
   */
  readonly gp: GaussianProcess;

  /**
   * Checks `options` and opens the study they name: one in memory at once, a
   * journal or other storage in the background (await {@link ready} before
   * reading `res` of a resumed study). The engine is made when a suggestion
   * first needs it (see {@link getEngine}).
   * @throws InvalidOptionError naming an unknown or ill-typed option
   * @throws InvalidSpaceError when the `space` or `pbounds` definition is invalid
   */
  constructor(options: OptimizerOptions<S, B>) {
    // f's params are typed for the caller only
    const o = options as unknown as OptimizerOptions;
    super(o, (ctx) => new BayesSampler(ctx, o, parseAcquisition(o.acquisition)));
    this.acquisition = this.bayes.acquisition;
    this.gp = this.bayes.gp;
  }

  private get bayes(): BayesSampler {
    return this.sampler as BayesSampler;
  }

  /**
   * Where the GP fit of the latest model-guided suggestion spent its time,
   * and on which GP: `model: 'main'` is {@link gp}, `'exploration'` a
   * stall-exploration step's own GP (then `gp.fitStats` still describe the
   * main GP's previous fit). Undefined before the first such suggestion.
   * @example
   * ```ts
   * await opt.suggest();
   * opt.fitStats; // { model: 'main', reason: 'always', hyperparameterMs: 41.2, factorMs: 0.3, ... } (or model: 'exploration')
   * ```
   */
  get fitStats(): SuggestionFitStats | undefined {
    return this.bayes.fitStats;
  }

  /**
   * The engine that will run (or ran) suggestions; resolved on first use.
   * Its `kind` says what it is, not where each suggestion ran: `'auto'`'s
   * engine is 'webgpu' while a WebGPU device works behind it, yet a seeded
   * `'auto'` run on a software adapter runs every suggestion on the CPU
   * engine (repeatable; its `description` says so), and each trial's
   * `engine` records the engine that ran its suggestion ('cpu' there).
   * @throws StateError after `dispose()` (also for a call still making the engine then)
   */
  async getEngine(): Promise<Engine> {
    this.assertUsable(); // after dispose(): a StateError, and no engine made that nobody disposes of
    return this.bayes.getEngine();
  }

  /**
   * The completed trial with the best posterior mean of a GP fitted to every
   * completed trial (as Ax recommends from model predictions): on a noisy
   * objective it discounts a lucky draw next to worse neighbours; on a
   * noiseless one it is the best observed trial, or a neighbour within the
   * GP's noise floor of it. Uses its own GP and random
   * stream, so asking does not change later suggestions. Falls back to the
   * best observed trial with fewer than 3 completed trials, and (saying why
   * in the log) when the model's best was observed worse than half the
   * completed trials and some trial lies more than 4 sd (0.8 sqrt(n - 1)
   * below 26 trials) from what the others predict (leave-one-out): a model that cannot fit them (one
   * outlier of 1e9 among values near 1) is not one to discount a draw
   * with. Without such an outlier a pick observed below the median is an
   * unlucky draw of a good point, which is what the model is for.
   */
  override async recommend(): Promise<Recommendation<P> | undefined> {
    this.assertUsable();
    await this.ready();
    return (this.bayes.recommend(this.study) as Recommendation<P> | undefined) ?? super.recommend();
  }

  /**
   * The model of the completed trials at `points`, in the objective's units
   * (direction and output warp undone): the posterior mean and a 95% band
   * per point, for plotting. Fits its own GP, as `recommend` does, so it
   * does not change later suggestions. Null before any trial completed.
   * @throws InvalidPointError naming the parameter of a point outside the space
   * @throws InvalidOptionError naming `points` when it is not an array
   * @example
   * ```ts
   * // the optimizer of the class example (x in [2, 4], y in [-3, 3]), after maximize
   * const [at] = (await opt.predict([{ x: 2, y: 1 }]))!; // { mean, lower, upper }: the model's mean and 95% band there
   * ```
   */
  async predict(points: readonly P[]): Promise<ModelPrediction[] | null> {
    this.assertUsable();
    checkPointList(points);
    await this.ready();
    for (const p of points) this.space.validatePoint(p);
    return this.bayes.predict(this.study, points as readonly Params[]);
  }
}

export type { Params };
