/**
 * Options of `compare` / `tune` (programmatic and command line): defaults per
 * study and validation. A bad value is an InvalidOptionError naming the option.
 */
import { InvalidOptionError } from '../errors';
import { LR_SCHEDULES, type LrSchedule } from '../util/lr-schedule';
import type { BackendChoice, EngineChoice, PrunerName, ResolvedOptions, StrategyName, StudyName } from './types';

export const STRATEGIES: readonly StrategyName[] = ['grid', 'random', 'bayes'];
export const STUDIES: readonly StudyName[] = ['taxi', 'digits'];
export const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];
export const ENGINES: readonly EngineChoice[] = ['auto', 'webgpu', 'cpu'];
export const PRUNERS: readonly PrunerName[] = ['none', 'median', 'asha', 'hyperband'];

/** Evaluations per strategy with a time budget and no `budget` given: a cap that the time runs out before. */
export const TIME_BUDGET_CAP = 1000;

/**
 * Per-study defaults, sized so that `compare` with no options finishes in
 * minutes on 2 CPU cores with tfjs's wasm backend. Measured on an idle
 * 2-core machine: taxi about 1 s per 3-epoch evaluation over 3,867 training rows
 * through the 512-256 MLP (default taxi `compare`: 71 s). The taxi protocol
 * (batch 128, 3 epochs) is the one `npm run bench:taxi-noise` found most able
 * to tell configurations apart: its seed-to-seed noise is smallest against the
 * spread between configurations.
 *
 * Digits run the seed study's network at its resolution (28 x 28, one epoch
 * per evaluation) on a slice of the real digits: an evaluation trains on
 * 1,000 images (100 per class) and is scored on the 800 validation images.
 * What limits accuracy after one epoch is the number of optimizer steps: the
 * seed took 468 (60,000 images at batch 64); at batch 64, 1,000 images give
 * 16 steps (79.9% validation accuracy, 15 CPU-seconds on tfjs's wasm
 * backend), the package's whole 7,200-image training split 113 (94.6%, about
 * 86 CPU-seconds). Batch 16 gives 1,000 images 63 steps (86.1%, 21
 * CPU-seconds); see bench/digits-steps.ts.
 * 8 evaluations per strategy (grid: 2 x 2 x 2); the recommended configuration
 * is retrained for one epoch on train + val from 3 weight seeds and scored on
 * the 2,000 held-out test digits. `retrainRows` stays the search's rows: on
 * all 7,200 training digits a retraining costs about 130 CPU-seconds an
 * epoch, and seed 1's Bayesian pick (learning rate 8.6e-3) reached 94.1%
 * test accuracy after 1 epoch and 95.6% after 2, short of 97%; with the
 * rate decayed linearly to 0 over the retraining (`retrainSchedule`
 * 'linear') 96.0% after 1 epoch (3 weight seeds). The default schedule stays
 * 'constant': on the default 1,000 + 800 digits one decayed retraining of
 * that pick collapsed to chance. `retrainRows` 'all', `retrainEpochs` 3,
 * `retrainBatchSize` 32, `retrainSchedule` 'warmup-linear' and `retrainShift`
 * 1 reached 97.9% (3 weight seeds) at about 235 CPU-seconds a retraining.
 *
 * `grace`: epochs before a pruner may stop an evaluation. On the taxi MLP the
 * first epoch ranks configurations by how fast Adam starts, not by where they
 * end: learning rates of 2e-3 to 5e-3 lead after epoch 1 and end at 2.44 to
 * 2.52 RMSE, those near 1e-3 trail there (about 3.0) and end best (2.35 to
 * 2.37). Of the 5 best of 55 configurations trained for 3 epochs (seed 1),
 * 1 was in the top quarter after epoch 1 (what ASHA with eta = 4 keeps), all
 * 5 after epoch 2. So taxi judges at epoch 2 (see the README's pruning runs).
 *
 * `pruning`: the protocol when a pruner runs and `epochs` (`retrainEpochs`)
 * are not given. A pruner can only save the epochs after the one where it
 * stops a training: at 3 epochs judged at epoch 2 that is one epoch in three,
 * too little to matter. So with a pruner the taxi study trains up to 12 epochs
 * per evaluation (early stopping, patience 3, as always) and retrains 12.
 * At 12 epochs the pruner waits longer (`pruning.grace`, 4; also when
 * `--epochs` asks 12 or more): ASHA (reduction factor 4) then judges once,
 * at epoch 4, and a training stopped there saves up to 8 epochs. Judged at
 * epoch 2 (grace 2, and rungs at 2 and 8), ASHA kept the fast starters:
 * configurations whose best epoch is 2 lead there and end early, and on
 * seed 1 the configuration that ended best was 15th of 20 after epoch 2.
 * Digits keeps its protocol (null). The default run, without a pruner, is
 * unchanged.
 */
export const STUDY_DEFAULTS: Record<StudyName, {
  budget: number; epochs: number; retrainEpochs: number; retrainRepeats: number; batchSize: number; rows: number;
  retrainRows: number | 'all' | null; imageSize: number | null; grace: number; pruning: { epochs: number; retrainEpochs: number; grace: number } | null;
}> = {
  taxi: {
    budget: 20, epochs: 3, retrainEpochs: 3, retrainRepeats: 3, batchSize: 128, rows: 5000, retrainRows: null, imageSize: null, grace: 2,
    pruning: { epochs: 12, retrainEpochs: 12, grace: 4 },
  },
  digits: {
    budget: 8, epochs: 1, retrainEpochs: 1, retrainRepeats: 3, batchSize: 16, rows: 1000, retrainRows: null, imageSize: null, grace: 1,
    pruning: null,
  },
};

export const DEFAULT_SEED = 1;

/** The digits retraining's schedule by default: the study's (`DIGITS_RETRAIN_SCHEDULE`, which loads tfjs; a test keeps them equal). */
export const DIGITS_RETRAIN_SCHEDULE_CLI: LrSchedule = 'constant';

/** Options of `runCompare` / `runTune`; see each field for its default. */
export interface CompareOptions {
  /** 'taxi' (MLP regression, val RMSE) or 'digits' (CNN classification, val accuracy) ['taxi'] */
  study?: StudyName;
  /** strategies to run, in order [grid, random, bayes] */
  strategies?: StrategyName[];
  /** evaluations per strategy [taxi 20, digits 8] */
  budget?: number;
  /** initial random points shared by random and Bayesian search [round(budget / 4) within 2..5] */
  init?: number;
  /** epochs at most per evaluation [taxi 3, or 12 with a pruner; digits 1] */
  epochs?: number;
  /** epochs of the final retraining of each recommended configuration; 0 skips it [taxi 3, or 12 with a pruner; digits 1] */
  retrainEpochs?: number;
  /**
   * retrainings of each recommended configuration from different weight seeds; the
   * reported test metric is their mean, so it measures the configuration
   * rather than one draw of initial weights [taxi 3, digits 3]
   */
  retrainRepeats?: number;
  /** [taxi 128, digits 16] */
  batchSize?: number;
  /** seed of the splits, the initial points and the weight initialization [1] */
  seed?: number;
  /** run once per seed and summarize (instead of `seed`) */
  seeds?: number[];
  /** taxi: CSV rows to read [5000]; digits: training images per evaluation [1000] */
  rows?: number;
  /**
   * digits only: training images of the final retraining of each recommended
   * configuration (the validation images are added to them), at least
   * `rows`; 'all': every training image of the split. The search stays on
   * `rows` images, cheap, and the configuration it picks is retrained on
   * more [the search's rows]
   */
  retrainRows?: number | 'all';
  /**
   * digits only: how the retraining's learning rate moves, 'linear' (from the
   * recommended rate down to 0 at the last step) or 'constant' (the rate
   * throughout, as every evaluation trains) ['constant']
   */
  retrainSchedule?: LrSchedule;
  /** digits only: the retraining shifts each image by up to this many pixels, anew each epoch (0..4) [0] */
  retrainShift?: number;
  /** digits only: the retraining's batch size [the search's batchSize] */
  retrainBatchSize?: number;
  /**
   * taxi: a CSV in the Kaggle train.csv layout [the shipped data/nyc-taxi-sample.csv];
   * digits: a folder of per-class JSON files (0.json ... 9.json, as in the mnist package) or of MNIST IDX files
   * [the mnist package's digits when it is installed, else generated digits]
   */
  data?: string;
  /** digits: resize images to this side, at least 6; 0 keeps the native size [native: 28] */
  imageSize?: number;
  /** tfjs backend: 'auto' is WebGPU on a hardware adapter, else wasm ['auto'] */
  backend?: BackendChoice;
  /** acquisition engine: 'auto' is WebGPU where an adapter exists, else the CPU ['auto'] */
  engine?: EngineChoice;
  /** also run random and Bayesian search with this pruner (rows 'random+asha', 'bayes+asha') ['none'] */
  pruner?: PrunerName;
  /**
   * epochs every evaluation trains before the pruner may stop it: the
   * minimum resource of ASHA and Hyperband, the warm-up steps of the median
   * pruner [taxi 2, digits 1]
   */
  grace?: number;
  /**
   * seconds of wall time per strategy instead of an evaluation budget: no
   * new evaluation starts after it (`budget` then caps the evaluations
   * [1000]) [none]
   */
  timeBudget?: number;
  /** trainings in flight at once per strategy (`maximize({ concurrency })`) [1] */
  concurrency?: number;
}

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
  'rows', 'retrainRows', 'retrainSchedule', 'retrainShift', 'retrainBatchSize', 'data', 'imageSize', 'backend', 'engine', 'pruner', 'grace', 'timeBudget', 'concurrency',
];

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
  const init = positiveInt(o.init ?? defaultInit(timeBudget === null ? budget : d.budget), 'init');
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
  let retrainRows = d.retrainRows;
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
  for (const k of ['retrainShift', 'retrainBatchSize'] as const) {
    if (o[k] !== undefined && study !== 'digits') {
      throw new InvalidOptionError(`option "${k}": applies to the digits study only`, k);
    }
  }
  const retrainShift = study === 'digits' ? positiveInt(o.retrainShift ?? 0, 'retrainShift', 0) : null;
  if (retrainShift !== null && retrainShift > 4) {
    throw new InvalidOptionError(`option "retrainShift": must be an integer in 0..4 (got ${retrainShift})`, 'retrainShift');
  }
  const retrainBatchSize = o.retrainBatchSize === undefined ? null : positiveInt(o.retrainBatchSize, 'retrainBatchSize');
  const pruner = oneOf(o.pruner ?? 'none', PRUNERS, 'pruner');
  const protocol = pruner !== 'none' && d.pruning !== null ? d.pruning : d;
  const epochs = positiveInt(o.epochs ?? protocol.epochs, 'epochs');
  // the later grace goes with the longer trainings, whether or not --epochs spelled them out
  const longGrace = pruner !== 'none' && d.pruning !== null && epochs >= d.pruning.epochs ? d.pruning.grace : null;
  return {
    study,
    strategies: [...strategies],
    budget,
    init,
    epochs,
    retrainEpochs: positiveInt(o.retrainEpochs ?? protocol.retrainEpochs, 'retrainEpochs', 0),
    retrainRepeats: positiveInt(o.retrainRepeats ?? d.retrainRepeats, 'retrainRepeats'),
    batchSize: positiveInt(o.batchSize ?? d.batchSize, 'batchSize'),
    seeds,
    rows,
    retrainRows,
    retrainSchedule,
    retrainShift,
    retrainBatchSize,
    data: o.data ?? null,
    imageSize: study === 'digits' ? imageSize : null,
    backend: oneOf(o.backend ?? 'auto', BACKENDS, 'backend'),
    engine: oneOf(o.engine ?? 'auto', ENGINES, 'engine'),
    pruner,
    grace: positiveInt(o.grace ?? longGrace ?? d.grace, 'grace'),
    timeBudget,
    concurrency: positiveInt(o.concurrency ?? 1, 'concurrency'),
  };
}
