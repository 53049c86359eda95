/**
 * What a study is made of: trials, their status and source, the direction.
 * These types sit below storage and the optimizers; the file formats in
 * storage map them explicitly, so editing one does not silently change a file.
 */
import type { GPState } from '../gp/gaussian-process';
import type { WarpMemoState } from '../gp/warp-memo';
import type { Params } from '../space/types';

/** Whether larger (bayes_opt) or smaller targets are better. */
export type Direction = 'maximize' | 'minimize';

/**
 * A surrogate model's resumable state, stored with each ask so a resumed
 * study continues bit for bit: the GP's random stream and the hyperparameters
 * its next fit warm-starts from (float64 numbers round-trip exactly in JSON),
 * the output warp chosen at the last refit (`warp`, absent before one), and
 * the state of the GP that stall-exploration steps keep from 64 trials on
 * (`explore`, absent before one).
 */
export type ModelState = GPState & { warp?: WarpMemoState | null; explore?: GPState };

/**
 * Lifecycle of one trial: 'waiting' while enqueued and not yet taken by a
 * worker (Optuna's WAITING, `enqueue`); 'pending' while asked and not told;
 * 'pruned' when a pruner stopped it early (its target is its last reported
 * value).
 */
export type TrialStatus = 'waiting' | 'pending' | 'complete' | 'failed' | 'pruned';

/** Where a trial's point came from ('enqueue': a point enqueued here or by Optuna's `enqueue_trial`). */
export type TrialSource = 'init' | 'suggest' | 'probe' | 'register' | 'grid' | 'random' | 'enqueue';

/**
 * One evaluation, as recorded in `res` and in the journal.
 * `target` is the objective value as the user's `f` returned it (not negated
 * for minimization), the last reported value for a pruned trial; `null` for
 * pending and failed trials.
 */
export interface Trial<P = Params> {
  /** unique within a study, increasing in ask order */
  id: number;
  /** the point, typed from the optimizer's `space`/`pbounds` (see ObjectiveParams) */
  params: P;
  target: number | null;
  status: TrialStatus;
  /** why it failed (thrown message, "objective returned NaN", ...) */
  error?: string;
  source: TrialSource;
  /** engine that produced the suggestion, when a model did */
  engine?: 'cpu' | 'webgpu';
  /** epoch milliseconds when the trial was asked */
  startedAt?: number;
  /**
   * epoch milliseconds when the trial was told (finished), to the
   * microsecond: strictly increasing over the tells of one process, so `res`
   * keeps their order within a millisecond too
   */
  finishedAt?: number;
  /** wall time of the objective call, ms */
  durationMs?: number;
  /** wall time spent producing the suggestion, ms */
  suggestMs?: number;
  /**
   * intermediate values reported during the trial (`context.report(step,
   * value)`), step -> value, steps in increasing order (as Optuna's
   * `intermediate_values`)
   */
  intermediate?: Record<number, number>;
  /**
   * the trial's value at each rung a successive-halving or Hyperband pruner
   * judged it at, rung -> value (Optuna's trial system attributes
   * `completed_rung_<k>`, written with the report, by this library or by an
   * Optuna worker sharing the journal): what those pruners compare
   */
  rungs?: Record<number, number>;
  /**
   * what pruners recorded with the trial's reports to read back later,
   * trial system attributes with keys starting with `wbo:pruner:` (such as
   * Hyperband's inferred R, `wbo:pruner:hyperband_max_resource`)
   */
  prunerAttrs?: Record<string, number>;
  /** a pruned trial's last reported step (its `target` is the value reported there) */
  step?: number;
  /**
   * user attributes (Optuna's `user_attrs`): set by the objective
   * (`context.setUserAttr(key, value)`), by `enqueue(params, { userAttrs })`,
   * or by an Optuna worker sharing the journal
   */
  userAttrs?: Record<string, unknown>;
  /**
   * the trial this one retries: its worker stopped mid-trial, so it was
   * failed and its params asked again (Optuna's `failed_trial` system attr,
   * the first trial of the chain)
   */
  retryOf?: number;
  /**
   * the trial whose result this one records: it was told after another
   * worker had failed that trial as stale (and retried it), so the result
   * became a trial of its own (system attr `wbo:late_of`). Like a retry it
   * fills no new place in a `resume` budget: its evaluation was that trial's.
   */
  lateOf?: number;
}

/**
 * The configuration an optimizer recommends deploying: one of its completed
 * trials. With noisy objectives (a network's validation loss moves with the
 * weight seed) the best observed value is biased low, so a model's denoised
 * estimate can pick a different trial.
 */
/** The model at a point, in the objective's units (BayesianOptimization.predict). */
export interface ModelPrediction {
  /** the posterior mean of the objective */
  mean: number;
  /** a 95% band: the image of mean ± 1.96 sd on the model's (warped) scale, lower <= mean <= upper */
  lower: number;
  upper: number;
}

export interface Recommendation<P = Params> {
  /** the trial's id */
  id: number;
  params: P;
  /** its observed objective value */
  target: number;
  /** the model's posterior mean there, in the objective's units; null without a model */
  predicted: number | null;
}
