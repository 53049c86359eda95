/**
 * appendFactorRows (src/gp/covariance-factor.ts): rows appended to a factor
 * equal a fresh factorization of the whole matrix, well and ill conditioned.
 * Tolerance: 1e-9 relative to the largest |L| entry (both are backward
 * stable float64 Choleskys of the same matrix, the ill-conditioned case
 * included).
 */
import { describe, expect, it } from 'vitest';
import { appendFactorRows, CovarianceFactor, GROWTH_ROOM } from '../../src/gp/covariance-factor';
import { NumericalError } from '../../src/errors';
import { packHyperparameters } from '../../src/gp/priors';
import { crossCovariance, type KernelName } from '../../src/gp/kernels';
import { choleskyInPlace } from '../../src/gp/linalg';
import { inverseRowsAppend } from '../../src/gp/linalg-blocked';
import { Rng } from '../../src/util/rng';

const TOL = 1e-9;

function gram(kernel: KernelName, X: Float64Array, N: number, d: number, ls: Float64Array, s2: number, noise: number): Float64Array {
  const K = crossCovariance(kernel, X, N, X, N, d, ls, s2);
  for (let i = 0; i < N; i++) K[i * N + i] += noise;
  for (let i = 0; i < N; i++) K.fill(0, i * N + i + 1, (i + 1) * N);
  return K;
}

function fresh(kernel: KernelName, X: Float64Array, N: number, d: number, ls: Float64Array, s2: number, noise: number) {
  const L = gram(kernel, X, N, d, ls, s2, noise);
  const jitter = choleskyInPlace(L, N);
  return { L, jitter };
}

function maxAbs(a: Float64Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('appendFactorRows', () => {
  const cases = [
    { name: 'well conditioned, n below the blocked size', n: 12, m: 5, d: 3, noise: 1e-2, near: 0 },
    { name: 'n above the blocked size (64)', n: 80, m: 7, d: 4, noise: 1e-4, near: 0 },
    { name: 'ill conditioned: new points 1e-4 from old ones, noise 1e-8', n: 20, m: 6, d: 2, noise: 1e-8, near: 1e-4 },
  ];
  for (const kernel of ['matern52', 'rbf'] as const) {
    for (const c of cases) {
      it(`${kernel}, ${c.name}: equals a fresh factorization`, () => {
        const rng = new Rng(c.n * 7 + c.m);
        const N = c.n + c.m;
        const X = Float64Array.from({ length: N * c.d }, () => rng.random());
        if (c.near > 0) {
          for (let i = c.n; i < N; i++) {
            const j = rng.int(c.n);
            for (let k = 0; k < c.d; k++) X[i * c.d + k] = X[j * c.d + k] + c.near * rng.normal();
          }
        }
        const ls = Float64Array.from({ length: c.d }, () => rng.uniform(0.2, 0.8));
        const s2 = 1.7;
        const base = fresh(kernel, X, c.n, c.d, ls, s2, c.noise);
        expect(base.jitter).toBe(0);
        const out = appendFactorRows(kernel, base.L, c.n, X, N, c.d, ls, s2, c.noise);
        const ref = fresh(kernel, X, N, c.d, ls, s2, c.noise);
        expect(out.appended).toBe(true);
        expect(out.jitter).toBe(ref.jitter);
        const scale = maxAbs(ref.L);
        for (let i = 0; i < N * N; i++) expect(Math.abs(out.L[i] - ref.L[i])).toBeLessThanOrEqual(TOL * scale);
        // the first n rows are the given factor's, untouched
        for (let i = 0; i < c.n; i++) for (let j = 0; j <= i; j++) expect(out.L[i * N + j]).toBe(base.L[i * c.n + j]);
      });
    }
  }

  it('appended rows with their own noise (newNoise): equal a fresh factorization of K + diag(noise, ..., newNoise, ...), a new point on an old one included', () => {
    const rng = new Rng(23);
    const n = 15;
    const m = 4;
    const d = 3;
    const N = n + m;
    const X = Float64Array.from({ length: N * d }, () => rng.random());
    for (let k = 0; k < d; k++) X[n * d + k] = X[2 * d + k]; // the first new point on an old one
    const ls = Float64Array.from([0.3, 0.5, 0.4]);
    const s2 = 1.3;
    const noise = 0.05;
    const newNoise = 1e-6 * s2;
    const base = fresh('matern52', X, n, d, ls, s2, noise);
    const out = appendFactorRows('matern52', base.L, n, X, N, d, ls, s2, noise, newNoise);
    const ref = crossCovariance('matern52', X, N, X, N, d, ls, s2);
    for (let i = 0; i < N; i++) ref[i * N + i] += i < n ? noise : newNoise;
    for (let i = 0; i < N; i++) ref.fill(0, i * N + i + 1, (i + 1) * N);
    expect(choleskyInPlace(ref, N)).toBe(0);
    expect(out.appended).toBe(true);
    expect(out.jitter).toBe(0);
    const scale = maxAbs(ref);
    for (let i = 0; i < N * N; i++) expect(Math.abs(out.L[i] - ref[i])).toBeLessThanOrEqual(TOL * scale);
    // the default is the old rows' noise
    const same = appendFactorRows('matern52', base.L, n, X, N, d, ls, s2, noise);
    const ref2 = fresh('matern52', X, N, d, ls, s2, noise);
    for (let i = 0; i < N * N; i++) expect(Math.abs(same.L[i] - ref2.L[i])).toBeLessThanOrEqual(TOL * maxAbs(ref2.L));
  });

  it('a new point on an old one without noise: factored afresh with jitter, L L^T = K + jitter I', () => {
    const d = 2;
    const X = Float64Array.from([0.1, 0.2, 0.7, 0.4, 0.5, 0.9, 0.7, 0.4]);
    const ls = Float64Array.from([0.3, 0.3]);
    const base = fresh('matern52', X, 3, d, ls, 1, 0);
    expect(base.jitter).toBe(0);
    const out = appendFactorRows('matern52', base.L, 3, X, 4, d, ls, 1, 0);
    expect(out.appended).toBe(false);
    expect(out.jitter).toBeGreaterThan(0);
    const K = gram('matern52', X, 4, d, ls, 1, out.jitter);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += out.L[i * 4 + k] * out.L[j * 4 + k];
        expect(s).toBeCloseTo(K[i * 4 + j], 10);
      }
    }
  });
});

describe('CovarianceFactor storage', () => {
  const d = 3;
  const ls = Float64Array.from([0.4, 0.6, 0.5]);
  const theta = packHyperparameters({ lengthscales: ls, signalVariance: 1.3, noiseVariance: 1e-4 });
  const noise = Math.exp(theta[d + 1]);
  const s2 = Math.exp(theta[d]);

  it('grown a point at a time past its room, in place: every factor equals a fresh factorization bit for bit, upper triangle zero', () => {
    const rng = new Rng(17);
    const n0 = 70; // the blocked kernel (from 64 points): rows are kept
    const N = n0 + Math.max(GROWTH_ROOM, Math.ceil(n0 / 16)) + 3; // crosses the first storage's room
    const X = Float64Array.from({ length: N * d }, () => rng.random());
    const cf = new CovarianceFactor();
    expect(cf.update('matern52', X, n0, d, theta)).toBe(0);
    for (let n = n0 + 1; n <= N; n++) {
      expect(cf.update('matern52', X, n, d, theta)).toBe(n - 1);
      const ref = fresh('matern52', X, n, d, ls, s2, noise);
      expect(ref.jitter).toBe(0);
      expect(cf.L.length).toBe(n * n);
      expect(Array.from(cf.L)).toEqual(Array.from(ref.L));
    }
  });

  /** L^-1 of a fresh factorization, row by row as CovarianceFactor computes it. */
  const freshInverse = (X: Float64Array, n: number): Float64Array => {
    const inv = new Float64Array(n * n);
    inverseRowsAppend(fresh('matern52', X, n, d, ls, s2, noise).L, inv, n, 0);
    return inv;
  };

  it('Linv asked for at some updates and not at others, across the storage\'s room and a refactor: each equals a fresh inverse bit for bit, upper triangle zero', () => {
    const rng = new Rng(29);
    const n0 = 66;
    const N = n0 + Math.max(GROWTH_ROOM, Math.ceil(n0 / 16)) + 6; // crosses the first Linv storage's room
    const X = Float64Array.from({ length: N * d }, () => rng.random());
    const cf = new CovarianceFactor();
    cf.update('matern52', X, n0, d, theta);
    expect(Array.from(cf.inverse())).toEqual(Array.from(freshInverse(X, n0)));
    // asked for after 1, 3 and 7 updates without it (rows kept where they were, moved when asked), then after each
    const asks = new Set([n0 + 1, n0 + 4, n0 + 11, ...Array.from({ length: N - n0 - 60 }, (_, i) => n0 + 60 + i + 1)]);
    for (let n = n0 + 1; n <= N; n++) {
      expect(cf.update('matern52', X, n, d, theta)).toBe(n - 1);
      if (!asks.has(n)) continue;
      const inv = cf.inverse();
      expect(inv.length).toBe(n * n);
      expect(Array.from(inv)).toEqual(Array.from(freshInverse(X, n)));
    }
    // other hyperparameters: factored afresh, and so is Linv
    const theta2 = packHyperparameters({ lengthscales: Float64Array.from([0.5, 0.5, 0.5]), signalVariance: 1.3, noiseVariance: 1e-4 });
    expect(cf.update('matern52', X, N, d, theta2)).toBe(0);
    const inv2 = new Float64Array(N * N);
    const K2 = gram('matern52', X, N, d, Float64Array.from([0.5, 0.5, 0.5]), s2, noise);
    choleskyInPlace(K2, N);
    inverseRowsAppend(K2, inv2, N, 0);
    expect(Array.from(cf.inverse())).toEqual(Array.from(inv2));
  });

  it('an update that throws leaves nothing to reuse: the next one factors afresh', () => {
    const rng = new Rng(18);
    const n = 80;
    const X = Float64Array.from({ length: (n + 1) * d }, () => rng.random());
    const cf = new CovarianceFactor();
    cf.update('rbf', X, n, d, theta);
    const bad = X.slice();
    bad[n * d] = NaN; // the new point: its rows cannot be factored, nor the whole matrix
    expect(() => cf.update('rbf', bad, n + 1, d, theta)).toThrow(NumericalError);
    expect(cf.update('rbf', X, n + 1, d, theta)).toBe(0); // not the rows the failed update overwrote
    expect(Array.from(cf.L)).toEqual(Array.from(fresh('rbf', X, n + 1, d, ls, s2, noise).L));
  });
});
