import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPointError } from '../../src/errors';
import { Space } from '../../src/space';
import type { DimLayout, Params } from '../../src/space/types';
import { FC_SEED, spaceAndPoint, spaceSpec } from './arbitraries';

const EPS = Number.EPSILON;
/** decode(encode(v)) error budget, in units of the scale's ulp (see encode.ts). */
const TOL_ULPS = 8;

/** Allowed |decode(encode(v)) - v| for a float parameter (2 MIN_VALUE: subnormal spacing). */
function floatTol(l: Extract<DimLayout, { kind: 'continuous' }>, v: number): number {
  if (!l.log) return TOL_ULPS * EPS * Math.max(Math.abs(l.low), Math.abs(l.high)) + 2 * Number.MIN_VALUE;
  const scale = Math.max(1, Math.abs(Math.log(l.low)), Math.abs(Math.log(l.high)));
  return TOL_ULPS * EPS * scale * v + 2 * Number.MIN_VALUE;
}

/**
 * Allowed |encode(decode(u)) - u| on a float coordinate: the float grid of v
 * is coarse relative to the range when the range is narrow for its magnitude.
 */
function unitTol(l: Extract<DimLayout, { kind: 'continuous' }>): number {
  const [scale, width] = l.log
    ? [Math.max(1, Math.abs(Math.log(l.low)), Math.abs(Math.log(l.high))), Math.log(l.high) - Math.log(l.low)]
    : [Math.max(Math.abs(l.low), Math.abs(l.high)), l.high - l.low];
  return TOL_ULPS * EPS * (1 + scale / width);
}

const space = new Space({
  x: { type: 'float', low: 0, high: 10 },
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  k: { type: 'int', low: 1, high: 4 },
  n: { type: 'int', low: 1, high: 1000, log: true },
  act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
});

describe('encode / decode, known values', () => {
  it('lays out one coordinate per numeric parameter and one per choice', () => {
    expect(space.dim).toBe(7);
    expect(space.layout.map((l) => [l.kind, l.dim])).toEqual([
      ['continuous', 0],
      ['continuous', 1],
      ['integer', 2],
      ['integer', 3],
      ['categorical', 4],
    ]);
  });

  it('encodes floats linearly or in log, ints at slice centres, categoricals one-hot', () => {
    const u = space.encode({ x: 2.5, lr: 1e-2, k: 3, n: 1, act: 'tanh' });
    expect(u[0]).toBe(0.25);
    expect(u[1]).toBeCloseTo(2 / 3, 14);
    // k in [0.5, 4.5]: 3 sits at (3 - 0.5) / 4
    expect(u[2]).toBe(0.625);
    // n on log [0.5, 1000.5]: 1 sits at ln(2) / ln(2001)
    expect(u[3]).toBeCloseTo(Math.log(2) / Math.log(2001), 15);
    expect([...u.slice(4)]).toEqual([0, 1, 0]);
  });

  it('maps the cube corners to the bounds exactly', () => {
    expect(space.decode([0, 0, 0, 0, 1, 0, 0])).toEqual({ x: 0, lr: 1e-4, k: 1, n: 1, act: 'relu' });
    expect(space.decode([1, 1, 1, 1, 0, 0, 1])).toEqual({ x: 10, lr: 0.1, k: 4, n: 1000, act: 'gelu' });
  });

  it('gives every integer an equal slice [j/4, (j+1)/4) on a linear scale', () => {
    const at = (u: number) => space.decode([0, 0, u, 0, 1, 0, 0]).k;
    expect([0, 0.2499, 0.25, 0.4999, 0.5, 0.7499, 0.75, 1].map(at)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('clamps out-of-cube coordinates and reads NaN as 0', () => {
    expect(space.decode([-3, 7, NaN, 2, -1, NaN, -0.5])).toEqual({ x: 0, lr: 0.1, k: 1, n: 1000, act: 'relu' });
  });

  it('decodes a categorical by argmax, first maximum winning', () => {
    const act = (g: number[]) => space.decode([0, 0, 0, 0, ...g]).act;
    expect(act([0.2, 0.9, 0.9])).toBe('tanh');
    expect(act([0.3, 0.3, 0.3])).toBe('relu');
    expect(act([-1, 5, 2])).toBe('tanh'); // clamped: [0, 1, 1]
    expect(act([0.1, 0.2, 0.7])).toBe('gelu');
  });

  it('rejects encoded vectors of the wrong length', () => {
    expect(() => space.decode([0, 0])).toThrow(InvalidPointError);
    expect(() => space.decode([0, 0])).toThrow('encoded point: expected 7 coordinates, got 2');
    expect(() => space.snap(new Float64Array(8))).toThrow('encoded point: expected 7 coordinates, got 8');
  });

  it('validates before encoding', () => {
    expect(() => space.encode({ x: 11, lr: 1e-2, k: 3, n: 1, act: 'tanh' })).toThrow(
      'parameter "x": value 11 is outside [0, 10]',
    );
  });
});

describe('snap', () => {
  it('moves integers to slice centres and one-hot groups to exact one-hot', () => {
    const s = space.snap([1.5, 0.3, 0.3, 0, 0.2, 0.9, 0.9]);
    // 0.3 lies in k = 2's slice [0.25, 0.5), centre 0.375
    expect([...s]).toEqual([1, 0.3, 0.375, Math.log(2) / Math.log(2001), 0, 1, 0]);
  });
});

/** Assert decode(encode(p)) reproduces p: === for int/categorical, within floatTol for floats. */
function expectRoundTrip(sp: Space, p: Params, q: Params): void {
  for (const l of sp.layout) {
    if (l.kind === 'continuous') {
      const v = p[l.name] as number;
      const err = Math.abs((q[l.name] as number) - v);
      if (!(err <= floatTol(l, v))) throw new Error(`${l.name}: ${q[l.name]} vs ${v} (err ${err})`);
    } else if (q[l.name] !== p[l.name]) {
      throw new Error(`${l.name}: ${String(q[l.name])} !== ${String(p[l.name])}`);
    }
  }
}

describe('property: random spaces and points', () => {
  it('round-trips every kind (exact for int and categorical)', () => {
    fc.assert(
      fc.property(spaceAndPoint, ([spec, p]) => {
        const sp = new Space(spec);
        const u = sp.encode(p);
        expect(u.length).toBe(sp.dim);
        for (const x of u) expect(x >= 0 && x <= 1).toBe(true);
        const q = sp.decode(u);
        expect(Object.keys(q)).toEqual(sp.names);
        expect(sp.contains(q)).toBe(true);
        expectRoundTrip(sp, p, q);
        // encoded points are already canonical
        expect(sp.snap(u)).toEqual(u);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  const cube = (dim: number) =>
    fc.array(fc.oneof(fc.double({ min: -0.5, max: 1.5 }), fc.constantFrom(0, 1, NaN)), {
      minLength: dim,
      maxLength: dim,
    });
  const spaceAndU = spaceSpec.chain((spec) => {
    const sp = new Space(spec);
    return cube(sp.dim).map((u): [Space, number[]] => [sp, u]);
  });

  it('decodes any vector to a valid point', () => {
    fc.assert(
      fc.property(spaceAndU, ([sp, u]) => {
        expect(sp.contains(sp.decode(u))).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('snap is idempotent, keeps the decoded point and equals encode(decode(u)) off float coordinates', () => {
    fc.assert(
      fc.property(spaceAndU, ([sp, u]) => {
        const s = sp.snap(u);
        expect(sp.snap(s)).toEqual(s);
        expect(sp.decode(s)).toEqual(sp.decode(u));
        const e = sp.encode(sp.decode(u));
        for (const l of sp.layout) {
          const width = l.kind === 'categorical' ? l.size : 1;
          for (let i = l.dim; i < l.dim + width; i++) {
            expect(s[i] >= 0 && s[i] <= 1).toBe(true);
            if (l.kind === 'continuous') expect(Math.abs(s[i] - e[i])).toBeLessThanOrEqual(unitTol(l));
            else expect(s[i]).toBe(e[i]);
          }
        }
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});

describe('decode and snap refuse what is not an encoded point', () => {
  it('null is an InvalidPointError (a TypeError reading length before)', () => {
    const space = new Space({ x: { type: 'float', low: 0, high: 1 } });
    expect(() => space.decode(null as never)).toThrow(new InvalidPointError('encoded point: expected an array of 1 coordinates, got null'));
    expect(() => space.snap(null as never)).toThrow(InvalidPointError);
    expect(space.decode([0.5])).toEqual({ x: 0.5 });
  });
});
