/**
 * Taxi-fare regression: an MLP 512 -> 256 -> 1 (ReLU) trained with Adam,
 * tuning the learning rate and the L2 penalty (both log-uniform on
 * [1e-4, 1e-1]); the metric is validation RMSE in the target's units.
 */
import * as tf from '@tensorflow/tfjs';
import type { Splits, TabularSplit } from '../data/types';
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { ScheduledAdam } from '../tfjs/scheduled-optimizer';
import { checkLrSchedule, trainingSteps, type LrSchedule } from '../util/lr-schedule';
import type { Params, SpaceSpec } from '../space/types';
import type { TensorInput } from '../tfjs/metrics';
import { retrainAndTest, trainTrial, type CompileArgs } from '../tfjs/train';
import { checkOptionNames, checkSharedOptions, checkSplits, layerSeed, numberParam } from './params';
import type { StudyDescriptor, StudyTrainOptions } from './types';

export interface TaxiTrainOptions extends StudyTrainOptions {
  /**
   * Train on (y - mean) / std of the training targets (RMSE is still reported
   * in the target's units). Keeps one learning-rate range sensible whatever
   * the target's scale. Default true.
   */
  standardizeTarget?: boolean;
  /**
   * How Adam's learning rate moves over the `epochs` cap (the same for every
   * training of a configuration, whenever early stopping or a pruner ends
   * it): 'constant' (`learning_rate` throughout) or 'linear' (from
   * `learning_rate` down to 0 at the cap's last step), see LrSchedule.
   * Applies to the retraining too (over its epochs). ['constant']
   */
  lrSchedule?: LrSchedule;
}

/** The taxi study's search space: learning rate and L2 penalty, both log-uniform on [1e-4, 1e-1]. */
export const TAXI_SPACE = {
  learning_rate: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  l2: { type: 'float', low: 1e-4, high: 1e-1, log: true },
} as const satisfies SpaceSpec; // as const: params typed from it (learning_rate: number)

/** Defaults of the taxi objective: epochs 20, batch size 128, patience 3. */
export const TAXI_DEFAULTS = { epochs: 20, batchSize: 128, patience: 3 } as const;

/**
 * Dense(512, relu) -> Dense(256, relu) -> Dense(1), L2(`params.l2`) on every
 * kernel. `inputShape` is `[nFeatures]`.
 */
function buildTaxiModel(params: Params, inputShape: readonly number[], opts: { seed?: number } = {}): tf.LayersModel {
  const l2 = numberParam(params, 'l2', 'non-negative');
  const dense = (units: number, i: number, extra: Partial<Parameters<typeof tf.layers.dense>[0]>) =>
    tf.layers.dense({
      units,
      kernelRegularizer: tf.regularizers.l2({ l2 }),
      kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(opts.seed, i) }),
      ...extra,
    });
  return tf.sequential({
    layers: [
      dense(512, 0, { activation: 'relu', inputShape: [...inputShape] }),
      dense(256, 1, { activation: 'relu' }),
      dense(1, 2, {}),
    ],
  });
}

/** Adam at `learning_rate`, following `schedule` over `totalSteps` optimizer steps. */
function taxiCompile(params: Params, schedule: LrSchedule, totalSteps: number): CompileArgs {
  const lr = numberParam(params, 'learning_rate', 'positive');
  const optimizer = schedule === 'constant' ? () => tf.train.adam(lr) : () => new ScheduledAdam(lr, schedule, totalSteps);
  return { optimizer, loss: 'meanSquaredError' };
}

function rows(split: TabularSplit, max: number | undefined, name: string, nFeatures?: number): TabularSplit {
  if (nFeatures !== undefined && split.nFeatures !== nFeatures) {
    // the network's input is the training rows' width: another width failed in tfjs after a whole epoch
    throw new InvalidOptionError(`option "data": ${name} split has nFeatures = ${split.nFeatures} but train has ${nFeatures}`, 'data');
  }
  if (split.x.length !== split.n * split.nFeatures || split.y.length !== split.n) {
    throw new InvalidOptionError(
      `option "data": ${name} split arrays do not match n = ${split.n}, nFeatures = ${split.nFeatures}`, 'data');
  }
  if (max === undefined || max >= split.n) return split;
  return { x: split.x.subarray(0, max * split.nFeatures), y: split.y.subarray(0, max), n: max, nFeatures: split.nFeatures };
}

interface Prepared {
  inputShape: number[];
  targetStd: number;
  part(split: TabularSplit): { x: TensorInput; y: TensorInput };
}

/** Target scaling from the training rows (float64 sums), and array -> tensor-input conversion. */
function prepare(train: TabularSplit, standardize: boolean): Prepared {
  let mean = 0;
  let std = 1;
  if (standardize && train.n > 1) {
    for (let i = 0; i < train.n; i++) mean += train.y[i];
    mean /= train.n;
    let ss = 0;
    for (let i = 0; i < train.n; i++) ss += (train.y[i] - mean) ** 2;
    std = Math.sqrt(ss / train.n) || 1;
  }
  return {
    inputShape: [train.nFeatures],
    targetStd: std,
    part(split) {
      const y = standardize ? Float32Array.from(split.y, (v) => (v - mean) / std) : split.y;
      return { x: { values: split.x, shape: [split.n, split.nFeatures] }, y: { values: y, shape: [split.n, 1] } };
    },
  };
}

function checkOptions(opts: TaxiTrainOptions): void {
  checkOptionNames(opts, 'taxi', ['standardizeTarget', 'lrSchedule']);
  checkSharedOptions(opts);
  if (opts.lrSchedule !== undefined) checkLrSchedule(opts.lrSchedule, 'lrSchedule');
  // 'no' read as true and 0 as false, without a word
  if (opts.standardizeTarget !== undefined && typeof opts.standardizeTarget !== 'boolean') {
    throw new InvalidOptionError(`option "standardizeTarget": expected a boolean, got ${show(opts.standardizeTarget)}`, 'standardizeTarget');
  }
}

/** One taxi trial: trains on `data.train`, early-stops on `data.val` RMSE. */
async function trainTaxi(params: Params, data: Splits<TabularSplit>, opts: TaxiTrainOptions = {}) {
  checkOptions(opts);
  checkSplits(data, ['train', 'val'], ['x', 'y']);
  const train = rows(data.train, opts.maxTrainRows, 'train');
  const p = prepare(train, opts.standardizeTarget ?? true);
  const tr = p.part(train);
  const va = p.part(rows(data.val, undefined, 'val', train.nFeatures));
  const epochs = opts.epochs ?? TAXI_DEFAULTS.epochs;
  const batchSize = opts.batchSize ?? TAXI_DEFAULTS.batchSize;
  return trainTrial({
    build: () => buildTaxiModel(params, p.inputShape, { seed: opts.seed }),
    compile: taxiCompile(params, opts.lrSchedule ?? 'constant', trainingSteps(train.n, epochs, batchSize)),
    data: { xTrain: tr.x, yTrain: tr.y, xVal: va.x, yVal: va.y },
    metric: 'rmse',
    targetStd: p.targetStd,
    epochs,
    batchSize,
    patience: opts.patience ?? TAXI_DEFAULTS.patience,
    seed: opts.seed,
    signal: opts.signal,
    onEpoch: opts.onEpoch,
    context: opts.context,
  });
}

/** Retrains on train + val for `epochs` (default 20) and reports test RMSE. */
async function retrainTaxi(params: Params, data: Splits<TabularSplit>, opts: TaxiTrainOptions = {}) {
  checkOptions(opts);
  checkSplits(data, ['train', 'val', 'test'], ['x', 'y']);
  const train = rows(data.train, opts.maxTrainRows, 'train');
  const p = prepare(train, opts.standardizeTarget ?? true);
  const tr = p.part(train);
  const val = rows(data.val, undefined, 'val', train.nFeatures);
  const va = p.part(val);
  const te = p.part(rows(data.test, undefined, 'test', train.nFeatures));
  const epochs = opts.epochs ?? TAXI_DEFAULTS.epochs;
  const batchSize = opts.batchSize ?? TAXI_DEFAULTS.batchSize;
  return retrainAndTest({
    build: () => buildTaxiModel(params, p.inputShape, { seed: opts.seed }),
    // the retraining fits train + val rows
    compile: taxiCompile(params, opts.lrSchedule ?? 'constant', trainingSteps(train.n + val.n, epochs, batchSize)),
    data: { xTrain: tr.x, yTrain: tr.y, xVal: va.x, yVal: va.y, xTest: te.x, yTest: te.y },
    metric: 'rmse',
    targetStd: p.targetStd,
    epochs,
    batchSize,
    seed: opts.seed,
    signal: opts.signal,
    onEpoch: opts.onEpoch,
  });
}

/** The taxi-fare study (minimize validation RMSE). */
export const taxiStudy: StudyDescriptor<TabularSplit, TaxiTrainOptions, typeof TAXI_SPACE> = {
  name: 'taxi',
  space: TAXI_SPACE,
  direction: 'minimize',
  metricName: 'rmse',
  buildModel: buildTaxiModel,
  train: trainTaxi,
  objective: async (params, data, opts) => (await trainTaxi(params, data, opts)).valMetric,
  retrainAndTest: retrainTaxi,
};
