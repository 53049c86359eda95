/** The `compare` / `tune` runs behind the `webgpu-bayesopt` command, as functions. */
export { runCompare, runTune, type RunCompareOptions, type RunTuneOptions } from './compare';
export { resolveOptions, defaultInit, STUDY_DEFAULTS, STRATEGIES, STUDIES, BACKENDS, ENGINES, type CompareOptions } from './options';
export { buildProgram, runCli, DEFAULT_REPORT, type CliIo } from './program';
export { formatRecord, runTable, summaryTable, fmtValue } from './table';
export { bestSoFar, reach, summarize, checkGoal } from './summary';
export type { ProgressMode } from './progress';
export type {
  CompareRecord, RunRecord, StrategyRecord, TrialRecord, ReachRecord, RetrainRecord, ResolvedOptions, EnvironmentInfo,
  DataInfo, StrategySummary, GoalCheck, PruneCheck, StrategyName, StudyName, BackendChoice, EngineChoice,
} from './types';
