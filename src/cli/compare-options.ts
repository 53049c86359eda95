/**
 * The options of `runCompare` / `runTune` as a caller passes them, each
 * with its default; ./options validates them and fills the defaults in.
 */
import type { LrSchedule } from '../util/lr-schedule';
import type { PrunedTrialPolicy } from '../optimizer/observations';
import type { BackendChoice, EngineChoice, PrunerName, StrategyName, StudyName } from './types';

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
  /** epochs at most per evaluation [taxi 3, or 12 with a pruner; digits 1] */
  epochs?: number;
  /** epochs of the final retraining of each recommended configuration; 0 skips it [taxi 3, or 12 with a pruner; digits 2] */
  retrainEpochs?: number;
  /**
   * retrainings of each recommended configuration from different weight seeds; the
   * reported test metric is their mean, so it measures the configuration
   * rather than one draw of initial weights [taxi 3, digits 1: its two picks retrain side by side in one round]
   */
  retrainRepeats?: number;
  /** [taxi 128, digits 8] */
  batchSize?: number;
  /** seed of the splits, the initial points and the weight initialization [1] */
  seed?: number;
  /** run once per seed and summarize (instead of `seed`) */
  seeds?: number[];
  /** taxi: CSV rows to read [5000]; digits: training images per evaluation [500] */
  rows?: number;
  /**
   * digits only: training images of the final retraining of each recommended
   * configuration (the validation images are added to them), at least
   * `rows`; 'all': every training image of the split. The search stays on
   * `rows` images, cheap, and the configuration it picks is retrained on
   * more [digits 'all' with the default rows and data; with `rows` or `data` given, the search's rows]
   */
  retrainRows?: number | 'all';
  /**
   * digits only: how the retraining's learning rate moves, 'linear' (from the
   * recommended rate down to 0 at the last step), 'warmup-linear' (up to it
   * over the first 5% of the steps, then linear) or 'constant' (the rate
   * throughout, as every evaluation trains) ['warmup-linear']
   */
  retrainSchedule?: LrSchedule;
  /**
   * taxi only: how each training's learning rate moves over the `epochs`
   * cap (and the retraining's over its epochs), the same whatever early
   * stopping or a pruner then does: 'constant' or 'linear' (from the
   * configuration's rate down to 0 at the cap's last step) [constant; with a
   * pruner STUDY_DEFAULTS.taxi.pruning.lrSchedule]
   */
  lrSchedule?: LrSchedule;
  /** digits only: the retraining shifts each image by up to this many pixels, anew each epoch (0..4) [1] */
  retrainShift?: number;
  /** digits only: the retraining's batch size [32 with the default batchSize; with `batchSize` given, it] */
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
   * how Bayesian search's model reads the trials its pruner stopped
   * (`prunedTrials`: 'last', 'extrapolate', 'worst', 'ignore' or
   * 'fidelity'; see the library's option) [the library's default, 'last']
   */
  prunedTrials?: PrunedTrialPolicy;
  /**
   * seconds of wall time per strategy instead of an evaluation budget: no
   * new evaluation starts after it (`budget` then caps the evaluations
   * [1000]) [none]
   */
  timeBudget?: number;
  /** trainings in flight at once per strategy (`maximize({ concurrency })`) [1] */
  concurrency?: number;
  /**
   * worker processes that run the strategies' searches and the retrainings
   * side by side, one training each, each with its own tfjs backend; the
   * record is the same as with 1 (everything in this process), only the
   * wall times differ [taxi 1; digits 2, at most the cores available]
   */
  processes?: number;
}
