import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { checkLrSchedule, scheduledRate, warmupSteps } from '../../src/util/lr-schedule';

describe('scheduledRate', () => {
  it('constant keeps the rate; linear falls from the rate to rate / totalSteps at the last step, then 0', () => {
    expect([0, 3, 9].map((s) => scheduledRate('constant', 0.01, s, 4))).toEqual([0.01, 0.01, 0.01]);
    const lin = [0, 1, 2, 3, 4, 5].map((s) => scheduledRate('linear', 0.01, s, 4));
    expect(lin[0]).toBe(0.01);
    expect(lin[1]).toBeCloseTo(0.0075, 15);
    expect(lin[2]).toBeCloseTo(0.005, 15);
    expect(lin[3]).toBeCloseTo(0.0025, 15);
    expect(lin.slice(4)).toEqual([0, 0]);
  });

  it('warmup-linear rises to the rate over the first 5% of the steps, then falls linearly to 0 after the last', () => {
    expect([1, 10, 19, 20, 21, 100, 400].map(warmupSteps)).toEqual([1, 1, 1, 1, 1, 5, 20]);
    const total = 100; // 5 warm-up steps
    const r = (s: number) => scheduledRate('warmup-linear', 0.01, s, total);
    expect([0, 1, 2, 3, 4].map((s) => r(s) / 0.01)).toEqual([0.2, 0.4, 0.6, 0.8, 1].map((v) => expect.closeTo(v, 12)));
    // after the peak: lr * (1 - (s - 4) / 96), so the last step (99) takes lr / 96
    expect(r(5)).toBeCloseTo(0.01 * (95 / 96), 15);
    expect(r(51)).toBeCloseTo(0.01 * (49 / 96), 15);
    expect(r(99)).toBeCloseTo(0.01 / 96, 15);
    expect(r(100)).toBe(0);
    for (let s = 5; s < total; s++) expect(r(s)).toBeLessThan(r(s - 1) + (s === 5 ? 0 : 1e-18));
    // one step: the whole run is the warm-up, at the full rate
    expect(scheduledRate('warmup-linear', 0.01, 0, 1)).toBe(0.01);
  });

  it('rejects an unknown schedule with a typed error naming the option', () => {
    expect(() => checkLrSchedule('cosine', 'lrSchedule'))
      .toThrow(new InvalidOptionError('option "lrSchedule": must be one of constant, linear, warmup-linear (got "cosine")', 'lrSchedule'));
  });
});
