import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSplit, Splits } from '../../src/data/types';
import { InvalidOptionError, InvalidPointError } from '../../src/errors';
import { loadMnistJson, mnistPackageDir, stratifiedImageSplits, subsetImages } from '../../src/data';
import {
  DENSE_UNIT_STEP, DIGITS_DEFAULTS, DIGITS_RETRAIN_SCHEDULE, DIGITS_RETRAIN_SHIFT, denseUnits, digitsLoss, digitsStudy,
} from '../../src/studies/digits';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { bandImages } from '../tfjs/synthetic';

beforeAll(async () => {
  await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
});

const CLASSES = 10;
function splits(size: number): Splits<ImageSplit> {
  return { train: bandImages(300, size, CLASSES, 1), val: bandImages(100, size, CLASSES, 2), test: bandImages(100, size, CLASSES, 3) };
}
const params = { dropout: 0.2, dense_units_x128: 1, learning_rate: 3e-3 };

describe('digitsStudy', () => {
  it('tunes dropout in [0.1, 0.5], dense width 128 x (1..3) and log learning rate in [1e-4, 1e-2], maximizing accuracy', () => {
    expect(digitsStudy.space).toEqual({
      dropout: { type: 'float', low: 0.1, high: 0.5 },
      dense_units_x128: { type: 'int', low: 1, high: 3 },
      learning_rate: { type: 'float', low: 1e-4, high: 1e-2, log: true },
    });
    expect(digitsStudy.direction).toBe('maximize');
    expect(digitsStudy.metricName).toBe('accuracy');
  });

  it('builds Conv32 -> Conv64 -> MaxPool2 -> Dropout.25 -> Flatten -> Dense(n) -> Dropout(rate) -> Dense10 softmax', () => {
    const model = digitsStudy.buildModel({ dropout: 0.3, dense_units: 200, learning_rate: 1e-3 }, [28, 28, 1]);
    expect(model.layers.map((l) => l.getClassName())).toEqual(
      ['Conv2D', 'Conv2D', 'MaxPooling2D', 'Dropout', 'Flatten', 'Dense', 'Dropout', 'Dense']);
    const cfg = model.layers.map((l) => l.getConfig() as Record<string, unknown>);
    expect([cfg[0].filters, cfg[0].kernelSize, cfg[0].activation]).toEqual([32, [3, 3], 'relu']);
    expect([cfg[1].filters, cfg[1].kernelSize, cfg[1].activation]).toEqual([64, [3, 3], 'relu']);
    expect(cfg[2].poolSize).toEqual([2, 2]);
    expect(cfg[3].rate).toBe(0.25);
    expect([cfg[5].units, cfg[5].activation]).toEqual([200, 'relu']);
    expect(cfg[6].rate).toBe(0.3);
    expect([cfg[7].units, cfg[7].activation]).toEqual([10, 'softmax']);
    // 28 -> 26 -> 24 (valid 3x3 convs) -> 12 (pool): 12 * 12 * 64 = 9216 flattened.
    expect(model.countParams()).toBe((9 + 1) * 32 + (9 * 32 + 1) * 64 + (9216 + 1) * 200 + (200 + 1) * 10);
    model.dispose();
  });

  it('uses seeded dropout layers when given a seed, so a seeded trial repeats exactly', async () => {
    const model = digitsStudy.buildModel(params, [10, 10, 1], { seed: 4 });
    expect(model.layers.map((l) => l.getClassName())).toEqual(
      ['Conv2D', 'Conv2D', 'MaxPooling2D', 'SeededDropout', 'Flatten', 'Dense', 'SeededDropout', 'Dense']);
    expect(model.layers.map((l) => (l.getConfig() as { rate?: number }).rate)).toEqual(
      [undefined, undefined, undefined, 0.25, undefined, undefined, 0.2, undefined]);
    model.dispose();
    const data = splits(10);
    const opts = { epochs: 2, batchSize: 32, seed: 4 };
    const a = await digitsStudy.train(params, data, opts);
    const b = await digitsStudy.train(params, data, opts);
    expect(b.history.map((h) => [h.loss, h.valMetric])).toEqual(a.history.map((h) => [h.loss, h.valMetric]));
  });

  it('rejects a non-integer dense width', () => {
    expect(() => digitsStudy.buildModel({ dropout: 0.2, dense_units: 130.5, learning_rate: 1e-3 }, [28, 28, 1]))
      .toThrow(new InvalidPointError('parameter "dense_units": must be a positive integer (got 130.5)', 'dense_units'));
    expect(() => digitsStudy.buildModel({ ...params, dense_units_x128: 0 }, [28, 28, 1]))
      .toThrow(new InvalidPointError('parameter "dense_units_x128": must be a positive integer (got 0)', 'dense_units_x128'));
  });

  it('refuses a dropout outside [0, 1) and a learning rate <= 0, naming the parameter, seeded or not', async () => {
    const cases: [Record<string, number>, string, string][] = [
      [{ dropout: 1.5 }, 'dropout', 'parameter "dropout": must be in [0, 1) (got 1.5)'],
      [{ dropout: 1 }, 'dropout', 'parameter "dropout": must be in [0, 1) (got 1)'],
      [{ dropout: -0.2 }, 'dropout', 'parameter "dropout": must be in [0, 1) (got -0.2)'],
      [{ dropout: NaN }, 'dropout', 'parameter "dropout": must be a finite number (got NaN)'],
      [{ learning_rate: -1e-3 }, 'learning_rate', 'parameter "learning_rate": must be > 0 (got -0.001)'],
      [{ learning_rate: 0 }, 'learning_rate', 'parameter "learning_rate": must be > 0 (got 0)'],
      [{ learning_rate: Infinity }, 'learning_rate', 'parameter "learning_rate": must be a finite number (got Infinity)'],
    ];
    const data = splits(10);
    for (const [bad, name, message] of cases) {
      for (const seed of [undefined, 1]) {
        const err = await digitsStudy.train({ ...params, ...bad }, data, { epochs: 1, batchSize: 32, seed }).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidPointError);
        expect((err as InvalidPointError).message).toBe(message);
        expect((err as InvalidPointError).param).toBe(name);
      }
    }
    // the edges that are valid still train
    await expect(digitsStudy.train({ ...params, dropout: 0 }, data, { epochs: 1, batchSize: 32, seed: 1 })).resolves.toBeDefined();
  });

  it('the dense width is 128 times dense_units_x128 (the seed\'s multiples of 128)', () => {
    expect([1, 2, 3].map((k) => denseUnits({ dense_units_x128: k }))).toEqual([128, 256, 384]);
    expect(DENSE_UNIT_STEP).toBe(128);
    const model = digitsStudy.buildModel({ ...params, dense_units_x128: 3 }, [28, 28, 1]);
    expect((model.layers[5].getConfig() as { units: number }).units).toBe(384);
    model.dispose();
  });

  it('trains on logits: a confidently wrong prediction still has a gradient (tfjs\'s clipped categorical cross-entropy has none)', () => {
    // true class 0 at probability e^-30 ~ 1e-13, below the 1e-7 clip
    const y = tf.tensor2d([[1, 0, 0]]);
    const logits = tf.tensor2d([[0, 30, 0]]);
    const study = tf.grad((z: tf.Tensor) => digitsLoss(y, z))(logits);
    const clipped = tf.grad((z: tf.Tensor) => tf.metrics.categoricalCrossentropy(y, tf.softmax(z)).mean())(logits);
    // d/dz of softmax cross-entropy = softmax(z) - y
    const expected = tf.sub(tf.softmax(logits), y);
    expect(Array.from(study.dataSync())).toEqual(Array.from(expected.dataSync()).map((v) => expect.closeTo(v, 6)));
    expect(study.dataSync()[0]).toBeCloseTo(-1, 6);
    expect(Array.from(clipped.dataSync()).map(Math.abs)).toEqual([0, 0, 0]);
    tf.dispose([y, logits, study, clipped, expected]);
  });

  it.skipIf(mnistPackageDir() === null)('one epoch at learning rate 1e-2 on 1,000 real digits learns (no collapse to chance)', async () => {
    const pool = await loadMnistJson(mnistPackageDir()!);
    const all = stratifiedImageSplits(pool, { testFraction: 0.2, valFraction: 0.1, seed: 1 });
    const first = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
    const data = { train: subsetImages(all.train, first(1000)), val: subsetImages(all.val, first(400)), test: all.test };
    const r = await digitsStudy.train({ dropout: 0.3, dense_units_x128: 2, learning_rate: 1e-2 }, data, { batchSize: 64, seed: 1 });
    // with a softmax output and tfjs's clipped cross-entropy this training scored 9.9% on all 800 validation digits (chance 10%)
    expect(r.valMetric).toBeGreaterThan(0.6);
  }, 120_000);

  it('learns separable synthetic images well above chance, leaking no tensors', async () => {
    const before = tf.memory().numTensors;
    const r = await digitsStudy.train(params, splits(10), { epochs: 6, batchSize: 32, patience: 6, seed: 1 });
    expect(r.valMetric).toBeGreaterThan(0.5); // chance is 0.1
    expect(r.valMetric).toBeLessThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps tf.memory().numTensors flat across a sequence of trials, a failed one and a retraining', async () => {
    const data = splits(12);
    const before = tf.memory().numTensors;
    const after: number[] = [];
    const configs = [
      { dropout: 0.1, dense_units_x128: 1, learning_rate: 1e-4 },
      { dropout: 0.5, dense_units_x128: 3, learning_rate: 1e-2 },
      { dropout: 0.3, dense_units_x128: 2, learning_rate: 1e-3 },
    ];
    for (const [i, p] of configs.entries()) {
      await digitsStudy.train(p, data, { epochs: 1, batchSize: 64, seed: i, maxTrainRows: 128 });
      after.push(tf.memory().numTensors);
    }
    // a trial that fails after its data tensors were made
    await expect(digitsStudy.train({ ...params, dense_units_x128: 1.5 }, data, { epochs: 1 })).rejects.toThrow(InvalidPointError);
    after.push(tf.memory().numTensors);
    await digitsStudy.retrainAndTest(configs[2], data, { epochs: 1, batchSize: 64, seed: 1 });
    after.push(tf.memory().numTensors);
    expect(after).toEqual(new Array(5).fill(before));
  });

  it('defaults to the seed study\'s protocol: one epoch at batch size 64', async () => {
    expect(DIGITS_DEFAULTS).toEqual({ epochs: 1, batchSize: 64, patience: 1, reportsPerEpoch: 4 });
    const r = await digitsStudy.train(params, splits(10), { seed: 5 });
    expect(r.epochsRun).toBe(1);
    expect(r.history).toHaveLength(1);
  });

  it('with a context reports validation accuracy every quarter epoch (steps 1..4), so a pruner can stop its one epoch early', async () => {
    const steps: number[] = [];
    const before = tf.memory().numTensors;
    const ctx = (stopAt: number) => ({ report: async (step: number) => (steps.push(step), step === stopAt) });
    const full = await digitsStudy.train(params, splits(10), { seed: 5, batchSize: 32, context: ctx(-1) });
    expect(steps).toEqual([1, 2, 3, 4]);
    expect([full.epochsRun, full.pruned]).toEqual([1, false]);
    steps.length = 0;
    const stopped = await digitsStudy.train(params, splits(10), { seed: 5, batchSize: 32, context: ctx(1) });
    expect(steps).toEqual([1]);
    expect([stopped.epochsRun, stopped.pruned]).toEqual([0.25, true]);
    steps.length = 0;
    await digitsStudy.train(params, splits(10), { seed: 5, batchSize: 32, reportsPerEpoch: 1, context: ctx(-1) });
    expect(steps).toEqual([1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('imageSize resizes the inputs; too small a size is rejected', async () => {
    const acc = await digitsStudy.objective(params, splits(16), { epochs: 6, batchSize: 32, imageSize: 10, seed: 2 });
    expect(acc).toBeGreaterThan(0.5);
    await expect(digitsStudy.objective(params, splits(16), { imageSize: 5 }))
      .rejects.toThrow(new InvalidOptionError('option "imageSize": must be an integer >= 6 (got 5)', 'imageSize'));
  });

  it('without imageSize, refuses splits of different image sizes or images below 6 x 6 before training (typed, naming data)', async () => {
    const mixed = { ...splits(10), test: bandImages(100, 12, CLASSES, 3) };
    const cases: [Splits<ImageSplit>, string][] = [
      [mixed, 'option "data": test images are 12x12 but train images are 10x10 (imageSize resizes them to one size)'],
      [splits(4), 'option "data": images are 4x4; the network needs at least 6x6 (or imageSize to resize them)'],
    ];
    for (const [data, message] of cases) {
      for (const run of [() => digitsStudy.train(params, data, { epochs: 1 }), () => digitsStudy.retrainAndTest(params, data, { epochs: 1 })]) {
        const err = await run().then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidOptionError);
        expect((err as InvalidOptionError).message).toBe(message);
      }
    }
    // imageSize brings them to one size, and the run trains
    await expect(digitsStudy.train(params, mixed, { epochs: 1, batchSize: 64, imageSize: 10, seed: 1 })).resolves.toBeDefined();
    // a trial needs no test split (it was a TypeError without imageSize); a missing val split is named
    const { train, val } = splits(10);
    await expect(digitsStudy.train(params, { train, val } as never, { epochs: 1, batchSize: 64, seed: 1 })).resolves.toBeDefined();
    await expect(digitsStudy.train(params, { train } as never, { epochs: 1 })).rejects.toThrow(new InvalidOptionError('option "data": no val split', 'data'));
    await expect(digitsStudy.retrainAndTest(params, { train, val } as never, { epochs: 1 })).rejects.toThrow(new InvalidOptionError('option "data": no test split', 'data'));
  });

  it('refuses a label outside 0..numClasses-1 before training (tf.oneHot made it a target of zeros, trained on in silence)', async () => {
    const before = tf.memory().numTensors;
    const withLabel = (name: 'train' | 'val', i: number, label: number): Splits<ImageSplit> => {
      const data = splits(10);
      const labels = Int32Array.from(data[name].labels);
      labels[i] = label;
      return { ...data, [name]: { ...data[name], labels } };
    };
    const cases: [Splits<ImageSplit>, string][] = [
      [withLabel('train', 7, CLASSES), `option "data": train split label ${CLASSES} at index 7 is not a class of 0..${CLASSES - 1}`],
      [withLabel('val', 0, -1), `option "data": val split label -1 at index 0 is not a class of 0..${CLASSES - 1}`],
    ];
    for (const [data, message] of cases) {
      const err = await digitsStudy.train(params, data, { epochs: 1 }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).message).toBe(message);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('retrainAndTest reports a test accuracy after exactly `epochs`', async () => {
    const before = tf.memory().numTensors;
    const r = await digitsStudy.retrainAndTest(params, splits(10), { epochs: 4, batchSize: 32, seed: 3 });
    expect(r.epochsRun).toBe(4);
    expect(r.testMetric).toBeGreaterThan(0.5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('retrains and trains at a constant rate by default, decays it linearly on request, and rejects an unknown schedule', async () => {
    expect(DIGITS_RETRAIN_SCHEDULE).toBe('constant');
    const data = splits(10);
    const opts = { epochs: 2, batchSize: 32, seed: 6 };
    const losses = async (o: object) => (await digitsStudy.retrainAndTest(params, data, { ...opts, ...o })).history.map((h) => h.loss);
    const byDefault = await losses({});
    expect(await losses({ lrSchedule: 'constant' })).toEqual(byDefault);
    expect(await losses({ lrSchedule: 'linear' })).not.toEqual(byDefault);
    const trial = async (o: object) => (await digitsStudy.train(params, data, { ...opts, ...o })).history.map((h) => h.loss);
    const trialDefault = await trial({});
    expect(await trial({ lrSchedule: 'constant' })).toEqual(trialDefault);
    expect(await trial({ lrSchedule: 'linear' })).not.toEqual(trialDefault);
    expect(await losses({ lrSchedule: 'warmup-linear' })).not.toEqual(byDefault);
    await expect(digitsStudy.retrainAndTest(params, data, { lrSchedule: 'cosine' as never }))
      .rejects.toThrow(new InvalidOptionError('option "lrSchedule": must be one of constant, linear, warmup-linear (got "cosine")', 'lrSchedule'));
  });

  it('shifts the retraining images each epoch on request (seeded, leaking no tensors) and rejects a shift above 4', async () => {
    expect(DIGITS_RETRAIN_SHIFT).toBe(0);
    const data = splits(10);
    const opts = { epochs: 2, batchSize: 32, seed: 6, lrSchedule: 'warmup-linear' as const };
    const before = tf.memory().numTensors;
    const run = async (o: object) => {
      const r = await digitsStudy.retrainAndTest(params, data, { ...opts, ...o });
      return { losses: r.history.map((h) => h.loss), test: r.testMetric };
    };
    const plain = await run({});
    expect(await run({ shift: 0 })).toEqual(plain);
    const shifted = await run({ shift: 1 });
    expect(shifted.losses).not.toEqual(plain.losses);
    expect(await run({ shift: 1 })).toEqual(shifted);
    expect(tf.memory().numTensors).toBe(before);
    await expect(digitsStudy.retrainAndTest(params, data, { shift: 5 }))
      .rejects.toThrow(new InvalidOptionError('option "shift": must be an integer in 0..4 (got 5)', 'shift'));
  });

  it('a misspelt option is a typed error naming it, for a trial and a retraining', async () => {
    const params = { dropout: 0.3, dense_units_x128: 1, learning_rate: 1e-3 };
    const known = 'epochs, batchSize, patience, maxTrainRows, seed, signal, onEpoch, context, reportsPerEpoch, imageSize, lrSchedule, shift';
    const e = new InvalidOptionError(`option "imagesize": unknown option of the digits study (known: ${known})`, 'imagesize');
    await expect(digitsStudy.objective(params, splits(16), { imagesize: 8 } as never)).rejects.toThrow(e);
    await expect(digitsStudy.retrainAndTest(params, splits(16), { imagesize: 8 } as never)).rejects.toThrow(e);
    await expect(digitsStudy.train(params, splits(16), { standardizeTarget: false } as never))
      .rejects.toThrow(/^option "standardizeTarget": unknown option of the digits study/);
  });
});
