import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { Space, gridCounts, gridIterate, gridLevels, gridMembership, gridSize } from '../../src/space';
import type { DimLayout, SpaceSpec } from '../../src/space/types';
import { FC_SEED, spaceSpec } from './arbitraries';

const TOL_REL = 1e-12;
const float = (low: number, high: number, log = false) => ({ type: 'float' as const, low, high, log });
const layoutOf = (spec: SpaceSpec) => new Space(spec).layout;
const cap = (l: DimLayout) => (l.kind === 'categorical' ? l.size : l.kind === 'integer' ? l.high - l.low + 1 : Infinity);
const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/**
 * Independent reference: enumerate the balanced allocations (level L, the
 * first r uncapped parameters at L + 1) and keep the largest product <= budget.
 */
function referenceCounts(caps: number[], budget: number): number[] {
  let best = caps.map(() => 1);
  for (let L = 1; L <= budget; L++) {
    const free = caps.map((c, j) => (c > L ? j : -1)).filter((j) => j >= 0);
    for (let r = 0; r <= free.length; r++) {
      const counts = caps.map((c) => Math.min(c, L));
      for (const j of free.slice(0, r)) counts[j] = L + 1;
      if (prod(counts) <= budget && prod(counts) > prod(best)) best = counts;
    }
    if (free.length === 0) break;
  }
  return best;
}

describe('gridCounts', () => {
  it('prefers balance to filling the budget', () => {
    expect(gridCounts(layoutOf({ a: float(0, 1), b: float(0, 1) }), 10)).toEqual([3, 3]);
    expect(gridCounts(layoutOf({ a: float(0, 1), b: float(0, 1), c: float(0, 1) }), 100)).toEqual([5, 5, 4]);
    expect(gridCounts(layoutOf({ a: float(0, 1), b: float(0, 1) }), 7)).toEqual([3, 2]);
  });

  it('gives small integers and categoricals all their values and the rest to others', () => {
    const spec: SpaceSpec = {
      act: { type: 'categorical', choices: ['a', 'b'] },
      x: float(0, 1),
    };
    expect(gridCounts(layoutOf(spec), 50)).toEqual([2, 25]);
    const spec2: SpaceSpec = { k: { type: 'int', low: 1, high: 3 }, x: float(0, 1), y: float(0, 1) };
    expect(gridCounts(layoutOf(spec2), 100)).toEqual([3, 6, 5]);
    // everything capped: full factorial below the budget
    expect(gridCounts(layoutOf({ k: { type: 'int', low: 1, high: 3 }, b: { type: 'categorical', choices: [true, false] } }), 1000)).toEqual([3, 2]);
  });

  it('rejects a bad budget', () => {
    const l = layoutOf({ a: float(0, 1) });
    for (const b of [0, -3, 2.5, NaN, Infinity]) expect(() => gridCounts(l, b)).toThrow(InvalidOptionError);
    expect(() => gridCounts(l, 0)).toThrow('budget: must be a positive integer, got 0');
  });

  it('property: matches the enumerated balanced optimum on random spaces', () => {
    fc.assert(
      fc.property(spaceSpec, fc.integer({ min: 1, max: 3000 }), (spec, budget) => {
        const layout = layoutOf(spec);
        const caps = layout.map(cap);
        const counts = gridCounts(layout, budget);
        expect(prod(counts)).toBeLessThanOrEqual(budget);
        counts.forEach((c, j) => expect(c).toBeLessThanOrEqual(caps[j]));
        expect(counts).toEqual(referenceCounts(caps, budget));
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});

describe('gridLevels', () => {
  it('uses cell centres in the encoded scale', () => {
    const [lin, lg] = layoutOf({ a: float(0, 1), b: float(1e-4, 1, true) });
    expect(gridLevels(lin, 4)).toEqual([0.125, 0.375, 0.625, 0.875]);
    const want = [-3.5, -2.5, -1.5, -0.5].map((e) => 10 ** e);
    gridLevels(lg, 4).forEach((v, i) => expect(Math.abs((v as number) / want[i] - 1)).toBeLessThan(TOL_REL));
  });

  it('spreads integers and categoricals, and uses all values when it can', () => {
    const [k, c] = layoutOf({ k: { type: 'int', low: 1, high: 10 }, c: { type: 'categorical', choices: ['a', 'b', 'c', 'd', 'e'] } });
    // cells of [0.5, 10.5]: centres 3 and 8
    expect(gridLevels(k, 2)).toEqual([3, 8]);
    expect(gridLevels(k, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(gridLevels(c, 2)).toEqual(['b', 'd']);
    expect(gridLevels(c, 1)).toEqual(['c']);
    expect(gridLevels(c, 5)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps log-spaced integer levels distinct and in range', () => {
    const [k] = layoutOf({ k: { type: 'int', low: 1, high: 20, log: true } });
    for (let n = 1; n <= 20; n++) {
      const v = gridLevels(k, n) as number[];
      expect(v.length).toBe(n);
      for (let i = 1; i < n; i++) expect(v[i]).toBeGreaterThan(v[i - 1]);
      expect(v[0]).toBeGreaterThanOrEqual(1);
      expect(v[n - 1]).toBeLessThanOrEqual(20);
    }
    expect(gridLevels(k, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('Space.grid', () => {
  it('lists the full factorial, first parameter slowest', () => {
    const sp = new Space({ a: { type: 'categorical', choices: ['x', 'y'] }, b: float(0, 3) });
    expect(sp.grid(6)).toEqual([
      { a: 'x', b: 0.5 },
      { a: 'x', b: 1.5 },
      { a: 'x', b: 2.5 },
      { a: 'y', b: 0.5 },
      { a: 'y', b: 1.5 },
      { a: 'y', b: 2.5 },
    ]);
  });

  it('budget 1 gives the centre point', () => {
    const sp = new Space({ x: float(0, 10), c: { type: 'categorical', choices: ['a', 'b', 'c'] } });
    expect(sp.grid(1)).toEqual([{ x: 5, c: 'b' }]);
  });

  it('property: prod(counts) distinct valid points in lexicographic order', () => {
    fc.assert(
      fc.property(spaceSpec, fc.integer({ min: 1, max: 500 }), (spec, budget) => {
        const sp = new Space(spec);
        const levels = gridCounts(sp.layout, budget).map((k, j) => gridLevels(sp.layout[j], k));
        const counts = levels.map((lv) => lv.length);
        const pts = sp.grid(budget);
        expect(pts.length).toBe(prod(counts));
        pts.forEach((p, i) => {
          expect(sp.contains(p)).toBe(true);
          // mixed-radix digits of i, first parameter most significant
          let rest = i;
          for (let j = sp.layout.length - 1; j >= 0; j--) {
            expect(p[sp.names[j]]).toBe(levels[j][rest % counts[j]]);
            rest = Math.floor(rest / counts[j]);
          }
        });
        levels.forEach((lv) => expect(new Set(lv).size).toBe(lv.length));
      }),
      { seed: FC_SEED, numRuns: 150 },
    );
  });

  it('property: iterateGrid yields grid()\'s points in order, gridSize counts them, onGrid accepts exactly them', () => {
    fc.assert(
      fc.property(spaceSpec, fc.integer({ min: 1, max: 300 }), (spec, budget) => {
        const sp = new Space(spec);
        const pts = sp.grid(budget);
        expect([...sp.iterateGrid(budget)]).toEqual(pts);
        expect(sp.gridSize(budget)).toBe(pts.length);
        const on = sp.onGrid(budget);
        expect(pts.every(on)).toBe(true);
        // a point of a finer grid off this one's levels is refused (when the finer grid has one)
        const keys = new Set(pts.map((p) => JSON.stringify(p)));
        for (const q of sp.grid(budget * 4 + 3)) expect(on(q)).toBe(keys.has(JSON.stringify(q)));
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
  });

  it('a budget of ten million is walked lazily: the first points come without listing the grid', () => {
    const layout = layoutOf({ a: float(0, 1), b: float(0, 1), c: float(1e-3, 1, true) });
    expect(gridSize(layout, 1e7)).toBe(215 * 215 * 216);
    const it = gridIterate(layout, 1e7);
    const first = it.next().value!;
    const second = it.next().value!;
    expect(first.a).toBe(second.a);
    expect(second.c).toBeGreaterThan(first.c as number);
    const on = gridMembership(layout, 1e7);
    expect(on(first)).toBe(true);
    expect(on({ ...first, a: 0.5 })).toBe(false); // 0.5 is not a cell centre of 215 levels
    expect(on({ a: first.a, b: first.b })).toBe(false); // a parameter missing
  });
});
