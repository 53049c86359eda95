/**
 * The order in which `maximize` asks its trials (Runner.run calls the
 * schedule one trial at a time): interrupted trials, enqueued ones, queued
 * probes, then the grid's plan, or the initial design and model-guided
 * points; with `resume`, only until the study holds `initPoints + nIter`
 * trials. Apart from ./runner, which runs the objective calls this schedule
 * feeds (concurrency, stopping, the progress table), because this is the
 * one place that decides what comes next.
 */
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import type { Trial } from '../study/types';
import { DESIGN_DONE, type TrialAsker } from './asking';
import { GridCursor, type Design } from './design-points';
import type { InterruptedTrials } from './interrupted';
import { retriesWithin } from './planned-trials';
import type { RunnerOptions } from './runner';
import type { Suggester } from './suggesting';

/** The runner's parts the schedule asks with. */
export interface ScheduleParts {
  o: RunnerOptions;
  study: Study;
  reask: InterruptedTrials;
  /** points queued by `probe(params)`, taken (shifted) in order */
  probes: Params[];
  asker: TrialAsker;
  suggester: Suggester;
  /** throws when the run's signal has aborted */
  checkSignal: () => void;
  /** see Runner.refresh */
  refresh: () => Promise<void>;
  /** see Runner.nextWaiting */
  nextWaiting: (budget?: number) => Promise<Trial | null>;
  /** see Runner.nextReask */
  nextReask: () => Promise<Trial | null>;
}

/**
 * The next trial `maximize` evaluates, asked (null when the schedule is
 * done): interrupted trials, queued probes, then the grid's plan, or the
 * initial design and model-guided points (with `resume`, until the study
 * holds `initPoints + nIter` trials). Called one at a time.
 */
export function maximizeSchedule(r: ScheduleParts, initPoints: number, nIter: number, resume: boolean): () => Promise<Trial | null> {
  const budget = resume ? initPoints + nIter : undefined;
  let grid: GridCursor | null = null;
  let design: Design | null = null;
  let iters = 0;
  let done = false;
  let said = false;
  // with `resume`, interrupted trials are retried in their places of the budget only (see retriesWithin);
  // those a pruner had stopped end pruned whatever the budget (they take no new place)
  const reaskWithin = async (): Promise<Trial | null> => {
    await r.reask.endStopped();
    if (budget === undefined || retriesWithin(r.study, r.reask.length, budget) > 0) return r.nextReask();
    if (!said && r.reask.length > 0) {
      said = true;
      (r.o.info ?? r.o.log)(`journal: ${r.reask.length} interrupted trial(s) past the budget of ${budget} left to retry, for a run with a larger budget`);
    }
    return null;
  };
  return async () => {
    if (done) {
      if (!resume || !r.study.shared) return null;
      // a slot ending after the budget was taken: a worker that stopped meanwhile leaves its trials to retry
      r.o.assertUsable();
      await r.refresh();
      return reaskWithin();
    }
    r.o.assertUsable();
    r.checkSignal();
    const again = await reaskWithin();
    if (again) return again;
    const waiting = await r.nextWaiting(budget);
    if (waiting) return waiting;
    if (r.probes.length) return r.asker.ask(r.probes.shift() as Params, 'probe');
    if (r.o.sampler.plan) {
      // the grid's points no trial holds, each chosen under the storage lock; with `resume`, only as many
      // as the study has room for below the budget (a journal holding another budget's grid, whose
      // points the new grid mostly does not share, would otherwise end with more trials than the budget).
      // A budget of 0 plans nothing (the grid of 0 points would still hold its centre).
      grid ??= new GridCursor(initPoints + nIter === 0 ? [] : r.o.sampler.plan.points(initPoints + nIter));
      // every step reads the other workers' trials (a design or grid step as a model's does): res and max
      // showed this worker's trials alone to the end of a run that asked no model-guided point
      await r.refresh();
      const t = await r.asker.askFromGrid(grid, budget);
      if (!t) done = true;
      return t;
    }
    if (!design) {
      if (resume) await r.refresh();
      const k = resume ? Math.max(0, Math.min(initPoints, budget as number) - r.study.budgetSize) : initPoints;
      // with resume, the design of initPoints (as suggest() draws it) less the points the study holds: a study
      // stopped within its design gets the rest of it (see InterruptedTrials.drawDesign), workers of one seed share it
      design = resume && k > 0 ? r.reask.drawDesign(initPoints, 'rest') : r.reask.drawDesign(k, 'fresh');
    }
    if (design.asked < design.points.length) {
      await r.refresh(); // other workers' trials (see the grid's step); with resume, the design's count too
      // with resume, other workers may have done the rest of the design (counted again under the lock)
      if (!resume || r.study.budgetSize < initPoints) {
        const t = await r.asker.askFromDesign(design, budget, resume ? initPoints : undefined);
        if (t !== DESIGN_DONE) {
          if (!t) done = true;
          return t;
        }
      }
      design.asked = design.points.length;
    }
    if (!resume && iters >= nIter) {
      done = true;
      return null;
    }
    await r.refresh();
    // enqueued meanwhile by another worker: taken first, as an extra evaluation (as a probe is)
    const enqueued = await r.nextWaiting(budget);
    if (enqueued) return enqueued;
    iters++;
    if (resume && r.study.budgetSize >= (budget as number)) {
      // the refresh above may have found a worker that stopped with trials of the budget running: retried
      // here, or the study would end with them running until some later run resumed it
      const orphan = await reaskWithin();
      if (orphan) return orphan;
      done = true;
      return null;
    }
    const t = await r.suggester.proposeAndAsk(budget);
    if (!t) done = true;
    return t;
  };
}
