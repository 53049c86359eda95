import type { Params } from '../space/types';

/** Lifecycle of one trial. */
export type TrialStatus = 'pending' | 'complete' | 'failed';

/** Where a trial's point came from. */
export type TrialSource = 'init' | 'suggest' | 'probe' | 'register' | 'grid' | 'random';

/**
 * One evaluation, as recorded in `res` and in the journal.
 * `target` is the objective value as the user's `f` returned it (not negated
 * for minimization); `null` for pending and failed trials.
 */
export interface Trial {
  /** unique within a study, increasing in ask order */
  id: number;
  params: Params;
  target: number | null;
  status: TrialStatus;
  /** why it failed (thrown message, "objective returned NaN", ...) */
  error?: string;
  source: TrialSource;
  /** engine that produced the suggestion, when a model did */
  engine?: 'cpu' | 'webgpu';
  /** epoch milliseconds when the trial was asked */
  startedAt?: number;
  /** wall time of the objective call, ms */
  durationMs?: number;
  /** wall time spent producing the suggestion, ms */
  suggestMs?: number;
}
