/**
 * bench:parallel's regret curves: best-so-far, the median over seeds at each
 * trial count, and the evaluations a curve needs to reach a regret.
 */
import { describe, expect, it } from 'vitest';
import { bestSoFar, evaluationsToReach, medianCurve, reachTable } from '../../bench/parallel-curves';

describe('parallel curves', () => {
  it('bestSoFar keeps the least regret seen so far', () => {
    expect(bestSoFar([3, 5, 2, 4, 1])).toEqual([3, 3, 2, 2, 1]);
    expect(bestSoFar([])).toEqual([]);
  });

  it('medianCurve takes the median over runs at each count, and rejects curves of unequal lengths', () => {
    expect(medianCurve([[4, 2], [1, 1], [9, 3]])).toEqual([4, 2]);
    expect(medianCurve([[4, 2], [2, 0]])).toEqual([3, 1]);
    expect(() => medianCurve([[1, 2], [1]])).toThrow('medianCurve: curves of lengths 2, 1');
  });

  it('evaluationsToReach interpolates in log regret between the counts that straddle the target', () => {
    // 1 after 1 trial, 0.01 after 2: 0.1 is half way in log
    expect(evaluationsToReach([1, 0.01, 0.001], 0.1)).toBeCloseTo(1.5, 12);
    expect(evaluationsToReach([1, 0.5, 0.125], 0.25)).toBeCloseTo(2.5, 12);
    // exactly on a count, at the first count, and a zero regret
    expect(evaluationsToReach([1, 0.5, 0.25], 0.5)).toBe(2);
    expect(evaluationsToReach([0.1, 0.05], 1)).toBe(1);
    expect(evaluationsToReach([1, 0], 0.5)).toBe(2);
    expect(evaluationsToReach([1, 0.5], 0.1)).toBeNull();
  });

  it('a curve that trails another by k trials needs k more to reach its regret', () => {
    const seq = Array.from({ length: 40 }, (_, i) => 2 ** -(i / 4));
    const lagged = [...Array(5).fill(1), ...seq.slice(0, 35)];
    expect(evaluationsToReach(lagged, seq[29])).toBeCloseTo(35, 9);
  });
});

describe('reachTable', () => {
  it('gives each method the evaluations its median curve needs to reach sequential after T, and > budget when it never does', () => {
    const curves = new Map<string, number[][]>([
      ['f sequential', [[8, 4, 2, 1], [8, 4, 2, 1]]],
      ['f async-4', [[8, 8, 4, 2], [8, 8, 4, 2]]],
      ['f random', [[8, 8, 8, 8], [8, 8, 8, 8]]],
    ]);
    const t = reachTable(curves, ['f', 'g'], ['sequential', 'async-4', 'random', 'batch-4'], 3, 4);
    expect(t.rows).toEqual([
      { problem: 'f', method: 'async-4', sequentialAtT: 2, evaluations: 4 },
      { problem: 'f', method: 'random', sequentialAtT: 2, evaluations: null },
    ]);
    expect(t.lines).toEqual([
      '| problem | sequential after 3 | async-4 | random | batch-4 |',
      '| --- | --- | --- | --- | --- |',
      '| f | 2.00 | 4.0 | > 4 | - |',
    ]);
  });
});
