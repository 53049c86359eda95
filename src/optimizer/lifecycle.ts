/**
 * One optimizer call at a time, and disposal that waits for the running one:
 * a `dispose()` during `maximize` releases the resources once the call ends
 * (the runner ends its wait for the objective and records the trial as failed).
 */
import { StateError } from '../errors';

export class Lifecycle {
  private busy = false;
  private disposed = false;

  /** @param release frees engines and storage; called once */
  constructor(private readonly release: () => void) {}

  /** Runs `fn` marked busy: an overlapping call is a StateError. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) {
      throw new StateError('optimizer is busy: wait for the running maximize/suggest/probe to finish before starting another');
    }
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
      if (this.disposed) this.release(); // dispose() came while busy
    }
  }

  assertUsable(): void {
    if (this.disposed) throw new StateError('optimizer has been disposed');
  }

  /** Idempotent; releases now, or when the running call ends. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.busy) this.release();
  }
}
