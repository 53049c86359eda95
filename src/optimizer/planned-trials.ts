/**
 * How many trials a `maximize` run will evaluate, for its progress bar
 * (Runner.plannedTrials): a count read off the study before the run, not a
 * promise (other workers may take some of them).
 */
import type { Study } from '../storage/study';
import type { Plan } from './sampler';

/**
 * How many of `interrupted` trials a `resume` run with budget `budget`
 * retries: each in its own place in the budget, while the places not
 * interrupted (enqueued trials still waiting aside) are fewer than the
 * budget; a rerun with a smaller budget than the study already holds
 * leaves them pending for a later, larger one.
 */
export function retriesWithin(study: Study, interrupted: number, budget: number): number {
  return Math.min(interrupted, Math.max(0, budget - (study.takenBudgetSize - interrupted)));
}

/**
 * About how many trials the run evaluates: interrupted ones (`interrupted`
 * queued for a retry, not those a pruner had stopped, which end pruned
 * without an evaluation; with `resume`, those whose places in the budget lie
 * within it), enqueued ones (extra trials; with `resume`, those the budget
 * has room for), queued probes (`probes`), then the grid's plan or the
 * budget `initPoints + nIter`.
 * @example
 * plannedTrials(study, undefined, 0, 0, 5, 15, false) // 20 on a study with nothing waiting
 */
export function plannedTrials(
  study: Study, plan: Plan | undefined, interrupted: number, probes: number, initPoints: number, nIter: number, resume: boolean,
): number {
  const budget = initPoints + nIter;
  const retries = resume ? retriesWithin(study, interrupted, budget) : interrupted;
  const queued = retries + probes;
  const { waitingCount: waiting, takenBudgetSize: taken } = study;
  // with `resume` the waiting trials fill the budget's room first (see Runner.nextWaiting); the rest stay waiting
  const room = Math.max(0, budget - taken);
  if (plan) {
    if (budget === 0) return queued + (resume ? 0 : waiting);
    const untried = plan.untried(budget, study.trials.map((t) => t.params));
    return queued + (resume ? Math.min(waiting, room) + Math.min(untried, Math.max(0, budget - study.budgetSize)) : waiting + untried);
  }
  // with `resume`: the waiting trials the room takes and every probe run first; the design and the
  // model fill what room is left (counting only the probes against the room missed the waiting ones)
  return resume ? retries + Math.max(Math.min(waiting, room) + probes, room) : queued + waiting + budget;
}
