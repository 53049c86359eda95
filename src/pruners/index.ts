/** Pruners: decide from the study's learning curves whether a running trial should stop. */
export type { Pruner, PruneInput, PruneVerdict, PrunerTrial, PrunerTrialState, PrunerDirection, Reporter, ReportOptions } from './types';
export { PRUNER_ATTR_PREFIX } from './types';
export { checkReport, KEEP } from './curve';
export { MedianPruner, PercentilePruner, type MedianPrunerOptions, type PercentilePrunerOptions } from './median';
export { SuccessiveHalvingPruner, type SuccessiveHalvingOptions } from './successive-halving';
export { HyperbandPruner, type HyperbandOptions } from './hyperband';
export { parsePruner, NopPruner, PRUNER_NAMES, type PrunerOption } from './parse';
