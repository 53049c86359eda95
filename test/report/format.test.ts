/** The report's and the command line's shared phrases (src/report/format.ts). */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { budgetText, formatParams } from '../../src/report/format';
import { thrown } from '../optimizer/caught';

describe('budgetText', () => {
  it('says evaluations, or wall time with the cap, and grid search\'s grid where it is laid out for fewer', () => {
    const all = ['grid', 'random', 'bayes'] as const;
    expect(budgetText({ budget: 20, gridBudget: 20, timeBudget: null, strategies: [...all] })).toBe('20 evaluations per strategy');
    expect(budgetText({ budget: 1000, gridBudget: 20, timeBudget: 120, strategies: [...all] }))
      .toBe('120 s of wall time (at most 1000 evaluations; grid search: its grid of 20) per strategy');
    // no grid search run, or its grid as large as the cap, or a record from before gridBudget: nothing of grid
    for (const o of [{ gridBudget: 20, strategies: ['random', 'bayes'] }, { gridBudget: 1000, strategies: [...all] }, { strategies: [...all] }]) {
      expect(budgetText({ budget: 1000, timeBudget: 120, ...o } as never)).toBe('120 s of wall time (at most 1000 evaluations) per strategy');
    }
  });
});

describe('formatParams', () => {
  it('refuses params that are not an object, naming params (null was a TypeError, a string listed its characters as 0=x)', () => {
    for (const [v, got] of [[null, 'null'], [undefined, 'undefined'], ['x', '"x"'], [[1], '[1]']] as const) {
      const e = thrown(() => formatParams(v as never)) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual(['params', `params: expected an object of parameter values, got ${got}`]);
    }
    expect(formatParams({ lr: 0.01234, opt: 'adam' })).toBe('lr=0.0123, opt=adam');
  });
});
