/**
 * Queries over a study's trials that need more than a filter: the order in
 * which trials finished, and the best completed one.
 */
import type { Trial } from '../study/types';

/** Whether `t` has finished: complete, failed or pruned (not pending, not waiting). */
/**
 * Why `op` cannot record on trial `id` of `status` (not 'pending'): an
 * enqueued trial no worker has taken yet has not begun, the others ended.
 *
 * @example
 * notRunning('report', 3, 'waiting'); // 'report: trial 3 is waiting (enqueued; no worker has taken it yet)'
 */
export function notRunning(op: string, id: number, status: Trial['status'], inStorage = false): string {
  return status === 'waiting' ? `${op}: trial ${id} is waiting (enqueued; no worker has taken it yet)`
    : `${op}: trial ${id} ${inStorage ? 'had' : 'has'} already ended (${status})${inStorage ? ' in the storage' : ''}`;
}

export function isFinishedTrial(t: Pick<Trial, 'status'>): boolean {
  return t.status === 'complete' || t.status === 'failed' || t.status === 'pruned';
}

/** Finished trials (complete, failed and pruned) in the order they were told (ask order among equal times). */
export function finishedInOrder<T extends Trial>(trials: readonly T[]): T[] {
  const done = trials.filter(isFinishedTrial);
  // tells of one process never share a time (src/util/clock.ts); equal times (other processes, a
  // caller's own `at`) keep their ask order, the sort being stable
  return done.sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
}

/**
 * Ids of the trials retried since: a trial whose worker stopped mid-trial,
 * failed by whoever noticed and asked again at the same point (see
 * Study.reclaim). A retry names its chain's first trial (`retryOf`), so
 * every trial of a chain before its last retry was retried.
 */
export function retriedIds(trials: readonly Pick<Trial, 'id' | 'retryOf'>[]): Set<number> {
  const last = new Map<number, number>();
  for (const t of trials) if (t.retryOf !== undefined) last.set(t.retryOf, Math.max(last.get(t.retryOf) ?? -1, t.id));
  const out = new Set<number>();
  if (last.size > 0) for (const t of trials) if (t.id < (last.get(t.retryOf ?? t.id) ?? -1)) out.add(t.id);
  return out;
}

/** The first completed trial with the best `sign * target` (sign +1 maximizes, -1 minimizes), skipping id `except`. */
export function bestTrial<T extends Trial>(trials: readonly T[], sign: 1 | -1, except?: number): T | undefined {
  let best: T | undefined;
  for (const t of trials) {
    if (t.status !== 'complete' || t.target === null || t.id === except) continue;
    if (!best || sign * t.target > sign * (best.target as number)) best = t;
  }
  return best;
}
