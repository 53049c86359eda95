/**
 * Which optimizer calls may overlap, and disposal that waits for the running
 * ones: `maximize` and eager probes run alone (an overlapping call is a
 * StateError); `suggest`/`suggestBatch` calls queue behind each other (ask/tell
 * workers in one process need no lock of their own). A `dispose()` while
 * busy releases the resources once the running work ends (a `maximize` ends
 * its wait for the objective and records the running trials as failed).
 * Accepted writes (`register`) run one at a time in call order, and a
 * `dispose()` releases only once they have landed: a register not awaited
 * before dispose() is still recorded, and two registers of one suggestion
 * complete it once and record the second as a trial of its own.
 */
import { StateError } from '../errors';
import { Mutex } from '../storage/mutex';
import { DISPOSED } from './cut-off';

const BUSY = 'optimizer is busy: wait for the running maximize/suggest/probe to finish before starting another';

export class Lifecycle {
  /** an exclusive call (maximize, eager probe) is running */
  private busy = false;
  /** queued calls started and not yet settled */
  private queued = 0;
  private readonly queueMutex = new Mutex();
  private disposed = false;
  private released = false;
  /** accepted writes not yet settled, and the last of them (the next one waits for it) */
  private writing = 0;
  private lastWrite: Promise<unknown> | null = null;
  /** settles once `release` has run and what it returned has settled */
  private readonly releasedDone: Promise<void>;
  private markReleased!: () => void;

  /** @param release frees engines and storage; called once (a promise it returns is awaited by `close`) */
  constructor(private readonly release: () => void | Promise<unknown>) {
    this.releasedDone = new Promise<void>((r) => (this.markReleased = r));
  }

  /** Runs `fn` alone: an overlapping call of any kind is a StateError. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy || this.queued > 0) throw new StateError(BUSY);
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
      this.releaseIfIdle(); // dispose() came while busy
    }
  }

  /**
   * Runs a write the caller has accepted (checked its input): at once when
   * no earlier write is still in flight (so a study in memory records before
   * the call returns), else after the earlier ones. dispose() waits for it.
   */
  write<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.lastWrite) return this.track(this.lastWrite.then(fn));
    let v: T | Promise<T>;
    try {
      v = fn();
    } catch (e) {
      return Promise.reject(e);
    }
    return v instanceof Promise ? this.track(v) : Promise.resolve(v);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.writing++;
    const settled = p.then(() => undefined, () => undefined);
    this.lastWrite = settled;
    void settled.then(() => {
      this.writing--;
      if (this.lastWrite === settled) this.lastWrite = null;
      this.releaseIfIdle();
    });
    return p;
  }

  /**
   * Runs `fn` after the queued calls before it (one at a time, in call
   * order) and once the writes accepted before the call have landed (a
   * suggestion made after registers not awaited was chosen from the study
   * as the first of them left it, with a journal); a StateError while an
   * exclusive call runs; a StateError when dispose() comes before the call
   * has resolved, even after `fn` has ended.
   */
  async queue<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new StateError(BUSY);
    const writes = this.lastWrite; // settles, never rejects (see track)
    this.queued++;
    try {
      const value = await this.queueMutex.run(async () => {
        if (writes) await writes;
        this.assertUsable();
        return fn();
      });
      // after the last await: a dispose() in the turns between fn's end and this call's resolution
      // fails the call, as one during fn does (a suggestion resolved then could never be registered);
      // returning a plain value resolves in this same job, so no turn is left after the check
      this.assertUsable();
      return value;
    } finally {
      this.queued--;
      this.releaseIfIdle();
    }
  }

  /** Releases once disposed and nothing runs or waits to land. */
  private releaseIfIdle(): void {
    if (!this.disposed || this.released || this.busy || this.queued > 0 || this.writing > 0) return;
    this.released = true;
    let done: unknown;
    try {
      done = this.release();
    } catch {
      done = undefined; // a release that throws still counts as done: close() never rejects
    }
    void Promise.resolve(done).catch(() => undefined).then(() => this.markReleased());
  }

  assertUsable(): void {
    if (this.disposed) throw new StateError(DISPOSED);
  }

  /** Idempotent; releases now, or when the running calls end. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.releaseIfIdle();
  }

  /** dispose(), then settles once the release has run and finished; never rejects. Idempotent. */
  close(): Promise<void> {
    this.dispose();
    return this.releasedDone;
  }
}
