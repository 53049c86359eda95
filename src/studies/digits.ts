/**
 * Digit classification: the classic small CNN
 * Conv2D(32, 3x3) -> Conv2D(64, 3x3) -> MaxPool(2) -> Dropout(0.25) -> Flatten
 * -> Dense(n, relu) -> Dropout(rate) -> Dense(10, softmax), trained with
 * RMSprop, tuning the second dropout rate, the dense width n and the learning
 * rate; the metric is validation accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSplit, Splits } from '../data/types';
import { InvalidOptionError, InvalidPointError } from '../errors';
import type { Params, SpaceSpec } from '../space/types';
import type { TensorInput } from '../tfjs/metrics';
import { retrainAndTest, trainTrial, type CompileArgs } from '../tfjs/train';
import { dropout } from '../tfjs/seeded-dropout';
import { checkPositiveInt, layerSeed, numberParam } from './params';
import type { StudyDescriptor, StudyTrainOptions } from './types';

export interface DigitsTrainOptions extends StudyTrainOptions {
  /**
   * Resize images (bilinear) to `imageSize x imageSize` before training, to
   * trade accuracy for speed on slow backends. Must be at least 6 (two 3x3
   * valid convolutions and a 2x2 pool). Default: native size.
   */
  imageSize?: number;
}

export const DIGITS_SPACE: SpaceSpec = {
  dropout: { type: 'float', low: 0.1, high: 0.5 },
  dense_units: { type: 'int', low: 128, high: 384 },
  learning_rate: { type: 'float', low: 1e-4, high: 1e-2, log: true },
};

/** Defaults of the digits objective, the seed study's protocol: one epoch at batch size 64 (patience 1). */
export const DIGITS_DEFAULTS = { epochs: 1, batchSize: 64, patience: 1 } as const;

/**
 * The CNN for `inputShape` = `[height, width, 1]`; `numClasses` defaults to 10.
 * Convolutions use ReLU and 'valid' padding.
 */
function buildDigitsModel(
  params: Params, inputShape: readonly number[], opts: { seed?: number; numClasses?: number } = {},
): tf.LayersModel {
  const rate = numberParam(params, 'dropout');
  const units = numberParam(params, 'dense_units');
  if (!Number.isInteger(units) || units < 1) {
    throw new InvalidPointError(`parameter "dense_units": must be a positive integer (got ${units})`, 'dense_units');
  }
  const init = (i: number) => tf.initializers.glorotUniform({ seed: layerSeed(opts.seed, i) });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [...inputShape], kernelInitializer: init(0) }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      dropout(0.25, layerSeed(opts.seed, 10)),
      tf.layers.flatten(),
      tf.layers.dense({ units, activation: 'relu', kernelInitializer: init(2) }),
      dropout(rate, layerSeed(opts.seed, 11)),
      tf.layers.dense({ units: opts.numClasses ?? 10, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
}

function digitsCompile(params: Params): CompileArgs {
  const lr = numberParam(params, 'learning_rate');
  return { optimizer: () => tf.train.rmsprop(lr), loss: 'categoricalCrossentropy' };
}

function checkSplit(split: ImageSplit, name: string): void {
  if (split.x.length !== split.n * split.height * split.width || split.labels.length !== split.n) {
    throw new InvalidOptionError(
      `option "data": ${name} split arrays do not match n = ${split.n}, ${split.height}x${split.width}`, 'data');
  }
}

function checkOptions(opts: DigitsTrainOptions): void {
  checkPositiveInt(opts.epochs, 'epochs');
  checkPositiveInt(opts.batchSize, 'batchSize');
  checkPositiveInt(opts.maxTrainRows, 'maxTrainRows');
  if (opts.imageSize !== undefined && !(Number.isInteger(opts.imageSize) && opts.imageSize >= 6)) {
    throw new InvalidOptionError(`option "imageSize": must be an integer >= 6 (got ${opts.imageSize})`, 'imageSize');
  }
}

/**
 * Tensors for a split: images `n x s x s x 1` (resized when `size` differs
 * from the native size) and one-hot labels `n x numClasses`. Caller disposes.
 */
function imageTensors(split: ImageSplit, maxRows: number | undefined, size: number | undefined, numClasses: number) {
  const n = maxRows === undefined ? split.n : Math.min(maxRows, split.n);
  return tf.tidy(() => {
    let x: tf.Tensor = tf.tensor4d(split.x.subarray(0, n * split.height * split.width), [n, split.height, split.width, 1]);
    if (size !== undefined && (size !== split.height || size !== split.width)) {
      x = tf.image.resizeBilinear(x as tf.Tensor4D, [size, size]);
    }
    const y = tf.oneHot(tf.tensor1d(split.labels.subarray(0, n), 'int32'), numClasses).toFloat();
    return { x, y };
  });
}

interface DigitsTensors {
  inputShape: number[];
  numClasses: number;
  parts: Record<'train' | 'val' | 'test', { x: TensorInput; y: TensorInput }>;
  dispose(): void;
}

function toTensors(data: Splits<ImageSplit>, opts: DigitsTrainOptions, withTest: boolean): DigitsTensors {
  checkSplit(data.train, 'train');
  checkSplit(data.val, 'val');
  if (withTest) checkSplit(data.test, 'test');
  const numClasses = data.train.numClasses;
  const made: tf.Tensor[] = [];
  const make = (split: ImageSplit, maxRows?: number) => {
    const t = imageTensors(split, maxRows, opts.imageSize, numClasses);
    made.push(t.x, t.y);
    return t;
  };
  try {
    const train = make(data.train, opts.maxTrainRows);
    const val = make(data.val);
    const test = withTest ? make(data.test) : val;
    return {
      inputShape: train.x.shape.slice(1),
      numClasses,
      parts: { train, val, test },
      dispose: () => tf.dispose(made),
    };
  } catch (err) {
    tf.dispose(made);
    throw err;
  }
}

/** One digits trial: trains on `data.train`, early-stops on `data.val` accuracy. */
async function trainDigits(params: Params, data: Splits<ImageSplit>, opts: DigitsTrainOptions = {}) {
  checkOptions(opts);
  const t = toTensors(data, opts, false);
  try {
    return await trainTrial({
      build: () => buildDigitsModel(params, t.inputShape, { seed: opts.seed, numClasses: t.numClasses }),
      compile: digitsCompile(params),
      data: { xTrain: t.parts.train.x, yTrain: t.parts.train.y, xVal: t.parts.val.x, yVal: t.parts.val.y },
      metric: 'accuracy',
      epochs: opts.epochs ?? DIGITS_DEFAULTS.epochs,
      batchSize: opts.batchSize ?? DIGITS_DEFAULTS.batchSize,
      patience: opts.patience ?? DIGITS_DEFAULTS.patience,
      seed: opts.seed,
      signal: opts.signal,
      onEpoch: opts.onEpoch,
      context: opts.context,
    });
  } finally {
    t.dispose();
  }
}

/** Retrains on train + val for `epochs` (default 1) and reports test accuracy. */
async function retrainDigits(params: Params, data: Splits<ImageSplit>, opts: DigitsTrainOptions = {}) {
  checkOptions(opts);
  const t = toTensors(data, opts, true);
  try {
    return await retrainAndTest({
      build: () => buildDigitsModel(params, t.inputShape, { seed: opts.seed, numClasses: t.numClasses }),
      compile: digitsCompile(params),
      data: {
        xTrain: t.parts.train.x, yTrain: t.parts.train.y, xVal: t.parts.val.x, yVal: t.parts.val.y,
        xTest: t.parts.test.x, yTest: t.parts.test.y,
      },
      metric: 'accuracy',
      epochs: opts.epochs ?? DIGITS_DEFAULTS.epochs,
      batchSize: opts.batchSize ?? DIGITS_DEFAULTS.batchSize,
      seed: opts.seed,
      signal: opts.signal,
      onEpoch: opts.onEpoch,
    });
  } finally {
    t.dispose();
  }
}

/** The digits study (maximize validation accuracy). */
export const digitsStudy: StudyDescriptor<ImageSplit, DigitsTrainOptions> = {
  name: 'digits',
  space: DIGITS_SPACE,
  direction: 'maximize',
  metricName: 'accuracy',
  buildModel: buildDigitsModel,
  train: trainDigits,
  objective: async (params, data, opts) => (await trainDigits(params, data, opts)).valMetric,
  retrainAndTest: retrainDigits,
};
