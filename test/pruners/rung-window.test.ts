import { describe, expect, it } from 'vitest';
import { InvalidOptionError, SuccessiveHalvingPruner, type PrunerTrial } from '../../src/index';
import { rungValue } from '../../src/pruners/successive-halving';
import { curve, extend } from './helpers';

/**
 * ASHA's `rungWindow`: a trial's value at a rung is the median of its last k
 * reports up to the rung, so a one-epoch dip neither sets the bar nor passes
 * it. Hand-built curves after the taxi study's seed 1 (one rung at epoch 4:
 * minResource 4, eta 4, so with n <= 7 values there only the best goes on).
 */

// The first training: 4.76, 2.97, 2.65, then a dip of one epoch to 2.37 at the rung, 2.67 after.
const lucky = curve(0, 'complete', [4.76, 2.97, 2.65, 2.37, 2.67, 2.54]);
// A steady training: 2.70, 2.60, 2.55, 2.51 at the rung: behind the dip, ahead of the curve around it.
const steady = [2.7, 2.6, 2.55, 2.51];
const judge = (p: SuccessiveHalvingPruner, values: number[], others: PrunerTrial[], direction: 'minimize' | 'maximize' = 'minimize') => {
  const t = curve(9, 'running', values);
  return p.prune({ direction, trial: t, trials: [...others, t] });
};

describe('rungValue', () => {
  it('is the value itself for k = 1 and the median of the last k values otherwise', () => {
    const v = [4.76, 2.97, 2.65, 2.37];
    expect(rungValue(v, 3, 1)).toBe(2.37);
    expect(rungValue(v, 3, 3)).toBe(2.65);
    expect(rungValue(v, 3, 2)).toBeCloseTo((2.65 + 2.37) / 2, 12);
    // fewer reports than k: the median of those there are
    expect(rungValue(v, 1, 3)).toBeCloseTo((4.76 + 2.97) / 2, 12);
    expect(rungValue(v, 0, 5)).toBe(4.76);
  });
});

describe('SuccessiveHalvingPruner rungWindow', () => {
  const optuna = new SuccessiveHalvingPruner({ minResource: 4 });
  const window3 = new SuccessiveHalvingPruner({ minResource: 4, rungWindow: 3 });

  it('the default (1) judges the value at the rung step: the dip stops the steady training', () => {
    expect(optuna.rungWindow).toBe(1);
    // steps 1..3 pass no rung; at step 4: 2.51 against the dip's 2.37, n = 2, keep 1
    expect(judge(optuna, steady.slice(0, 3), [lucky])).toBe(false);
    expect(judge(optuna, steady, [lucky])).toBe(true);
  });

  it('a window of 3 judges medians: 2.55 (steady) against 2.65 (the dip\'s curve), so the steady training goes on', () => {
    expect(judge(window3, steady, [lucky])).toBe(false);
    // a training worse over the window is still stopped: 2.9, 2.8, 2.7 -> 2.8 > 2.65
    expect(judge(window3, [3.0, 2.9, 2.8, 2.7], [lucky])).toBe(true);
  });

  it('the judged trial\'s own dip does not pass it: 2.90, 2.80, then 2.30 at the rung has median 2.80', () => {
    expect(judge(optuna, [3.0, 2.9, 2.8, 2.3], [lucky])).toBe(false);
    expect(judge(window3, [3.0, 2.9, 2.8, 2.3], [lucky])).toBe(true);
  });

  it('per rung with more values: keeps the best max(1, floor(n / 4)) medians at the rung', () => {
    // 7 others at the rung with medians 2.50 .. 2.80 (step 0.05), each curve flat over the window
    const others = Array.from({ length: 7 }, (_, i) => curve(i, 'complete', [3, 2.5 + 0.05 * i, 2.5 + 0.05 * i, 2.5 + 0.05 * i, 2.5]));
    // n = 8: keep 2; a trial whose median is 2.52 is 2nd (only 2.50 is better): goes on
    expect(judge(window3, [3, 2.52, 2.52, 2.52], others)).toBe(false);
    // median 2.56 has 2.50 and 2.55 ahead: stopped, although its value at the rung (2.40) is the best there
    expect(judge(window3, [3, 2.56, 2.7, 2.4], others)).toBe(true);
    expect(judge(optuna, [3, 2.56, 2.7, 2.4], others)).toBe(false);
  });

  it('a competitor that jumped past the rung is read at its first step after it, with the reports before', () => {
    // reports at 2, 3, 6: its rung-4 value is the median of 2.6, 2.5, 2.4 = 2.5
    const jumper = curve(1, 'complete', [2.6, 2.5, 2.4], [2, 3, 6]);
    expect(judge(window3, [2.7, 2.6, 2.52, 2.52], [jumper])).toBe(true);
    expect(judge(window3, [2.7, 2.6, 2.48, 2.48], [jumper])).toBe(false);
  });

  it('maximize mirrors minimize', () => {
    const neg = (t: PrunerTrial): PrunerTrial => ({ ...t, values: t.values.map((v) => -v) });
    for (const vals of [steady, [3.0, 2.9, 2.8, 2.7], [3.0, 2.9, 2.8, 2.3]]) {
      expect(judge(window3, vals.map((v) => -v), [neg(lucky)], 'maximize')).toBe(judge(window3, vals, [lucky]));
    }
  });

  it('rungs are judged once: reports after the rung are not judged again', () => {
    const t = extend(curve(9, 'running', steady), 5, 9.0);
    expect(window3.prune({ direction: 'minimize', trial: t, trials: [lucky, t] })).toBe(false);
  });

  it('rejects a window below 1 or not an integer, naming rungWindow', () => {
    for (const bad of [0, 1.5, -2]) {
      expect(() => new SuccessiveHalvingPruner({ rungWindow: bad })).toThrow(InvalidOptionError);
      expect(() => new SuccessiveHalvingPruner({ rungWindow: bad })).toThrow('option "rungWindow": expected an integer >= 1');
    }
  });
});
