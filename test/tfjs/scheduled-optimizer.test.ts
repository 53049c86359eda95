import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { ScheduledAdam, ScheduledRmsprop } from '../../src/tfjs/scheduled-optimizer';
import type { LrSchedule } from '../../src/util/lr-schedule';

beforeAll(async () => {
  await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
});

/** float32 arithmetic over 5 steps of x ~ 1 */
const TOL_F32 = 1e-6;

/** Adam (beta1 0.9, beta2 0.999, epsilon 1e-7, bias-corrected) in float64 on x with loss g * x (constant gradient g). */
function adamTrajectory(x0: number, g: number, rates: number[]): number[] {
  let m = 0;
  let v = 0;
  let x = x0;
  return rates.map((lr, i) => {
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    x -= (lr * (m / (1 - 0.9 ** (i + 1)))) / (Math.sqrt(v / (1 - 0.999 ** (i + 1))) + 1e-7);
    return x;
  });
}

/** RMSprop (decay 0.9, epsilon 1e-7 under the root) in float64 on x with loss g * x (constant gradient g). */
function rmspropTrajectory(x0: number, g: number, rates: number[]): number[] {
  let ms = 0;
  let x = x0;
  return rates.map((lr) => {
    ms = 0.9 * ms + 0.1 * g * g;
    x -= (lr * g) / Math.sqrt(ms + 1e-7);
    return x;
  });
}

const cases = [
  { name: 'ScheduledAdam', make: (r: number, s: LrSchedule, n: number) => new ScheduledAdam(r, s, n), plain: (r: number) => tf.train.adam(r), trajectory: adamTrajectory },
  { name: 'ScheduledRmsprop', make: (r: number, s: LrSchedule, n: number) => new ScheduledRmsprop(r, s, n), plain: (r: number) => tf.train.rmsprop(r), trajectory: rmspropTrajectory },
];

describe.each(cases)('$name', ({ make, plain, trajectory }) => {
  it('rejects a step count that is not a positive integer and an unknown schedule, naming them', () => {
    expect(() => make(1e-3, 'linear', 2.5))
      .toThrow(new InvalidOptionError('option "totalSteps": must be a positive integer (got 2.5)', 'totalSteps'));
    expect(() => make(1e-3, 'linear', 0))
      .toThrow(new InvalidOptionError('option "totalSteps": must be a positive integer (got 0)', 'totalSteps'));
    expect(() => make(1e-3, 'cosine' as never, 4))
      .toThrow(new InvalidOptionError('option "schedule": must be one of constant, linear, warmup-linear (got "cosine")', 'schedule'));
  });

  it('takes its steps at the scheduled rates (float64 reference), and none once a linear schedule has run out', () => {
    const g = 0.5;
    const x = tf.variable(tf.scalar(1));
    const opt = make(0.02, 'linear', 4);
    const seen: number[] = [];
    const rates: number[] = [];
    for (let i = 0; i < 5; i++) {
      rates.push(opt.currentRate);
      opt.minimize(() => tf.mul(x, g) as tf.Scalar);
      seen.push(x.dataSync()[0]);
    }
    expect(rates.map((r) => r / 0.02)).toEqual([1, 0.75, 0.5, 0.25, 0]);
    const want = trajectory(1, g, rates);
    seen.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(TOL_F32));
    expect(seen[4]).toBe(seen[3]);
    opt.dispose();
    x.dispose();
  });

  it('with the constant schedule moves exactly as the tfjs optimizer at the same rate', () => {
    const a = tf.variable(tf.scalar(1));
    const b = tf.variable(tf.scalar(1));
    const sched = make(0.01, 'constant', 2);
    const reference = plain(0.01);
    for (let i = 0; i < 4; i++) {
      sched.minimize(() => tf.mul(a, 0.3) as tf.Scalar);
      reference.minimize(() => tf.mul(b, 0.3) as tf.Scalar);
    }
    expect(a.dataSync()[0]).toBe(b.dataSync()[0]);
    tf.dispose([a, b]);
    sched.dispose();
    reference.dispose();
  });
});
