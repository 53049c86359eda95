/**
 * What a {@link Study} writes through: the journal (a file, OPFS/IndexedDB,
 * any JournalBackend) or, when no storage is given, {@link MemoryStudyStorage}.
 * `Journal` satisfies this interface as it is.
 *
 * Methods may answer synchronously (the in-memory storage does), so a study
 * without persistence records a trial before `register` returns, as bayes_opt
 * users expect; persistent storages answer with promises.
 */
import { StateError } from '../errors';
import type { Params, SpaceSpec } from '../space/types';
import type { ModelState } from '../study/types';
import { notBefore, startTime, tellTime } from '../util/clock';
import type { RngState } from '../util/rng';
import { paramsProblem } from './params-check';
import { keepPrunerAttrs } from './trial-fold';
import type { AskExtra, TellInput } from './journal';
import { samePoint } from '../study/point-key';
import { completedElsewhereReason, staleReason, tellEvent } from './journal-io';
import { randomHex } from './mutex';
import { copyTrial } from './state';
import { notRunning } from './trial-queries';
import { enqueuedFailure } from './journal-asks';
import { askProblem, enqueueProblem, pointError } from './journal-ops';
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

/**
 * A study kept in memory only: synchronous, with the journal's rules (ids in
 * ask order, a trial told once, the latest ask's random and model state).
 */
export class MemoryStudyStorage implements StudyStorage {
  readonly worker = `w-${randomHex(8)}`;
  /**
   * @param space the study's space: asked and enqueued points are checked
   *   against it as a journal checks them (a point outside it, off a step, or
   *   not among a parameter's choices is an InvalidPointError) [none: any point]
   */
  constructor(private readonly space?: SpaceSpec) {}

  private readonly list: JournalTrial[] = [];
  private rngState: RngState | null = null;
  private modelState: ModelState | null = null;
  private designRngState: RngState | null = null;
  private closed = false;

  load(): JournalState {
    this.assertOpen();
    const trials = this.list.map(copyTrial);
    return {
      header: null,
      trials,
      pending: trials.filter((t) => t.status === 'pending'),
      orphaned: [],
      nextId: this.list.length,
      rngState: this.rngState ? [...this.rngState] : null,
      modelState: this.modelState ? structuredClone(this.modelState) : null,
      designRngState: this.designRngState ? [...this.designRngState] : null,
      skipped: [],
    };
  }

  askWith(choose: (state: JournalState) => Params | Promise<Params>, extra: AskExtra = {}): MaybePromise<{ trial: JournalTrial }> {
    this.assertOpen();
    // `choose` only reads the state: hand it the live trials rather than copies (asks stay O(1) per trial)
    const trials = this.list.slice();
    const state: JournalState = {
      header: null, trials, pending: trials.filter((t) => t.status === 'pending'), orphaned: [], nextId: trials.length,
      rngState: this.rngState, modelState: this.modelState, designRngState: this.designRngState, skipped: [],
    };
    return after(choose(state), (params) => ({ trial: this.add(params, extra) }));
  }

  private add(params: Params, extra: AskExtra): JournalTrial {
    const problem = paramsProblem(params) ?? askProblem(params, this.space);
    if (problem) throw pointError('memory study', 'ask', problem);
    const t: JournalTrial = {
      id: this.list.length, params: { ...params }, target: null, status: 'pending',
      source: extra.source ?? 'suggest', startedAt: startTime(), worker: this.worker,
    };
    if (extra.engine) t.engine = extra.engine;
    if (extra.suggestMs !== undefined) t.suggestMs = extra.suggestMs;
    if (extra.lateOf !== undefined) t.lateOf = extra.lateOf;
    if (extra.userAttrs && Object.keys(extra.userAttrs).length) t.userAttrs = structuredClone(extra.userAttrs);
    if (extra.rng) this.rngState = [...extra.rng];
    if (extra.model) this.modelState = structuredClone(extra.model);
    if (extra.designRng && !this.designRngState) this.designRngState = [...extra.designRng];
    this.list.push(t);
    return copyTrial(t);
  }

  tell(id: number, result: TellInput): boolean {
    const t = this.unended(id, 'tell');
    if (!t) return false;
    applyTell(t, result);
    return true;
  }

  /** Of `systemAttrs` (a pruner's, see PruneVerdict) what pruners read back is kept (see keepPrunerAttrs) */
  report(id: number, step: number, value: number, systemAttrs?: Readonly<Record<string, number>>): void {
    const t = this.pendingTrial(id, 'report');
    t.intermediate = { ...t.intermediate, [step]: value }; // replaced, never mutated: copies may share it
    keepPrunerAttrs(t, systemAttrs);
  }

  setUserAttrs(id: number, attrs: Readonly<Record<string, unknown>>): void {
    const t = this.pendingTrial(id, 'set user attr');
    t.userAttrs = { ...t.userAttrs, ...structuredClone(attrs) }; // replaced, never mutated: copies may share it
  }

  prune(id: number, result: PruneResult): boolean {
    const t = this.unended(id, 'prune');
    if (!t) return false;
    applyPrune(t, result);
    return true;
  }

  /** Trial `id` while pending; null once it has ended (a tell or prune then writes nothing, as the journal's). */
  private unended(id: number, op: string): JournalTrial | null {
    this.assertOpen();
    const t = this.list[id];
    if (!t) throw new StateError(`memory study: ${op}: unknown trial id ${id}`);
    return t.status === 'pending' ? t : null;
  }

  private pendingTrial(id: number, op: string): JournalTrial {
    this.assertOpen();
    const t = this.list[id];
    if (!t) throw new StateError(`memory study: ${op}: unknown trial id ${id}`);
    if (t.status !== 'pending') throw new StateError(`memory study: ${notRunning(op, id, t.status)}`);
    return t;
  }

  enqueue(params: Params, userAttrs?: Record<string, unknown>): JournalTrial {
    this.assertOpen();
    const problem = enqueueProblem(params, this.space);
    if (problem) throw pointError('memory study', 'enqueue', problem);
    const t: JournalTrial = { id: this.list.length, params: { ...params }, target: null, status: 'waiting', source: 'enqueue' };
    if (userAttrs && Object.keys(userAttrs).length) t.userAttrs = structuredClone(userAttrs); // throws before anything is stored
    const copy = copyTrial(t);
    this.list.push(t);
    return copy;
  }

  claimWaiting(complete: (params: Params) => Params, extra: ClaimExtra = {}): JournalTrial | null {
    this.assertOpen();
    for (const t of this.list) {
      if (t.status !== 'waiting') continue;
      if (budgetTaken(this.list, extra.limit)) return null;
      let params: Params;
      try {
        params = complete({ ...t.params });
      } catch (e) {
        applyTell(t, { error: enqueuedFailure(e) });
        continue;
      }
      Object.assign(t, { params: { ...params }, status: 'pending', startedAt: startTime(), worker: this.worker });
      if (extra.rng) this.rngState = [...extra.rng];
      if (extra.model) this.modelState = structuredClone(extra.model);
      return copyTrial(t);
    }
    return null;
  }

  reclaim(id: number, extra: ReclaimExtra = {}): Reclaimed | null {
    this.assertOpen();
    const t = this.list[id];
    if (t && retriesFailed(t, this.list, extra)) {
      const retry = this.add(t.params, { source: t.source, rng: extra.rng, model: extra.model });
      this.list[retry.id].retryOf = t.retryOf ?? id;
      return { failed: copyTrial(t), retry: copyTrial(this.list[retry.id]) };
    }
    if (!t || t.status !== 'pending') return null;
    const twin = this.list.find((x) => x.status === 'complete' && samePoint(x.params, t.params));
    if (twin) {
      applyTell(t, { error: completedElsewhereReason(t.worker, twin.id) });
      return { failed: copyTrial(t), retry: null };
    }
    applyTell(t, { error: staleReason(t.worker) });
    const retry = this.add(t.params, { source: t.source, ...extra });
    this.list[retry.id].retryOf = t.retryOf ?? id;
    return { failed: copyTrial(t), retry: copyTrial(this.list[retry.id]) };
  }

  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StateError('memory study: closed');
  }
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
