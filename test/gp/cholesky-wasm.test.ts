/**
 * choleskyInPlaceFast (src/gp/cholesky-wasm.ts): the WebAssembly
 * factorization gives choleskyInPlace's floats bit for bit, its jitter and
 * its errors, at sizes on either side of the blocked kernel and of the
 * memory the thread's instance keeps.
 */
import { describe, expect, it } from 'vitest';
import { choleskyInPlaceFast, gramCholeskyFast, INVERSE_MODULE_ROWS, inverseRowsAppendFast, kernelCholeskyFast, KEEP_BYTES } from '../../src/gp/cholesky-wasm';
import { inverseRowsAppend } from '../../src/gp/linalg-blocked';
import { crossCovariance, kernelFromR2, type KernelName } from '../../src/gp/kernels';
import { choleskyInPlace } from '../../src/gp/linalg';
import { resolveLikelihoodBackend, setLikelihoodBackend } from '../../src/gp/likelihood-wasm';
import { NumericalError } from '../../src/errors';
import { Rng } from '../../src/util/rng';
import { seededGram } from './fixtures/gram';

/** 1.7 k(X, X) + noise I (RBF) for seeded X, `dups` rows repeated. */
const gram = (seed: number, n: number, d: number, ls: number, noise: number, dups = 0): Float64Array => seededGram(seed, n, d, ls, noise, dups, 'rbf', 1.7);

/** Both factorizations of copies of A: their outcome (jitter or error message) and L. */
function both(A: Float64Array, n: number) {
  const run = (f: (a: Float64Array, n: number) => number) => {
    const a = A.slice();
    try {
      return { jitter: f(a, n), L: a };
    } catch (e) {
      expect(e).toBeInstanceOf(NumericalError);
      return { error: (e as Error).message };
    }
  };
  return { fast: run(choleskyInPlaceFast), ref: run(choleskyInPlace) };
}

/** The same outcome: the same jitter and L bit for bit (-0 apart from 0), or the same error. */
function expectSame(r: ReturnType<typeof both>): void {
  const { fast, ref } = r;
  expect([fast.jitter, fast.error]).toEqual([ref.jitter, ref.error]);
  if (!ref.L) return;
  let diff = -1;
  for (let i = 0; i < ref.L.length && diff < 0; i++) if (!Object.is(fast.L![i], ref.L[i])) diff = i;
  expect(diff).toBe(-1);
}

describe('choleskyInPlaceFast', () => {
  it('runs the WebAssembly factorization here', () => {
    expect(resolveLikelihoodBackend()).toBe('wasm');
  });

  const cases = [
    { name: 'n = 40 (the plain kernel, in JavaScript)', n: 40, d: 3, ls: 0.4, noise: 1e-3 },
    { name: 'n = 64, the first blocked size', n: 64, d: 3, ls: 0.4, noise: 1e-3 },
    { name: 'n = 301, well conditioned', n: 301, d: 5, ls: 0.5, noise: 1e-2 },
    { name: 'n = 120, long lengthscale, noise 1e-9 (cond ~ 1e10)', n: 120, d: 2, ls: 3, noise: 1e-9 },
    { name: 'n = 150, duplicated rows without noise: jitter', n: 150, d: 3, ls: 0.5, noise: 0, dups: 20 },
    { name: 'n = 90, the same smaller: the kept memory reused', n: 90, d: 3, ls: 0.5, noise: 0, dups: 10 },
  ];
  for (const c of cases) {
    it(`${c.name}: choleskyInPlace's L and jitter, bit for bit`, () => {
      const r = both(gram(c.n, c.n, c.d, c.ls, c.noise, c.dups), c.n);
      expectSame(r);
      if (c.dups) expect(r.ref.jitter).toBeGreaterThan(0);
    });
  }

  it('a matrix no jitter makes positive definite, and a non-finite entry: choleskyInPlace\'s errors', () => {
    const n = 80;
    const K = gram(3, n, 3, 0.5, 1e-3);
    const neg = K.slice();
    for (let i = 0; i < n; i++) neg[i * n + i] -= 5; // far below what 1e-2 of the mean diagonal can repair
    const a = both(neg, n);
    expectSame(a);
    expect(a.ref.error).toMatch(/^cholesky: matrix is not positive definite \(n = 80/);
    const nan = K.slice();
    nan[41 * n + 7] = NaN;
    const b = both(nan, n);
    expectSame(b);
    expect(b.ref.error).toBe('cholesky: matrix entry (41, 7) is NaN');
  });

  it('above the memory the thread keeps, on an instance of its own: the same floats', () => {
    const n = Math.ceil(Math.sqrt(KEEP_BYTES / 16)) + 8; // 2 n^2 doubles exceed KEEP_BYTES
    expectSame(both(gram(9, n, 4, 0.6, 1e-4), n));
    expectSame(both(gram(10, 200, 4, 0.6, 1e-4), 200)); // and the kept instance still works after
  });
});

describe('kernelCholeskyFast', () => {
  /** Seeded inputs (`dups` rows repeated) and the reference: kernels.ts's matrix factored by choleskyInPlace. */
  function problem(kernel: KernelName, seed: number, n: number, d: number, noise: number, dups = 0) {
    const rng = new Rng(seed);
    const X = Float64Array.from({ length: n * d }, () => rng.random());
    for (let r = 0; r < dups; r++) X.copyWithin(rng.int(n) * d, rng.int(n) * d, rng.int(n) * d + d);
    const ls = Float64Array.from({ length: d }, () => rng.uniform(0.2, 2));
    const inv = Float64Array.from(ls, (l) => 1 / l);
    const K = crossCovariance(kernel, X, n, X, n, d, ls, 1.3);
    for (let i = 0; i < n; i++) K[i * n + i] = 1.3 + noise;
    const jitter = choleskyInPlace(K, n);
    return { X, inv, ref: K, jitter };
  }

  const cases = [
    { n: 64, d: 1, noise: 1e-3 },
    { n: 101, d: 6, noise: 1e-4 }, // odd n: the last column pair of every other row is a single column
    { n: 150, d: 20, noise: 1e-2 },
    { n: 120, d: 3, noise: 0, dups: 15 }, // needs jitter
  ];
  for (const kernel of ['matern52', 'rbf'] as const) {
    for (const c of cases) {
      it(`${kernel}, n = ${c.n}, d = ${c.d}${c.dups ? ', duplicated rows without noise' : ''}: the matrix and factor of the JavaScript path, bit for bit`, () => {
        const { X, inv, ref, jitter } = problem(kernel, c.n + c.d, c.n, c.d, c.noise, c.dups);
        const out = new Float64Array(c.n * c.n).fill(7); // the upper triangle is zeroed too
        expect(kernelCholeskyFast(kernel, X, c.n, c.d, inv, 1.3, c.noise, out)).toBe(jitter);
        let diff = -1;
        for (let i = 0; i < ref.length && diff < 0; i++) if (!Object.is(out[i], ref[i])) diff = i;
        expect(diff).toBe(-1);
        if (c.dups) expect(jitter).toBeGreaterThan(0);
      });
    }
  }

  it('leaves to the JavaScript path: an input that is not finite, fewer than 64 points, the js backend', () => {
    const { X, inv } = problem('matern52', 3, 80, 2, 1e-3);
    const out = new Float64Array(80 * 80);
    const bad = X.slice();
    bad[77] = NaN;
    expect(kernelCholeskyFast('matern52', bad, 80, 2, inv, 1.3, 1e-3, out)).toBeNull();
    expect(kernelCholeskyFast('matern52', X, 40, 2, inv, 1.3, 1e-3, out)).toBeNull();
    setLikelihoodBackend('js');
    try {
      expect(kernelCholeskyFast('matern52', X, 80, 2, inv, 1.3, 1e-3, out)).toBeNull();
    } finally {
      setLikelihoodBackend('auto');
    }
    expect(kernelCholeskyFast('matern52', X, 80, 2, inv, 1.3, 1e-3, out)).toBe(0);
  });
});

describe('gramCholeskyFast', () => {
  /** Seeded scaled inputs (`d x n`, `dups` rows repeated), a subset of them, a diagonal; the reference built and factored in JavaScript. */
  function problem(kernel: KernelName, seed: number, n: number, d: number, s: number, noise: number, dups = 0) {
    const rng = new Rng(seed);
    const Z = Float64Array.from({ length: d * n }, () => rng.uniform(0, 3));
    for (let r = 0; r < dups; r++) {
      const a = rng.int(n);
      const b = rng.int(n);
      for (let k = 0; k < d; k++) Z[k * n + b] = Z[k * n + a];
    }
    const idx = Int32Array.from({ length: s }, (_, a) => (a * 7 + 3) % n); // distinct while gcd(7, n) = 1
    const diag = Float64Array.from({ length: s }, () => 1.3 + noise * (1 + rng.random()));
    const ref = new Float64Array(s * s);
    for (let a = 0; a < s; a++) {
      for (let b = 0; b < a; b++) {
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const t = Z[k * n + idx[a]] - Z[k * n + idx[b]];
          r2 += t * t;
        }
        ref[a * s + b] = 1.3 * kernelFromR2(kernel, r2);
      }
      ref[a * s + a] = diag[a];
    }
    const jitter = choleskyInPlace(ref, s);
    return { Z, idx, diag, ref, jitter };
  }

  const cases = [
    { n: 150, s: 64, d: 1, noise: 1e-3 },
    { n: 300, s: 151, d: 6, noise: 1e-6 }, // odd |S|
    { n: 200, s: 100, d: 20, noise: 1e-2 },
    { n: 120, s: 90, d: 3, noise: 0, dups: 60 }, // duplicated points without noise: jitter
  ];
  for (const kernel of ['matern52', 'rbf'] as const) {
    for (const c of cases) {
      it(`${kernel}, |S| = ${c.s} of ${c.n}, d = ${c.d}${c.dups ? ', duplicated points without noise' : ''}: the JavaScript build's factor, bit for bit`, () => {
        const { Z, idx, diag, ref, jitter } = problem(kernel, c.n + c.d, c.n, c.d, c.s, c.noise, c.dups);
        const out = new Float64Array(c.s * c.s).fill(7);
        expect(gramCholeskyFast(kernel, Z, c.n, c.d, idx, c.s, 1.3, diag, out)).toBe(jitter);
        let diff = -1;
        for (let i = 0; i < ref.length && diff < 0; i++) if (!Object.is(out[i], ref[i])) diff = i;
        expect(diff).toBe(-1);
        if (c.dups) expect(jitter).toBeGreaterThan(0);
      });
    }
  }

  it('leaves to the JavaScript path: a diagonal or input that is not finite, fewer than 64 rows, the js backend', () => {
    const { Z, idx, diag } = problem('matern52', 5, 150, 2, 80, 1e-3);
    const out = new Float64Array(80 * 80);
    const badDiag = diag.slice();
    badDiag[5] = Infinity;
    expect(gramCholeskyFast('matern52', Z, 150, 2, idx, 80, 1.3, badDiag, out)).toBeNull();
    const badZ = Z.slice();
    badZ[idx[9]] = NaN;
    expect(gramCholeskyFast('matern52', badZ, 150, 2, idx, 80, 1.3, diag, out)).toBeNull();
    expect(gramCholeskyFast('matern52', Z, 150, 2, idx, 40, 1.3, diag, out)).toBeNull();
    setLikelihoodBackend('js');
    try {
      expect(gramCholeskyFast('matern52', Z, 150, 2, idx, 80, 1.3, diag, out)).toBeNull();
    } finally {
      setLikelihoodBackend('auto');
    }
    expect(gramCholeskyFast('matern52', Z, 150, 2, idx, 80, 1.3, diag, out)).toBe(0);
  });
});

describe('inverseRowsAppendFast', () => {
  /** The lower factor of a seeded Gram matrix, `zeros` entries below the diagonal then set to exactly 0. */
  function factor(seed: number, n: number, noise: number, dups: number, zeros: number): Float64Array {
    const L = gram(seed, n, 3, 0.3, noise, dups);
    choleskyInPlace(L, n);
    const rng = new Rng(seed + 1);
    for (let z = 0; z < zeros; z++) {
      const i = 1 + rng.int(n - 1);
      L[i * n + rng.int(i)] = 0;
    }
    return L;
  }
  const cases = [
    { name: 'n = 64 from row 0', seed: 1, n: 64, p: 0, noise: 1e-2, dups: 0, zeros: 0 },
    { name: 'n = 203 from row 57 (not a multiple of 4 either way)', seed: 2, n: 203, p: 57, noise: 1e-3, dups: 0, zeros: 0 },
    { name: 'exact zeros below the diagonal', seed: 3, n: 130, p: 9, noise: 1e-2, dups: 0, zeros: 800 },
    { name: 'ill conditioned: duplicated points, noise 1e-9', seed: 4, n: 150, p: 0, noise: 1e-9, dups: 8, zeros: 0 },
    { name: 'the last 8 rows only (the fewest the module computes)', seed: 5, n: 100, p: 92, noise: 1e-2, dups: 0, zeros: 0 },
  ];
  for (const c of cases) {
    it(`${c.name}: the JavaScript loop's floats bit for bit, upper triangle zero`, () => {
      expect(resolveLikelihoodBackend()).toBe('wasm'); // the module computes these rows
      const L = factor(c.seed, c.n, c.noise, c.dups, c.zeros);
      const ref = new Float64Array(c.n * c.n);
      inverseRowsAppend(L, ref, c.n, 0);
      const got = new Float64Array(c.n * c.n).fill(3);
      got.set(ref.subarray(0, c.p * c.n)); // the rows given
      inverseRowsAppendFast(L, got, c.n, c.p);
      let diff = -1;
      for (let i = 0; i < ref.length && diff < 0; i++) if (!Object.is(got[i], ref[i])) diff = i;
      expect(diff).toBe(-1);
    });
  }

  it('fewer rows than INVERSE_MODULE_ROWS, fewer than 64 points, or the js backend: the JavaScript loop, the same floats', () => {
    for (const [n, p, js] of [[100, 100 - INVERSE_MODULE_ROWS + 1, false], [40, 0, false], [120, 0, true]] as const) {
      const L = factor(6, n, 1e-2, 0, 0);
      const ref = new Float64Array(n * n);
      inverseRowsAppend(L, ref, n, 0);
      const got = ref.slice(0, p * n);
      const out = new Float64Array(n * n);
      out.set(got);
      if (js) setLikelihoodBackend('js');
      try {
        inverseRowsAppendFast(L, out, n, p);
      } finally {
        setLikelihoodBackend('auto');
      }
      expect(out.every((v, i) => Object.is(v, ref[i]))).toBe(true);
    }
  });
});
