import { describe, expect, it } from 'vitest';
import {
  ackley, branin, dixonPrice, goldsteinPrice, hartmann3, hartmann6, levy, michalewicz5, powell, rastrigin, rosenbrock,
  evaluateProblem, schwefel, shekel, sixHumpCamel, styblinskiTang, type TestProblem,
} from '../../src/problems';
import { InvalidOptionError } from '../../src/errors';
import { thrown } from '../optimizer/caught';
import { Rng } from '../../src/util/rng';

const SUITE: TestProblem[] = [
  branin, hartmann6, ackley(5), rosenbrock(4), rastrigin(4), schwefel(4), dixonPrice(4), powell(4),
  // the held-out set of bench:regret --heldout
  sixHumpCamel, goldsteinPrice, hartmann3, levy(4), shekel, styblinskiTang(5), michalewicz5,
];

describe('regret-suite test functions', () => {
  for (const p of SUITE) {
    it(`${p.name}: the published minimizer attains the minimum, and 2000 random points do not go below it`, () => {
      expect(Math.abs(p.fn(p.argmin) - p.minimum)).toBeLessThan(1e-4);
      const names = Object.keys(p.bounds);
      expect(p.argmin).toHaveLength(names.length);
      const rng = new Rng(1);
      for (let t = 0; t < 2000; t++) {
        const x = names.map((k) => { const [lo, hi] = p.bounds[k] as readonly [number, number]; return lo + (hi - lo) * rng.random(); });
        expect(p.fn(x)).toBeGreaterThanOrEqual(p.minimum - 1e-4);
      }
    });
  }

  it('known values away from the optimum', () => {
    expect(rosenbrock(4).fn([0, 0, 0, 0])).toBe(3);
    expect(rastrigin(4).fn([1, 1, 1, 1])).toBeCloseTo(4, 12);
    expect(dixonPrice(4).fn([0, 0, 0, 0])).toBe(1);
    expect(powell(4).fn([1, 1, 1, 1])).toBe(121 + 0 + 1 + 0);
    expect(schwefel(4).fn([0, 0, 0, 0])).toBeCloseTo(4 * 418.9829, 9);
    expect(goldsteinPrice.fn([0, 0])).toBe(600);
    expect(levy(4).fn([1, 1, 1, 1])).toBeCloseTo(0, 12);
    expect(styblinskiTang(5).fn([0, 0, 0, 0, 0])).toBe(0);
    expect(michalewicz5.fn([0, 0, 0, 0, 0]) === 0).toBe(true);
  });
});

describe('a dimension that is not an integer >= 1 is refused, naming d', () => {
  it('-1, 1.5 and a string are InvalidOptionErrors (a RangeError, or a problem of no parameter, before); Powell asks a multiple of 4', () => {
    const messageOf = (f: () => unknown): string => { try { f(); return 'no error'; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; } };
    expect(messageOf(() => ackley(-1))).toBe('InvalidOptionError: ackley: d: expected an integer >= 1, got -1');
    expect(messageOf(() => rosenbrock(1.5))).toBe('InvalidOptionError: rosenbrock: d: expected an integer >= 1, got 1.5');
    expect(messageOf(() => levy('a' as never))).toBe('InvalidOptionError: levy: d: expected an integer >= 1, got "a"');
    expect(messageOf(() => powell(6))).toBe('InvalidOptionError: powell: d: expected an integer >= 4 and a multiple of 4, got 6');
    expect(Object.keys(powell(8).bounds)).toHaveLength(8);
  });
});

describe('evaluateProblem arguments', () => {
  it('a problem that is not one, and params without a number for each parameter, are InvalidOptionErrors naming them (a TypeError reading fn, or NaN, before)', () => {
    for (const [call, option, message] of [
      [() => evaluateProblem(undefined as never, {}), 'problem', 'evaluateProblem: problem: expected a test problem ({ name, bounds, fn, ... }), got undefined'],
      [() => evaluateProblem({ name: 'f' } as never, {}), 'problem', 'evaluateProblem: problem: expected a test problem ({ name, bounds, fn, ... }), got {"name":"f"}'],
      [() => evaluateProblem(branin, null as never), 'params', 'evaluateProblem: params: expected an object, got null'],
      [() => evaluateProblem(branin, { x1: 1 }), 'params', 'evaluateProblem: params.x2: expected a number, got undefined'],
      [() => evaluateProblem(branin, { x1: '1', x2: 2 }), 'params', 'evaluateProblem: params.x1: expected a number, got "1"'],
    ] as const) {
      const e = thrown(call) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual([option, message]);
    }
    expect(evaluateProblem(branin, { x1: Math.PI, x2: 2.275 })).toBeCloseTo(branin.minimum, 12);
  });
});
