/**
 * The reasons a trial fails when the optimizer itself ends the wait for its
 * objective (not the objective failing): the maximize signal, dispose().
 * Such a trial says nothing of the objective at its point, so the model
 * leaves it out (see imputedFailures).
 */

/** A running trial's reason when the `maximize` signal aborts. */
export const SIGNAL_ABORTED = 'maximize: aborted by its signal';

/** A running trial's reason (and every later call's StateError) once the optimizer is disposed. */
export const DISPOSED = 'optimizer has been disposed';

/** Whether a failed trial's `error` is one of the reasons above. */
export const isCutOff = (error: string | undefined): boolean => error === SIGNAL_ABORTED || error === DISPOSED;
