/**
 * The study storage of an optimizer given no storage: {@link MemoryStudyStorage}.
 *
 * @example
 * ```ts
 * const s = new MemoryStudyStorage();
 * const { trial } = await s.askWith(() => ({ x: 0.5 }));
 * s.tell(trial.id, { target: 1 }); // true: told once
 * ```
 */
import { StateError } from '../errors';
import type { Params, SpaceSpec } from '../space/types';
import type { ModelState } from '../study/types';
import { startTime } from '../util/clock';
import type { RngState } from '../util/rng';
import { paramsProblem } from './params-check';
import { keepPrunerAttrs } from './trial-fold';
import type { AskExtra, TellInput } from './journal';
import { samePoint } from '../study/point-key';
import { completedElsewhereReason, staleReason } from './journal-io';
import { randomHex } from './mutex';
import { copyTrial } from './state';
import { notRunning } from './trial-queries';
import { enqueuedFailure } from './journal-asks';
import { askProblem, enqueueProblem, pointError } from './journal-ops';
import type { JournalState, JournalTrial } from './types';
import {
  after, applyPrune, applyTell, budgetTaken, retriesFailed,
  type ClaimExtra, type MaybePromise, type PruneResult, type Reclaimed, type ReclaimExtra, type StudyStorage,
} from './study-storage';

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
    if (t && retriesFailed(t, this.list, extra)) return { failed: copyTrial(t), retry: this.retry(t, extra) };
    if (!t || t.status !== 'pending') return null;
    const twin = this.list.find((x) => x.status === 'complete' && samePoint(x.params, t.params));
    if (twin) {
      applyTell(t, { error: completedElsewhereReason(t.worker, twin.id) });
      return { failed: copyTrial(t), retry: null };
    }
    applyTell(t, { error: staleReason(t.worker) });
    return { failed: copyTrial(t), retry: this.retry(t, extra) };
  }

  /** A new trial of this worker at `t`'s params naming `t`'s chain (`retryOf`). */
  private retry(t: JournalTrial, extra: ReclaimExtra): JournalTrial {
    const added = this.add(t.params, { source: t.source, rng: extra.rng, model: extra.model });
    this.list[added.id].retryOf = t.retryOf ?? t.id;
    return copyTrial(this.list[added.id]);
  }

  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StateError('memory study: closed');
  }
}
