/**
 * What a {@link Study} writes through: the journal (a file, OPFS/IndexedDB,
 * any JournalBackend) or, when no storage is given, MemoryStudyStorage (./memory-study).
 * `Journal` satisfies this interface as it is.
 *
 * Methods may answer synchronously (the in-memory storage does), so a study
 * without persistence records a trial before `register` returns, as bayes_opt
 * users expect; persistent storages answer with promises.
 */
import type { Params } from '../space/types';
import type { ModelState } from '../study/types';
import { notBefore, tellTime } from '../util/clock';
import type { RngState } from '../util/rng';
import type { AskExtra, TellInput } from './journal';
import { samePoint } from '../study/point-key';
import { tellEvent } from './journal-io';
import type { JournalState, JournalTrial } from './types';

export type MaybePromise<T> = T | Promise<T>;

/** Applies `f` to `v` at once when `v` is a plain value, after it resolves when it is a promise. */
export function after<T, U>(v: MaybePromise<T>, f: (t: T) => MaybePromise<U>): MaybePromise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

export interface StudyStorage {
  /** the id written into this process's asks */
  readonly worker: string;
  /** Everything stored, as of now (other workers' trials included). */
  load(): MaybePromise<JournalState>;
  /**
   * As `load`, its trials read-only and shared between reads: a trial that
   * has not changed since the last read is the very object that read gave
   * (what lets a Study keep its local copy instead of copying every trial).
   */
  loadViews?(): MaybePromise<JournalState>;
  /**
   * Records a new pending trial at the point `choose` returns; `choose` sees
   * the whole study, and no other worker can ask before the trial is stored.
   * `extra` is read after `choose` returns.
   */
  askWith(choose: (state: JournalState) => Params | Promise<Params>, extra?: AskExtra): MaybePromise<{ trial: JournalTrial }>;
  /** Finishes a pending trial; false when it had already finished. */
  tell(id: number, result: TellInput): MaybePromise<boolean>;
  /**
   * Records an intermediate value of a pending trial (the caller has checked
   * the step and value), with `systemAttrs`, trial system attributes a
   * pruner records with it (Optuna's `completed_rung_<k>`, see
   * PruneVerdict), written in the same step. Storages without it keep
   * reports in memory only, and a resume loses them.
   */
  report?(id: number, step: number, value: number, systemAttrs?: Readonly<Record<string, number>>): MaybePromise<void>;
  /**
   * As `report`, with the attributes `judge` returns, called once the
   * storage is read under its lock and the trial found running: a pruner
   * judging there sees every worker's reports written before this one
   * (see Journal.reportWith). Storages without it: the study is read, then
   * judged, then `report` writes.
   */
  reportWith?(id: number, step: number, value: number, judge: (state: JournalState) => MaybePromise<Readonly<Record<string, number>> | undefined>): MaybePromise<void>;
  /**
   * Records user attributes of a pending trial (Optuna's
   * `trial.set_user_attr`; the caller has checked they are JSON), merged
   * into those it has. Storages without it keep them in memory only.
   */
  setUserAttrs?(id: number, attrs: Readonly<Record<string, unknown>>): MaybePromise<void>;
  /**
   * Ends a pending trial as pruned: its target is `result.target` (its last
   * reported value) at `result.step`. False when it had already finished.
   */
  prune?(id: number, result: PruneResult): MaybePromise<boolean>;
  /** Adds an enqueued trial, status 'waiting' (see Journal.enqueue). Storages without it cannot enqueue. */
  enqueue?(params: Params, userAttrs?: Record<string, unknown>): MaybePromise<JournalTrial>;
  /** Takes the first waiting trial as this worker's pending one, or null (see Journal.claimWaiting). Storages without it hold none. */
  claimWaiting?(complete: (params: Params) => Params, extra?: ClaimExtra): MaybePromise<JournalTrial | null>;
  /** Fails a stopped worker's pending trial and asks its params again as a new trial of this worker (see Journal.reclaim). */
  reclaim(id: number, extra?: ReclaimExtra): MaybePromise<Reclaimed | null>;
  /** Releases handles. Idempotent. */
  close(): MaybePromise<void>;
}

/** What a reclaim records with the retry, and which trials it may take. */
export interface ReclaimExtra {
  /** the optimizer's random state after the retry is chosen (`wbo:rng`) */
  rng?: RngState;
  /** its model state then (`wbo:model`) */
  model?: ModelState;
  /** take the trial even where its worker may be alive (Journal.reclaim) */
  force?: boolean;
  /**
   * also retry a trial that already failed with exactly this reason (one its
   * own optimizer cut off: a `maximize` signal), unless it was retried since;
   * nothing is written on the failed trial, only the retry
   */
  failedAs?: string;
}

/** Whether failed trial `t` may be retried under `extra.failedAs`: it failed so, no retry of its chain came after it, and no trial completed its point. */
export function retriesFailed(t: JournalTrial, trials: readonly JournalTrial[], extra: ReclaimExtra): boolean {
  if (t.status !== 'failed' || extra.failedAs === undefined || t.error !== extra.failedAs) return false;
  const first = t.retryOf ?? t.id;
  return !trials.some((x) => (x.id > t.id && (x.retryOf ?? x.id) === first) || (x.status === 'complete' && samePoint(x.params, t.params)));
}

/** A stopped worker's trial, now failed, and the new trial that retries its params. */
export interface Reclaimed {
  /** the stopped worker's trial, failed (or pruned, where a pruner had stopped it: see PRUNED_STEP_ATTR) */
  failed: JournalTrial;
  /**
   * its params asked again as a new trial; null where it ended pruned (a pruned trial is never retried)
   * or another trial completed its very point (a worker registered it: a retry would evaluate it twice)
   */
  retry: JournalTrial | null;
}

/**
 * What a claim of an enqueued trial records with it (the random state and
 * model after the draws that completed its point), and `limit`: a `resume`
 * budget, none claimed once the trials not waiting reach it (budgetCount),
 * checked where the claim is written, as an ask's is.
 */
export interface ClaimExtra {
  rng?: RngState;
  model?: ModelState;
  limit?: number;
}

/** Whether the trials taken of a `resume` budget (waiting ones left out) reach `limit`. */
export function budgetTaken(trials: readonly { status: string; retryOf?: number; lateOf?: number }[], limit: number | undefined): boolean {
  return limit !== undefined && budgetCount(trials.filter((t) => t.status !== 'waiting')) >= limit;
}

/**
 * How many of `trials` count against a `resume` budget: all but the retries
 * of trials whose worker stopped (a retry fills its failed trial's slot, so a
 * killed worker does not shrink the budget of completed trials) and the late
 * results of such trials (`lateOf`: that slot's evaluation, told after the
 * trial was failed).
 * @example
 * ```ts
 * budgetCount([{}, { retryOf: 0 }, { lateOf: 0 }, {}]); // 2
 * ```
 */
export function budgetCount(trials: readonly { retryOf?: number; lateOf?: number }[]): number {
  let n = 0;
  for (const t of trials) if (t.retryOf === undefined && t.lateOf === undefined) n++;
  return n;
}

/** How a pruned trial ends: its last reported value and step. */
export interface PruneResult {
  target: number;
  step: number;
  durationMs?: number;
  /** when it was pruned, epoch ms [now] */
  at?: number;
}

/** Finishes `t` in place as the journal's tell line would (non-finite targets fail). */
export function applyTell(t: JournalTrial, result: TellInput): void {
  const e = tellEvent(t.id, result);
  t.status = e.status;
  t.target = e.status === 'complete' ? e.target : null;
  if (e.error !== undefined) t.error = e.error;
  if (e.durationMs !== undefined) t.durationMs = e.durationMs;
  t.finishedAt = notBefore(e.t, t.startedAt);
}

/** Ends `t` in place as pruned at its last report. */
export function applyPrune(t: JournalTrial, result: PruneResult): void {
  t.status = 'pruned';
  t.target = result.target;
  t.step = result.step;
  if (result.durationMs !== undefined && Number.isFinite(result.durationMs) && result.durationMs >= 0) t.durationMs = result.durationMs;
  t.finishedAt = notBefore(result.at ?? tellTime(), t.startedAt);
}
