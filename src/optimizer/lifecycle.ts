/**
 * Which optimizer calls may overlap, and disposal that waits for the running
 * ones: `maximize` and eager probes run alone (an overlapping call is a
 * StateError); `suggest`/`suggestBatch` calls queue behind each other (ask/tell
 * workers in one process need no lock of their own). A `dispose()` while
 * busy releases the resources once the running work ends (a `maximize` ends
 * its wait for the objective and records the running trials as failed).
 */
import { StateError } from '../errors';
import { Mutex } from '../storage/mutex';

const BUSY = 'optimizer is busy: wait for the running maximize/suggest/probe to finish before starting another';

export class Lifecycle {
  /** an exclusive call (maximize, eager probe) is running */
  private busy = false;
  /** queued calls started and not yet settled */
  private queued = 0;
  private readonly queueMutex = new Mutex();
  private disposed = false;

  /** @param release frees engines and storage; called once */
  constructor(private readonly release: () => void) {}

  /** Runs `fn` alone: an overlapping call of any kind is a StateError. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy || this.queued > 0) throw new StateError(BUSY);
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
      if (this.disposed) this.release(); // dispose() came while busy
    }
  }

  /**
   * Runs `fn` after the queued calls before it (one at a time, in call
   * order); a StateError while an exclusive call runs.
   */
  async queue<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new StateError(BUSY);
    this.queued++;
    try {
      return await this.queueMutex.run(async () => {
        this.assertUsable();
        return fn();
      });
    } finally {
      this.queued--;
      if (this.disposed && this.queued === 0) this.release();
    }
  }

  assertUsable(): void {
    if (this.disposed) throw new StateError('optimizer has been disposed');
  }

  /** Idempotent; releases now, or when the running calls end. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.busy && this.queued === 0) this.release();
  }
}
