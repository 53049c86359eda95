/**
 * Grid search: the budget (initPoints + nIter) spread over the dimensions as
 * evenly as the space allows (see Space.grid), evaluated in a fixed order.
 * Same options and `maximize` as BayesianOptimization.
 */
import { pointKey, BaseOptimizer, type Proposal } from './base-optimizer';
import type { OptimizerOptions } from './options';
import type { Params, Pbounds, SpaceSpec } from '../space/types';

/** Grid size used by `suggest()` outside `maximize`: bayes_opt's default budget, 5 + 25. */
const DEFAULT_BUDGET = 30;

/** `S` / `B`: the `space` / `pbounds` given, inferred; they type `f`'s params (see OptimizerOptions). */
export class GridSearch<const S extends SpaceSpec = SpaceSpec, B extends Pbounds = Pbounds> extends BaseOptimizer {
  private gridPoints: Params[] | null = null;

  constructor(options: OptimizerOptions<S, B>) {
    super(options as unknown as OptimizerOptions); // f's params are typed for the caller only
  }

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
