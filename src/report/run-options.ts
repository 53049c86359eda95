/**
 * What a `compare` or `tune` run was asked to do: the names of its
 * strategies, pruners, studies and backends, and its options after the
 * defaults were applied, as the record stores them. Part of the record's
 * types (./types re-exports them); apart from the results because they
 * describe what was asked, not what it produced.
 */
import type { PrunedTrialPolicy } from '../optimizer/observations';

export type StrategyName = 'grid' | 'random' | 'bayes';
/** Pruner of the extra `random+…` and `bayes+…` rows ('none': no extra rows). */
export type PrunerName = 'none' | 'median' | 'asha' | 'hyperband';
/** A strategy's row: its name, with the pruner that ran, e.g. 'bayes+asha'. */
export type StrategyLabel = StrategyName | `${StrategyName}+${Exclude<PrunerName, 'none'>}`;
export type StudyName = 'taxi' | 'digits';
export type BackendChoice = 'auto' | 'webgpu' | 'wasm' | 'cpu';
export type EngineChoice = 'auto' | 'webgpu' | 'cpu';

/** Options of a run after defaults were applied (also stored in the record). */
export interface ResolvedOptions {
  study: StudyName;
  strategies: StrategyName[];
  /** evaluations per strategy */
  budget: number;
  /**
   * grid search's evaluations, the size its grid is laid out for: `budget`,
   * but the study's usual budget under a time budget without `--budget`, as
   * a 1,000-point grid cut by the clock stays at its first parameter's first
   * levels (absent in records before it existed: `budget`)
   */
  gridBudget?: number;
  /** initial points shared by random and Bayesian search (the rest: model-guided for bayes) */
  init: number;
  /** epochs at most per evaluation */
  epochs: number;
  /** epochs of the final retraining of each strategy's recommended configuration (0: no retraining) */
  retrainEpochs: number;
  /** retrainings per recommended configuration, each from its own weight seed; the test metric is their mean */
  retrainRepeats: number;
  batchSize: number;
  /** one run per seed; each seed fixes the splits, the initial points and the weight initialization */
  seeds: number[];
  /** taxi: CSV rows read; digits: images generated or training images used */
  rows: number;
  /**
   * digits: training images of the final retraining (validation images are
   * added to them): a count, 'all' of the split's, or null for the search's
   * `rows` (absent in records before it existed: null)
   */
  retrainRows?: number | 'all' | null;
  /**
   * digits: how the final retraining's learning rate moves, 'linear' (from the
   * recommended rate to 0) or 'constant'; null for taxi (absent in records
   * before it existed: constant)
   */
  retrainSchedule?: 'constant' | 'linear' | 'warmup-linear' | null;
  /**
   * taxi: how every training's (and retraining's) learning rate moves over
   * its epochs, 'constant' or 'linear' (from the configuration's rate down to
   * 0 at the last step of the epochs cap); null for digits (absent in records
   * before it existed: constant)
   */
  lrSchedule?: 'constant' | 'linear' | 'warmup-linear' | null;
  /**
   * digits: pixels by which the final retraining shifts each image at most,
   * drawn anew each epoch (0: none); null for taxi (absent in records before
   * it existed: 0)
   */
  retrainShift?: number | null;
  /** digits: the final retraining's batch size; null: the search's `batchSize` (absent before it existed: null) */
  retrainBatchSize?: number | null;
  /** taxi CSV file or MNIST IDX directory; null: the shipped taxi sample / generated digits */
  data: string | null;
  /** digits only: images resized to this side (null: native) */
  imageSize: number | null;
  backend: BackendChoice;
  engine: EngineChoice;
  /** with a pruner, random and Bayesian search also run with it (rows 'random+asha', 'bayes+asha') */
  pruner: PrunerName;
  /**
   * epochs an evaluation trains before the pruner may stop it (ASHA's and
   * Hyperband's minimum resource, the median pruner's warm-up steps; absent
   * in records before it existed: 1)
   */
  grace?: number;
  /** how Bayesian search's model read pruned trials; null (or absent, in records before it existed): the library's default */
  prunedTrials?: PrunedTrialPolicy | null;
  /** seconds of wall time per strategy instead of a number of evaluations (`budget` then caps them); null: none */
  timeBudget: number | null;
  /** trainings in flight at once per strategy (absent in records before it existed: 1) */
  concurrency?: number;
  /**
   * worker processes running the strategies' searches and the retrainings side
   * by side, one training each; 1: all in this process (absent in records
   * before it existed: 1)
   */
  processes?: number;
}
