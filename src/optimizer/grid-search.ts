/**
 * Grid search: the budget (initPoints + nIter) spread over the dimensions as
 * evenly as the space allows (see Space.grid), evaluated in a fixed order.
 * Same options and `maximize` as BayesianOptimization.
 */
import { BaseOptimizer } from './base-optimizer';
import type { NoPbounds, ObjectiveParams, OptimizerOptions } from './options';
import type { PboundsInput, SpaceSpec } from '../space/types';
import { GridSampler } from './sampler';

/** `S` / `B`: the `space` / `pbounds` given, inferred; they type the params of `f`, `suggest`, `register`, `res`, `max` and `onTrial` (see ObjectiveParams). */
export class GridSearch<const S extends SpaceSpec = SpaceSpec, B extends PboundsInput = NoPbounds, P = ObjectiveParams<S, B>> extends BaseOptimizer<P> {
  constructor(options: OptimizerOptions<S, B>) {
    super(options as unknown as OptimizerOptions, (ctx) => new GridSampler(ctx), true);
  }
}
