import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { dropout, SeededDropout } from '../../src/tfjs/seeded-dropout';

beforeAll(async () => {
  await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
});

/** Sampling tolerance for the dropped share of 20,000 units at rate 0.3 (about 5 binomial sd). */
const TOL_SHARE = 0.02;

const ones = () => tf.ones([200, 100]);
const run = (layer: tf.layers.Layer, training: boolean) =>
  tf.tidy(() => Array.from((layer.apply(ones(), { training }) as tf.Tensor).dataSync()));

describe('SeededDropout', () => {
  it('drops about `rate` of the units while training and scales the rest by 1 / (1 - rate)', () => {
    const v = run(new SeededDropout({ rate: 0.3, seed: 1 }), true);
    const dropped = v.filter((x) => x === 0).length / v.length;
    expect(Math.abs(dropped - 0.3)).toBeLessThan(TOL_SHARE);
    for (const x of v) if (x !== 0) expect(x).toBeCloseTo(1 / 0.7, 5);
  });

  it('draws a new mask per call, and the same masks again under the same seed', () => {
    const a = new SeededDropout({ rate: 0.5, seed: 7 });
    const b = new SeededDropout({ rate: 0.5, seed: 7 });
    const a1 = run(a, true);
    const a2 = run(a, true);
    expect(a2).not.toEqual(a1);
    expect(run(b, true)).toEqual(a1);
    expect(run(b, true)).toEqual(a2);
    expect(run(new SeededDropout({ rate: 0.5, seed: 8 }), true)).not.toEqual(a1);
  });

  it('is the identity outside training and at rate 0, leaking no tensors', () => {
    const before = tf.memory().numTensors;
    expect(run(new SeededDropout({ rate: 0.5, seed: 1 }), false).every((x) => x === 1)).toBe(true);
    expect(run(new SeededDropout({ rate: 0, seed: 1 }), true).every((x) => x === 1)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports its rate, rejects a bad one, and falls back to tfjs dropout without a seed', () => {
    expect(new SeededDropout({ rate: 0.25, seed: 1 }).getConfig().rate).toBe(0.25);
    expect(() => new SeededDropout({ rate: 1, seed: 1 })).toThrow(new InvalidOptionError('option "rate": must be in [0, 1) (got 1)', 'rate'));
    expect(dropout(0.2, undefined).getClassName()).toBe('Dropout');
    expect(dropout(0.2, 3).getClassName()).toBe('SeededDropout');
  });
});
