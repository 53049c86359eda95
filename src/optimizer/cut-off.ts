/**
 * The reasons a trial fails when the optimizer itself ends the wait for its
 * objective (not the objective failing): the maximize signal, dispose().
 * Such a trial says nothing of the objective at its point, so the model
 * leaves it out (see imputedFailures).
 */
import { StateError } from '../errors';

/** A running trial's reason when the `maximize` signal aborts. */
export const SIGNAL_ABORTED = 'maximize: aborted by its signal';

/** A running trial's reason (and every later call's StateError) once the optimizer is disposed. */
export const DISPOSED = 'optimizer has been disposed';

/** Whether a failed trial's `error` is one of the reasons above. */
export const isCutOff = (error: string | undefined): boolean => error === SIGNAL_ABORTED || error === DISPOSED;

/** The StateError of a maximize its `signal` aborted, with the reason given to `abort()` as its `cause`. */
export function signalAborted(signal: AbortSignal): StateError {
  return new StateError(SIGNAL_ABORTED, { cause: signal.reason });
}

/**
 * How long after its signal aborts a `maximize` waits for its run to end
 * before rejecting anyway. The run ends within it when the storage is free
 * (its trials failed and recorded, as documented); a storage waiting for a
 * lock another process holds would keep it up to `lockTimeoutMs`.
 */
export const ABORT_GRACE_MS = 500;

/**
 * `run`, or, once `signal` has aborted and `run` has not settled within
 * `graceMs` after that, a rejection with the signal's StateError: the signal
 * is a hard wall-clock limit even while the storage waits. The run goes on
 * in the background (its rejection handled here); what it writes then lands
 * or is kept for `close()`, as with any write in flight.
 */
export function settleOrAbort<T>(run: Promise<T>, signal: AbortSignal, graceMs = ABORT_GRACE_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(signalAborted(signal)), graceMs);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    run.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (timer !== undefined) clearTimeout(timer);
    });
  });
}
