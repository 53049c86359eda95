/** `rows` of a bayes_opt import: where each imported point came from, numbered as `skipped` is. */
import { describe, expect, it } from 'vitest';
import { importBayesOpt, importBayesOptLog, importBayesOptState } from '../../src/storage';

const line = (target: string, x: number) => `{"target": ${target}, "params": {"x": ${x}}}`;

describe('bayes_opt import rows', () => {
  it('log: 1-based line numbers, blank and bad lines left out', () => {
    const text = [line('1.0', 0.1), '', line('NaN', 0.2), 'not json', line('2.0', 0.3), line('3.0', 0.4)].join('\n');
    const r = importBayesOptLog(text);
    expect(r.rows).toEqual([1, 5, 6]);
    expect(r.params.map((p) => p.x)).toEqual([0.1, 0.3, 0.4]);
    expect(r.skipped.map((s) => s.line)).toEqual([3, 4]);
  });

  it('saved state: 1-based rows of "params", rows with a non-finite target left out', () => {
    const text = JSON.stringify({ keys: ['x'], params: [[0.1], [0.2], [0.3]], target: [1, null, 3] });
    const r = importBayesOptState(text);
    expect(r.rows).toEqual([1, 3]);
    expect(r.skipped).toEqual([{ line: 2, reason: 'target is null' }]);
    expect(importBayesOpt(text).rows).toEqual([1, 3]);
  });
});
