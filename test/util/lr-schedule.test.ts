import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { checkLrSchedule, scheduledRate } from '../../src/util/lr-schedule';

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

  it('rejects an unknown schedule with a typed error naming the option', () => {
    expect(() => checkLrSchedule('cosine', 'lrSchedule'))
      .toThrow(new InvalidOptionError('option "lrSchedule": must be one of constant, linear (got cosine)', 'lrSchedule'));
  });
});
