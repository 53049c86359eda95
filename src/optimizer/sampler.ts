/**
 * Samplers: read the study, propose the next point. The runner asks them
 * for points; they never write to the study themselves.
 */
import type { Space } from '../space/space';
import { gridWalk } from '../space/grid-order';
import { avoidDuplicate } from './untried';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import { pointKey } from '../study/point-key';
import type { ModelState, TrialSource } from '../study/types';
import type { Rng } from '../util/rng';

/** A proposed point and how it was made. */
export interface Proposal {
  params: Params;
  source: TrialSource;
  engine?: 'cpu' | 'webgpu';
  suggestMs?: number;
}

export interface Sampler {
  /** The initial design of `k` points, drawn from `rng` [the context's stream]. */
  initialDesign(k: number, rng?: Rng): Params[];
  /** The next point to evaluate, given every trial of `study`. */
  propose(study: Study): Promise<Proposal>;
  /**
   * `q` model-guided points chosen together, none asked yet (`suggestBatch`);
   * absent: the runner asks q single proposals in turn.
   */
  proposeBatch?(study: Study, q: number): Promise<Proposal[]>;
  /** A fixed schedule for a budget (grid search), in place of the initial design and proposals. */
  readonly plan?: Plan;
  /** A surrogate model's state, stored with each ask. */
  modelState?(): ModelState | undefined;
  /** Continue from a stored {@link modelState}. */
  restoreModelState?(state: ModelState): void;
  /** Frees engines. */
  release?(): void;
}

/**
 * A fixed schedule (grid search): `maximize` evaluates the untried points of
 * `points(budget)` in order, taking them as it goes, so a huge grid is never
 * listed whole.
 */
export interface Plan {
  points(budget: number): Iterable<Params>;
  /** how many of `points(budget)` are not among `tried`, without listing them */
  untried(budget: number, tried: readonly Params[]): number;
}

/** How many points of `space`'s grid of `budget` are not among `tried`, without listing the grid. */
export function untriedGridPoints(space: Space, budget: number, tried: readonly Params[]): number {
  const onGrid = space.onGrid(budget);
  return space.gridSize(budget) - new Set(tried.filter(onGrid).map(pointKey)).size;
}

/** Shared by every sampler: the space and the optimizer's random stream. */
export interface SamplerContext {
  space: Space;
  rng: Rng;
  /** design of the initial points ['lhs'] */
  initDesign?: 'random' | 'lhs' | 'sobol';
  /** receives engine lines */
  log: (line: string) => void;
  /**
   * receives notices said whatever `verbose` is (a capped candidate count, a
   * saved model not restored, recommend()'s fallback): stderr by default,
   * so that they do not mix with what a script prints on stdout [log]
   */
  warn?: (line: string) => void;
}

export function designPoints(ctx: SamplerContext, k: number, method = ctx.initDesign ?? 'lhs', rng = ctx.rng): Params[] {
  return ctx.space.sample(rng, k, method).map((u) => ctx.space.decode(u));
}

function randomPoint(ctx: SamplerContext): Params {
  const [u] = ctx.space.sample(ctx.rng, 1, 'random');
  return ctx.space.decode(u);
}

/** Every point uniform at random over the space (log-uniform for log parameters). */
export class RandomSampler implements Sampler {
  constructor(private readonly ctx: SamplerContext) {}

  initialDesign(k: number, rng?: Rng): Params[] {
    return designPoints(this.ctx, k, 'random', rng);
  }

  async propose(): Promise<Proposal> {
    return { params: randomPoint(this.ctx), source: 'random' };
  }
}

/** Grid size used by `suggest()` outside `maximize`: bayes_opt's default budget, 5 + 25. */
const DEFAULT_BUDGET = 30;

/**
 * The budget spread over the dimensions as evenly as the space allows (see
 * Space.grid): `maximize` walks it in grid order (its budget is known);
 * ask/tell's `suggest()`, whose number of calls is not, in an order whose
 * every prefix is spread over the space (gridWalk).
 */
export class GridSampler implements Sampler {
  /** the budget of the last plan: ask/tell walks that grid [DEFAULT_BUDGET's] */
  private budget = DEFAULT_BUDGET;

  constructor(private readonly ctx: SamplerContext) {}

  initialDesign(k: number, rng?: Rng): Params[] {
    return designPoints(this.ctx, k, undefined, rng);
  }

  readonly plan: Plan = {
    points: (budget) => {
      this.budget = budget;
      return this.ctx.space.iterateGrid(budget);
    },
    untried: (budget, tried) => untriedGridPoints(this.ctx.space, budget, tried),
  };

  /**
   * ask/tell's walk of the grid of `budget` (see gridWalk: every prefix spread out), made one point at a
   * time once per budget; the points it has passed were tried then (a trial is never removed), so a later
   * call goes on from `walkNext`, the point it stopped at
   */
  private walk: { budget: number; points: Iterator<Params> } | null = null;
  private walkNext: Params | null = null;

  async propose(study: Study): Promise<Proposal> {
    const tried = new Set(study.trials.map((t) => pointKey(t.params)));
    if (this.walk?.budget !== this.budget) {
      this.walk = { budget: this.budget, points: gridWalk(this.ctx.space.layout, this.budget) };
      this.walkNext = null;
    }
    for (;;) {
      if (this.walkNext === null) {
        const r = this.walk.points.next();
        if (r.done) break;
        this.walkNext = r.value;
      }
      if (!tried.has(pointKey(this.walkNext))) return { params: this.walkNext, source: 'grid' };
      this.walkNext = null;
    }
    // Grid exhausted: random points, none already tried where the space has any left (it repeated them)
    return { params: avoidDuplicate(this.ctx.space, this.ctx.rng, randomPoint(this.ctx), study.trials), source: 'random' };
  }
}
