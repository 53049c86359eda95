import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { setupTfjsBackend, type TfjsBackendName } from '../../src/tfjs/backend';
import { trainTrial } from '../../src/tfjs/train';
import { linearData, std } from './synthetic';

/** A tiny regression fit on the active backend; returns validation RMSE / target spread. */
async function tinyTrain(): Promise<number> {
  const d = 3;
  const tr = linearData(96, d, 0.05, 31);
  const va = linearData(32, d, 0.05, 32);
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
  expect(tf.memory().numTensors).toBe(before);
  return r.valMetric / std(va.y);
}

describe('setupTfjsBackend without WebGPU preference', () => {
  for (const prefer of ['wasm', 'cpu'] as TfjsBackendName[]) {
    it(`prefer '${prefer}' selects it, says so in one line, and trains`, async () => {
      const lines: string[] = [];
      const info = await setupTfjsBackend({ prefer, log: (l) => lines.push(l) });
      expect(info).toMatchObject({ backend: prefer, device: null, ownsDevice: false, reason: `prefer=${prefer}` });
      expect(lines).toEqual([`tfjs backend: ${prefer} (prefer=${prefer})`]);
      expect(tf.getBackend()).toBe(prefer);
      expect(await tinyTrain()).toBeLessThan(0.3);
      info.dispose();
      info.dispose();
      expect(tf.getBackend()).toBe(prefer);
    });
  }

  it('rejects an unknown backend name', async () => {
    await expect(setupTfjsBackend({ prefer: 'webgl' as never, log: () => {} }))
      .rejects.toThrow(new InvalidOptionError('option "prefer": must be one of webgpu, wasm, cpu (got "webgl")', 'prefer'));
  });
});
