/** The learning-curve helpers' argument checks (src/pruners/curve.ts); checkReport's step and value checks are in parse.test.ts. */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { checkReport } from '../../src/pruners/curve';
import { thrown } from '../optimizer/caught';
import { curve } from './helpers';

describe('checkReport trial', () => {
  it('what is not a trial\'s curve is an InvalidOptionError naming trial (undefined was a TypeError reading state)', () => {
    for (const [v, got] of [[undefined, 'undefined'], [null, 'null'], [{}, 'an object'], [{ id: 0, state: 'running' }, 'an object'], [[], 'an array']] as const) {
      const e = thrown(() => checkReport(v as never, 1, 0.5)) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual(['trial', `report: trial: expected a trial's curve ({ id, state, steps, values }), got ${got}`]);
    }
    expect(() => checkReport(curve(0, 'running', []), 1, 0.5)).not.toThrow();
  });
});
