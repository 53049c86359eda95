/**
 * What one seed's run of a `compare` or `tune` record holds: each
 * strategy's evaluations (TrialRecord), when it matched random search's best,
 * its retrained recommendation, and the data it ran on. Part of the record's
 * types (./types re-exports them); apart from the options and the summaries
 * across seeds because these are the rows a strategy's search produces (a
 * worker process sends back a StrategyRecord), the bulk of the record.
 */
import type { Params } from '../space/types';
import type { StrategyLabel } from './run-options';

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
