/**
 * The record a `compare` or `tune` run produces: what `--json` writes and
 * what the HTML report and the printed tables are made from. Plain JSON data
 * only (no typed arrays, no functions), so it round-trips through a file.
 */
import type { PrunedTrialPolicy } from '../optimizer/observations';
import type { Params } from '../space/types';

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

/** One evaluation. */
export interface TrialRecord {
  /** 1-based position in the order the strategy's evaluations finished (with concurrency, not the order they started) */
  index: number;
  params: Params;
  /** validation metric; null when the evaluation failed or was pruned */
  value: number | null;
  status: 'complete' | 'failed' | 'pruned';
  /** a pruned evaluation: its last reported validation metric and epoch */
  pruned?: { value: number; step: number };
  /** the validation metric at each report, in order: after each epoch, or each 1/reportsPerEpoch of one (the strategy's reportsPerEpoch) */
  curve?: number[];
  error?: string;
  /** where the point came from: 'grid', 'random', 'probe' (shared initial point), 'suggest' (model) */
  source: string;
  /** acquisition engine that proposed the point (Bayesian suggestions only) */
  engine?: 'cpu' | 'webgpu';
  /** training and validation wall time, ms */
  durationMs: number;
  /** time spent choosing the point, ms (Bayesian suggestions only) */
  suggestMs?: number;
  /** epochs actually run (early stopping may cut them) */
  epochsRun?: number;
  /** ms from the strategy's start to the end of this evaluation */
  endMs: number;
  /** best value over evaluations 1..index (null until one completes) */
  bestSoFar: number | null;
}

/** When a strategy first matched a target value. */
export interface ReachRecord {
  /** evaluations used, 1-based */
  evaluations: number;
  /** ms from the strategy's start */
  ms: number;
  /**
   * epochs trained by the evaluations up to it (pruned ones count the epochs
   * they ran): the time to reach it in a unit the machine's load does not
   * change; absent when an evaluation did not record its epochs
   */
  epochs?: number;
}

export interface RetrainRecord {
  /** test metric of the recommended configuration retrained on train + validation: the mean of `testMetrics` */
  testMetric: number;
  /** one per retraining (weight seeds seed, seed + 1, ...) */
  testMetrics: number[];
  /** standard error of `testMetric` (sample sd / sqrt(k)); null with one retraining */
  testSe: number | null;
  /** epochs of each retraining */
  epochs: number;
  /** rows (images) each retraining trained on: training plus validation (absent in records before it existed) */
  trainRows?: number;
  /** wall time of all retrainings, ms */
  trainMs: number;
}

export interface StrategyRecord {
  strategy: StrategyLabel;
  evaluations: number;
  failed: number;
  /** evaluations a pruner stopped early */
  pruned?: number;
  /** wall time of the search (suggestions + evaluations), ms */
  wallMs: number;
  /** total time spent choosing points, ms */
  suggestMs: number;
  best: { index: number; value: number; params: Params } | null;
  /** first evaluation at least as good as random search's best; null when never (or no random run) */
  reachRandomBest: ReachRecord | null;
  /**
   * The configuration the strategy recommends and that is retrained: grid and
   * random search take `best`; Bayesian search takes the evaluated point with
   * the best GP posterior mean (`predicted`), which can differ on a noisy objective.
   */
  recommended: { index: number; value: number; params: Params; predicted: number | null } | null;
  retrain: RetrainRecord | null;
  /**
   * validation reports per epoch in its trials' curves and pruned steps:
   * digits rows with a pruner report every quarter epoch (4); absent: 1
   * (every row before it existed, and every row without a pruner)
   */
  reportsPerEpoch?: number;
  trials: TrialRecord[];
}

export interface DataInfo {
  /** file or directory read, or a description of the generated data */
  source: string;
  train: number;
  val: number;
  test: number;
  /** taxi: rows read before filtering */
  rowsRead?: number;
  /** taxi: rows read but not used, by reason: malformed (more or fewer fields than the header) or a preprocessing filter */
  skipped?: Record<string, number>;
  /** digits: training images of the final retraining, when they differ from `train` (validation images are added to them) */
  retrainTrain?: number;
  /** digits: images per class (entry c is class c) in each split */
  classCounts?: { train: number[]; val: number[]; test: number[] };
}

/** One seed's comparison. */
export interface RunRecord {
  seed: number;
  data: DataInfo;
  /** random search's best validation metric (the reach target); null without a random run */
  randomBest: number | null;
  /**
   * random search's best evaluation was one of the shared initial points,
   * which random and Bayesian search (with or without a pruner) evaluate
   * first: each of them reaches the target within those points, so reaching
   * it says nothing about the search (absent in older records)
   */
  randomBestShared?: boolean;
  strategies: StrategyRecord[];
  wallMs: number;
}

export interface EnvironmentInfo {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  tfjsVersion: string;
  /** backend tfjs trains on */
  tfjsBackend: string;
  tfjsReason: string;
  /** acquisition engine of Bayesian search */
  engine: 'cpu' | 'webgpu';
  engineDescription: string;
  /** WebGPU adapter, when one was found */
  adapter: string | null;
  /** whether tfjs and the engine run on one GPUDevice */
  sharedDevice: boolean;
  /** one line summing up the above */
  summary: string;
}

export interface StrategySummary {
  strategy: StrategyLabel;
  seeds: number;
  meanEvaluations: number;
  meanWallMs: number;
  meanBest: number | null;
  meanTest: number | null;
  /** seeds on which the strategy reached random search's best */
  reached: number;
  /** mean evaluations to reach random's best, over the seeds that reached it */
  meanReachEvaluations: number | null;
  /** mean ms to reach random's best, over the seeds that reached it */
  meanReachMs?: number | null;
}

/** The success criterion, checked per seed. */
export interface GoalCheck {
  /**
   * seeds on which Bayesian search reached random's best within half the
   * budget, of the seeds where that best was not a shared initial point
   */
  bayesHalfBudget: number;
  /**
   * seeds on which random search's best was one of the shared initial points:
   * every strategy evaluates it, so reaching it says nothing of the search;
   * not counted in `bayesHalfBudget` (absent in records written before it was)
   */
  sharedBest?: number;
  /** seeds on which Bayesian search's retrained test metric was the best of the three; null without retraining */
  bayesBestTest: number | null;
  seeds: number;
  /** both held on every seed (the reach on every seed counted, and at least one was) */
  met: boolean;
}

/**
 * The pruning goal, per seed: Bayesian search with the pruner reaches random
 * search's best validation metric in at most a third of random search's wall
 * time (and, without the machine's load, of its epochs), and its retrained
 * test metric is no worse than plain Bayesian search's. Seeds where random
 * search's best was a shared initial point are counted apart, not as met.
 */
export interface PruneCheck {
  /** the pruned row, e.g. 'bayes+asha' */
  strategy: StrategyLabel;
  seeds: number;
  /** seeds where random search's best was a shared initial point (reaching it is trivial): left out of the counts below */
  sharedBest: number;
  /** of the other seeds: the pruned row reached random's best in at most a third of random search's wall time */
  thirdOfTime: number;
  /** of the other seeds: ... in at most a third of the epochs random search trained */
  thirdOfEpochs: number;
  /** of the other seeds: ... in fewer epochs than plain Bayesian search (null without a plain bayes row) */
  fewerEpochsThanBayes: number | null;
  /** all seeds: retrained test metric no worse than plain Bayesian search's (null without both retrainings) */
  testNoWorse: number | null;
}

export interface CompareRecord {
  tool: 'webgpu-bayesopt';
  /** record layout version */
  format: 1;
  command: 'compare' | 'tune';
  createdAt: string;
  study: StudyName;
  metric: 'rmse' | 'accuracy';
  direction: 'minimize' | 'maximize';
  options: ResolvedOptions;
  environment: EnvironmentInfo;
  runs: RunRecord[];
  summary: StrategySummary[];
  /** null unless grid, random and bayes all ran */
  goal: GoalCheck | null;
  /** with a pruner and random search, the pruning goal (absent in older records) */
  pruneGoal?: PruneCheck | null;
  wallMs: number;
}
