import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { trainTrial, type TrainTrialOptions } from '../../src/tfjs/train';
import { linearData } from './synthetic';

beforeAll(async () => {
  const info = await setupTfjsBackend({ prefer: 'cpu', log: () => {} });
  expect(info.backend).toBe('cpu');
});

function options(): TrainTrialOptions {
  const d = 3;
  const tr = linearData(64, d, 0.05, 1);
  const va = linearData(32, d, 0.05, 2);
  return {
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ units: 8, activation: 'relu', inputShape: [d], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ] }),
    compile: { optimizer: () => tf.train.adam(0.03), loss: 'meanSquaredError' },
    data: {
      xTrain: { values: tr.x, shape: [tr.n, d] }, yTrain: { values: tr.y, shape: [tr.n, 1] },
      xVal: { values: va.x, shape: [va.n, d] }, yVal: { values: va.y, shape: [va.n, 1] },
    },
    metric: 'rmse', epochs: 6, batchSize: 32, seed: 4,
  };
}

describe('trainTrial with a context', () => {
  it('reports each epoch\'s validation metric as step epoch + 1 and stops when told', async () => {
    const reports: [number, number][] = [];
    const before = tf.memory().numTensors;
    const r = await trainTrial({
      ...options(),
      context: { report: async (step, value) => (reports.push([step, value]), step === 3) },
    });
    expect(r.pruned).toBe(true);
    expect(r.epochsRun).toBe(3);
    expect(reports).toEqual(r.history.map((h, i) => [i + 1, h.valMetric]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports the last epoch, and the epoch where patience runs out, as final (never judged)', async () => {
    const finals: [number, boolean][] = [];
    const ctx = { report: async (step: number, _v: number, o?: { final?: boolean }) => (finals.push([step, o?.final === true]), false) };
    await trainTrial({ ...options(), epochs: 3, context: ctx });
    expect(finals).toEqual([[1, false], [2, false], [3, true]]);
    finals.length = 0;
    // a learning rate of 0 never improves on epoch 1: patience 2 ends it at epoch 3, before the 6th
    const r = await trainTrial({ ...options(), compile: { optimizer: () => tf.train.sgd(0), loss: 'meanSquaredError' }, patience: 2, context: ctx });
    expect([r.stoppedEarly, r.epochsRun]).toEqual([true, 3]);
    expect(finals).toEqual([[1, false], [2, false], [3, true]]);
  });

  it('trains every epoch while the context keeps it, and as before without one', async () => {
    const reports: number[] = [];
    const kept = await trainTrial({ ...options(), context: { report: async (step) => (reports.push(step), false) } });
    expect([kept.pruned, kept.epochsRun]).toEqual([false, 6]);
    expect(reports).toEqual([1, 2, 3, 4, 5, 6]);
    const plain = await trainTrial(options());
    expect([plain.pruned, plain.epochsRun]).toEqual([false, 6]);
    expect(plain.history.map((h) => h.valMetric)).toEqual(kept.history.map((h) => h.valMetric));
  });
});
