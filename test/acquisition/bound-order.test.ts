import { describe, expect, it } from 'vitest';
import { BoundOrder, sortedOrder } from '../../src/acquisition/bound-order';
import { Rng } from '../../src/util/rng';

/** Pops every index of `key` in turn. */
function popAll(key: Float64Array): number[] {
  const o = new BoundOrder(key);
  const out: number[] = [];
  for (let p = o.pop(); p >= 0; p = o.pop()) out.push(p);
  expect(o.left).toBe(0);
  return out;
}

describe('BoundOrder', () => {
  it('pops in the order of the full sort: decreasing key, ties by lower index, NaN and -Infinity last', () => {
    const rng = new Rng(3);
    for (const m of [0, 1, 2, 3, 17, 1000, 4099]) {
      // few distinct values (ties), NaN, +-Infinity and -0 among ordinary keys
      const key = Float64Array.from({ length: m }, (_, i) => {
        const u = rng.uniform(0, 1);
        if (u < 0.05) return NaN;
        if (u < 0.08) return -Infinity;
        if (u < 0.1) return Infinity;
        if (u < 0.12) return i % 2 ? -0 : 0;
        return u < 0.5 ? Math.round(rng.normal() * 4) : rng.normal() * 1e3;
      });
      expect(popAll(key)).toEqual([...sortedOrder(key)]);
    }
  });

  it('rest() holds exactly the indices not yet popped', () => {
    const rng = new Rng(4);
    const key = Float64Array.from({ length: 500 }, () => rng.normal());
    const o = new BoundOrder(key);
    const popped = new Set<number>();
    for (let i = 0; i < 123; i++) popped.add(o.pop());
    const rest = [...o.rest()];
    expect(rest.length).toBe(500 - 123);
    expect(new Set([...rest, ...popped]).size).toBe(500);
    // the rest is what the sort has after its first 123
    expect(rest.sort((a, b) => a - b)).toEqual([...sortedOrder(key).subarray(123)].sort((a, b) => a - b));
  });

  it('keys that are upper bounds, made exact and pushed back when popped: the exact keys come out in the order of their full sort', () => {
    const rng = new Rng(5);
    for (const m of [1, 2, 17, 1000, 4099]) {
      // exact keys with ties and NaN; about 70% start above them (some by a hair)
      const exact = Float64Array.from({ length: m }, () => {
        const u = rng.uniform(0, 1);
        if (u < 0.05) return NaN;
        return u < 0.4 ? Math.round(rng.normal() * 3) : rng.normal() * 10;
      });
      const loose = Uint8Array.from({ length: m }, (_, p) => (Number.isNaN(exact[p]) ? 0 : rng.uniform(0, 1) < 0.7 ? 1 : 0));
      const key = Float64Array.from(exact, (v, p) => (loose[p] ? v + (p % 3 === 0 ? 1e-9 * (1 + Math.abs(v)) : 5 * rng.uniform(0, 1) ** 2 + 1e-9) : v));
      const o = new BoundOrder(key);
      const out: number[] = [];
      let pushes = 0;
      for (let p = o.pop(); p >= 0; p = o.pop()) {
        if (loose[p]) {
          loose[p] = 0;
          key[p] = exact[p];
          o.push(p);
          pushes++;
          continue;
        }
        out.push(p);
      }
      expect(out).toEqual([...sortedOrder(exact)]);
      if (m > 100) expect(pushes).toBeGreaterThan(m / 2);
    }
  });

  it('push takes back only a popped index: on a full order it throws a RangeError', () => {
    const o = new BoundOrder(Float64Array.from([3, 1, 2]));
    expect(() => o.push(0)).toThrow(new RangeError('push: the order holds all 3 indices already (push only a popped one)'));
    expect(o.pop()).toBe(0);
    o.push(0);
    expect([o.pop(), o.pop(), o.pop(), o.pop()]).toEqual([0, 2, 1, -1]);
  });
});
