import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { Space, latinHypercube, sobolDesign, uniformDesign, unitDesign } from '../../src/space';
import type { SpaceSpec } from '../../src/space/types';
import { Rng } from '../../src/util/rng';
import { FC_SEED, spaceSpec } from './arbitraries';
import { thrown } from '../optimizer/caught';

/** Stratum index of every point in dimension j. */
const strata = (pts: Float64Array[], j: number, n: number) => pts.map((p) => Math.floor(p[j] * n));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('latinHypercube', () => {
  it('hits each of the n strata exactly once per dimension', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (n, d, seed) => {
        const pts = latinHypercube(new Rng(seed), n, d);
        expect(pts.length).toBe(n);
        for (let j = 0; j < d; j++) expect(sorted(strata(pts, j, n))).toEqual(range(n));
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('pairs strata differently across dimensions and seeds', () => {
    const a = latinHypercube(new Rng(5), 50, 2);
    expect(strata(a, 0, 50)).not.toEqual(strata(a, 1, 50));
    expect(latinHypercube(new Rng(5), 50, 2)).toEqual(a);
    expect(latinHypercube(new Rng(6), 50, 2)).not.toEqual(a);
  });
});

describe('uniformDesign', () => {
  it('draws n points in [0, 1)^d reproducibly', () => {
    const a = uniformDesign(new Rng(9), 100, 3);
    expect(a.length).toBe(100);
    expect(a.every((p) => p.length === 3 && p.every((x) => x >= 0 && x < 1))).toBe(true);
    expect(uniformDesign(new Rng(9), 100, 3)).toEqual(a);
  });
});

describe('design arguments', () => {
  const refused = (call: () => unknown, option: string, message: string) => {
    const e = thrown(call) as InvalidOptionError;
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect([e.option, e.message]).toEqual([option, message]);
  };
  it('a count that is not a non-negative integer, or an rng that is not an Rng, is an InvalidOptionError naming it (d = -1 was a RangeError, n = -1 an empty design)', () => {
    for (const [name, f] of [['latinHypercube', latinHypercube], ['uniformDesign', uniformDesign], ['sobolDesign', sobolDesign]] as const) {
      refused(() => f(new Rng(1), 2, -1), 'd', `${name}: d: expected a non-negative integer, got -1`);
      refused(() => f(new Rng(1), -1, 2), 'n', `${name}: n: expected a non-negative integer, got -1`);
      refused(() => f(new Rng(1), 2.5, 2), 'n', `${name}: n: expected a non-negative integer, got 2.5`);
      refused(() => f(new Rng(1), 2, NaN), 'd', `${name}: d: expected a non-negative integer, got NaN`);
      refused(() => f(undefined as never, 2, 2), 'rng', `${name}: rng: expected an Rng (new Rng(seed)), got undefined`);
      refused(() => f({ random: Math.random } as never, 2, 2), 'rng', `${name}: rng: expected an Rng (new Rng(seed)), got {}`);
    }
    expect(latinHypercube(new Rng(1), 0, 3)).toEqual([]);
    expect(uniformDesign(new Rng(1), 2, 0)).toEqual([new Float64Array(0), new Float64Array(0)]);
    refused(() => unitDesign('halton' as never, new Rng(1), 2, 2), 'method', 'unitDesign: method: unknown design "halton" (expected "random", "lhs" or "sobol")');
    refused(() => new Space({ x: { type: 'float', low: 0, high: 1 } }).sample('x' as never, 2), 'rng', 'rng: expected an Rng (new Rng(seed)), got "x"');
  });
});

describe('Space.sample', () => {
  const space = new Space({
    x: { type: 'float', low: 0, high: 12 },
    k: { type: 'int', low: 1, high: 6 },
    act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
  });
  const count = (xs: unknown[]) => {
    const m = new Map<unknown, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return m;
  };

  it('stratifies every parameter under LHS (categoricals picked uniformly)', () => {
    const n = 12;
    const pts = space.sample(new Rng(3), n, 'lhs').map((u) => space.decode(u));
    // x's strata are [i, i+1); k's 6 values and act's 3 choices split the 12 strata evenly.
    expect(sorted(pts.map((p) => Math.floor(p.x as number)))).toEqual(range(12));
    expect([...count(pts.map((p) => p.k)).values()]).toEqual(Array(6).fill(2));
    expect([...count(pts.map((p) => p.act)).values()]).toEqual([4, 4, 4]);
  });

  it('balances every parameter under Sobol with n a power of two', () => {
    const sp = new Space({
      k: { type: 'int', low: 0, high: 7 },
      act: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
      lr: { type: 'float', low: 1e-4, high: 1, log: true },
    });
    const pts = sp.sample(new Rng(4), 16, 'sobol').map((u) => sp.decode(u));
    expect([...count(pts.map((p) => p.k)).values()]).toEqual(Array(8).fill(2));
    expect([...count(pts.map((p) => p.act)).values()]).toEqual([4, 4, 4, 4]);
    // log scale: each decade [1e-4, 1e-3), ... holds 4 of the 16 points
    expect([...count(pts.map((p) => Math.floor(Math.log10(p.lr as number)))).values()].sort()).toEqual([4, 4, 4, 4]);
  });

  it('returns valid, snapped, reproducible points for random spaces and every method', () => {
    const method = fc.constantFrom('random' as const, 'lhs' as const, 'sobol' as const);
    fc.assert(
      fc.property(spaceSpec, method, fc.integer({ min: 0, max: 20 }), fc.nat(), (spec, m, n, seed) => {
        const sp = new Space(spec);
        const pts = sp.sample(new Rng(seed), n, m);
        expect(pts.length).toBe(n);
        for (const u of pts) {
          expect(u.length).toBe(sp.dim);
          expect(sp.snap(u)).toEqual(u);
          expect(sp.contains(sp.decode(u))).toBe(true);
        }
        expect(sp.sample(new Rng(seed), n, m)).toEqual(pts);
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('defaults to LHS', () => {
    expect(space.sample(new Rng(8), 10)).toEqual(space.sample(new Rng(8), 10, 'lhs'));
  });

  it('rejects bad n and method', () => {
    expect(() => space.sample(new Rng(1), -1)).toThrow(InvalidOptionError);
    expect(() => space.sample(new Rng(1), 2.5)).toThrow('n: must be a non-negative integer, got 2.5');
    expect(() => space.sample(new Rng(1), 2, 'halton' as never)).toThrow(
      'method: unknown design "halton" (expected "random", "lhs" or "sobol")',
    );
    const wide: SpaceSpec = Object.fromEntries(range(1025).map((i) => [`p${i}`, { type: 'float', low: 0, high: 1 }]));
    expect(() => new Space(wide).sample(new Rng(1), 2, 'sobol')).toThrow(
      'method: "sobol" supports at most 1024 parameters, got 1025',
    );
  });
});
