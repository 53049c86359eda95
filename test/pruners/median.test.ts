import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MedianPruner, PercentilePruner } from '../../src/pruners';
import { percentileOf } from '../../src/pruners/median';
import { curve } from './helpers';

/**
 * Median stopping rule (Golovin et al. 2017, Google Vizier): stop a trial
 * whose best value so far is worse than the median of the complete trials'
 * values at the same step. Defaults: 5 startup trials, 0 warm-up steps.
 */
describe('MedianPruner', () => {
  // five complete learning curves (loss, minimize): medians 4, 3, 2, 1.5 at steps 1..4
  const done = [
    curve(0, 'complete', [2, 1, 0.5, 0.2]),
    curve(1, 'complete', [3, 2, 1, 1]),
    curve(2, 'complete', [4, 3, 2, 1.5]),
    curve(3, 'complete', [5, 4, 3, 2]),
    curve(4, 'complete', [6, 5, 4, 3]),
  ];

  it('has the usual defaults: 5 startup trials, 0 warm-up steps', () => {
    const p = new MedianPruner();
    expect([p.startupTrials, p.warmupSteps, p.intervalSteps, p.percentile, p.name]).toEqual([5, 0, 1, 50, 'median']);
  });

  it('prunes per step exactly when the best value so far is worse than that step\'s median', () => {
    const p = new MedianPruner();
    // a curve that starts fine and stalls: steps 1..4 vs medians 4, 3, 2, 1.5
    const values = [3.5, 2.9, 2.5, 2.5];
    const expected = [false, false, true, true];
    values.forEach((_, i) => {
      const t = curve(9, 'running', values.slice(0, i + 1));
      expect(p.prune({ direction: 'minimize', trial: t, trials: [...done, t] }), `step ${i + 1}`).toBe(expected[i]);
    });
    // the best over steps counts, not the last value: 1.0 at step 2 keeps it at step 3 (median 2)
    const dip = curve(9, 'running', [4, 1, 2.5]);
    expect(p.prune({ direction: 'minimize', trial: dip, trials: done })).toBe(false);
    // equal to the median is kept
    expect(p.prune({ direction: 'minimize', trial: curve(9, 'running', [4]), trials: done })).toBe(false);
  });

  it('maximize: pruned when the best so far is below the median', () => {
    const p = new MedianPruner();
    const acc = done.map((t) => curve(t.id, 'complete', t.values.map((v) => -v)));
    expect(p.prune({ direction: 'maximize', trial: curve(9, 'running', [-3.5, -3.1]), trials: acc })).toBe(true);
    expect(p.prune({ direction: 'maximize', trial: curve(9, 'running', [-3.5, -2.9]), trials: acc })).toBe(false);
  });

  it('waits for 5 complete trials; running and pruned ones neither count nor set the bar', () => {
    const p = new MedianPruner();
    const t = curve(9, 'running', [100]);
    expect(p.prune({ direction: 'minimize', trial: t, trials: done.slice(0, 4) })).toBe(false);
    const others = [...done.slice(0, 4), curve(5, 'running', [0, 0]), curve(6, 'pruned', [0])];
    expect(p.prune({ direction: 'minimize', trial: t, trials: others })).toBe(false);
    expect(p.prune({ direction: 'minimize', trial: t, trials: done })).toBe(true);
    // a running trial of another worker with excellent values leaves the median at 4
    expect(p.prune({ direction: 'minimize', trial: curve(9, 'running', [3.9]), trials: [...done, curve(7, 'running', [0, 0, 0])] })).toBe(false);
  });

  it('NaN reports as Optuna reads them: counted towards minTrials, left out of the median and of a best value; a trial of NaN only is pruned', () => {
    const p = new MedianPruner({ startupTrials: 4, minTrials: 3 });
    const withNaN = [curve(0, 'complete', [NaN]), curve(1, 'complete', [NaN]), curve(2, 'complete', [0.5]), curve(3, 'complete', [0.6])];
    // four reports at step 1 (3 needed), median of the finite ones 0.55
    expect(p.prune({ direction: 'minimize', trial: curve(9, 'running', [0.9]), trials: withNaN })).toBe(true);
    expect(p.prune({ direction: 'minimize', trial: curve(9, 'running', [0.5]), trials: withNaN })).toBe(false);
    // only NaN at the step: no bar
    const allNaN = withNaN.map((t) => curve(t.id, 'complete', [NaN]));
    expect(p.prune({ direction: 'minimize', trial: curve(9, 'running', [0.9]), trials: allNaN })).toBe(false);
    // a NaN first value does not hide the best one, and a curve of NaN only is pruned
    expect(p.prune({ direction: 'minimize', trial: curve(9, 'running', [NaN, 0.5], [0, 1]), trials: withNaN })).toBe(false);
    expect(p.prune({ direction: 'minimize', trial: curve(9, 'running', [NaN]), trials: withNaN })).toBe(true);
  });

  it('warm-up steps and intervals', () => {
    const warm = new MedianPruner({ warmupSteps: 2 });
    expect(warm.prune({ direction: 'minimize', trial: curve(9, 'running', [100]), trials: done })).toBe(false);
    expect(warm.prune({ direction: 'minimize', trial: curve(9, 'running', [100, 100]), trials: done })).toBe(true);
    // interval 2 from warm-up 0: checks at steps 2, 4 (and the first report within each interval)
    const every2 = new MedianPruner({ intervalSteps: 2 });
    expect(every2.prune({ direction: 'minimize', trial: curve(9, 'running', [100, 100, 100]), trials: done })).toBe(false);
    expect(every2.prune({ direction: 'minimize', trial: curve(9, 'running', [100, 100, 100, 100]), trials: done })).toBe(true);
    // no complete trial reported at this step: no verdict
    expect(new MedianPruner().prune({ direction: 'minimize', trial: curve(9, 'running', [100], [7]), trials: done })).toBe(false);
  });

  it('a trial exactly at the median is kept, as Optuna keeps it', () => {
    const losses = [0.1, 1.5, 2, 3, 0.05, 0.01];
    const trials = losses.map((v, i) => curve(i, 'complete', [v]));
    const m = new MedianPruner();
    expect(m.prune({ direction: 'minimize', trial: curve(9, 'running', [0.8]), trials })).toBe(false);
    expect(m.prune({ direction: 'minimize', trial: curve(9, 'running', [0.8000000000000002]), trials })).toBe(true);
    const up = losses.map((v, i) => curve(i, 'complete', [-v]));
    // negated, numpy's median is -0.7999999999999999, so -0.8 is below it: pruned, by Optuna too
    expect(m.prune({ direction: 'maximize', trial: curve(9, 'running', [-0.7999999999999999]), trials: up })).toBe(false);
    expect(m.prune({ direction: 'maximize', trial: curve(9, 'running', [-0.8]), trials: up })).toBe(true);
    // near ±1.7e308 the median is 0, not Infinity
    const huge = [-1.7e308, 1.7e308, -1.7e308, 1.7e308, 0].map((v, i) => curve(i, 'complete', [v]));
    expect(m.prune({ direction: 'minimize', trial: curve(9, 'running', [1]), trials: huge })).toBe(true);
  });

  it('percentileOf selects the two order statistics as a sort would: equal on any values and percentile', () => {
    // the reference: numpy's linear method on the sorted values, as percentileOf took it before selection
    const bySort = (xs: number[], q: number): number => {
      const s = Float64Array.from(xs).sort();
      const pos = (s.length - 1) * (q / 100);
      const lo = Math.floor(pos);
      const hi = Math.min(lo + 1, s.length - 1);
      const t = pos - lo;
      const diff = s[hi] - s[lo];
      if (!Number.isFinite(diff) && Number.isFinite(s[lo]) && Number.isFinite(s[hi])) return s[lo] * (1 - t) + s[hi] * t;
      return t >= 0.5 ? s[hi] - diff * (1 - t) : s[lo] + diff * t;
    };
    // few distinct values (ties, runs, sorted and reversed input) as well as any double
    const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true }), fc.constantFrom(Infinity, -Infinity, -0));
    const xs = fc.oneof(
      fc.array(value, { minLength: 1, maxLength: 60 }),
      fc.array(value, { minLength: 1, maxLength: 60 }).map((a) => a.sort((x, y) => x - y)),
      fc.array(value, { minLength: 1, maxLength: 60 }).map((a) => a.sort((x, y) => y - x)),
    );
    fc.assert(
      fc.property(xs, fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0, 25, 50, 75, 100)), (a, q) => {
        const before = [...a];
        expect(Object.is(percentileOf(a, q) + 0, bySort(a, q) + 0)).toBe(true); // -0 and 0 alike: a bar compares
        expect(a).toEqual(before); // the caller's array is not reordered
      }),
      { seed: 20261206, numRuns: 3000 },
    );
  });

  it('PercentilePruner keeps the given top percent, interpolating like numpy', () => {
    expect(percentileOf([1, 2, 3, 4, 5, 6], 50)).toBe(3.5);
    expect(percentileOf([1, 2, 3, 4, 5], 25)).toBe(2);
    expect(percentileOf([10, 0], 10)).toBeCloseTo(1, 12);
    // numpy takes the upper half's interpolation from the upper end: a value equal to the
    // median is not an ulp off it (lo + (hi - lo) * t gives 0.7999999999999999 here)
    expect(percentileOf([0.1, 1.5, 2, 3, 0.05, 0.01], 50)).toBe(0.8);
    expect(percentileOf([-0.1, -1.5, -2, -3, -0.05, -0.01], 50)).toBe(-0.7999999999999999); // numpy's figure too
    // values of opposite sign near the largest double: no overflow to Infinity
    expect(percentileOf([-1.7e308, 1.7e308], 50)).toBe(0);
    expect(percentileOf([-1.7e308, 1.7e308, 1.7e308], 25)).toBe(0);
    // another worker's infinite reports: numpy 1.24's nanpercentile, NaN (no bar) where it is NaN
    const inf = Infinity;
    const numpy: [number[], number[]][] = [
      [[2, inf], [NaN, inf, NaN, NaN, NaN]],
      [[1, 2, inf], [1, 1.5, NaN, NaN, NaN]],
      [[-inf, 1], [NaN, NaN, -inf, -inf, 1]],
      [[1, 2, 3, inf], [1, 1.75, 2.5, inf, NaN]],
      [[-inf, 0, 1, 2], [NaN, -inf, 0.5, 1.25, 2]],
    ];
    for (const [xs, want] of numpy) expect([0, 25, 50, 75, 100].map((q) => percentileOf(xs, q))).toEqual(want);
    const p25 = new PercentilePruner(25); // the 25th percentile at step 1 of 2,3,4,5,6 is 3
    expect(p25.prune({ direction: 'minimize', trial: curve(9, 'running', [3.1]), trials: done })).toBe(true);
    expect(p25.prune({ direction: 'minimize', trial: curve(9, 'running', [3]), trials: done })).toBe(false);
    expect(() => new PercentilePruner(101)).toThrow('option "percentile": expected a number in [0, 100], got 101');
    expect(() => new PercentilePruner('50' as unknown as number)).toThrow('option "percentile": expected a number in [0, 100], got "50"');
    expect(() => new MedianPruner({ startupTrials: -1 })).toThrow('option "startupTrials": expected an integer >= 0, got -1');
  });
});
