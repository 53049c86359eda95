/** The table `tune` prints after a run, on studies of a few and of many trials. */
import { describe, expect, it } from 'vitest';
import { formatTuneResult, TABLE_ROWS, type TuneObjectiveResult } from '../../src/cli/tune-objective';
import type { Trial } from '../../src/index';
import { digitsApart, formatDigits } from '../../src/util/format-value';

function result(n: number, bestId: number): TuneObjectiveResult {
  const trials = Array.from({ length: n }, (_, id) => ({
    id, params: { x: id / n }, target: id === bestId ? -1 : id, status: 'complete', durationMs: 10,
  }) as unknown as Trial);
  return {
    strategy: 'random', direction: 'minimize', space: { x: { type: 'float', low: 0, high: 1 } }, names: ['x'],
    trials, best: trials[bestId], recommended: null, wallMs: 1000, escaped: 0,
  };
}

const rowIds = (text: string): number[] => [...text.matchAll(/^(\d+)(?: \*)? {2,}/gm)].map((m) => Number(m[1]));

describe('formatTuneResult', () => {
  it('prints every trial of a study of up to TABLE_ROWS trials', () => {
    const text = formatTuneResult(result(TABLE_ROWS, 3));
    expect(rowIds(text)).toEqual(Array.from({ length: TABLE_ROWS }, (_, i) => i));
    expect(text).not.toMatch(/not shown/);
    expect(text).toMatch(/^3 \* /m);
  });

  it('prints the last trials and the best of a larger study, and says how many it left out', () => {
    const text = formatTuneResult(result(3000, 5));
    const ids = rowIds(text);
    expect(ids).toHaveLength(TABLE_ROWS);
    expect(ids[0]).toBe(5); // the best, an early trial, kept in its place
    expect(ids.slice(1)).toEqual(Array.from({ length: TABLE_ROWS - 1 }, (_, i) => 3000 - (TABLE_ROWS - 1) + i));
    expect(text).toContain(`(${3000 - TABLE_ROWS} earlier trials not shown; \`report\` lists every trial)`);
    expect(text).toContain('random search, minimizing: 3000 trial(s) in 1.0 s');
    expect(text).toContain('best: trial 5, value -1, x=0.00167');
  });

  it('adds no extra row when the best is among the last trials', () => {
    const text = formatTuneResult(result(100, 99));
    expect(rowIds(text)).toEqual(Array.from({ length: TABLE_ROWS - 1 }, (_, i) => 100 - (TABLE_ROWS - 1) + i));
    expect(text).toContain(`(${100 - (TABLE_ROWS - 1)} earlier trials not shown;`);
  });

  it('prints the best and the recommended value with the digits that tell them apart, and no recommended line for the best itself', () => {
    // QA: "best: trial 10, value 0.01" beside "recommended ...: trial 16, value 0.01, predicted 0.01"
    const r = result(20, 10);
    r.trials[10].target = 0.01;
    r.trials[16].target = 0.0100031;
    const text = formatTuneResult({ ...r, recommended: { id: 16, target: 0.0100031, predicted: 0.010002969 } });
    expect(text).toContain('best: trial 10, value 0.01, x=0.5');
    expect(text).toContain("recommended (the model's pick on a noisy objective): trial 16, value 0.010003, predicted 0.010003");
    // values apart at 3 digits keep 3
    expect(formatTuneResult({ ...r, recommended: { id: 16, target: 0.0125, predicted: 0.011 } }))
      .toContain('trial 16, value 0.0125, predicted 0.011');
    // the same value at another trial (a tie) is the same text, as it should be
    expect(formatTuneResult({ ...r, recommended: { id: 3, target: 0.01, predicted: null } }))
      .toMatch(/^recommended \(the model's pick on a noisy objective\): trial 3, value 0\.01$/m);
    const same = formatTuneResult({ ...r, recommended: { id: 10, target: 0.01, predicted: 0.0100001 } });
    expect(same).toContain('best: trial 10, value 0.01, x=0.5');
    expect(same).not.toContain('recommended');
  });
});

describe('digitsApart', () => {
  it('gives the fewest digits from 3 that write different values differently', () => {
    expect(digitsApart([0.01, 0.0100031])).toBe(5);
    expect(digitsApart([1, 2])).toBe(3);
    expect(digitsApart([0.5, 0.5])).toBe(3);
    expect(digitsApart([1e-5, 1.00004e-5])).toBe(6);
    expect(formatDigits(1.00004e-5, 6)).toBe('1.00004e-5');
    expect(digitsApart([0.1 + 0.2, 0.3])).toBe(17);
    expect(formatDigits(0.1 + 0.2, 17)).toBe('0.30000000000000004');
  });
});
