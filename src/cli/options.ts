/**
 * Options of `compare` / `tune` (programmatic and command line): their
 * validation, and the defaults per study (./study-defaults). A bad value is
 * an InvalidOptionError naming the option.
 */
import { availableParallelism } from 'node:os';
import { InvalidOptionError } from '../errors';
import { LR_SCHEDULES, type LrSchedule } from '../util/lr-schedule';
import { DEFAULT_SEED, DIGITS_RETRAIN_SCHEDULE_CLI, DIGITS_RETRAIN_SHIFT_CLI, STUDY_DEFAULTS, TIME_BUDGET_CAP } from './study-defaults';
import type { PrunedTrialPolicy } from '../optimizer/observations';
import type { BackendChoice, EngineChoice, PrunerName, ResolvedOptions, StrategyName, StudyName } from './types';
import type { CompareOptions } from './compare-options';

export type { CompareOptions } from './compare-options';
export { DEFAULT_SEED, DIGITS_RETRAIN_SCHEDULE_CLI, DIGITS_RETRAIN_SHIFT_CLI, STUDY_DEFAULTS, TIME_BUDGET_CAP } from './study-defaults';

export const STRATEGIES: readonly StrategyName[] = ['grid', 'random', 'bayes'];
export const STUDIES: readonly StudyName[] = ['taxi', 'digits'];
export const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];
export const ENGINES: readonly EngineChoice[] = ['auto', 'webgpu', 'cpu'];
export const PRUNERS: readonly PrunerName[] = ['none', 'median', 'asha', 'hyperband'];
/** The model's readings of pruned trials (`OptimizerOptions.prunedTrials`). */
export const PRUNED_TRIALS: readonly PrunedTrialPolicy[] = ['last', 'extrapolate', 'worst', 'ignore', 'fidelity'];

/** Why a pruner's setting was refused without a pruner (--grace, --pruned-trials; compare and tune --objective alike). */
export const NEEDS_PRUNER = 'needs a pruner (pruner "median", "asha" or "hyperband")';
/** Why `init` is refused for grid search alone. */
export const GRID_INIT = 'applies to random and Bayesian search; grid search has no initial design (its points are the budget)';

function positiveInt(v: unknown, name: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new InvalidOptionError(`option "${name}": must be an integer >= ${min} (got ${show(v)})`, name);
  }
  return v;
}

function seedValue(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new InvalidOptionError(`option "${name}": must be an integer in [0, 4294967295] (got ${show(v)})`, name);
  }
  return v;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], name: string): T {
  if (!allowed.includes(v as T)) {
    throw new InvalidOptionError(`option "${name}": must be one of ${allowed.join(', ')} (got ${show(v)})`, name);
  }
  return v as T;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v);
}

/** Default number of shared initial points for a budget: a quarter of it, at least 2, at most 5 (and at most the budget). */
export function defaultInit(budget: number): number {
  return Math.min(budget, Math.max(2, Math.min(5, Math.round(budget / 4))));
}

const KNOWN = [
  'study', 'strategies', 'budget', 'init', 'epochs', 'retrainEpochs', 'retrainRepeats', 'batchSize', 'seed', 'seeds',
  'rows', 'retrainRows', 'retrainSchedule', 'lrSchedule', 'retrainShift', 'retrainBatchSize', 'data', 'imageSize', 'backend', 'engine', 'pruner', 'grace', 'prunedTrials', 'timeBudget', 'concurrency', 'processes',
];

/** The evaluations strategy `name` runs: grid search's the size of its grid (see ResolvedOptions.gridBudget). */
export function strategyBudget(o: Pick<ResolvedOptions, 'budget' | 'gridBudget'>, name: StrategyName): number {
  return name === 'grid' ? o.gridBudget ?? o.budget : o.budget;
}

/**
 * Applies defaults and validates.
 * @param extraKeys option names the caller handles itself (not rejected as unknown)
 * @throws InvalidOptionError naming the option at fault
 */
export function resolveOptions(o: CompareOptions, extraKeys: readonly string[] = []): ResolvedOptions {
  for (const k of Object.keys(o)) {
    if (!KNOWN.includes(k) && !extraKeys.includes(k)) {
      throw new InvalidOptionError(`option "${k}": unknown option`, k);
    }
  }
  const study = oneOf(o.study ?? 'taxi', STUDIES, 'study');
  const d = STUDY_DEFAULTS[study];
  const strategies = o.strategies ?? [...STRATEGIES];
  if (!Array.isArray(strategies) || strategies.length === 0) {
    throw new InvalidOptionError(`option "strategies": must list at least one of ${STRATEGIES.join(', ')}`, 'strategies');
  }
  strategies.forEach((s) => oneOf(s, STRATEGIES, 'strategies'));
  if (new Set(strategies).size !== strategies.length) {
    throw new InvalidOptionError(`option "strategies": lists a strategy twice (${strategies.join(', ')})`, 'strategies');
  }
  const timeBudget = o.timeBudget === undefined ? null : positiveInt(o.timeBudget, 'timeBudget');
  const budget = positiveInt(o.budget ?? (timeBudget === null ? d.budget : TIME_BUDGET_CAP), 'budget');
  // with a time budget the design is the study's usual one, but never above a --budget cap given with it
  const init = positiveInt(o.init ?? defaultInit(timeBudget === null ? budget : Math.min(budget, d.budget)), 'init');
  if (init > budget) {
    throw new InvalidOptionError(`option "init": must be at most the budget (${budget}) (got ${init})`, 'init');
  }
  if (o.seed !== undefined && o.seeds !== undefined) {
    throw new InvalidOptionError('option "seeds": give "seed" or "seeds", not both', 'seeds');
  }
  let seeds: number[];
  if (o.seeds !== undefined) {
    if (!Array.isArray(o.seeds) || o.seeds.length === 0) {
      throw new InvalidOptionError(`option "seeds": must be a non-empty list of seeds (got ${show(o.seeds)})`, 'seeds');
    }
    seeds = o.seeds.map((s) => seedValue(s, 'seeds'));
    if (new Set(seeds).size !== seeds.length) {
      throw new InvalidOptionError(`option "seeds": lists a seed twice (${seeds.join(', ')})`, 'seeds');
    }
  } else {
    seeds = [seedValue(o.seed ?? DEFAULT_SEED, 'seed')];
  }
  if (o.data !== undefined && (typeof o.data !== 'string' || o.data === '')) {
    throw new InvalidOptionError(`option "data": must be a path (got ${show(o.data)})`, 'data');
  }
  let imageSize: number | null = d.imageSize;
  if (o.imageSize !== undefined) {
    if (o.imageSize === 0) imageSize = null;
    else imageSize = positiveInt(o.imageSize, 'imageSize', 6);
  }
  const rows = positiveInt(o.rows ?? d.rows, 'rows', 10);
  // the study's retraining rows go with its search rows and data: given others, the retraining takes the search's
  let retrainRows = o.rows === undefined && o.data === undefined ? d.retrainRows : null;
  if (o.retrainRows !== undefined) {
    if (study !== 'digits') {
      throw new InvalidOptionError('option "retrainRows": applies to the digits study only (taxi retrains on the rows it searched)', 'retrainRows');
    }
    if (o.retrainRows !== 'all') {
      const v: unknown = o.retrainRows;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 10) {
        throw new InvalidOptionError(`option "retrainRows": must be an integer >= 10 or "all" (got ${show(v)})`, 'retrainRows');
      }
      retrainRows = v;
      if (retrainRows < rows) {
        throw new InvalidOptionError(`option "retrainRows": must be at least the rows of the search (${rows}) or "all" (got ${retrainRows})`, 'retrainRows');
      }
    } else {
      retrainRows = 'all';
    }
  }
  let retrainSchedule: LrSchedule | null = study === 'digits' ? DIGITS_RETRAIN_SCHEDULE_CLI : null;
  if (o.retrainSchedule !== undefined) {
    if (study !== 'digits') {
      throw new InvalidOptionError('option "retrainSchedule": applies to the digits study only', 'retrainSchedule');
    }
    retrainSchedule = oneOf(o.retrainSchedule, LR_SCHEDULES, 'retrainSchedule');
  }
  for (const k of ['retrainShift', 'retrainBatchSize', 'imageSize'] as const) {
    if (o[k] !== undefined && study !== 'digits') {
      throw new InvalidOptionError(`option "${k}": applies to the digits study only`, k);
    }
  }
  const retrainShift = study === 'digits' ? positiveInt(o.retrainShift ?? DIGITS_RETRAIN_SHIFT_CLI, 'retrainShift', 0) : null;
  if (retrainShift !== null && retrainShift > 4) {
    throw new InvalidOptionError(`option "retrainShift": must be an integer in 0..4 (got ${retrainShift})`, 'retrainShift');
  }
  // likewise the retraining's batch size goes with the search's
  const retrainBatchSize = o.retrainBatchSize === undefined
    ? (o.batchSize === undefined ? d.retrainBatchSize : null)
    : positiveInt(o.retrainBatchSize, 'retrainBatchSize');
  const pruner = oneOf(o.pruner ?? 'none', PRUNERS, 'pruner');
  const protocol = pruner !== 'none' && d.pruning !== null ? d.pruning : d;
  const epochs = positiveInt(o.epochs ?? protocol.epochs, 'epochs');
  // a grace without a pruner would be read by nothing
  if (o.grace !== undefined && pruner === 'none') throw new InvalidOptionError(`option "grace": ${NEEDS_PRUNER}`, 'grace');
  // so would a reading of pruned trials: with no pruner, no trial is pruned
  if (o.prunedTrials !== undefined && oneOf(o.prunedTrials, PRUNED_TRIALS, 'prunedTrials') && pruner === 'none') {
    throw new InvalidOptionError(`option "prunedTrials": ${NEEDS_PRUNER}`, 'prunedTrials');
  }
  if (o.prunedTrials !== undefined && !strategies.includes('bayes')) {
    throw new InvalidOptionError('option "prunedTrials": is read by Bayesian search\'s model only, and this run has no Bayesian search', 'prunedTrials');
  }
  if (o.init !== undefined && !strategies.some((name) => name !== 'grid')) throw new InvalidOptionError(`option "init": ${GRID_INIT}`, 'init');
  // a pruner adds rows for random and Bayesian search: with grid search alone it would run nothing
  if (pruner !== 'none' && !strategies.some((name) => name !== 'grid')) {
    throw new InvalidOptionError('option "pruner": a built-in study runs random and Bayesian search with a pruner, as rows beside the plain ones (random+<name>, bayes+<name>), and this run has grid search only', 'pruner');
  }
  // the later grace goes with the longer trainings, whether or not --epochs spelled them out
  const longGrace = pruner !== 'none' && d.pruning !== null && epochs >= d.pruning.epochs ? d.pruning.grace : null;
  if (o.lrSchedule !== undefined && study !== 'taxi') {
    throw new InvalidOptionError('option "lrSchedule": applies to the taxi study only', 'lrSchedule');
  }
  // the pruned protocol's schedule goes with its trainings (every row, pruned or not, trains alike)
  const lrSchedule = study === 'taxi'
    ? oneOf(o.lrSchedule ?? (pruner !== 'none' && d.pruning !== null ? d.pruning.lrSchedule : 'constant'), LR_SCHEDULES, 'lrSchedule')
    : null;
  return {
    study,
    strategies: [...strategies],
    budget,
    gridBudget: o.budget === undefined && timeBudget !== null ? Math.min(budget, d.budget) : budget,
    init,
    epochs,
    retrainEpochs: positiveInt(o.retrainEpochs ?? protocol.retrainEpochs, 'retrainEpochs', 0),
    retrainRepeats: positiveInt(o.retrainRepeats ?? d.retrainRepeats, 'retrainRepeats'),
    batchSize: positiveInt(o.batchSize ?? d.batchSize, 'batchSize'),
    seeds,
    rows,
    retrainRows,
    retrainSchedule,
    lrSchedule,
    retrainShift,
    retrainBatchSize,
    data: o.data ?? null,
    imageSize: study === 'digits' ? imageSize : null,
    backend: oneOf(o.backend ?? 'auto', BACKENDS, 'backend'),
    engine: oneOf(o.engine ?? 'auto', ENGINES, 'engine'),
    pruner,
    grace: positiveInt(o.grace ?? longGrace ?? d.grace, 'grace'),
    prunedTrials: o.prunedTrials === undefined ? null : oneOf(o.prunedTrials, PRUNED_TRIALS, 'prunedTrials'),
    timeBudget,
    concurrency: positiveInt(o.concurrency ?? 1, 'concurrency'),
    processes: positiveInt(o.processes ?? Math.min(d.processes, availableParallelism()), 'processes'),
  };
}
