/**
 * The Study class: the write side of the trial record (ask, tell, report,
 * prune, ...), each change written through to the storage; opening the
 * storage in the background and reading it are StudyBase's (./study-base).
 */
import { InvalidOptionError, StateError } from '../errors';
import { checkReport } from '../pruners';
import type { Params } from '../space/types';
import type { Trial } from '../study/types';
import { tellTime } from '../util/clock';
import { JSON_KINDS, jsonProblem } from '../util/json-problem';
import type { AskExtra, TellInput } from './journal';
import { checkTellInput } from './journal-io';
import { after, applyPrune, applyTell, type ClaimExtra, type MaybePromise, type PruneResult, type ReclaimExtra } from './study-storage';
import { keepPrunerAttrs } from './trial-fold';
import { randomHex } from './mutex';
import { copy, strip } from './trial-record';
import { StudyBase } from './study-base';
import { completesTrial } from './untold-results';
import { notRunning } from './trial-queries';
import { openTarget, type StudyOptions } from './storage-target';
import type { JournalState } from './types';

export { storageTargetProblem, type StorageTarget, type StudyOptions } from './storage-target';

/**
 * A pruner's judge of a report (see Study.report): called once the record
 * holds every worker's reports written before this one; returns the trial
 * system attributes to record with the value.
 */
export type StudyJudge = () => MaybePromise<Readonly<Record<string, number>> | undefined>;

/**
 * A study: the one store of trials, written through to its storage (a
 * journal, or memory when none is given). Optimizers read it and propose
 * points; every ask, tell and record goes through here once.
 *
 * @example
 * ```ts
 * const study = Study.open('study.jsonl', { space, direction: 'minimize' });
 * await study.ready();
 * const t = await study.ask(() => ({ lr: 0.01 }), { source: 'probe' });
 * await study.tell(t.id, { target: 0.42, durationMs: 1200 });
 * study.completed(); // [{ id: 0, params: { lr: 0.01 }, target: 0.42, ... }]
 * ```
 */
export class Study extends StudyBase {
  /** per trial, the step of the latest report not yet written (see report) */
  private readonly reporting = new Map<number, number>();
  /**
   * trials this object ended itself (tell, prune), by id, with their start
   * (a study deleted and created again numbers its trials from 0 again):
   * telling one again is the caller's mistake, not a late result
   */
  private readonly endedHere = new Map<number, number | undefined>();

  /**
   * A study in `target`: nothing (memory only), a journal path (a file under
   * Node, OPFS/IndexedDB in a browser), a JournalBackend, or a StudyStorage.
   * Returns at once; storage that must be opened is opened in the background
   * (see {@link ready}).
   */
  static open(target: unknown, opts: StudyOptions = {}): Study {
    const { storage, direction, shared, studyName } = openTarget(target, opts);
    return new Study(storage, direction, shared, studyName);
  }

  /**
   * Records a new pending trial at the point `choose` picks, seeing the
   * whole stored study under the storage's lock (see Journal.askWith).
   */
  ask(choose: (state: JournalState) => Params | Promise<Params>, extra: AskExtra = {}): MaybePromise<Trial> {
    return this.use((s) => after(s.askWith(choose, extra), ({ trial }) => {
      this.mine.add(trial.id);
      return this.taken(trial);
    }));
  }

  /**
   * Adds an enqueued trial at `params` (status 'waiting'), which the next
   * ask of any worker sharing the storage takes (see claimWaiting).
   * @throws StateError when the storage cannot hold enqueued trials
   * @throws InvalidOptionError naming `attrs` when a user attribute is not JSON as it is
   */
  enqueue(params: Params, userAttrs?: Record<string, unknown>): MaybePromise<Trial> {
    if (userAttrs !== undefined) checkAttrs('enqueue', userAttrs);
    return this.use((s) => {
      if (!s.enqueue) throw new StateError('enqueue: this storage cannot hold enqueued trials (it has no enqueue method)');
      // shared: the enqueue read what other workers wrote, and the local record learns it too (it kept a trial
      // another worker had completed as waiting, and lacked the trials they had asked, until the next ask)
      return after(s.enqueue(params, userAttrs), (t) => (!this.shared ? this.taken(t)
        // the trial is written: a read that fails afterwards must not reject it (a caller's retry enqueued it twice)
        : Promise.resolve().then(() => this.load()).then(() => copy(this.byId.get(t.id) ?? this.upsert(t)), () => this.taken(t))));
    });
  }

  /**
   * A trial the storage has just made, as the local record holds it. Its id
   * already naming another trial there means the study was deleted and
   * created again by another worker (its trials numbered from 0 again): the
   * record is read afresh, where it handed back the deleted study's trial.
   */
  private taken(t: Trial): MaybePromise<Trial> {
    const known = this.byId.get(t.id);
    if (known && (known.status !== t.status || JSON.stringify(known.params) !== JSON.stringify(t.params))) {
      return after(this.load(), () => copy(this.byId.get(t.id) ?? this.upsert(t)));
    }
    return copy(this.upsert(t));
  }

  /**
   * Takes the first waiting trial of the storage (any worker's, or
   * Optuna's `enqueue_trial`) as this worker's pending trial, its params
   * completed by `complete`; null when none is waiting (see Journal.claimWaiting).
   */
  claimWaiting(complete: (params: Params) => Params, extra: ClaimExtra = {}): MaybePromise<Trial | null> {
    return this.use((s) => after(s.claimWaiting?.(complete, extra) ?? null, (t) => {
      if (!t) return null;
      this.mine.add(t.id);
      const known = this.byId.get(t.id); // known here while it waited: now pending, with its full point
      if (known) {
        this.changed(known);
        return copy(Object.assign(known, strip(t)));
      }
      return copy(this.upsert(t));
    }));
  }

  /**
   * Finishes trial `id` (a finite target completes it; an error or non-finite
   * target fails it). When the storage had already ended it (another worker
   * failed it as stale), a completed result is recorded as a new trial and
   * that trial is returned (see endedElsewhere).
   */
  tell(id: number, told: TellInput): MaybePromise<Trial> {
    checkTellInput(told, 'tell');
    // checked before the storage writes: a trial another Study object asked was recorded, then refused here
    if (!this.byId.has(id)) throw new StateError(`tell: trial ${String(id)} is not in this study's record (another worker's trial: load() first)`);
    // failed here before, now told a result: it was recorded as a new trial, as if another worker had failed
    // the first as stale (Optuna refuses a tell of a finished trial; a repeat of the same tell still returns it)
    const known = this.byId.get(id) as Trial;
    if (known.status === 'failed' && completesTrial(told) && this.endedHere.has(id) && this.endedHere.get(id) === known.startedAt) {
      throw new StateError(`${notRunning('tell', id, known.status)}; this result was not recorded`);
    }
    const result = { ...told, at: told.at ?? tellTime() }; // one time for the storage and the local record (see tellTime)
    // kept too when the storage fails on the results kept before it, which use() writes first
    return after(this.untold.keepOnFailure(id, result, () => this.use((s) => s.tell(id, result))), (written) => {
      const t = this.byId.get(id);
      if (!t) throw new StateError(`study: told trial ${id} is not in the local record`);
      if (written === false) return this.endedElsewhere(t, result);
      applyTell(t, result);
      this.endedHere.set(id, t.startedAt);
      this.changed(t);
      return copy(t);
    });
  }

  /**
   * Records intermediate value `value` at `step` of pending trial `id`
   * (written through to the storage, so a resume keeps it), with the trial
   * system attributes a pruner keeps beside it: `attrs`, or what a judge
   * (StudyJudge) returns, called on the record as the storage holds it then
   * (under the storage's lock where it can: StudyStorage.reportWith). Checked
   * first: a bad report records nothing; nor does a judge that throws.
   * @throws StateError when the trial is unknown or has ended
   * @throws InvalidPointError naming `step` (not an integer >= 0, or not after the last reported step) or `value` (not finite)
   */
  report(id: number, step: number, value: number, attrs?: Readonly<Record<string, number>> | StudyJudge): MaybePromise<Trial> {
    const t = this.byId.get(id);
    if (!t) throw new StateError(`report: unknown trial id ${id}`);
    const curve = this.curves.of(t);
    // the step of a report still being written counts as the last: started together, steps 2, 1, 2 were
    // each checked against the record before any landed, and all were written
    const inFlight = this.reporting.get(id);
    checkReport(inFlight === undefined ? curve : { ...curve, steps: [...curve.steps, inFlight] }, step, value);
    this.reporting.set(id, step);
    const settled = (): void => void (this.reporting.get(id) === step && this.reporting.delete(id));
    let systemAttrs = typeof attrs === 'function' ? undefined : attrs;
    const judged = async (): Promise<Readonly<Record<string, number>> | undefined> => (systemAttrs = await (attrs as StudyJudge)());
    let written: MaybePromise<Trial>;
    try {
      written = this.use((s) => after(typeof attrs !== 'function' ? s.report?.(id, step, value, systemAttrs)
        // judged on the record as the storage holds it: under its lock where it can (reportWith), else read first
        : s.reportWith && this.shared ? s.reportWith(id, step, value, (state) => (this.ingest(state, s.loadViews !== undefined), judged()))
          : after(this.shared ? this.load() : undefined, () => judged().then((a) => s.report?.(id, step, value, a))), () => {
        const now = this.byId.get(id) ?? t;
        now.intermediate = { ...now.intermediate, [step]: value };
        keepPrunerAttrs(now, systemAttrs);
        this.changed(now);
        if (!s.report) this.unstored.report(now);
        return copy(now);
      }));
    } catch (e) {
      settled();
      throw e;
    }
    if (!(written instanceof Promise)) {
      settled();
      return written;
    }
    return written.finally(settled);
  }

  /**
   * Records user attributes `attrs` of pending trial `id`, merged into those
   * it has (Optuna's `trial.set_user_attr`; written through to the storage,
   * so a resume and other workers see them).
   * @throws StateError when the trial is unknown or has ended
   * @throws InvalidOptionError naming `attrs` when a value is not JSON as it is (NaN, a Date, a cycle, ...)
   */
  setUserAttrs(id: number, attrs: Readonly<Record<string, unknown>>): MaybePromise<Trial> {
    const t = this.byId.get(id);
    if (!t) throw new StateError(`set user attr: unknown trial id ${id}`);
    if (t.status !== 'pending') throw new StateError(notRunning('set user attr', id, t.status));
    checkAttrs('set user attr', attrs);
    const own = structuredClone(attrs);
    return this.use((s) => after(s.setUserAttrs?.(id, own), () => {
      const now = this.byId.get(id) ?? t;
      now.userAttrs = { ...now.userAttrs, ...own }; // replaced, never mutated: copies may share it
      this.changed(now);
      if (!s.setUserAttrs) this.unstored.userAttrs(id, own);
      return copy(now);
    }));
  }

  /**
   * Ends pending trial `id` as pruned at its last report (status 'pruned',
   * target = that value, `step` = its step). A trial that has ended, here or
   * in the storage (another worker told it first), is returned as it ended,
   * nothing written: its `status` says whether it was pruned.
   * @throws StateError when the trial is unknown or reported nothing
   */
  prune(id: number, opts: { durationMs?: number } = {}): MaybePromise<Trial> {
    const t = this.byId.get(id);
    if (!t) throw new StateError(`prune: unknown trial id ${id}`);
    checkTellInput({ durationMs: opts.durationMs }, 'prune');
    // ended already (told here, or found failed as stale by another worker while it ran): nothing to write,
    // and the trial as it ended, not a rejection that would end the run that prunes it
    if (t.status !== 'pending' && t.status !== 'waiting') return copy(t);
    const c = this.curves.of(t);
    const n = c.steps.length;
    if (n === 0) throw new StateError(`prune: trial ${id} reported no intermediate value`);
    const at = tellTime(); // one time for the storage and the local record
    const result: PruneResult = { target: c.values[n - 1], step: c.steps[n - 1], durationMs: opts.durationMs, at };
    return this.use((s) => after(s.prune ? s.prune(id, result) : s.tell(id, { error: 'pruned', durationMs: opts.durationMs, at }), (written) => {
      // the storage had ended it (another worker told it, or failed it as stale): the local record is read
      // again, so it never claims what the storage refused (it said pruned where the journal kept complete)
      if (written === false) return after(this.load(), () => copy(this.byId.get(id) ?? t));
      const now = this.byId.get(id) ?? t;
      // waiting here, pruned there: another worker had claimed the enqueued trial, and the record is read again
      if (now.status !== 'pending') return after(this.load(), () => copy(this.byId.get(id) ?? now));
      applyPrune(now, result);
      this.endedHere.set(id, now.startedAt);
      this.changed(now);
      return copy(now);
    }));
  }

  /** A point evaluated elsewhere (registered, imported): asked and told at once. */
  record(params: Params, result: TellInput, extra: AskExtra = {}): MaybePromise<Trial> {
    checkTellInput(result, 'record'); // before the ask: a refused result left its trial pending
    const kept = { ...result, at: result.at ?? tellTime() };
    // an ask the storage cannot take keeps the point and its result whole (see UntoldResults), with its ask
    // id: its write may have landed though the reply was lost, and the next call's ask then finds that
    // trial by the id where a new one added the point twice
    const ask: AskExtra = { source: 'register', ...extra, askId: extra.askId ?? randomHex(8) };
    const asked = this.untold.keepRecordOnFailure({ params, result: kept, extra: ask }, () => this.ask(() => params, ask));
    return after(asked, (t) => this.tell(t.id, kept));
  }

  /**
   * Fails interrupted trial `id` (its worker stopped) and asks its params
   * again as a new trial of this worker; returns that retry, or null when
   * another worker retried it first or it finished (see Journal.reclaim).
   */
  reclaim(id: number, extra: ReclaimExtra = {}): MaybePromise<Trial | null> {
    return this.use((s) => after(s.reclaim(id, extra), (r) => {
      if (!r) return null;
      const old = this.byId.get(id);
      if (old) Object.assign(old, strip(r.failed)), this.changed(old);
      else this.add(strip(r.failed));
      if (!r.retry) return null; // it ended pruned, or its point was completed by another trial: nothing to retry
      this.mine.add(r.retry.id);
      return copy(this.upsert(r.retry));
    }));
  }

  /**
   * Releases the storage (once it is open), after one more try at writing
   * the results kept after a StorageError. Idempotent.
   */
  async close(): Promise<void> {
    await this.opening.catch(() => undefined);
    if (this.storage && this.untold.size) await this.flush().catch(() => undefined);
    await this.storage?.close();
  }
}

/** Throws unless `attrs` is a plain object of JSON values (JSON.stringify would write NaN as null, silently). */
function checkAttrs(call: string, attrs: unknown): void {
  const bad = jsonProblem(attrs, 'attrs');
  if (bad) throw new InvalidOptionError(`${call}: ${bad}${JSON_KINDS}`, 'attrs');
}
