/**
 * Asking new trials for the runner: a point (or a choice made under the
 * storage lock) becomes a pending trial carrying the random and model state,
 * the `resume` budget is checked under the lock, and a point of the
 * optimizer's own choosing that another worker already holds is replaced by
 * an untried random one (workers started with the same seed draw the same
 * stream). An initial design is shared out among such workers instead. A
 * model-guided proposal next to a trial another worker asked while it was
 * being made is refused (STALE), for the runner to propose again; one that
 * still lands next to a trial in flight (a last resort: the model keeps
 * proposals off pending trials) is moved off it (offInFlight). Those
 * checks and redraws are ./worker-collisions'; this module records the trials.
 */
import type { Space } from '../space/space';
import type { Params } from '../space/types';
import type { AskExtra } from '../storage/journal';
import type { Study } from '../storage/study';
import type { JournalState } from '../storage/types';
import { budgetCount } from '../storage/study-storage';
import { pointKey, storedPointKey } from '../study/point-key';
import type { Trial, TrialSource } from '../study/types';
import type { Rng } from '../util/rng';
import type { Design, GridCursor } from './design-points';
import type { Proposal, Sampler } from './sampler';
import { awayFromOthers, diversify, held, nextToNew, NUDGED, offInFlight, RANDOM, untried } from './worker-collisions';

// Kept importable from here, where it was first defined.
export { NEAR } from './worker-collisions';

/** Thrown inside the storage lock when a `resume` budget is already spent. */
class BudgetSpent extends Error {}

/** Thrown inside the storage lock when another worker's new trial is next to the proposal. */
class ProposalStale extends Error {}

/** `TrialAsker.ask`'s answer when the proposal must be made again (see its `seen`). */
export const STALE = Symbol('stale proposal');

/** Thrown inside the storage lock when the study already holds its initial design's share of trials. */
class DesignDone extends Error {}

/** `TrialAsker.askFromDesign`'s answer when no design point is due any more (see its `designSize`). */
export const DESIGN_DONE = Symbol('design done');

/** Sources of points the optimizer chose itself (and may move off another worker's point). */
const OWN_CHOICE: ReadonlySet<TrialSource> = new Set(['init', 'suggest', 'random']);

export class TrialAsker {
  constructor(private readonly o: { study: Study; sampler: Sampler; space: Space; rng: Rng }) {}

  /**
   * Records a new pending trial and returns it; null, recording nothing, when
   * the study already holds `limit` trials. `params` may be chosen under the
   * storage lock (a function of the stored state). A point of the optimizer's
   * own choosing that another worker already has is replaced, under the
   * lock, by an untried random one.
   */
  async ask(
    params: Params | ((state: JournalState) => Params), source: TrialSource, prop?: Proposal, limit?: number,
  ): Promise<Trial | null>;
  /**
   * With `seen` (the ids of the trials the proposal was made from), nothing is
   * recorded and STALE returned when another worker asked a trial since, at a
   * point within NEAR of this one: the caller proposes again from the study as
   * it is now (processes sharing a journal propose at the same time from the
   * same trials, and would otherwise evaluate one point several times over).
   */
  async ask(
    params: Params, source: TrialSource, prop: Proposal | undefined, limit: number | undefined, seen: readonly number[],
  ): Promise<Trial | null | typeof STALE>;
  ask(
    params: Params | ((state: JournalState) => Params), source: TrialSource, prop?: Proposal, limit?: number, seen?: readonly number[],
  ): Promise<Trial | null | typeof STALE> {
    // askAs's own promise (not awaited in an async wrapper): no extra turn before the caller sees the trial
    return this.askAs(params, { source }, prop, limit, seen);
  }

  /** ask(), with `extra` to start from (a design point's `designRng`). */
  private async askAs(
    params: Params | ((state: JournalState) => Params), extra: AskExtra & { source: TrialSource }, prop?: Proposal, limit?: number, seen?: readonly number[],
  ): Promise<Trial | null | typeof STALE> {
    const { source } = extra;
    if (source !== 'random' && prop?.engine) extra.engine = prop.engine;
    if (prop?.suggestMs !== undefined) extra.suggestMs = prop.suggestMs;
    try {
      return await this.o.study.ask((state) => {
        if (limit !== undefined && budgetCount(state.trials) >= limit) throw new BudgetSpent();
        const p = typeof params === 'function' ? params(state) : params;
        if (seen && nextToNew(this.o, p, state, seen)) throw new ProposalStale();
        const own = OWN_CHOICE.has(source);
        const q0 = own ? awayFromOthers(this.o, p, state) : p;
        const q1 = own && q0 === p ? this.offInFlight(p, state) : q0;
        // a moved point must not land exactly on a trial either (two workers moved off one in-flight trial)
        const q = q1 !== p && held(q1, state) ? untried(this.o, state, q1) : q1;
        if ((q !== p && !NUDGED.has(q)) || RANDOM.has(q)) {
          extra.source = 'random';
          delete extra.engine;
        }
        extra.rng = this.o.rng.state(); // read after this returns: the state after any redraw
        extra.model = this.o.sampler.modelState?.();
        return q;
      }, extra);
    } catch (e) {
      if (e instanceof BudgetSpent) return null;
      if (e instanceof ProposalStale) return STALE;
      throw e;
    }
  }

  /**
   * Asks the design's next point that no other worker holds, picked under the
   * storage lock (workers started with the same seed draw the same design, so
   * they share it out instead of repeating it). Past the design's end it asks
   * an untried random point. The design moves on only once the trial is
   * recorded: the pick may run more than once (see Journal.askWith), and a
   * pick that was not recorded must not use up a design point.
   *
   * With `designSize`, nothing is recorded and DESIGN_DONE returned when the
   * study already holds that many trials (counted as the `resume` budget
   * counts them): read under the lock, so workers asking at the same time
   * never ask more design points between them than that.
   */
  async askFromDesign(design: Design, limit?: number, designSize?: number): Promise<Trial | null | typeof DESIGN_DONE> {
    let next = design.i;
    let t: Trial | null;
    try {
      t = await this.askAs((state) => {
        if (designSize !== undefined && budgetCount(state.trials) >= designSize) throw new DesignDone();
        return this.designPoint(design, state, (i) => void (next = i));
      }, { source: 'init', designRng: design.from }, undefined, limit) as Trial | null;
    } catch (e) {
      if (e instanceof DesignDone) return DESIGN_DONE;
      throw e;
    }
    if (t) {
      design.i = next;
      design.asked++;
    }
    return t;
  }

  /**
   * Asks the grid's next point that no trial of the study holds (any
   * worker's, any status), as the stored state has it under the lock: grid
   * workers sharing a journal split the grid between them instead of each
   * walking it from a list of tried points taken when its run began. Null
   * when the grid is done or the study already holds `limit` trials.
   * `grid` is advanced past the points asked or found taken.
   */
  async askFromGrid(grid: GridCursor, limit?: number): Promise<Trial | null> {
    let t: Trial | null;
    try {
      t = await this.ask((state) => {
        // skipping taken points is safe to repeat: a retried ask sees at least these trials
        grid.skipTaken(state.trials);
        if (grid.head === undefined) throw new DesignDone();
        return grid.head;
      }, 'grid', undefined, limit);
    } catch (e) {
      if (e instanceof DesignDone) return null;
      throw e;
    }
    if (t) grid.advance();
    return t;
  }

  /** The design's next point no other worker holds (`setNext`: the index to try after it), or an untried random one past its end. */
  private designPoint(design: Design, state: JournalState, setNext: (i: number) => void): Params {
    const me = this.o.study.worker;
    // points other workers hold, and points the user gave (probed, registered): a design point equal
    // to one (a space of integers and categoricals) would evaluate it again
    const others = new Set<string>();
    for (const x of state.trials) if (x.worker !== me || x.source === 'probe' || x.source === 'register') others.add(storedPointKey(x.params));
    let i = design.i;
    while (i < design.points.length && others.has(pointKey(design.points[i]))) i++;
    setNext(Math.min(i + 1, design.points.length));
    if (i < design.points.length) return design.points[i];
    this.diversify(); // a twin stream: leave it, or the next points collide too
    const q = untried(this.o, state);
    RANDOM.add(q);
    return q;
  }

  /** `p`, or a point just outside the NEAR box of any in-flight trial it is in (see offInFlight in ./worker-collisions). */
  offInFlight(p: Params, state: JournalState): Params {
    return offInFlight(this.o, p, state);
  }

  /** Moves the random stream to one of this worker's own (seeded by its worker id). */
  diversify(): void {
    diversify(this.o);
  }
}
