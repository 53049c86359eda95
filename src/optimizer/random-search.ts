/**
 * Random search: every point uniform at random over the space (log-uniform
 * for log parameters). Same options and `maximize` as BayesianOptimization,
 * so it is a drop-in baseline.
 */
import { BaseOptimizer, type Proposal } from './base-optimizer';
import type { Params } from '../space/types';

export class RandomSearch extends BaseOptimizer {
  protected override initialDesign(k: number): Params[] {
    return this.space.sample(this.rng, k, 'random').map((u) => this.space.decode(u));
  }

  protected override async propose(): Promise<Proposal> {
    const [u] = this.space.sample(this.rng, 1, 'random');
    return { params: this.space.decode(u), source: 'random' };
  }
}
