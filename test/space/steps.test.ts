/**
 * Parameters with a step (Optuna's suggest_int/suggest_float(step=),
 * KerasTuner's hp.Int(step=)): the definition's checks, every level encoded
 * and decoded exactly, points off the grid refused, samples and grids on it,
 * and the count of distinct points.
 */
import { describe, expect, it } from 'vitest';
import { InvalidPointError, InvalidSpaceError } from '../../src/errors';
import { Space, gridLevels } from '../../src/space';
import { discreteCount } from '../../src/space/distinct';
import { gridLevel, levelCount, levelValue } from '../../src/space/steps';
import { FC_SEED } from './arbitraries';
import fc from 'fast-check';
import type { DimLayout, SpaceSpec } from '../../src/space/types';
import { Rng } from '../../src/util/rng';

const SPACE = {
  units: { type: 'int', low: 32, high: 512, step: 32 },
  drop: { type: 'float', low: 0, high: 0.5, step: 0.1 },
  mom: { type: 'float', low: 0.8, high: 0.99, step: 0.01 },
} as const satisfies SpaceSpec;

function spaceError(spec: unknown): InvalidSpaceError {
  try {
    new Space({ p: spec } as never);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidSpaceError);
    return e as InvalidSpaceError;
  }
  throw new Error('expected a throw');
}

describe('parameters with a step', () => {
  it('refuses a bad step naming the parameter; an int step of 1 is no step', () => {
    for (const [spec, message] of [
      [{ type: 'int', low: 1, high: 10, step: 2 }, 'parameter "p": high (10) must be low (1) plus a whole number of steps (2): 9 or 11'],
      [{ type: 'float', low: 0, high: 1, step: 0.3 }, 'parameter "p": high (1) must be low (0) plus a whole number of steps (0.3): 0.9 or 1.2'],
      [{ type: 'int', low: 1, high: 9, step: 2, log: true }, 'parameter "p": step cannot be used with log: true (nor can it in Optuna)'],
      [{ type: 'int', low: 0, high: 10, step: 2.5 }, 'parameter "p": step must be an integer for an int parameter, got 2.5'],
      [{ type: 'float', low: 0, high: 1, step: 0 }, 'parameter "p": step must be a positive finite number, got 0'],
      [{ type: 'float', low: 0, high: 1, step: '0.1' }, 'parameter "p": step must be a positive finite number, got "0.1"'],
      [{ type: 'float', low: 0, high: 1, step: 1e-13 }, 'parameter "p": step 1e-13 gives more than 2^40 values on [0, 1]'],
      // 1000 + 1e-12 is 1000 at 15 digits: the levels would merge
      [{ type: 'float', low: 1000, high: 1001, step: 1e-12 }, 'parameter "p": step 1e-12 is too fine for values as large as 1001: 15 digits tell its levels apart from 1e-13 of that on'],
      // exact for an int grid, however many levels (the last gap was 1 on a step of 2)
      [{ type: 'int', low: 0, high: 2 ** 39 + 1, step: 2 }, `parameter "p": high (${2 ** 39 + 1}) must be low (0) plus a whole number of steps (2): ${2 ** 39} or ${2 ** 39 + 2}`],
      // 3.5 steps past the grid is not within its rounding
      [{ type: 'float', low: 0, high: 1 + 3.5e-10, step: 1e-10 }, 'parameter "p": high (1.00000000035) must be low (0) plus a whole number of steps (1e-10): 1.0000000003 or 1.0000000004'],
    ] as const) {
      const e = spaceError(spec);
      expect([e.message, e.param]).toEqual([message, 'p']);
    }
    expect(new Space({ n: { type: 'int', low: 1, high: 9, step: 1 } }).spec).toEqual({ n: { type: 'int', low: 1, high: 9, log: false } });
    expect(new Space({ n: { type: 'float', low: 0, high: 1, step: 0.1 } }).spec.n).toEqual({ type: 'float', low: 0, high: 1, log: false, step: 0.1 });
  });

  it('encodes and decodes every level exactly, at the centre of its slice; a grid value is written as the grid writes it', () => {
    const space = new Space(SPACE);
    const counts = space.layout.map((l) => levelCount(l as Extract<DimLayout, { kind: 'integer' }>));
    expect(counts).toEqual([16, 6, 20]);
    for (const [j, l] of space.layout.entries()) {
      const g = l as Extract<DimLayout, { kind: 'integer' }>;
      for (let k = 0; k < counts[j]; k++) {
        const v = levelValue(g, k);
        const p = { units: 32, drop: 0, mom: 0.8, [l.name]: v };
        const u = space.encode(p);
        expect(u[j]).toBeCloseTo((k + 0.5) / counts[j], 15);
        expect(space.decode(u)[l.name]).toBe(v);
      }
    }
    expect([0, 1, 2, 3, 4, 5].map((k) => levelValue(space.layout[1] as never, k))).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    // Optuna's 0 + 3 x 0.1 is on the grid, and reads as the grid's 0.3
    expect(space.validatePoint({ units: 64, drop: 0.30000000000000004, mom: 0.9500000000000001 })).toEqual({ units: 64, drop: 0.3, mom: 0.95 });
  });

  it('a grid across zero holds 0 itself, and its ends take values within their rounding as its inside does', () => {
    const space = new Space({ e: { type: 'float', low: -0.3, high: 0.3, step: 0.1 } });
    expect(Array.from({ length: 7 }, (_, k) => space.decode(Float64Array.of((k + 0.5) / 7)).e)).toEqual([-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
    expect(space.validatePoint({ e: 0 })).toEqual({ e: 0 });
    // -0.3 + 3 x 0.1 and 0 + 3 x 0.1, the arithmetic Optuna's values come from, at the ends
    expect(space.validatePoint({ e: -0.3 + 3 * 0.1 })).toEqual({ e: 0 });
    expect(space.validatePoint({ e: 0.30000000000000004 })).toEqual({ e: 0.3 });
    expect(space.validatePoint({ e: -0.30000000000000004 })).toEqual({ e: -0.3 });
    expect(() => space.validatePoint({ e: 0.300001 })).toThrow('parameter "e": value 0.300001 is outside [-0.3, 0.3]');
    // a grid of integers takes integers only, as an int without a step does
    const ints = new Space({ n: { type: 'int', low: 0, high: 10, step: 2 } });
    expect(() => ints.validatePoint({ n: 4.0000000001 })).toThrow('parameter "n": value 4.0000000001 is not on the grid 0, 2, ... (step 2)');
    // a fine grid snaps within a billionth of its step, not within 0.4 of one
    const fine = new Space({ p: { type: 'float', low: 0, high: 1, step: 1e-10 } });
    expect(() => fine.validatePoint({ p: 0.5 + 4e-11 })).toThrow('parameter "p": value 0.50000000004 is not on the grid 0, 1e-10, ... (step 1e-10)');
    expect(fine.validatePoint({ p: 0.5 + 1e-20 })).toEqual({ p: 0.5 });
  });

  it('takes grids whose values 15 digits tell apart, and integral grids at any size below 2^53; past it, float rounding', () => {
    for (const spec of [
      { type: 'float', low: 0, high: 2 ** 40, step: 1 }, { type: 'float', low: 1e6, high: 1e6 + 1, step: 1e-6 },
      { type: 'float', low: 1000, high: 1000.001, step: 1e-9 }, { type: 'float', low: 0, high: 1e25, step: 1e23 },
    ] as const) expect(() => new Space({ p: spec })).not.toThrow();
    // whole numbers past 2^53 are no exact integers: the grid's own levels are on it
    const big = new Space({ p: { type: 'float', low: 0, high: 1e20, step: 1e10 } });
    const g = big.layout[0] as Extract<DimLayout, { kind: 'integer' }>;
    for (const k of [0, 1, 926185237, 5e9, 1e10]) expect(big.validatePoint({ p: levelValue(g, k) })).toEqual({ p: levelValue(g, k) });
  });

  it('property: every level of a grid the space takes reads back as that level, and decodes from its slice', () => {
    const grids = fc.record({
      low: fc.oneof(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.integer({ min: -1000, max: 1000 })),
      step: fc.oneof(fc.double({ min: 1e-12, max: 1e6, noNaN: true }), fc.constantFrom(0.1, 0.7, 1 / 3, 1.23e-10, 0.0012345, 2)),
      n: fc.integer({ min: 1, max: 400 }),
    });
    fc.assert(fc.property(grids, ({ low, step, n }) => {
      const high = low + n * step;
      let space: Space;
      try {
        space = new Space({ p: { type: 'float', low, high, step } });
      } catch (e) {
        return e instanceof InvalidSpaceError; // refused up front (too fine, high off its own grid): fine
      }
      const g = space.layout[0] as Extract<DimLayout, { kind: 'integer' }>;
      const count = levelCount(g);
      if (levelValue(g, 0) !== g.low) return false;
      for (const k of new Set([0, 1, Math.floor(count / 2), count - 2, count - 1].filter((x) => x >= 0 && x < count))) {
        const v = levelValue(g, k);
        if (gridLevel(g, v) !== k) return false;
        // within Optuna's containment (1e-8 of a step of low + k step), and inside [low, high]
        if (k < count - 1 && Math.abs(v - (low + k * step)) > 1e-8 * step) return false;
        if (v < g.low || v > g.high) return false;
        if (space.validatePoint({ p: v }).p !== v) return false;
        if (space.decode(Float64Array.of((k + 0.5) / count)).p !== v) return false;
      }
      return true;
    }), { seed: FC_SEED, numRuns: 400 });
  });

  it("snapping takes a grid's slice centre straight from its level: the encoding of the value it decodes to", () => {
    const space = new Space(SPACE);
    const rng = new Rng(5);
    for (let i = 0; i < 2000; i++) {
      const u = Float64Array.from({ length: 3 }, () => rng.random() * 1.2 - 0.1); // past the cube too
      expect(Array.from(space.snap(u))).toEqual(Array.from(space.encode(space.decode(u))));
    }
  });

  it('refuses a value off the grid, naming the parameter', () => {
    const space = new Space(SPACE);
    for (const [p, message] of [
      [{ units: 65, drop: 0.3, mom: 0.9 }, 'parameter "units": value 65 is not on the grid 32, 64, ... (step 32)'],
      [{ units: 64, drop: 0.35, mom: 0.9 }, 'parameter "drop": value 0.35 is not on the grid 0, 0.1, ... (step 0.1)'],
      [{ units: 544, drop: 0.3, mom: 0.9 }, 'parameter "units": value 544 is outside [32, 512]'],
    ] as const) {
      let err: unknown;
      try {
        space.validatePoint(p);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidPointError);
      expect((err as Error).message).toBe(message);
      expect(space.contains(p)).toBe(false);
    }
  });

  it('samples on the grid, every level about equally often; grids and distinct counts count levels', () => {
    const space = new Space(SPACE);
    const seen = new Map<number, number>();
    for (const u of space.sample(new Rng(3), 1600, 'random')) {
      const p = space.decode(u);
      expect(space.contains(p)).toBe(true);
      seen.set(p.units as number, (seen.get(p.units as number) ?? 0) + 1);
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, k) => 32 + 32 * k));
    for (const c of seen.values()) expect(c).toBeGreaterThan(60); // 100 expected each
    expect(gridLevels(space.layout[0], 4)).toEqual([96, 224, 352, 480]);
    expect(gridLevels(space.layout[1], 6)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(discreteCount(space.layout)).toBe(16 * 6 * 20);
  });
});
