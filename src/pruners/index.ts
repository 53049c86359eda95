export type { Pruner, PruneInput, PrunerTrial, PrunerTrialState, PrunerDirection, Reporter } from './types';
export { checkReport, lastStep, bestValue, valueAt } from './curve';
export { MedianPruner, PercentilePruner, percentileOf, type MedianPrunerOptions, type PercentilePrunerOptions } from './median';
export { SuccessiveHalvingPruner, promotable, type SuccessiveHalvingOptions } from './successive-halving';
export { HyperbandPruner, crc32, type HyperbandOptions } from './hyperband';
export { parsePruner, NopPruner, PRUNER_NAMES, type PrunerOption } from './parse';
