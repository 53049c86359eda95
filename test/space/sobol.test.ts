import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { SOBOL_MAX_DIM, SobolSequence, sobolDesign } from '../../src/space';
import { sobolPolys } from '../../src/space/sobol-directions';
import { Rng } from '../../src/util/rng';
import { thrown } from '../optimizer/caught';

/**
 * First 16 points, dimensions 1..8, times 16, of the unscrambled Sobol
 * sequence with the Joe & Kuo (2008) new-joe-kuo-6.21201 direction numbers in
 * Gray-code order: the output of Joe & Kuo's sobol.cc, identical to
 * scipy.stats.qmc.Sobol(d, scramble=False).random(16).
 */
const JOE_KUO_16x8 = [
  [0, 0, 0, 0, 0, 0, 0, 0],
  [8, 8, 8, 8, 8, 8, 8, 8],
  [12, 4, 4, 4, 12, 12, 4, 12],
  [4, 12, 12, 12, 4, 4, 12, 4],
  [6, 6, 10, 14, 6, 2, 6, 14],
  [14, 14, 2, 6, 14, 10, 14, 6],
  [10, 2, 14, 10, 10, 14, 2, 2],
  [2, 10, 6, 2, 2, 6, 10, 10],
  [3, 5, 15, 7, 9, 5, 7, 15],
  [11, 13, 7, 15, 1, 13, 15, 7],
  [15, 1, 11, 3, 5, 9, 3, 3],
  [7, 9, 3, 11, 13, 1, 11, 11],
  [5, 3, 5, 9, 15, 7, 1, 1],
  [13, 11, 13, 1, 7, 15, 9, 9],
  [9, 7, 1, 13, 3, 11, 5, 13],
  [1, 15, 9, 5, 11, 3, 13, 5],
];

/** First 32 points times 32 of dimensions 64, 256 and 1024 (same source as above). */
const JOE_KUO_HIGH: Record<number, number[]> = {
  64: [0, 16, 24, 8, 4, 20, 28, 12, 22, 6, 14, 30, 18, 2, 10, 26, 3, 19, 27, 11, 7, 23, 31, 15, 21, 5, 13, 29, 17, 1, 9, 25],
  256: [0, 16, 24, 8, 12, 28, 20, 4, 14, 30, 22, 6, 2, 18, 26, 10, 25, 9, 1, 17, 21, 5, 13, 29, 23, 7, 15, 31, 27, 11, 3, 19],
  1024: [0, 16, 24, 8, 28, 12, 4, 20, 2, 18, 26, 10, 30, 14, 6, 22, 29, 13, 5, 21, 1, 17, 25, 9, 31, 15, 7, 23, 3, 19, 27, 11],
};

/** Rows d = 2..8 of new-joe-kuo-6.21201 as published: [s, a, m_1..m_s]. */
const JOE_KUO_ROWS = [
  [1, 0, 1],
  [2, 1, 1, 3],
  [3, 1, 1, 3, 1],
  [3, 2, 1, 1, 1],
  [4, 1, 1, 1, 3, 3],
  [4, 4, 1, 3, 5, 13],
  [5, 2, 1, 1, 5, 5, 17],
];

/** True when, in every dimension, floor(x * n) over the n points is a permutation of 0..n-1. */
function balanced(points: Float64Array[], n: number): boolean {
  const d = points[0].length;
  for (let j = 0; j < d; j++) {
    const hit = new Uint8Array(n);
    for (const p of points) hit[Math.floor(p[j] * n)]++;
    if (!hit.every((c) => c === 1)) return false;
  }
  return true;
}

describe('direction numbers', () => {
  it('hold SOBOL_MAX_DIM - 1 well-formed rows starting with the published ones', () => {
    const rows = sobolPolys();
    expect(SOBOL_MAX_DIM).toBe(1024);
    expect(rows.length).toBe(SOBOL_MAX_DIM - 1);
    expect(rows.slice(0, 7).map((r) => [r.s, r.a, ...r.m])).toEqual(JOE_KUO_ROWS);
    for (const { s, a, m } of rows) {
      expect(m.length).toBe(s);
      expect(a).toBeLessThan(2 ** Math.max(0, s - 1));
      m.forEach((mk, k) => {
        expect(mk % 2).toBe(1);
        expect(mk).toBeLessThan(2 ** (k + 1));
      });
    }
  });
});

describe('unscrambled sequence', () => {
  it('matches the Joe-Kuo values for dimensions 1..8', () => {
    const pts = new SobolSequence(8).take(16);
    expect(pts.map((p) => [...p].map((x) => x * 16))).toEqual(JOE_KUO_16x8);
  });

  it('matches the Joe-Kuo values for dimensions 64, 256 and 1024', () => {
    const pts = new SobolSequence(1024).take(32);
    for (const [d, want] of Object.entries(JOE_KUO_HIGH)) {
      expect(pts.map((p) => p[Number(d) - 1] * 32)).toEqual(want);
    }
  });

  it('is balanced for every power of two up to 1024 in all 1024 dimensions', () => {
    const pts = new SobolSequence(1024).take(1024);
    for (let n = 1; n <= 1024; n *= 2) expect(balanced(pts.slice(0, n), n)).toBe(true);
  });

  it('rejects unsupported dimensions', () => {
    expect(() => new SobolSequence(0)).toThrow(InvalidOptionError);
    expect(() => new SobolSequence(1025)).toThrow('dim: Sobol supports 1 to 1024 dimensions, got 1025');
  });

  it('refuses a scramble that is not an Rng and a count that is not a non-negative integer, naming them (TypeErrors, and 3 points for 2.5, before)', () => {
    for (const [call, option, message] of [
      [() => new SobolSequence(1, 'x' as never), 'scramble', 'scramble: expected an Rng (new Rng(seed)), got "x"'],
      [() => new SobolSequence(1, null as never), 'scramble', 'scramble: expected an Rng (new Rng(seed)), got null'],
      [() => new SobolSequence(1).take(2.5), 'n', 'n: expected a non-negative integer, got 2.5'],
      [() => new SobolSequence(1).take(-1), 'n', 'n: expected a non-negative integer, got -1'],
    ] as const) {
      const e = thrown(call) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual([option, message]);
    }
    expect(new SobolSequence(1).take(0)).toEqual([]);
  });
});

describe('scrambled sequence (LMS + digital shift)', () => {
  it('stays in [0, 1) and balanced for powers of two', () => {
    for (const seed of [1, 2, 3]) {
      const pts = sobolDesign(new Rng(seed), 512, 64);
      for (const p of pts) for (const x of p) expect(x >= 0 && x < 1).toBe(true);
      for (let n = 1; n <= 512; n *= 2) expect(balanced(pts.slice(0, n), n)).toBe(true);
    }
  });

  it('keeps dimensions 1-2 a (0, m, 2)-net: every elementary box of area 1/256 holds one point', () => {
    const n = 256;
    const pts = sobolDesign(new Rng(11), n, 2);
    for (let a = 0; a <= 8; a++) {
      const b = 8 - a;
      const counts = new Map<number, number>();
      for (const p of pts) {
        const key = Math.floor(p[0] * 2 ** a) * 2 ** b + Math.floor(p[1] * 2 ** b);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      expect(counts.size).toBe(n);
    }
  });

  it('is reproducible under a seed and differs across seeds', () => {
    const a = sobolDesign(new Rng(42), 64, 10);
    const b = sobolDesign(new Rng(42), 64, 10);
    const c = sobolDesign(new Rng(43), 64, 10);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    // Scrambled points are not the plain ones.
    expect(a).not.toEqual(new SobolSequence(10).take(64));
  });

  it('randomizes the first point uniformly (mean over 1000 seeds)', () => {
    // Each scrambled point is U[0,1)^d; the mean of 1000 draws has sd 0.0091.
    const TOL_MEAN = 0.05;
    let sum = 0;
    for (let s = 0; s < 1000; s++) sum += sobolDesign(new Rng(s), 1, 1)[0][0];
    expect(Math.abs(sum / 1000 - 0.5)).toBeLessThan(TOL_MEAN);
  });
});
