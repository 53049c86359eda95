/**
 * What the Journal's public steps (./journal) run on: the folded study, the
 * backend with its failures typed, and the two ways a step touches them.
 *
 * A step that writes runs under the backend's lock (the lock Optuna takes),
 * so no two workers number a trial alike. A read need not: it only learns
 * what others wrote, and a line being written meanwhile shows as a torn last
 * line that the next read completes, as Optuna's workers read their journal
 * without the lock. Within this process, every step on the folded study, a
 * read included, goes one at a time (`steps`): a read folding lines while a
 * locked step of another call in flight writes its own would fold some twice.
 */
import { StateError } from '../errors';
import { Mutex } from './mutex';
import { JournalFolder } from './journal-folder';
import type { TrialAdder } from './journal-asks';
import { createStudyOps, trialOps } from './journal-ops';
import { JournalReducer } from './state';
import type { JournalBackend } from './types';
import type { JournalOptions } from './journal-io';
import type { V1Reducer } from './v1-state';

export abstract class JournalSteps {
  readonly backend: JournalBackend;
  /** the id written into this process's operations */
  readonly worker: string;
  /** the study's name in the journal */
  readonly studyName: string;
  protected readonly folder: JournalFolder;
  /** `backend` with its failures typed (./typed-backend): every call goes through it */
  protected readonly io: JournalBackend;
  protected readonly opts: JournalOptions;
  protected closed = false;
  /**
   * The Optuna study_id each trial this journal asked was asked in: a study
   * deleted (and created again) by another worker meanwhile numbers its new
   * trials from 0, and a tell by number would land on someone else's trial.
   */
  protected readonly askedIn = new Map<number, number | null>();
  /** this journal's steps on `folder`, one at a time (see the file's comment) */
  private readonly steps = new Mutex();

  protected constructor(backend: JournalBackend, io: JournalBackend, worker: string, opts: JournalOptions, protected readonly owned: boolean) {
    this.backend = backend;
    this.io = io;
    this.worker = worker;
    this.opts = opts;
    this.studyName = opts.studyName ?? 'default';
    this.folder = new JournalFolder(this.io, this.studyName, opts.space, worker, opts.isWorkerAlive);
  }

  /** The study folded from the journal as of the last read or write. */
  protected get reducer(): JournalReducer | V1Reducer {
    return this.folder.reducer;
  }

  protected createStudyOps(): string {
    return createStudyOps(this.worker, this.studyName, (this.reducer as JournalReducer).nextStudy, this.opts);
  }

  /**
   * Runs `fn` under the backend's lock (given up after `timeoutMs` where
   * set), alone among this journal's steps. `fn` must not start another step.
   */
  protected step<T>(fn: () => Promise<T>, timeoutMs?: number): Promise<T> {
    return this.io.withLock(() => this.steps.run(fn), timeoutMs === undefined ? undefined : { timeoutMs });
  }

  /** Runs `fn` alone among this journal's steps, without the backend's lock: for reads only. */
  protected unlocked<T>(fn: () => Promise<T>): Promise<T> {
    return this.steps.run(fn);
  }

  /**
   * Runs `fn` under the backend's lock. A read-only journal reads without it,
   * so readers never hold up writers (a line being written may then show as a
   * torn last line until the next read).
   */
  protected locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.opts.readOnly ? this.unlocked(fn) : this.step(fn);
  }

  protected get label(): string {
    return `journal ${JSON.stringify(this.backend.name ?? 'journal')}`;
  }

  protected assertOpen(write = false): void {
    if (this.closed) throw new StateError(`${this.label}: closed`);
    if (write && this.opts.readOnly) throw new StateError(`${this.label}: opened read-only`);
  }

  /** The study's Optuna study_id, creating the study if it was deleted meanwhile. */
  protected async studyId(): Promise<number> {
    const r = this.reducer as JournalReducer;
    if (r.studyId === null) await this.folder.write(this.createStudyOps());
    return r.studyId as number;
  }

  /** What the steps that add trials (./journal-asks) need of this journal. */
  protected get adder(): TrialAdder {
    return {
      folder: this.folder, worker: this.worker, label: this.label, space: this.opts.space,
      studyId: () => this.studyId(), on: (id) => this.on(id),
    };
  }

  /** Builders of the operations on trial number `id` (Optuna's trial_id) by this worker. */
  protected on(id: number): ReturnType<typeof trialOps> {
    return trialOps(this.worker, (this.reducer as JournalReducer).trialId(id));
  }
}
