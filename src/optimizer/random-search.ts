/**
 * Random search: every point uniform at random over the space (log-uniform
 * for log parameters). Same options and `maximize` as BayesianOptimization,
 * so it is a drop-in baseline.
 */
import { BaseOptimizer } from './base-optimizer';
import type { NoPbounds, ObjectiveParams, OptimizerOptions } from './options';
import type { PboundsInput, SpaceSpec } from '../space/types';
import { RandomSampler } from './sampler';

/** `S` / `B`: the `space` / `pbounds` given, inferred; they type the params of `f`, `suggest`, `register`, `res`, `max` and `onTrial` (see ObjectiveParams). */
export class RandomSearch<const S extends SpaceSpec = SpaceSpec, B extends PboundsInput = NoPbounds, P = ObjectiveParams<S, B>> extends BaseOptimizer<P> {
  constructor(options: OptimizerOptions<S, B>) {
    super(options as unknown as OptimizerOptions, (ctx) => new RandomSampler(ctx));
  }
}
