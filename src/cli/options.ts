/**
 * Options of `compare` / `tune` (programmatic and command line): defaults per
 * study and validation. A bad value is an InvalidOptionError naming the option.
 */
import { InvalidOptionError } from '../errors';
import type { BackendChoice, EngineChoice, ResolvedOptions, StrategyName, StudyName } from './types';

export const STRATEGIES: readonly StrategyName[] = ['grid', 'random', 'bayes'];
export const STUDIES: readonly StudyName[] = ['taxi', 'digits'];
export const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];
export const ENGINES: readonly EngineChoice[] = ['auto', 'webgpu', 'cpu'];

/**
 * Per-study defaults, sized so that `compare` with no options finishes in a
 * few minutes on 2 CPU cores with tfjs's wasm backend. Measured on an idle
 * 2-core machine: taxi about 1 s per 3-epoch evaluation over 3,867 training rows
 * through the 512-256 MLP (default taxi `compare`: 71 s); digits about 4 s
 * per epoch over 1,350 images at 14 x 14. The taxi protocol (batch 128,
 * 3 epochs) is the one `npm run bench:taxi-noise` found most able to tell
 * configurations apart: its seed-to-seed noise is smallest against the
 * spread between configurations.
 */
export const STUDY_DEFAULTS: Record<StudyName, {
  budget: number; epochs: number; retrainEpochs: number; retrainRepeats: number; batchSize: number; rows: number;
  imageSize: number | null;
}> = {
  taxi: { budget: 20, epochs: 3, retrainEpochs: 3, retrainRepeats: 3, batchSize: 128, rows: 5000, imageSize: null },
  digits: { budget: 12, epochs: 2, retrainEpochs: 3, retrainRepeats: 1, batchSize: 64, rows: 1000, imageSize: 14 },
};

export const DEFAULT_SEED = 1;

/** Options of `runCompare` / `runTune`; see each field for its default. */
export interface CompareOptions {
  /** 'taxi' (MLP regression, val RMSE) or 'digits' (CNN classification, val accuracy) ['taxi'] */
  study?: StudyName;
  /** strategies to run, in order [grid, random, bayes] */
  strategies?: StrategyName[];
  /** evaluations per strategy [taxi 20, digits 12] */
  budget?: number;
  /** initial random points shared by random and Bayesian search [round(budget / 4) within 2..5] */
  init?: number;
  /** epochs at most per evaluation [taxi 3, digits 2] */
  epochs?: number;
  /** epochs of the final retraining of each recommended configuration; 0 skips it [taxi 3, digits 3] */
  retrainEpochs?: number;
  /**
   * retrainings of each recommended configuration from different weight seeds; the
   * reported test metric is their mean, so it measures the configuration
   * rather than one draw of initial weights [taxi 3, digits 1]
   */
  retrainRepeats?: number;
  /** [taxi 128, digits 64] */
  batchSize?: number;
  /** seed of the splits, the initial points and the weight initialization [1] */
  seed?: number;
  /** run once per seed and summarize (instead of `seed`) */
  seeds?: number[];
  /** taxi: CSV rows to read [5000]; digits: images for train + validation [1000] */
  rows?: number;
  /** taxi: a CSV in the Kaggle train.csv layout [the shipped data/nyc-taxi-sample.csv]; digits: an MNIST IDX directory [generated digits] */
  data?: string;
  /** digits: resize images to this side, at least 6 [14]; 0 keeps the native size */
  imageSize?: number;
  /** tfjs backend: 'auto' is WebGPU on a hardware adapter, else wasm ['auto'] */
  backend?: BackendChoice;
  /** acquisition engine: 'auto' is WebGPU where an adapter exists, else the CPU ['auto'] */
  engine?: EngineChoice;
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
  'rows', 'data', 'imageSize', 'backend', 'engine', 'concurrency',
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
  const budget = positiveInt(o.budget ?? d.budget, 'budget');
  const init = positiveInt(o.init ?? defaultInit(budget), 'init');
  if (init > budget) {
    throw new InvalidOptionError(`option "init": must be at most the budget (${budget}) (got ${init})`, 'init');
  }
  if (o.seed !== undefined && o.seeds !== undefined) {
    throw new InvalidOptionError('option "seeds": give seed or seeds, not both', 'seeds');
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
  return {
    study,
    strategies: [...strategies],
    budget,
    init,
    epochs: positiveInt(o.epochs ?? d.epochs, 'epochs'),
    retrainEpochs: positiveInt(o.retrainEpochs ?? d.retrainEpochs, 'retrainEpochs', 0),
    retrainRepeats: positiveInt(o.retrainRepeats ?? d.retrainRepeats, 'retrainRepeats'),
    batchSize: positiveInt(o.batchSize ?? d.batchSize, 'batchSize'),
    seeds,
    rows: positiveInt(o.rows ?? d.rows, 'rows', 10),
    data: o.data ?? null,
    imageSize: study === 'digits' ? imageSize : null,
    backend: oneOf(o.backend ?? 'auto', BACKENDS, 'backend'),
    engine: oneOf(o.engine ?? 'auto', ENGINES, 'engine'),
    concurrency: positiveInt(o.concurrency ?? 1, 'concurrency'),
  };
}
