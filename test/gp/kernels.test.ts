import { describe, expect, it } from 'vitest';
import { crossCovariance, kernelAndDerivR2, kernelDerivR2, kernelFromR2, KERNEL_NAMES } from '../../src/gp/kernels';
import { cholesky } from '../../src/gp/linalg';
import { Rng } from '../../src/util/rng';

const TOL_EXACT = 1e-14; // relative, for values that are the same formula up to rounding
const TOL_REF = 1e-13; // relative, against values computed by an independent implementation
const TOL_FD = 1e-7; // central finite difference of a smooth function, h = 1e-5

function randomPoints(rng: Rng, n: number, d: number): Float64Array {
  return Float64Array.from({ length: n * d }, () => rng.random());
}

describe('kernels', () => {
  it('kernelAndDerivR2 gives kernelFromR2 and kernelDerivR2 bit for bit', () => {
    const rng = new Rng(11);
    const out = new Float64Array(2);
    for (const kind of KERNEL_NAMES) {
      for (let t = 0; t < 500; t++) {
        const r2 = t === 0 ? 0 : t % 5 === 0 ? 1e-12 * rng.random() : 40 * rng.random() ** 2;
        kernelAndDerivR2(kind, r2, out);
        expect(out[0]).toBe(kernelFromR2(kind, r2));
        expect(out[1]).toBe(kernelDerivR2(kind, r2));
      }
    }
  });

  it('k(x, x) equals the signal variance for both kernels', () => {
    const rng = new Rng(1);
    const X = randomPoints(rng, 5, 3);
    for (const kind of KERNEL_NAMES) {
      const K = crossCovariance(kind, X, 5, X, 5, 3, [0.2, 0.5, 3], 1.7);
      for (let i = 0; i < 5; i++) expect(K[i * 5 + i]).toBe(1.7);
    }
  });

  it('K(A, B) is the transpose of K(B, A)', () => {
    const rng = new Rng(2);
    const A = randomPoints(rng, 4, 2);
    const B = randomPoints(rng, 6, 2);
    for (const kind of KERNEL_NAMES) {
      const KAB = crossCovariance(kind, A, 4, B, 6, 2, [0.3, 0.8], 2);
      const KBA = crossCovariance(kind, B, 6, A, 4, 2, [0.3, 0.8], 2);
      for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) expect(KAB[i * 6 + j]).toBe(KBA[j * 4 + i]);
    }
  });

  it('Matérn 5/2 matches the general Bessel form of the Matérn covariance', () => {
    // k(r) = 2^(1-nu) / Gamma(nu) (sqrt(2 nu) r)^nu K_nu(sqrt(2 nu) r) at nu = 5/2, with
    // K_{5/2}(z) = sqrt(pi / (2z)) e^{-z} (1 + 3/z + 3/z^2) and Gamma(5/2) = 3 sqrt(pi) / 4
    // (Rasmussen & Williams 2006, eq. 4.14; Abramowitz & Stegun 10.2.17).
    for (const r of [0.05, 0.3, 1, 2.7, 6]) {
      const z = Math.sqrt(5) * r;
      const K52 = Math.sqrt(Math.PI / (2 * z)) * Math.exp(-z) * (1 + 3 / z + 3 / (z * z));
      const bessel = (2 ** -1.5 / ((3 * Math.sqrt(Math.PI)) / 4)) * z ** 2.5 * K52;
      expect(Math.abs(kernelFromR2('matern52', r * r) - bessel) / bessel).toBeLessThan(TOL_REF);
    }
  });

  it('Matérn 5/2 matches values computed with scipy.special.kv', () => {
    // 2^(1-nu)/gamma(nu) * z^nu * kv(nu, z), z = sqrt(5) r, nu = 2.5 (SciPy 1.17)
    const ref: [number, number][] = [[0.5, 0.8286491424181256], [1, 0.5239941088318205], [2, 0.13866021913850432]];
    for (const [r, v] of ref) expect(Math.abs(kernelFromR2('matern52', r * r) - v) / v).toBeLessThan(TOL_REF);
  });

  it('RBF is exp(-r^2 / 2) and both kernels are 1 at r = 0', () => {
    expect(Math.abs(kernelFromR2('rbf', 2) - Math.exp(-1))).toBeLessThan(TOL_EXACT);
    expect(kernelFromR2('rbf', 0)).toBe(1);
    expect(kernelFromR2('matern52', 0)).toBe(1);
  });

  it('uses one lengthscale per dimension (ARD)', () => {
    const A = Float64Array.from([0, 0]);
    const B = Float64Array.from([0.3, 0.4]);
    for (const kind of KERNEL_NAMES) {
      const k = crossCovariance(kind, A, 1, B, 1, 2, [0.5, 2], 1)[0];
      const r2 = (0.3 / 0.5) ** 2 + (0.4 / 2) ** 2;
      expect(Math.abs(k - kernelFromR2(kind, r2))).toBeLessThan(TOL_EXACT);
    }
  });

  it('dk/d(r^2) matches central finite differences', () => {
    const h = 1e-5;
    for (const kind of KERNEL_NAMES) {
      for (const r2 of [0.01, 0.3, 1, 4]) {
        const fd = (kernelFromR2(kind, r2 + h) - kernelFromR2(kind, r2 - h)) / (2 * h);
        expect(Math.abs(kernelDerivR2(kind, r2) - fd)).toBeLessThan(TOL_FD);
      }
    }
    expect(kernelDerivR2('matern52', 0)).toBe(-5 / 6);
  });

  it('random Gram matrices are positive definite (Cholesky needs no jitter, x^T K x > 0)', () => {
    const rng = new Rng(3);
    for (const kind of KERNEL_NAMES) {
      for (let trial = 0; trial < 5; trial++) {
        const n = 25;
        const d = 3;
        const X = randomPoints(rng, n, d);
        const K = crossCovariance(kind, X, n, X, n, d, [0.2, 0.3, 0.4], 1);
        const { jitter } = cholesky(K, n);
        expect(jitter).toBe(0);
        const v = Float64Array.from({ length: n }, () => rng.normal());
        let q = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q += v[i] * K[i * n + j] * v[j];
        expect(q).toBeGreaterThan(0);
      }
    }
  });
});
