/** Initial designs in small discrete spaces cover distinct points first. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Space, unitDesign } from '../../src/space';
import type { ParamSpec, SpaceSpec } from '../../src/space/types';
import { Rng } from '../../src/util/rng';
import { FC_SEED } from './arbitraries';

const METHODS = ['lhs', 'random', 'sobol'] as const;
const keys = (space: Space, us: Float64Array[]) => us.map((u) => JSON.stringify(space.decode(u)));

/** Number of distinct points of a space of ints and categoricals. */
function count(spec: SpaceSpec): number {
  return Object.values(spec).reduce((p, s) => p * (s.type === 'categorical' ? s.choices.length : (s.high as number) - (s.low as number) + 1), 1);
}

describe('distinct initial designs', () => {
  const spec: SpaceSpec = {
    opt: { type: 'categorical', choices: ['q', 'p'] },
    flag: { type: 'categorical', choices: [false, true] },
  };

  for (const method of METHODS) {
    it(`2 x 2 choices, ${method} design of 4: all four points, for 200 seeds`, () => {
      const space = new Space(spec);
      for (let seed = 0; seed < 200; seed++) {
        const pts = keys(space, space.sample(new Rng(seed), 4, method));
        expect(new Set(pts).size, `seed ${seed}: ${pts.join(' ')}`).toBe(4);
      }
    });
  }

  it('keeps LHS balanced: each choice twice in a design of 4', () => {
    const space = new Space(spec);
    for (let seed = 0; seed < 50; seed++) {
      const pts = space.sample(new Rng(seed), 4, 'lhs').map((u) => space.decode(u));
      expect(pts.filter((p) => p.opt === 'q')).toHaveLength(2);
      expect(pts.filter((p) => p.flag === true)).toHaveLength(2);
    }
  });

  it('the unrepaired design does repeat points (what is being fixed)', () => {
    let repeats = 0;
    for (let seed = 0; seed < 200; seed++) {
      const t = unitDesign('lhs', new Rng(seed), 4, 2);
      repeats += Number(new Set(t.map((p) => `${Math.floor(p[0] * 2)}${Math.floor(p[1] * 2)}`)).size < 4);
    }
    expect(repeats).toBeGreaterThan(50);
  });

  it('any space of ints and categoricals: the first min(n, D) points are distinct', () => {
    const discrete: fc.Arbitrary<ParamSpec> = fc.oneof(
      fc.integer({ min: 1, max: 4 }).map((k): ParamSpec => ({ type: 'categorical', choices: Array.from({ length: k }, (_, i) => `c${i}`) })),
      fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([lo, w]): ParamSpec => ({ type: 'int', low: lo, high: lo + w })),
      fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 4 })).map(([lo, w]): ParamSpec => ({ type: 'int', low: lo, high: lo + w, log: true })),
    );
    fc.assert(
      fc.property(
        fc.array(discrete, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom(...METHODS), fc.nat(),
        (params, n, method, seed) => {
          const s: SpaceSpec = Object.fromEntries(params.map((p, i) => [`p${i}`, p]));
          const space = new Space(s);
          const pts = keys(space, space.sample(new Rng(seed), n, method));
          expect(pts).toHaveLength(n);
          const want = Math.min(n, count(s));
          expect(new Set(pts.slice(0, want)).size).toBe(want);
        },
      ),
      { seed: FC_SEED, numRuns: 150 },
    );
  });

  it('a space with a continuous parameter gets the design unchanged', () => {
    const space = new Space({ a: { type: 'categorical', choices: [1, 2] }, x: { type: 'float', low: 0, high: 1 } });
    const a = space.sample(new Rng(3), 8, 'lhs');
    const t = unitDesign('lhs', new Rng(3), 8, 2);
    expect(a.map((u) => space.decode(u).x)).toEqual(t.map((p) => p[1]));
  });
});
