/**
 * Digit classification: the classic small CNN
 * Conv2D(32, 3x3) -> Conv2D(64, 3x3) -> MaxPool(2) -> Dropout(0.25) -> Flatten
 * -> Dense(n, relu) -> Dropout(rate) -> Dense(10, softmax), trained with
 * RMSprop, tuning the second dropout rate, the dense width n and the learning
 * rate; the metric is validation accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import { shiftImages } from '../data/shift';
import type { ImageSplit, Splits } from '../data/types';
import { InvalidOptionError, InvalidPointError } from '../errors';
import type { Params, SpaceSpec } from '../space/types';
import type { TensorInput } from '../tfjs/metrics';
import { retrainAndTest, trainTrial, type CompileArgs } from '../tfjs/train';
import { dropout } from '../tfjs/seeded-dropout';
import { ScheduledRmsprop } from '../tfjs/scheduled-optimizer';
import { checkLrSchedule, trainingSteps, type LrSchedule } from '../util/lr-schedule';
import { Rng } from '../util/rng';
import { checkImageSizes, checkSplit, MIN_IMAGE_SIZE } from './image-checks';
import { checkOptionNames, checkSharedOptions, checkSplits, layerSeed, numberParam } from './params';
import type { StudyDescriptor, StudyTrainOptions } from './types';
import { show } from '../util/format-value';

export interface DigitsTrainOptions extends StudyTrainOptions {
  /**
   * Resize images (bilinear) to `imageSize x imageSize` before training, to
   * trade accuracy for speed on slow backends. Must be at least 6 (two 3x3
   * valid convolutions and a 2x2 pool). Default: native size.
   */
  imageSize?: number;
  /**
   * How the learning rate moves over the training: `'constant'` (the seed
   * study's protocol) or `'linear'`, from the configuration's rate down to 0
   * at the last step (see {@link ScheduledRmsprop}). Default: `'constant'`
   * for a trial and for a retraining ({@link DIGITS_RETRAIN_SCHEDULE}).
   */
  lrSchedule?: LrSchedule;
  /**
   * Retraining only: before each epoch every training image is shifted by
   * up to this many pixels in each direction (seeded by `seed`; see
   * `shiftImages`). 0: no augmentation. Default: {@link DIGITS_RETRAIN_SHIFT}.
   */
  shift?: number;
  /**
   * Trial only, with a context: validation accuracy is reported this many
   * times per epoch (after each part of whole batches; see trainTrial's
   * `reportsPerEpoch`), as steps 1, 2, ..., so a pruner can stop a training
   * of one epoch early; the steps are parts of epochs (quarters at the
   * default). Default: {@link DIGITS_DEFAULTS}.reportsPerEpoch.
   */
  reportsPerEpoch?: number;
}

/** The retraining's default augmentation: none. */
export const DIGITS_RETRAIN_SHIFT = 0;

/**
 * The retraining's default schedule: constant, as the search's trainings.
 * 'linear' (the found rate decayed to 0) gained about 2 points of test
 * accuracy on all 7,200 + 800 digits (500 steps) but collapsed to chance once
 * on the default 1,000 + 800 (113 steps; see the README's digits section).
 * 'warmup-linear' with 1-pixel shifts (`shift: 1`) at batch 32 for 3 epochs
 * on all 7,200 + 800 digits reached 97.9% test accuracy (3 weight seeds) for
 * the same configuration, and 97.6% at 2 epochs (one weight seed), which is
 * the command line's default retraining (`DIGITS_RETRAIN_SCHEDULE_CLI` in
 * cli/study-defaults). This default serves a retraining of any length.
 */
export const DIGITS_RETRAIN_SCHEDULE: LrSchedule = 'constant';

/** The dense layer's width is this many units times `dense_units_x128`. */
export const DENSE_UNIT_STEP = 128;

/**
 * The seed study's space: the second dropout rate, the dense width as a
 * multiple of 128 (128, 256 or 384, tuned as the integer multiplier 1..3 the
 * way the seed's `dense_1_neurons_x128` was) and a log-uniform learning rate.
 * An integer keeps the widths ordered for the GP in one dimension, where a
 * categorical would spend three unordered one-hot dimensions on them.
 */
export const DIGITS_SPACE = {
  dropout: { type: 'float', low: 0.1, high: 0.5 },
  dense_units_x128: { type: 'int', low: 1, high: 3 },
  learning_rate: { type: 'float', low: 1e-4, high: 1e-2, log: true },
} as const satisfies SpaceSpec; // as const: params typed from it (learning_rate: number)

/** Width of the dense layer: `128 * dense_units_x128`, or `dense_units` when a point gives that instead. */
export function denseUnits(params: Params): number {
  const perStep = 'dense_units_x128' in params;
  const name = perStep ? 'dense_units_x128' : 'dense_units';
  const v = numberParam(params, name);
  if (!Number.isInteger(v) || v < 1) {
    throw new InvalidPointError(`parameter "${name}": must be a positive integer (got ${show(v)})`, name);
  }
  return perStep ? v * DENSE_UNIT_STEP : v;
}

/**
 * Defaults of the digits objective, the seed study's protocol: one epoch at
 * batch size 64 (patience 1). With a context (a pruner), validation accuracy
 * is reported every quarter epoch (4 reports per epoch): with one epoch per
 * evaluation, a report per epoch would leave a pruner nothing to stop.
 */
export const DIGITS_DEFAULTS = { epochs: 1, batchSize: 64, patience: 1, reportsPerEpoch: 4 } as const;

/**
 * The CNN for `inputShape` = `[height, width, 1]`; `numClasses` defaults to 10.
 * Convolutions use ReLU and 'valid' padding. The last layer is a softmax, or
 * linear (logits) with `logits: true`, which is how the study trains it (see
 * {@link digitsCompile}); accuracy is the same either way (argmax).
 */
function buildDigitsModel(
  params: Params, inputShape: readonly number[], opts: { seed?: number; numClasses?: number; logits?: boolean } = {},
): tf.LayersModel {
  const rate = numberParam(params, 'dropout', 'rate');
  const units = denseUnits(params);
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
      tf.layers.dense({ units: opts.numClasses ?? 10, activation: opts.logits ? 'linear' : 'softmax', kernelInitializer: init(3) }),
    ],
  });
}

/** Mean softmax cross-entropy of `logits` (`n x k`) against one-hot `y` (`n x k`); see {@link digitsCompile}. */
export function digitsLoss(y: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.losses.softmaxCrossEntropy(y, logits);
}

/**
 * RMSprop at tfjs's defaults (decay 0.9, epsilon 1e-7 added under the square
 * root, as TensorFlow's ApplyRMSProp kernel behind tf.keras 2.x adds it; Keras
 * 2.2 added it outside, which only changes steps whose gradients are below
 * ~3e-4) and softmax cross-entropy
 * computed from the logits. The loss must see logits: the first RMSprop steps
 * move every weight by about lr / sqrt(1 - decay), so at learning rates near
 * 1e-2 the first few batches push many predicted probabilities of the true
 * class below 1e-7. tfjs's 'categoricalCrossentropy' clips probabilities to
 * [1e-7, 1 - 1e-7], whose gradient is zero there: those images stop teaching
 * the network and a one-epoch run ends near chance (1,000 real digits,
 * lr 1e-2: 9.9% validation accuracy, loss 13.6). From logits the gradient is
 * softmax - onehot, never zero for a wrong prediction, and the same run
 * recovers (79.9%), as tf.keras does when its softmax feeds its cross-entropy.
 * Gradient clipping would not help: RMSprop divides the gradient by its own
 * running scale, so its step size does not depend on the gradient's norm.
 */
function digitsCompile(params: Params, schedule: LrSchedule, totalSteps: number): CompileArgs {
  const lr = numberParam(params, 'learning_rate', 'positive');
  const optimizer = schedule === 'constant' ? () => tf.train.rmsprop(lr) : () => new ScheduledRmsprop(lr, schedule, totalSteps);
  return { optimizer, loss: digitsLoss };
}

function checkOptions(opts: DigitsTrainOptions): void {
  checkOptionNames(opts, 'digits', ['imageSize', 'lrSchedule', 'shift']);
  checkSharedOptions(opts);
  if (opts.imageSize !== undefined && !(Number.isInteger(opts.imageSize) && opts.imageSize >= MIN_IMAGE_SIZE)) {
    throw new InvalidOptionError(`option "imageSize": must be an integer >= ${MIN_IMAGE_SIZE} (got ${show(opts.imageSize)})`, 'imageSize');
  }
  if (opts.lrSchedule !== undefined) checkLrSchedule(opts.lrSchedule, 'lrSchedule');
  if (opts.shift !== undefined && !(Number.isInteger(opts.shift) && opts.shift >= 0 && opts.shift <= 4)) {
    throw new InvalidOptionError(`option "shift": must be an integer in 0..4 (got ${show(opts.shift)})`, 'shift');
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
  checkSplits(data, withTest ? ['train', 'val', 'test'] : ['train', 'val'], ['x', 'labels']);
  checkImageSizes(data, opts.imageSize);
  const numClasses = data.train.numClasses;
  if (!(Number.isInteger(numClasses) && numClasses >= 2)) {
    throw new InvalidOptionError(`option "data": numClasses must be an integer >= 2, got ${show(numClasses)}`, 'data');
  }
  checkSplit(data.train, 'train', numClasses);
  checkSplit(data.val, 'val', numClasses);
  if (withTest) checkSplit(data.test, 'test', numClasses);
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
  const epochs = opts.epochs ?? DIGITS_DEFAULTS.epochs;
  const batchSize = opts.batchSize ?? DIGITS_DEFAULTS.batchSize;
  try {
    return await trainTrial({
      build: () => buildDigitsModel(params, t.inputShape, { seed: opts.seed, numClasses: t.numClasses, logits: true }),
      compile: digitsCompile(params, opts.lrSchedule ?? 'constant', trainingSteps(t.parts.train.x.shape[0]!, epochs, batchSize)),
      data: { xTrain: t.parts.train.x, yTrain: t.parts.train.y, xVal: t.parts.val.x, yVal: t.parts.val.y },
      metric: 'accuracy',
      epochs,
      batchSize,
      patience: opts.patience ?? DIGITS_DEFAULTS.patience,
      seed: opts.seed,
      signal: opts.signal,
      onEpoch: opts.onEpoch,
      context: opts.context,
      reportsPerEpoch: opts.reportsPerEpoch ?? DIGITS_DEFAULTS.reportsPerEpoch,
    });
  } finally {
    t.dispose();
  }
}

/** Retrains on train + val for `epochs` (default 1) and reports test accuracy. */
async function retrainDigits(params: Params, data: Splits<ImageSplit>, opts: DigitsTrainOptions = {}) {
  checkOptions(opts);
  const t = toTensors(data, opts, true);
  const epochs = opts.epochs ?? DIGITS_DEFAULTS.epochs;
  const batchSize = opts.batchSize ?? DIGITS_DEFAULTS.batchSize;
  const rows = t.parts.train.x.shape[0]! + t.parts.val.x.shape[0]!;
  try {
    return await retrainAndTest({
      build: () => buildDigitsModel(params, t.inputShape, { seed: opts.seed, numClasses: t.numClasses, logits: true }),
      compile: digitsCompile(params, opts.lrSchedule ?? DIGITS_RETRAIN_SCHEDULE, trainingSteps(rows, epochs, batchSize)),
      data: {
        xTrain: t.parts.train.x, yTrain: t.parts.train.y, xVal: t.parts.val.x, yVal: t.parts.val.y,
        xTest: t.parts.test.x, yTest: t.parts.test.y,
      },
      metric: 'accuracy',
      epochs,
      batchSize,
      seed: opts.seed,
      signal: opts.signal,
      onEpoch: opts.onEpoch,
      augment: shiftAugment(opts.shift ?? DIGITS_RETRAIN_SHIFT, opts.seed),
    });
  } finally {
    t.dispose();
  }
}

/** Per-epoch random shifts of up to `shift` pixels (`n x h x w x 1` images), or none for 0. */
function shiftAugment(shift: number, seed: number | undefined): ((x: tf.Tensor) => tf.Tensor) | undefined {
  if (shift === 0) return undefined;
  const rng = new Rng(layerSeed(seed, 20) ?? Math.floor(Math.random() * 2 ** 32));
  return (x) => {
    const [n, h, w] = x.shape;
    return tf.tensor4d(shiftImages(x.dataSync() as Float32Array, n!, h!, w!, shift, rng), [n!, h!, w!, 1]);
  };
}

/** The digits study (maximize validation accuracy). */
export const digitsStudy: StudyDescriptor<ImageSplit, DigitsTrainOptions, typeof DIGITS_SPACE> = {
  name: 'digits',
  space: DIGITS_SPACE,
  direction: 'maximize',
  metricName: 'accuracy',
  buildModel: buildDigitsModel,
  train: trainDigits,
  objective: async (params, data, opts) => (await trainDigits(params, data, opts)).valMetric,
  retrainAndTest: retrainDigits,
};
