/**
 * Grid search: the budget (initPoints + nIter) spread over the dimensions as
 * evenly as the space allows (see Space.grid), evaluated in a fixed order.
 * Same options and `maximize` as BayesianOptimization.
 */
import { BaseOptimizer } from './base-optimizer';
import type { OptimizerOptions } from './options';
import { GridSampler } from './sampler';

export class GridSearch extends BaseOptimizer {
  constructor(options: OptimizerOptions) {
    super(options, (ctx) => new GridSampler(ctx));
  }
}
