/**
 * Grid search: the budget (initPoints + nIter) spread over the dimensions as
 * evenly as the space allows (see Space.grid), evaluated in a fixed order.
 * Same options and `maximize` as BayesianOptimization.
 */
import { pointKey, BaseOptimizer, type Proposal } from './base-optimizer';
import type { Params } from '../space/types';

/** Grid size used by `suggest()` outside `maximize`: bayes_opt's default budget, 5 + 25. */
const DEFAULT_BUDGET = 30;

export class GridSearch extends BaseOptimizer {
  private gridPoints: Params[] | null = null;

  protected override async run(initPoints: number, nIter: number): Promise<void> {
    await this.runReasks();
    await this.runProbes();
    this.gridPoints = this.space.grid(initPoints + nIter);
    const tried = new Set(this.trials.map((t) => pointKey(t.params)));
    for (const p of this.gridPoints) {
      if (!tried.has(pointKey(p))) await this.evaluate(p, 'grid');
    }
  }

  protected override async propose(): Promise<Proposal> {
    this.gridPoints ??= this.space.grid(DEFAULT_BUDGET);
    const tried = new Set(this.trials.map((t) => pointKey(t.params)));
    const next = this.gridPoints.find((p) => !tried.has(pointKey(p)));
    if (next) return { params: next, source: 'grid' };
    // Grid exhausted: fall back to random points rather than repeating one.
    const [u] = this.space.sample(this.rng, 1, 'random');
    return { params: this.space.decode(u), source: 'random' };
  }
}
