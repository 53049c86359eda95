/**
 * Random search: every point uniform at random over the space (log-uniform
 * for log parameters). Same options and `maximize` as BayesianOptimization,
 * so it is a drop-in baseline.
 */
import { BaseOptimizer } from './base-optimizer';
import type { OptimizerOptions } from './options';
import { RandomSampler } from './sampler';

export class RandomSearch extends BaseOptimizer {
  constructor(options: OptimizerOptions) {
    super(options, (ctx) => new RandomSampler(ctx));
  }
}
