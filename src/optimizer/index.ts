export { BaseOptimizer, pointKey, type MaximizeOptions, type Result, type Proposal } from './base-optimizer';
export { BayesianOptimization } from './bayesian-optimization';
export { RandomSearch } from './random-search';
export { GridSearch } from './grid-search';
export { checkOptions, parseAcquisition, OPTION_NAMES, DEFAULT_KAPPA, DEFAULT_XI, type OptimizerOptions, type ObjectiveParams, type AcquisitionOption, type EngineOption, type Direction } from './options';
export { runObjective, describeBadTarget, type Objective, type TrialContext, type Outcome } from './objective';
export { TableLogger, formatNumber, formatText } from './logger';
export { readBayesOpt, writeBayesOpt, type ImportReport, type ImportPoint } from './import-export';
export type { Recommendation, Trial, TrialStatus, TrialSource } from './types';
