/**
 * What a Study (./study) stands on: its record of trials (./trial-record)
 * and the storage it writes through to, opened in the background, with the
 * writes and results kept while the storage cannot take them, written first
 * by the next call that reaches it.
 */
import type { Direction, Trial } from '../study/types';
import type { Params } from '../space/types';
import type { AskExtra, TellInput } from './journal';
import { after, applyTell, type MaybePromise, type StudyStorage } from './study-storage';
import { copy, strip, TrialRecord } from './trial-record';
import { lateTell, UntoldResults } from './untold-results';
import { UnstoredWrites } from './unstored-writes';
import type { JournalState, JournalTrial } from './types';

export abstract class StudyBase extends TrialRecord {
  protected storage: StudyStorage | null = null;
  protected readonly opening: Promise<void>;
  /**
   * whether other Study objects may write to the storage (a journal, a
   * storage passed in): then a pruning decision reads it first
   */
  readonly shared: boolean;
  /** reports, their rungs and user attributes kept here when the storage cannot record them */
  protected readonly unstored = new UnstoredWrites();
  /** results the storage could not take (a connection lost for good): written first by the next call that reaches it */
  protected readonly untold = new UntoldResults();

  /**
   * the study's name in its storage (Optuna's study_name: Hyperband hashes
   * it into brackets, as Optuna does): the `studyName` option, else
   * 'default', wherever the study lives
   */
  readonly studyName: string;

  /** A study over `storage`, or over a promise of one (opened meanwhile). */
  constructor(storage: StudyStorage | Promise<StudyStorage>, direction: Direction = 'maximize', shared = true, studyName = 'default') {
    super(direction);
    this.shared = shared;
    this.studyName = studyName;
    if (storage instanceof Promise) {
      this.opening = storage.then((s) => {
        this.storage = s;
      });
      this.opening.catch(() => undefined); // surfaced by ready() and the next call
    } else {
      this.storage = storage;
      this.opening = Promise.resolve();
    }
  }

  /** Resolves once the storage is open; rejects with its StorageError when it cannot open. */
  async ready(): Promise<void> {
    await this.opening;
  }

  /** Whether the storage is open (a study in memory is open from the start). */
  get isOpen(): boolean {
    return this.storage !== null;
  }

  /** This process's worker id in the storage ('' until it is open). */
  get worker(): string {
    return this.storage?.worker ?? '';
  }

  protected use<T>(fn: (s: StudyStorage) => MaybePromise<T>): MaybePromise<T> {
    if (this.untold.size) return this.opening.then(() => this.flush()).then(() => fn(this.storage as StudyStorage));
    return this.storage ? fn(this.storage) : this.opening.then(() => fn(this.storage as StudyStorage));
  }

  /** Writes the results kept after a StorageError, oldest first (each kept until it is written). */
  protected async flush(): Promise<void> {
    const s = this.storage as StudyStorage;
    const refused: [number, TellInput][] = [];
    await this.untold.flush((id, result) => s.tell(id, result), (id, result, written) => {
      const t = this.byId.get(id);
      if (written === false && t) refused.push([id, result]);
      else if (t && t.status === 'pending') applyTell(t, result), this.changed(t);
    }, (r) => after(s.askWith(() => r.params, { source: 'register', ...r.extra }), ({ trial }) => {
      this.mine.add(trial.id);
      this.upsert(trial);
      return trial.id;
    }));
    for (const [id, result] of refused) await this.endedElsewhere(this.byId.get(id) as Trial, result);
  }

  /**
   * Trial `t`'s tell found it already ended in the storage (see lateTell):
   * the local record is read again, so it never claims what the storage
   * refused, and a result the storage does not hold is recorded as a new
   * trial marked `lateOf` (no new place in a `resume` budget: the retry
   * already fills the failed trial's). Returns the trial that holds the result.
   */
  protected endedElsewhere(t: Trial, result: TellInput): MaybePromise<Trial> {
    return after(this.load(), () => {
      const now = this.byId.get(t.id) ?? t;
      return lateTell(now, result) === 'record' ? this.record(t.params, result, { lateOf: t.id }) : copy(now);
    });
  }

  /**
   * Reads the storage (every worker's trials) and replaces the local record
   * with it. A trial the storage has not changed since the last read (the
   * same read-only view, see StudyStorage.loadViews) keeps its local copy:
   * copying every trial at every read, twice, cost a study of 10,000 trials
   * about 70 ms a trial and a pruner's report as much (and every curve the
   * pruners had cached).
   */
  load(): MaybePromise<JournalState> {
    return this.use((s) => after(s.loadViews ? s.loadViews() : s.load(), (state) => this.ingest(state, s.loadViews !== undefined)));
  }

  /** Replaces the local record with the storage's `state` (see load); `views`: its trials are loadViews' shared views. */
  protected ingest(state: JournalState, views: boolean): JournalState {
    if (!views) {
      this.clear();
      for (const t of state.trials) this.add(this.localCopy(t));
    } else {
      this.readViews(state.trials, (t) => this.localCopy(t));
    }
    this.setFinishOrder(state.finishOrder ?? []);
    return state;
  }

  /** A stored trial as the record holds it: a copy, with the writes the storage could not take (see UnstoredWrites). */
  protected localCopy(t: JournalTrial): Trial {
    const trial = strip(t);
    this.unstored.restore(trial);
    return trial;
  }

  /** A point evaluated elsewhere, asked and told at once (see Study.record). */
  abstract record(params: Params, result: TellInput, extra?: AskExtra): MaybePromise<Trial>;
}
