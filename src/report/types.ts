/**
 * The record a `compare` or `tune` run produces: what `--json` writes and
 * what the HTML report and the printed tables are made from. Plain JSON data
 * only (no typed arrays, no functions), so it round-trips through a file.
 * This module holds the record itself and its summaries across seeds; the
 * run's options are ./run-options', each seed's rows ./run-records', and
 * both are re-exported here, so that the record's types come from one place.
 */
import type { ResolvedOptions, StrategyLabel, StudyName } from './run-options';
import type { RunRecord } from './run-records';

export type * from './run-options';
export type * from './run-records';

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
