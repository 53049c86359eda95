import { describe, expect, it } from 'vitest';
import { InvalidOptionError, NumericalError } from '../../src/errors';
import { crossCovariance } from '../../src/gp/kernels';
import {
  cholesky, choleskyInPlace, choleskySolve, logDetFromCholesky, solveLower, solveLowerTranspose,
  triangularInverse, triangularInverseTranspose,
} from '../../src/gp/linalg';
import { Rng } from '../../src/util/rng';
import { thrown } from '../optimizer/caught';

const TOL_RECON = 1e-12; // relative reconstruction error of L L^T on well-conditioned matrices
const TOL_SOLVE = 1e-10; // residual of triangular and Cholesky solves

function randomSpd(rng: Rng, n: number): Float64Array {
  const B = Float64Array.from({ length: n * n }, () => rng.normal());
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
      A[i * n + j] = s;
    }
  }
  return A;
}

function mulLLt(L: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += L[i * n + k] * L[j * n + k];
      out[i * n + j] = s;
    }
  }
  return out;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function expectNumericalError(fn: () => unknown, message: string): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(NumericalError);
  expect((err as Error).message).toBe(message);
}

describe('cholesky', () => {
  it('L L^T reproduces A, L is lower-triangular, and A is left untouched', () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 7, 30]) {
      const A = randomSpd(rng, n);
      const copy = A.slice();
      const { L, jitter } = cholesky(A, n);
      expect(jitter).toBe(0);
      expect(A).toEqual(copy);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(L[i * n + j]).toBe(0);
      const R = mulLLt(L, n);
      const err = maxAbs(R.map((v, k) => v - A[k]));
      expect(err / maxAbs(A)).toBeLessThan(TOL_RECON);
    }
  });

  it('reads only the lower triangle', () => {
    const rng = new Rng(2);
    const n = 5;
    const A = randomSpd(rng, n);
    const garbage = A.slice();
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) garbage[i * n + j] = 1e6 * (i + j);
    expect(cholesky(garbage, n).L).toEqual(cholesky(A, n).L);
  });

  it('in-place variant equals the copying one', () => {
    const rng = new Rng(3);
    const n = 9;
    const A = randomSpd(rng, n);
    const B = A.slice();
    expect(choleskyInPlace(B, n)).toBe(0);
    expect(B).toEqual(cholesky(A, n).L);
  });

  it('adds escalating jitter for a singular Gram matrix with duplicate points', () => {
    // three identical points and one other: rank 2, not positive definite without jitter
    const X = Float64Array.from([0.2, 0.4, 0.2, 0.4, 0.2, 0.4, 0.9, 0.1]);
    const n = 4;
    const K = crossCovariance('matern52', X, n, X, n, 2, [0.5, 0.5], 1);
    const { L, jitter } = cholesky(K, n);
    expect(jitter).toBeGreaterThan(0);
    // jitter = 1e-10 * mean(diag) * 10^k for an integer k >= 0 (mean diagonal is 1 here)
    const k = Math.log10(jitter / 1e-10);
    expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-9);
    expect(Math.round(k)).toBeGreaterThanOrEqual(0);
    const R = mulLLt(L, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const want = K[i * n + j] + (i === j ? jitter : 0);
        expect(Math.abs(R[i * n + j] - want)).toBeLessThan(TOL_RECON);
      }
    }
    for (const v of L) expect(Number.isFinite(v)).toBe(true);
  });

  it('scales the jitter with the mean diagonal', () => {
    const n = 3;
    const ones = new Float64Array(n * n).fill(1e6); // rank 1
    const { jitter } = cholesky(ones, n);
    const k = Math.log10(jitter / (1e-10 * 1e6));
    expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-9);
  });

  it('throws NumericalError on NaN input with an exact message', () => {
    const A = Float64Array.from([1, 0, NaN, 1]);
    expectNumericalError(() => cholesky(A, 2), 'cholesky: matrix entry (1, 0) is NaN');
    const B = Float64Array.from([Infinity, 0, 0, 1]);
    expectNumericalError(() => cholesky(B, 2), 'cholesky: matrix entry (0, 0) is Infinity');
  });

  it('throws NumericalError when even the largest jitter fails', () => {
    const A = Float64Array.from([-1, 0, 0, -1]);
    expectNumericalError(() => cholesky(A, 2),
      'cholesky: matrix is not positive definite (n = 2, largest jitter tried 1.0e-2)');
  });

  it('fails, rather than retrying for ever, where the mean of the diagonal overflows', () => {
    // finite entries, not positive definite: the jitter schedule (1e-10 to 1e-2 of
    // the mean diagonal) would be Infinity <= Infinity at every step
    const A = Float64Array.from([1.5e308, 1.6e308, 1.6e308, 1.5e308]);
    expectNumericalError(() => cholesky(A, 2),
      'cholesky: matrix is not positive definite (n = 2, largest jitter tried 0.0e+0)');
  });

  it('handles n = 0', () => {
    const { L, jitter } = cholesky(new Float64Array(0), 0);
    expect(L.length).toBe(0);
    expect(jitter).toBe(0);
  });
});

describe('triangular solves and inverse', () => {
  const rng = new Rng(4);
  const n = 12;
  const A = randomSpd(rng, n);
  const { L } = cholesky(A, n);
  const b = Float64Array.from({ length: n }, () => rng.normal());

  it('solveLower and solveLowerTranspose have tiny residuals (also when aliasing b)', () => {
    const x = solveLower(L, n, b);
    const y = solveLowerTranspose(L, n, b);
    for (let i = 0; i < n; i++) {
      let r1 = -b[i];
      let r2 = -b[i];
      for (let k = 0; k < n; k++) {
        r1 += L[i * n + k] * x[k];
        r2 += L[k * n + i] * y[k];
      }
      expect(Math.abs(r1)).toBeLessThan(TOL_SOLVE);
      expect(Math.abs(r2)).toBeLessThan(TOL_SOLVE);
    }
    const alias = b.slice();
    solveLower(L, n, alias, alias);
    expect(alias).toEqual(x);
  });

  it('choleskySolve solves A x = b', () => {
    const x = choleskySolve(L, n, b);
    for (let i = 0; i < n; i++) {
      let r = -b[i];
      for (let k = 0; k < n; k++) r += A[i * n + k] * x[k];
      expect(Math.abs(r)).toBeLessThan(TOL_SOLVE * maxAbs(A));
    }
  });

  it('Linv L = I, Linv is lower-triangular, and the transposed variant is its transpose', () => {
    const Linv = triangularInverse(L, n);
    const LinvT = triangularInverseTranspose(L, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += Linv[i * n + k] * L[k * n + j];
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(TOL_SOLVE);
        if (j > i) expect(Linv[i * n + j]).toBe(0);
        expect(LinvT[j * n + i]).toBe(Linv[i * n + j]);
      }
    }
  });

  it('log determinant matches the 2 x 2 closed form ad - bc and a diagonal matrix', () => {
    const M = Float64Array.from([4, 1.5, 1.5, 3]);
    expect(Math.abs(logDetFromCholesky(cholesky(M, 2).L, 2) - Math.log(4 * 3 - 1.5 * 1.5))).toBeLessThan(1e-14);
    const D = Float64Array.from([2, 0, 0, 0, 5, 0, 0, 0, 0.25]);
    expect(Math.abs(logDetFromCholesky(cholesky(D, 3).L, 3) - Math.log(2.5))).toBeLessThan(1e-14);
  });
});

describe('argument checks of the exported helpers (O(1): counts, lengths, options)', () => {
  const refused = (call: () => unknown, option: string, message: string) => {
    const e = thrown(call) as InvalidOptionError;
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect([e.option, e.message]).toEqual([option, message]);
  };
  const I2 = Float64Array.from([1, 0, 0, 1]);

  it('a count that is not a non-negative integer names n (-1 was a RangeError: Invalid typed array length)', () => {
    for (const [name, call] of [
      ['cholesky', (n: number) => cholesky(I2, n)],
      ['choleskyInPlace', (n: number) => choleskyInPlace(I2.slice(), n)],
      ['solveLower', (n: number) => solveLower(I2, n, [1, 1])],
      ['solveLowerTranspose', (n: number) => solveLowerTranspose(I2, n, [1, 1])],
      ['choleskySolve', (n: number) => choleskySolve(I2, n, [1, 1])],
      ['triangularInverse', (n: number) => triangularInverse(I2, n)],
      ['logDetFromCholesky', (n: number) => logDetFromCholesky(I2, n)],
    ] as const) {
      refused(() => call(-1), 'n', `${name}: n: expected a non-negative integer, got -1`);
      refused(() => call(1.5), 'n', `${name}: n: expected a non-negative integer, got 1.5`);
      refused(() => call('2' as never), 'n', `${name}: n: expected a non-negative integer, got "2"`);
    }
  });

  it('a matrix or vector shorter than n x n or n, a missing one, and an out that is not a Float64Array name it (a short array read NaN, a missing b was a TypeError)', () => {
    refused(() => cholesky(I2, 3), 'A', 'cholesky: A: expected n x n = 9 values, got 4');
    refused(() => cholesky(undefined as never, 1), 'A', 'cholesky: A: expected an array of n x n = 1 values, got undefined');
    // choleskyInPlace writes A: a short one was a NumericalError, a plain array is refused
    refused(() => choleskyInPlace(I2.slice(), 3), 'A', 'choleskyInPlace: A: expected n x n = 9 values, got 4');
    refused(() => choleskyInPlace([1, 0, 0, 1] as never, 2), 'A', 'choleskyInPlace: A: expected a Float64Array of n x n = 4 values, got [1,0,0,1]');
    refused(() => solveLower(I2, 2, undefined as never), 'b', 'solveLower: b: expected an array of n = 2 values, got undefined');
    refused(() => solveLower(I2, 2, [1]), 'b', 'solveLower: b: expected n = 2 values, got 1');
    refused(() => solveLowerTranspose(I2, 2, [1, 1], new Float64Array(1)), 'out', 'solveLowerTranspose: out: expected n = 2 values, got 1');
    refused(() => choleskySolve(I2.subarray(0, 3), 2, [1, 1]), 'L', 'choleskySolve: L: expected n x n = 4 values, got 3');
    refused(() => triangularInverse(I2, 2, 'x' as never), 'out', 'triangularInverse: out: expected a Float64Array of n x n = 4 values, got "x"');
    refused(() => logDetFromCholesky(null as never, 1), 'L', 'logDetFromCholesky: L: expected an array of n x n = 1 values, got null');
    // b may be any array; out aliasing b is fine
    const b = Float64Array.from([2, 4]);
    expect(Array.from(choleskySolve(Float64Array.from([2, 0, 0, 2]), 2, b, b))).toEqual([0.5, 1]);
    expect(Array.from(solveLower(I2, 2, [3, 4]))).toEqual([3, 4]);
  });

  it('cholesky options that are not an object, unknown, or not positive finite jitters name them (null was a TypeError; initialJitter 0 retried for ever)', () => {
    const singular = () => Float64Array.from([1, 1, 1, 1]);
    refused(() => cholesky(I2, 2, null as never), 'options', 'cholesky: options must be an object, got null');
    refused(() => choleskyInPlace(singular(), 2, { maxJiter: 1 } as never), 'maxJiter', 'option "maxJiter": unknown option of choleskyInPlace (known: initialJitter, maxJitter)');
    refused(() => choleskyInPlace(singular(), 2, { initialJitter: 0 }), 'initialJitter', 'option "initialJitter": expected a positive finite number, got 0');
    refused(() => cholesky(singular(), 2, { maxJitter: -1 }), 'maxJitter', 'option "maxJitter": expected a positive finite number, got -1');
    refused(() => cholesky(singular(), 2, { maxJitter: NaN }), 'maxJitter', 'option "maxJitter": expected a positive finite number, got NaN');
    expect(cholesky(singular(), 2, { initialJitter: 1e-6, maxJitter: 1 }).jitter).toBeGreaterThan(0);
  });
});
