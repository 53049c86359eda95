/** A tiny seeded regression trial for the backend tests. */
import * as tf from '@tensorflow/tfjs';
import { trainTrial } from '../../src/tfjs/train';
import { linearData, std } from './synthetic';

/**
 * Fits a 3-16-1 MLP on 96 seeded linear rows with the active tfjs backend.
 * Returns validation RMSE over the target spread, and how many tensors the
 * trial left behind (0 when it frees everything).
 */
export async function tinyRegression(seed: number): Promise<{ relativeRmse: number; leaked: number }> {
  const d = 3;
  const tr = linearData(96, d, 0.05, seed);
  const va = linearData(32, d, 0.05, seed + 1);
  const before = tf.memory().numTensors;
  const r = await trainTrial({
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ units: 16, activation: 'relu', inputShape: [d], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ] }),
    compile: { optimizer: () => tf.train.adam(0.03), loss: 'meanSquaredError' },
    data: {
      xTrain: { values: tr.x, shape: [tr.n, d] }, yTrain: { values: tr.y, shape: [tr.n, 1] },
      xVal: { values: va.x, shape: [va.n, d] }, yVal: { values: va.y, shape: [va.n, 1] },
    },
    metric: 'rmse', epochs: 25, batchSize: 32, seed: 4,
  });
  return { relativeRmse: r.valMetric / std(va.y), leaked: tf.memory().numTensors - before };
}
