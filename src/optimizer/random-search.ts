/**
 * Random search: every point uniform at random over the space (log-uniform
 * for log parameters). Same options and `maximize` as BayesianOptimization,
 * so it is a drop-in baseline.
 */
import { BaseOptimizer, type Proposal } from './base-optimizer';
import type { OptimizerOptions } from './options';
import type { Params, Pbounds, SpaceSpec } from '../space/types';

/** `S` / `B`: the `space` / `pbounds` given, inferred; they type `f`'s params (see OptimizerOptions). */
export class RandomSearch<const S extends SpaceSpec = SpaceSpec, B extends Pbounds = Pbounds> extends BaseOptimizer {
  constructor(options: OptimizerOptions<S, B>) {
    super(options as unknown as OptimizerOptions); // f's params are typed for the caller only
  }

  protected override initialDesign(k: number): Params[] {
    return this.space.sample(this.rng, k, 'random').map((u) => this.space.decode(u));
  }

  protected override async propose(): Promise<Proposal> {
    const [u] = this.space.sample(this.rng, 1, 'random');
    return { params: this.space.decode(u), source: 'random' };
  }
}
