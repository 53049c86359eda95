import { describe, expect, it } from 'vitest';
import { choleskyInPlace, factorLower, triangularInverse } from '../../src/gp/linalg';
import { factorLowerBlocked, inverseRowsAppend } from '../../src/gp/linalg-blocked';
import { Rng } from '../../src/util/rng';

const TOL_BLOCKED = 1e-12; // max |L_blocked - L_naive| / max |L|: only the order of additions differs
const TOL_INVERSE = 1e-12; // max |Linv_rows - Linv_columns| / max |Linv| on well-conditioned factors

/** Lower triangle of a Matern-like kernel matrix on random points (+ noise); duplicates when `dup`. */
function kernelMatrix(rng: Rng, n: number, d: number, noise: number, dup = 0): Float64Array {
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(0, 1));
  for (let r = 0; r < dup; r++) {
    const a = rng.int(n);
    const b = rng.int(n);
    X.copyWithin(b * d, a * d, a * d + d);
  }
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) r2 += ((X[i * d + k] - X[j * d + k]) / 0.4) ** 2;
      const r = Math.sqrt(5 * r2);
      K[i * n + j] = (1 + r + r * r / 3) * Math.exp(-r) + (i === j ? noise : 0);
    }
  }
  return K;
}

function relDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return m / s;
}

describe('blocked Cholesky', () => {
  for (const [n, seed] of [[5, 1], [64, 2], [97, 3], [250, 4]] as const) {
    it(`equals the plain row-oriented factorization to ${TOL_BLOCKED} relative (n = ${n}, seed ${seed})`, () => {
      const K = kernelMatrix(new Rng(seed), n, 6, 1e-3);
      const a = K.slice();
      const b = K.slice();
      expect(factorLower(a, n)).toBe(true);
      expect(factorLowerBlocked(b, n)).toBe(true);
      expect(relDiff(b, a)).toBeLessThan(TOL_BLOCKED);
    });
  }

  it('extending a factor by rows equals a fresh factorization bit for bit, in any block split', () => {
    const n = 173;
    const K = kernelMatrix(new Rng(5), n, 4, 1e-4);
    const fresh = K.slice();
    expect(factorLowerBlocked(fresh, n)).toBe(true);
    for (const p of [1, 47, 48, 49, 100, 172]) {
      const ext = K.slice();
      // rows 0..p-1 from the factor of the leading block (its own fresh factorization)
      const lead = new Float64Array(p * p);
      for (let i = 0; i < p; i++) lead.set(K.subarray(i * n, i * n + i + 1), i * p);
      expect(factorLowerBlocked(lead, p)).toBe(true);
      for (let i = 0; i < p; i++) ext.set(lead.subarray(i * p, i * p + i + 1), i * n);
      expect(factorLowerBlocked(ext, n, p)).toBe(true);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          if (!Object.is(ext[i * n + j], fresh[i * n + j])) throw new Error(`p = ${p}: entry (${i}, ${j}) differs`);
        }
      }
    }
  });

  it('fails on a singular matrix (duplicate points, noise 0) and succeeds with jitter, like the plain one', () => {
    const n = 120;
    const K = kernelMatrix(new Rng(6), n, 3, 0, 10);
    expect(factorLowerBlocked(K.slice(), n)).toBe(false);
    const A = K.slice();
    const jitter = choleskyInPlace(A, n); // n >= 64: the blocked path
    expect(jitter).toBeGreaterThan(0);
    const B = K.slice();
    for (let i = 0; i < n; i++) B[i * n + i] += jitter;
    expect(factorLower(B, n)).toBe(true);
    for (let i = 0; i < n; i++) B.fill(0, i * n + i + 1, (i + 1) * n);
    // ill-conditioned (noise at the jitter floor): agreement to 1e-8 relative
    expect(relDiff(A, B)).toBeLessThan(1e-8);
  });
});

describe('row-wise triangular inverse', () => {
  it(`equals the column-wise inverse to ${TOL_INVERSE} relative, whole and extended`, () => {
    const n = 150;
    const L = kernelMatrix(new Rng(7), n, 5, 1e-2);
    expect(factorLowerBlocked(L, n)).toBe(true);
    for (let i = 0; i < n; i++) L.fill(0, i * n + i + 1, (i + 1) * n);
    const ref = triangularInverse(L, n);
    const whole = new Float64Array(n * n);
    inverseRowsAppend(L, whole, n, 0);
    expect(relDiff(whole, ref)).toBeLessThan(TOL_INVERSE);
    const ext = new Float64Array(n * n);
    ext.set(whole.subarray(0, 90 * n));
    ext.fill(7, 90 * n); // garbage in the rows to be computed
    inverseRowsAppend(L, ext, n, 90);
    expect(Array.from(ext)).toEqual(Array.from(whole));
  });

  /** The one-row loop inverseRowsAppend used before it took four rows at a time: the reference its result equals bit for bit. */
  function oneRowAtATime(L: Float64Array, inv: Float64Array, n: number, p: number): void {
    for (let i = p; i < n; i++) {
      const ri = i * n;
      inv.fill(0, ri, ri + n);
      for (let k = 0; k < i; k++) {
        const c = L[ri + k];
        if (c === 0) continue;
        for (let q = 0; q <= k; q++) inv[ri + q] -= c * inv[k * n + q];
      }
      const s = 1 / L[ri + i];
      for (let q = 0; q < i; q++) inv[ri + q] *= s;
      inv[ri + i] = s;
    }
  }

  it('four rows at a time equals the one-row loop bit for bit: n not a multiple of 4, from rows p > 0, exact zeros in L, an ill-conditioned factor', () => {
    const rng = new Rng(41);
    const cases = [
      { n: 97, p: 0, noise: 1e-2, dup: 0, zeros: 0 },
      { n: 130, p: 33, noise: 1e-2, dup: 0, zeros: 0 },
      { n: 75, p: 6, noise: 1e-2, dup: 0, zeros: 300 },
      { n: 120, p: 0, noise: 1e-9, dup: 6, zeros: 0 }, // duplicated points, almost no noise
    ];
    for (const c of cases) {
      const L = kernelMatrix(rng, c.n, 3, c.noise, c.dup);
      choleskyInPlace(L, c.n);
      for (let z = 0; z < c.zeros; z++) {
        const i = 1 + rng.int(c.n - 1);
        L[i * c.n + rng.int(i)] = 0; // a lower-triangular matrix with exact zeros below the diagonal
      }
      const ref = new Float64Array(c.n * c.n);
      oneRowAtATime(L, ref, c.n, 0);
      const got = new Float64Array(c.n * c.n);
      got.set(ref.subarray(0, c.p * c.n)); // rows before p, given
      got.fill(5, c.p * c.n); // garbage in the rows to be computed
      inverseRowsAppend(L, got, c.n, c.p);
      expect(got.every((v, i) => Object.is(v, ref[i])), `n ${c.n}, p ${c.p}`).toBe(true);
    }
  });
});
