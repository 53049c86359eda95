import { describe, expect, it } from 'vitest';
import { pointKey, samePoint, storedPointKey } from '../../src/study/point-key';
import type { Params } from '../../src/space/types';
import { Rng } from '../../src/util/rng';

describe('samePoint', () => {
  it('agrees with comparing pointKey strings, on near twins, reordered keys and the values JSON writes alike', () => {
    const rng = new Rng(11);
    const values: unknown[] = [0, -0, 1, 1 + 2 ** -52, 0.1, 'a', 'b', '1', true, false, NaN, Infinity, -Infinity, null, undefined, [1, 2], { u: 1 }];
    const pick = () => values[Math.floor(rng.uniform(0, values.length))];
    let same = 0;
    for (let t = 0; t < 4000; t++) {
      const keys = ['x', 'y', 'z'].slice(0, 1 + Math.floor(rng.uniform(0, 3)));
      const a: Record<string, unknown> = {};
      for (const k of keys) a[k] = pick();
      // b: a's values in another key order, one changed or a key added or dropped now and then
      const b: Record<string, unknown> = {};
      for (const k of [...keys].reverse()) b[k] = a[k];
      const u = rng.uniform(0, 1);
      if (u < 0.4) b[keys[0]] = pick();
      else if (u < 0.45) b.w = 1;
      else if (u < 0.5 && keys.length > 1) delete b[keys[0]];
      const expected = pointKey(a as Params) === pointKey(b as Params);
      expect(samePoint(a as Params, b as Params)).toBe(expected);
      expect(samePoint(b as Params, a as Params)).toBe(expected);
      if (expected) same++;
    }
    expect(same).toBeGreaterThan(1000);
    expect(same).toBeLessThan(3800);
  });
});

describe('storedPointKey', () => {
  it('is pointKey, kept only for frozen params (a mutable object read again after a change gets its new key)', () => {
    const frozen = Object.freeze({ b: 2, a: 'x' });
    expect(storedPointKey(frozen)).toBe(pointKey(frozen));
    expect(storedPointKey(frozen)).toBe(pointKey({ a: 'x', b: 2 }));
    const open: Record<string, number> = { a: 1 };
    expect(storedPointKey(open)).toBe(pointKey({ a: 1 }));
    open.a = 2;
    expect(storedPointKey(open)).toBe(pointKey({ a: 2 }));
  });
});
