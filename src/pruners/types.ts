/**
 * What a pruner reads and answers. Pruners are pure: they see a snapshot of
 * the study's learning curves and recorded rung values (every worker's
 * trials, from the shared journal) and say whether the trial that just
 * reported should stop. They
 * keep no per-trial state, so a resumed or second worker decides the same way
 * from the same records.
 */

/** Whether larger or smaller values are better. */
export type PrunerDirection = 'maximize' | 'minimize';

/**
 * A trial as a pruner sees it. `running` trials are still training (on this
 * worker or another); only `complete` ones finished their whole budget.
 */
export type PrunerTrialState = 'running' | 'complete' | 'pruned' | 'failed';

/** One trial's learning curve. */
export interface PrunerTrial {
  /** the trial's id (0, 1, 2, ... in ask order): Hyperband assigns brackets from it */
  readonly id: number;
  readonly state: PrunerTrialState;
  /**
   * the reported steps, strictly increasing: the resource used so far, such
   * as epochs completed (counting from 1), length `n`
   */
  readonly steps: readonly number[];
  /** the intermediate values reported at `steps` (validation metric), length `n` */
  readonly values: readonly number[];
  /**
   * the values recorded at the rungs a successive-halving or Hyperband
   * pruner judged the trial at (rung -> value; Optuna's `completed_rung_<k>`,
   * see PruneVerdict), when the caller has them (a study always passes
   * them, `{}` for none). With them those pruners compare what was recorded,
   * as Optuna does; without, the value each trial reported at a rung's step.
   */
  readonly rungs?: Readonly<Record<number, number>>;
  /**
   * the trial system attributes a pruner recorded with keys starting with
   * PRUNER_ATTR_PREFIX (key -> value, see PruneVerdict), when the caller has
   * them (a study passes them where any was recorded)
   */
  readonly attrs?: Readonly<Record<string, number>>;
}

/**
 * The trial system attributes a pruner's judge() records (PruneVerdict's
 * `systemAttrs`) that are given back to pruners: those with keys starting
 * so, as the trial's PrunerTrial `attrs` (and `completed_rung_<k>` as its
 * `rungs`); others are written to the storage only. What a pruner inferred
 * from the study (Hyperband's 'auto' R) is kept so, to be the same for a
 * resumed study or another worker, which would otherwise infer it again
 * from the trials they see then.
 */
export const PRUNER_ATTR_PREFIX = 'wbo:pruner:';

/** The question put to a pruner after a report. */
export interface PruneInput {
  readonly direction: PrunerDirection;
  /** the trial that reported: its last (step, value) is the report being judged */
  readonly trial: PrunerTrial;
  /** every trial of the study, `trial` included or not (it is matched by id and skipped) */
  readonly trials: readonly PrunerTrial[];
  /** the study's name; Hyperband hashes it with the trial id to pick a bracket [''] */
  readonly studyName?: string;
}

/**
 * Decides whether a trial should stop after its latest report.
 *
 * @example
 * const asha = new SuccessiveHalvingPruner();
 * asha.prune({ direction: 'minimize', trial, trials }); // true: stop training it
 */
export interface Pruner {
  /** a short name for tables and strategy labels ('median', 'asha', 'hyperband', 'none') */
  readonly name: string;
  /** true when `input.trial` should stop now; never throws on a well-formed input */
  prune(input: PruneInput): boolean;
  /**
   * Optional: the verdict together with trial system attributes to record
   * with the report. Called instead of `prune` when present, on the same
   * input; the attributes are written in the same step as the report (see
   * PruneVerdict).
   */
  judge?(input: PruneInput): PruneVerdict;
}

/**
 * A pruner's answer with what it records. Optuna's successive-halving and
 * Hyperband pruners keep a trial's value at each rung it reached as trial
 * system attribute `completed_rung_<k>`, and read the rungs from those
 * attributes, not from the learning curves: ours record and read them too
 * (PrunerTrial's `rungs`), so an Optuna worker sharing the study and this
 * library judge against each other's trials alike.
 */
export interface PruneVerdict {
  /** true when the trial should stop now */
  readonly prune: boolean;
  /** trial system attributes to record with the report (key -> finite number) */
  readonly systemAttrs?: Readonly<Record<string, number>>;
}

/**
 * Where a training loop reports its validation metric: the objective's
 * context (`TrialContext` is one). Resolves to true when the trial should stop.
 */
export interface Reporter {
  report(step: number, value: number, options?: ReportOptions): Promise<boolean>;
}

/** Options of a report. */
export interface ReportOptions {
  /**
   * this is the trial's last step (its last epoch, or early stopping ends it
   * here): the value is recorded and no verdict is used, since stopping now
   * would save nothing and would discard a finished result (the rung values
   * a pruner keeps are recorded, so the value counts at its rungs) [false]
   */
  final?: boolean;
}
