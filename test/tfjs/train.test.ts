import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { evaluateModel, metricTensor } from '../../src/tfjs/metrics';
import { retrainAndTest, trainTrial, type TrainTrialOptions } from '../../src/tfjs/train';
import { compileModel, fitEpoch } from '../../src/tfjs/fit';
import { linearData, std } from './synthetic';

/** float32 arithmetic on small vectors */
const TOL_F32 = 1e-5;

beforeAll(async () => {
  const info = await setupTfjsBackend({ prefer: 'cpu', log: () => {} });
  expect(info.backend).toBe('cpu');
});

async function scalar(t: tf.Scalar): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

describe('metricTensor', () => {
  it('rmse is sqrt(mean squared error), scaled by targetStd', async () => {
    const pred = tf.tensor2d([1, 2, 3], [3, 1]);
    const y = tf.tensor1d([1, 1, 1]);
    expect(await scalar(metricTensor('rmse', pred, y))).toBeCloseTo(Math.sqrt(5 / 3), 5);
    expect(await scalar(metricTensor('rmse', pred, y, 4))).toBeCloseTo(4 * Math.sqrt(5 / 3), 5);
    tf.dispose([pred, y]);
  });

  it('accuracy compares argmax with integer labels or one-hot rows', async () => {
    const pred = tf.tensor2d([[0.9, 0.1, 0], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.5, 0.4, 0.1]]);
    const labels = tf.tensor1d([0, 1, 1, 2], 'int32'); // right, right, wrong, wrong
    const oneHot = tf.oneHot(labels, 3);
    expect(await scalar(metricTensor('accuracy', pred, labels))).toBe(0.5);
    expect(await scalar(metricTensor('accuracy', pred, oneHot))).toBe(0.5);
    tf.dispose([pred, labels, oneHot]);
  });
});

describe('evaluateModel', () => {
  it('matches the RMSE of a model with known weights, from typed arrays', async () => {
    // y_hat = 2 x + 1 on x = 0..3 against y = 0: errors 1, 3, 5, 7.
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    model.setWeights([tf.tensor2d([[2]]), tf.tensor1d([1])]);
    const before = tf.memory().numTensors;
    const rmse = await evaluateModel(
      model, { values: new Float32Array([0, 1, 2, 3]), shape: [4, 1] },
      { values: new Float32Array(4), shape: [4] }, 'rmse');
    expect(rmse).toBeCloseTo(Math.sqrt((1 + 9 + 25 + 49) / 4), 5);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects values that do not fill the shape', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    await expect(evaluateModel(model, { values: new Float32Array(3), shape: [4, 1] }, { values: new Float32Array(4), shape: [4] }, 'rmse'))
      .rejects.toThrow(new InvalidOptionError('option "x": 3 values do not fill shape [4, 1] (4)', 'x'));
    model.dispose();
  });
});

const D = 4;
const train = linearData(120, D, 0.1, 11);
const val = linearData(40, D, 0.1, 12);

function mlp(seed?: number, l2 = 1e-3) {
  return () => tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, activation: 'relu', inputShape: [D], kernelRegularizer: tf.regularizers.l2({ l2 }), kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dropout({ rate: 0.1 }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed + 1 }) }),
    ],
  });
}

function baseOptions(over: Partial<TrainTrialOptions> = {}): TrainTrialOptions {
  return {
    build: mlp(),
    compile: { optimizer: () => tf.train.adam(0.02), loss: 'meanSquaredError' },
    data: {
      xTrain: { values: train.x, shape: [train.n, D] }, yTrain: { values: train.y, shape: [train.n, 1] },
      xVal: { values: val.x, shape: [val.n, D] }, yVal: { values: val.y, shape: [val.n, 1] },
    },
    metric: 'rmse',
    epochs: 2,
    batchSize: 32,
    ...over,
  };
}

describe('trainTrial', () => {
  it('leaves tf.memory().numTensors flat over 50 trials', async () => {
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    for (let t = 0; t < 50; t++) {
      // Alternate optimizer ownership (factory vs name) and input kinds.
      const opt = t % 2 === 0 ? baseOptions() : baseOptions({ compile: { optimizer: 'sgd', loss: 'meanSquaredError' } });
      const r = await trainTrial({ ...opt, patience: 1 });
      expect(r.epochsRun).toBeGreaterThan(0);
      counts.push(tf.memory().numTensors);
    }
    expect(counts).toEqual(new Array(50).fill(before));
  });

  it('does not dispose tensors the caller passed in', async () => {
    const xs = tf.tensor2d(train.x, [train.n, D]);
    const ys = tf.tensor2d(train.y, [train.n, 1]);
    const before = tf.memory().numTensors;
    await trainTrial(baseOptions({ data: { xTrain: xs, yTrain: ys, xVal: xs, yVal: ys } }));
    expect(xs.isDisposed || ys.isDisposed).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
  });

  it('learns a linear target: validation RMSE well below the target spread', async () => {
    const r = await trainTrial(baseOptions({ epochs: 30, seed: 3, build: mlp(3, 1e-4) }));
    expect(r.valMetric).toBeLessThan(0.35 * std(val.y));
    expect(r.history).toHaveLength(r.epochsRun);
    expect(r.trainMs).toBeGreaterThan(0);
    expect(Math.min(...r.history.map((h) => h.valMetric!))).toBe(r.valMetric);
  });

  it('is reproducible on cpu with a seed and seeded initializers', async () => {
    const noDropout = (seed: number) => () => tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, activation: 'relu', inputShape: [D], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
        tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      ],
    });
    const a = await trainTrial(baseOptions({ build: noDropout(5), seed: 9, epochs: 3 }));
    const b = await trainTrial(baseOptions({ build: noDropout(5), seed: 9, epochs: 3 }));
    expect(b.history.map((h) => h.valMetric)).toEqual(a.history.map((h) => h.valMetric));
  });

  it('stops early after `patience` epochs without improvement and restores the best weights', async () => {
    // y = x on train but y = -x on validation: every SGD step moves w from 0
    // toward 1, so validation RMSE = |w + 1| * rms(xVal) rises every epoch and
    // the best epoch is the first.
    const n = 64;
    const x = linearData(n, 1, 0, 21).x;
    const xv = linearData(n, 1, 0, 22).x;
    const negXv = xv.map((v) => -v);
    let model: tf.LayersModel | null = null;
    const kernelAt: number[] = [];
    let finalKernel = NaN;
    const r = await trainTrial({
      build: () => {
        const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, useBias: false, inputShape: [1], kernelInitializer: 'zeros' })] });
        const dispose = m.dispose.bind(m);
        m.dispose = () => { finalKernel = m.getWeights()[0].dataSync()[0]; return dispose(); };
        model = m;
        return m;
      },
      compile: { optimizer: () => tf.train.sgd(0.05), loss: 'meanSquaredError' },
      data: {
        xTrain: { values: x, shape: [n, 1] }, yTrain: { values: x, shape: [n, 1] },
        xVal: { values: xv, shape: [n, 1] }, yVal: { values: negXv, shape: [n, 1] },
      },
      metric: 'rmse', epochs: 10, batchSize: 16, patience: 2, seed: 1,
      onEpoch: () => kernelAt.push(model!.getWeights()[0].dataSync()[0]),
    });
    expect(r.bestEpoch).toBe(0);
    expect(r.epochsRun).toBe(3);
    expect(r.stoppedEarly).toBe(true);
    const vals = r.history.map((h) => h.valMetric!);
    expect(vals[1]).toBeGreaterThan(vals[0]);
    expect(vals[2]).toBeGreaterThan(vals[1]);
    expect(r.valMetric).toBe(vals[0]);
    const rmsXv = Math.sqrt(xv.reduce((s, v) => s + v * v, 0) / n);
    expect(Math.abs(vals[0] - Math.abs(kernelAt[0] + 1) * rmsXv)).toBeLessThan(TOL_F32 * 10);
    expect(finalKernel).toBe(kernelAt[0]);
  });

  it('stops when the loss goes non-finite and reports NaN when no epoch was finite', async () => {
    const before = tf.memory().numTensors;
    const r = await trainTrial(baseOptions({
      compile: { optimizer: () => tf.train.sgd(1e12), loss: 'meanSquaredError' }, epochs: 10, build: mlp(1),
    }));
    expect(r.epochsRun).toBe(1);
    expect(r.stoppedEarly).toBe(true);
    expect(Number.isFinite(r.history[0].loss)).toBe(false);
    expect(r.valMetric).toBeNaN();
    expect(r.bestEpoch).toBe(-1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never takes a diverged epoch as the best by its accuracy (NaN weights still classify: every image as class 0)', async () => {
    const before = tf.memory().numTensors;
    const n = 60;
    const x = Float32Array.from({ length: n * D }, (_, i) => Math.sin(i * 1.7));
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const y = Float32Array.from({ length: n * 3 }, (_, i) => (labels[Math.floor(i / 3)] === i % 3 ? 1 : 0));
    const xBad = Float32Array.from(x);
    xBad[5] = NaN; // one bad pixel of the training data: NaN loss, NaN weights
    const contexts: number[] = [];
    const r = await trainTrial({
      build: () => tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: 'softmax', inputShape: [D], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] }),
      compile: { optimizer: () => tf.train.sgd(0.1), loss: 'categoricalCrossentropy' },
      data: { xTrain: { values: xBad, shape: [n, D] }, yTrain: { values: y, shape: [n, 3] }, xVal: { values: x, shape: [n, D] }, yVal: { values: y, shape: [n, 3] } },
      metric: 'accuracy', epochs: 5, batchSize: 20,
      context: { report: async (step: number) => (contexts.push(step), false), shouldPrune: async () => false } as unknown as TrainTrialOptions['context'],
    });
    expect(Number.isFinite(r.history[0].loss)).toBe(false);
    expect(Number.isFinite(r.history[0].valMetric)).toBe(true); // the accuracy of NaN weights
    expect(r.valMetric).toBeNaN();
    expect(r.bestEpoch).toBe(-1);
    expect(contexts).toEqual([]); // nor is it reported to a pruner
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports no part of an epoch after a part whose loss diverged (reportsPerEpoch > 1), and is not read as pruned', async () => {
    const before = tf.memory().numTensors;
    const n = 64;
    const x = Float32Array.from({ length: n * D }, (_, i) => Math.sin(i * 0.9));
    const y = Float32Array.from({ length: n * 3 }, (_, i) => (Math.floor(i / 3) % 3 === i % 3 ? 1 : 0));
    const steps: number[] = [];
    const r = await trainTrial({
      build: () => tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [D], kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] }),
      compile: { optimizer: () => tf.train.sgd(1e18), loss: 'meanSquaredError' },
      data: { xTrain: { values: x, shape: [n, D] }, yTrain: { values: y, shape: [n, 3] }, xVal: { values: x, shape: [n, D] }, yVal: { values: y, shape: [n, 3] } },
      metric: 'accuracy', epochs: 2, batchSize: 8, seed: 1, reportsPerEpoch: 4,
      context: { report: async (step: number) => (steps.push(step), false), shouldPrune: async () => false } as unknown as TrainTrialOptions['context'],
    });
    expect(Number.isFinite(r.history[r.history.length - 1].loss)).toBe(false);
    expect(r.valMetric).toBeNaN();
    expect(r.pruned).toBe(false);
    // the parts after the one whose loss went non-finite were reported (steps 2 and 3: the accuracy of NaN weights)
    expect(steps.length).toBeLessThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects with the abort reason and frees everything', async () => {
    const before = tf.memory().numTensors;
    const ctl = new AbortController();
    const reason = new Error('stop now');
    const seen: number[] = [];
    await expect(trainTrial(baseOptions({
      epochs: 10, signal: ctl.signal,
      onEpoch: (e) => { seen.push(e); if (e === 1) ctl.abort(reason); },
    }))).rejects.toBe(reason);
    expect(seen).toEqual([0, 1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a loss function that throws rejects with its error and frees everything, the tape included, in trials and retrainings', async () => {
    const before = tf.memory().numTensors;
    for (const failAfter of [0, 4]) {
      let calls = 0;
      const boom = new Error(`loss failed after ${failAfter}`);
      const loss = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
        if (calls++ >= failAfter) throw boom;
        return tf.losses.meanSquaredError(a, b);
      };
      const seen: number[] = [];
      // fails in the first batch, or in the second epoch's first batch (4 batches an epoch, no parts)
      await expect(trainTrial(baseOptions({ compile: { optimizer: 'adam', loss }, seed: 1, epochs: 3, onEpoch: (e) => seen.push(e) })))
        .rejects.toBe(boom);
      expect(seen).toEqual(failAfter === 0 ? [] : [0]);
      expect(tf.memory().numTensors).toBe(before);
      calls = 0;
      await expect(trainTrial(baseOptions({ compile: { optimizer: 'adam', loss }, seed: 1, context: { report: async () => false, shouldPrune: () => false } as never, reportsPerEpoch: 2 })))
        .rejects.toBe(boom);
      expect(tf.memory().numTensors).toBe(before);
      calls = 0;
      await expect(retrainAndTest({
        build: mlp(4), compile: { optimizer: () => tf.train.adam(0.02), loss }, data: retrainData(linearData(60, D, 0.1, 13)),
        metric: 'rmse', epochs: 2, batchSize: 32, seed: 2,
      })).rejects.toBe(boom);
      expect(tf.memory().numTensors).toBe(before);
    }
    // the model itself: a throwing batch leaves finite weights (a NaN loss stepped them all to NaN), and the
    // failure is said once: a later fit calls the loss again
    const model = mlp(5)();
    let n = 0;
    const flaky = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
      if (++n === 2) throw new Error('flaky');
      return tf.losses.meanSquaredError(a, b);
    };
    const optimizer = compileModel(model, { optimizer: () => tf.train.sgd(0.01), loss: flaky });
    const [x, y] = [tf.tensor2d(train.x, [train.n, D]), tf.tensor2d(train.y, [train.n, 1])];
    await expect(fitEpoch(model, x, y, { metric: 'rmse', epochs: 1, batchSize: 32 }, null)).rejects.toThrow('flaky');
    expect(model.getWeights().every((w) => w.dataSync().every(Number.isFinite))).toBe(true);
    expect(Number.isFinite(await fitEpoch(model, x, y, { metric: 'rmse', epochs: 1, batchSize: 32 }, null))).toBe(true);
    expect(n).toBeGreaterThan(3);
    tf.dispose([x, y]);
    optimizer?.dispose();
    model.dispose();
    // a training after the failures runs and leaks nothing either (no gradient tape left active)
    expect((await trainTrial(baseOptions({ seed: 1 }))).epochsRun).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a timer aborts a training of short epochs: the event loop turns between them', async () => {
    // each epoch is its own fit, whose ~125 ms yield timer restarted with it: a 20 ms timer fired only after all 300
    const before = tf.memory().numTensors;
    const ctl = new AbortController();
    const reason = new Error('time is up');
    setTimeout(() => ctl.abort(reason), 20);
    let epochs = 0;
    await expect(trainTrial(baseOptions({ epochs: 300, patience: Infinity, signal: ctl.signal, onEpoch: () => void epochs++ }))).rejects.toBe(reason);
    expect(epochs).toBeGreaterThan(0);
    expect(epochs).toBeLessThan(300);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options with typed errors naming the option', async () => {
    await expect(trainTrial(baseOptions({ epochs: 0 })))
      .rejects.toThrow(new InvalidOptionError('option "epochs": must be a positive integer (got 0)', 'epochs'));
    await expect(trainTrial(baseOptions({ batchSize: 2.5 })))
      .rejects.toThrow('option "batchSize": must be a positive integer (got 2.5)');
    await expect(trainTrial(baseOptions({ patience: 0 })))
      .rejects.toThrow('option "patience": must be a positive integer or Infinity (got 0)');
    await expect(trainTrial(baseOptions({ metric: 'mae' as never })))
      .rejects.toThrow('option "metric": must be "rmse" or "accuracy" (got "mae")');
    // a misspelt key trained with the default, a NaN seed shuffled as tfjs does, a non-signal and a
    // non-function failed deep in the training (or never)
    const known = 'metric, epochs, batchSize, targetStd, seed, signal, onEpoch, build, compile, data, patience, minDelta, context, reportsPerEpoch';
    await expect(trainTrial({ ...baseOptions(), epoch: 2 } as never))
      .rejects.toThrow(new InvalidOptionError(`option "epoch": unknown option of trainTrial (known: ${known})`, 'epoch'));
    await expect(trainTrial(baseOptions({ seed: NaN }))).rejects.toThrow(new InvalidOptionError('option "seed": must be a finite number (got NaN)', 'seed'));
    await expect(trainTrial(baseOptions({ signal: 'x' as never }))).rejects.toThrow(new InvalidOptionError('option "signal": must be an AbortSignal', 'signal'));
    await expect(trainTrial(baseOptions({ onEpoch: 5 as never }))).rejects.toThrow(new InvalidOptionError('option "onEpoch": must be a function (got number)', 'onEpoch'));
    // a string passed >= 0, then joined the best value as text: no epoch counted as an improvement
    await expect(trainTrial(baseOptions({ minDelta: '0.001' as never }))).rejects.toThrow(new InvalidOptionError('option "minDelta": must be a finite number >= 0 (got "0.001")', 'minDelta'));
    // a tensor disposed before the call: named, nothing leaked (a TypeError deep in fit, one tensor leaked a call)
    const gone = tf.zeros([4, 3]);
    gone.dispose();
    const held = tf.memory().numTensors;
    await expect(trainTrial(baseOptions({ data: { ...baseOptions().data, xTrain: gone } })))
      .rejects.toThrow(new InvalidOptionError('option "xTrain": the tensor has been disposed', 'xTrain'));
    expect(tf.memory().numTensors).toBe(held);
    await expect(trainTrial(baseOptions({ compile: { optimizer: (() => ({})) as never, loss: 'meanSquaredError' } })))
      .rejects.toThrow(new InvalidOptionError('compile: the optimizer factory returned an object without minimize and dispose, not a tf.Optimizer', 'compile'));
    await expect(retrainAndTest({ ...baseOptions(), data: { ...baseOptions().data, xTest: [[1]], yTest: [[1]] }, shuffle: true } as never))
      .rejects.toThrow('option "shuffle": unknown option of retrainAndTest');
    const before = tf.memory().numTensors;
    await expect(trainTrial(baseOptions({
      data: {
        xTrain: { values: train.x, shape: [train.n, D] }, yTrain: { values: val.y, shape: [val.n, 1] },
        xVal: { values: val.x, shape: [val.n, D] }, yVal: { values: val.y, shape: [val.n, 1] },
      },
    }))).rejects.toThrow('option "data": training x has 120 rows but y has 40');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses missing data parts, a validation or test set of another row shape, a bad compile, build or context before training, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    let epochs = 0;
    const onEpoch = () => void epochs++;
    const d = baseOptions().data;
    const refused = async (o: Parameters<typeof trainTrial>[0], option: string, message: string) => {
      const err = await trainTrial(o).then(() => null, (e: unknown) => e);
      expect(err, message).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).message).toBe(message);
      expect((err as InvalidOptionError).option).toBe(option);
    };
    await refused(baseOptions({ data: { xTrain: d.xTrain, yTrain: d.yTrain } as never, onEpoch }), 'data', 'option "data": xVal must be a tensor or { values, shape } (got none)');
    await refused(baseOptions({ data: undefined as never, onEpoch }), 'data', 'option "data": must be an object with xTrain, yTrain, xVal, yVal (got undefined)');
    const narrow = { values: new Float32Array(val.n * (D - 1)), shape: [val.n, D - 1] };
    await refused(baseOptions({ data: { ...d, xVal: narrow }, onEpoch }), 'data', `option "data": validation x has rows of shape [${D - 1}] but the model takes [${D}]`);
    await refused(baseOptions({ compile: undefined as never, onEpoch }), 'compile', 'option "compile": must be { optimizer, loss } (got undefined)');
    await refused(baseOptions({ build: () => null as never, onEpoch }), 'build', 'option "build": must return a tf.LayersModel (got null)');
    await refused(baseOptions({ context: {} as never, onEpoch }), 'context', 'option "context": must be the objective\'s context, with report(step, value)');
    const rd = { ...d, xTest: narrow, yTest: d.yVal };
    const err = await retrainAndTest({ ...baseOptions(), data: rd, onEpoch } as never).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toBe(`option "data": test x has rows of shape [${D - 1}] but the model takes [${D}]`);
    expect(epochs).toBe(0); // refused before any epoch trained
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rows of another shape where the model takes any (a sequence of any length) train; a null context is none', async () => {
    const before = tf.memory().numTensors;
    const seq = (n: number, len: number) => ({ values: new Float32Array(n * len * 3).map((_, i) => Math.sin(i)), shape: [n, len, 3] });
    const ys = (n: number) => ({ values: new Float32Array(n).map((_, i) => i % 2), shape: [n, 1] });
    const rnn = () => tf.sequential({ layers: [tf.layers.simpleRNN({ units: 4, inputShape: [null, 3] }), tf.layers.dense({ units: 1 })] });
    const o = { build: rnn, compile: { optimizer: 'sgd', loss: 'meanSquaredError' }, metric: 'rmse' as const, epochs: 1, batchSize: 4 };
    const r = await trainTrial({ ...o, data: { xTrain: seq(8, 5), yTrain: ys(8), xVal: seq(4, 7), yVal: ys(4) } });
    expect(r.history).toHaveLength(1);
    const t = await retrainAndTest({ ...o, data: { xTrain: seq(8, 5), yTrain: ys(8), xVal: seq(4, 5), yVal: ys(4), xTest: seq(4, 9), yTest: ys(4) } });
    expect(Number.isFinite(t.testMetric)).toBe(true);
    // its rank is still checked: a sequence model given flat rows
    await expect(trainTrial({ ...o, data: { xTrain: seq(8, 5), yTrain: ys(8), xVal: { values: new Float32Array(12), shape: [4, 3] }, yVal: ys(4) } }))
      .rejects.toThrow(new InvalidOptionError('option "data": validation x has rows of shape [3] but the model takes [any, 3]', 'data'));
    expect((await trainTrial(baseOptions({ context: null as never }))).history).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses an empty training or validation set as a typed error naming data, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const empty = { values: new Float32Array(0), shape: [0, D] };
    const emptyY = { values: new Float32Array(0), shape: [0, 1] };
    const d = baseOptions().data;
    for (const [data, what] of [[{ ...d, xTrain: empty, yTrain: emptyY }, 'training'], [{ ...d, xVal: empty, yVal: emptyY }, 'validation']] as const) {
      const err = await trainTrial(baseOptions({ data })).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).message).toBe(`option "data": the ${what} set is empty`);
      expect((err as InvalidOptionError).option).toBe('data');
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a compile that fails frees the optimizer, made by a factory or from a name, and is an InvalidOptionError naming compile', async () => {
    const before = tf.memory().numTensors;
    // Adam holds two scalars from construction; one named was made by tfjs before it read the loss, and leaked
    for (const optimizer of [() => tf.train.adam(0.01), 'adam', 'sgd'] as const) {
      for (let i = 0; i < 3; i++) {
        await expect(trainTrial(baseOptions({ compile: { optimizer, loss: 'meanSquaredErr' } })))
          .rejects.toThrow(new InvalidOptionError('compile: Unknown loss meanSquaredErr', 'compile'));
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** The train, validation and test rows of a retraining. */
function retrainData(test: ReturnType<typeof linearData>) {
  return {
    xTrain: { values: train.x, shape: [train.n, D] }, yTrain: { values: train.y, shape: [train.n, 1] },
    xVal: { values: val.x, shape: [val.n, D] }, yVal: { values: val.y, shape: [val.n, 1] },
    xTest: { values: test.x, shape: [test.n, D] }, yTest: { values: test.y, shape: [test.n, 1] },
  };
}

describe('retrainAndTest', () => {
  it('trains exactly `epochs` on train + val and reports a test RMSE near the noise level', async () => {
    const test = linearData(60, D, 0.1, 13);
    const before = tf.memory().numTensors;
    const r = await retrainAndTest({
      build: mlp(4, 1e-4),
      compile: { optimizer: () => tf.train.adam(0.02), loss: 'meanSquaredError' },
      data: retrainData(test),
      metric: 'rmse', epochs: 25, batchSize: 32, seed: 2,
    });
    expect(r.epochsRun).toBe(25);
    expect(r.history.every((h) => h.valMetric === null)).toBe(true);
    expect(r.testMetric).toBeLessThan(0.35 * std(test.y));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a diverged retraining has no test score (NaN), not the accuracy of NaN weights', async () => {
    const before = tf.memory().numTensors;
    const n = 30;
    const x = Float32Array.from({ length: n * D }, (_, i) => (i === 4 ? NaN : Math.sin(i * 1.3)));
    const y = Float32Array.from({ length: n * 2 }, (_, i) => (Math.floor(i / 2) % 2 === i % 2 ? 1 : 0));
    const part = { values: x, shape: [n, D] };
    const r = await retrainAndTest({
      build: () => tf.sequential({ layers: [tf.layers.dense({ units: 2, activation: 'softmax', inputShape: [D], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] }),
      compile: { optimizer: () => tf.train.sgd(0.1), loss: 'categoricalCrossentropy' },
      data: { xTrain: part, yTrain: { values: y, shape: [n, 2] }, xVal: part, yVal: { values: y, shape: [n, 2] }, xTest: { values: x.map((v) => (Number.isNaN(v) ? 0 : v)), shape: [n, D] }, yTest: { values: y, shape: [n, 2] } },
      metric: 'accuracy', epochs: 3, batchSize: 10,
    });
    expect(Number.isFinite(r.history[0].loss)).toBe(false);
    expect(r.testMetric).toBeNaN();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains each epoch on what `augment` returns for it, disposing those tensors', async () => {
    const test = linearData(60, D, 0.1, 13);
    const before = tf.memory().numTensors;
    const seen: { epoch: number; rows: number; first: number }[] = [];
    const common = {
      build: mlp(4, 1e-4),
      compile: { optimizer: () => tf.train.adam(0.02), loss: 'meanSquaredError' },
      data: retrainData(test),
      metric: 'rmse' as const, epochs: 25, batchSize: 32, seed: 2,
    };
    const plain = await retrainAndTest(common);
    // zeroing the inputs leaves only the bias to learn: the test RMSE rises to about std(y)
    const r = await retrainAndTest({
      ...common,
      augment: (x, epoch) => {
        seen.push({ epoch, rows: x.shape[0]!, first: x.dataSync()[0] });
        return tf.zerosLike(x);
      },
    });
    expect(seen).toEqual(Array.from({ length: 25 }, (_, epoch) => epoch).map((epoch) => ({ epoch, rows: train.n + val.n, first: train.x[0] })));
    expect(r.history.map((h) => h.loss)).not.toEqual(plain.history.map((h) => h.loss));
    expect(r.testMetric).toBeGreaterThan(0.8 * std(test.y));
    expect(plain.testMetric).toBeLessThan(0.35 * std(test.y));
    expect(tf.memory().numTensors).toBe(before);
  });
});
