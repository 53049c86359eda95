/**
 * Posterior mean and variance from precomputed factors: the float64
 * reference the GPU engine's posterior is compared against.
 */
import { exp } from '../util/math';
import type { KernelName } from './kernels';
import { dot } from './linalg';
import { inverseRowsAppendFast } from './cholesky-wasm';
import type { PosteriorFactors } from './types';

export interface Posterior {
  /** `m` posterior means */
  mean: Float64Array;
  /** `m` posterior variances of the latent function (noise excluded), >= 0 */
  variance: Float64Array;
}

/** Training inputs divided by their lengthscales, the form {@link kernelRow} reads. */
export interface ScaledInputs {
  kernel: KernelName;
  n: number;
  d: number;
  /** `d x n` (column-major X): Z[k n + i] = X[i, k] / lengthscale k */
  Z: Float64Array;
  /** `d` inverse lengthscales */
  inv: Float64Array;
  signalVariance: number;
}

/**
 * The training inputs of `f` divided by their lengthscales, laid out for
 * {@link kernelRow}: made once per posterior, read for every point scored.
 * @example
 * ```ts
 * const s = scaleInputs(gp.factors());
 * const k = new Float64Array(s.n);
 * kernelRow(s, Xs, 0, k); // k(x_0, X): the n covariances of the first point of Xs (m x d)
 * ```
 */
export function scaleInputs(f: Omit<PosteriorFactors, 'Linv'>): ScaledInputs {
  const { n, d, X } = f;
  const inv = new Float64Array(d);
  for (let k = 0; k < d; k++) inv[k] = 1 / f.lengthscales[k];
  const Z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) Z[k * n + i] = X[i * d + k] * inv[k];
  return { kernel: f.kernel, n, d, Z, inv, signalVariance: f.signalVariance };
}

/**
 * k(x_p, X) into `out` (`n`): the noise-free cross-covariance of point p of
 * `Xs` (`m x d`, unit cube) with every training input. Squared distances are
 * accumulated one dimension at a time over contiguous columns (about 1.5x
 * faster in V8 than row by row), then the kernel is applied; the same floats
 * wherever it is called, so screened and exhaustive scoring agree bit for bit.
 */
export function kernelRow(s: ScaledInputs, Xs: ArrayLike<number>, p: number, out: Float64Array): void {
  const { n, d, Z, inv, signalVariance: s2 } = s;
  out.fill(0, 0, n);
  for (let k = 0; k < d; k++) {
    const z = Xs[p * d + k] * inv[k];
    const o = k * n;
    for (let i = 0; i < n; i++) {
      const t = z - Z[o + i];
      out[i] += t * t;
    }
  }
  applyKernel(s.kernel, s2, out, n);
}

/**
 * The kernel of squared scaled distances, in place: `out[0..n)` holds r^2 (distances divided by
 * the lengthscales), and gets s2 k(r). The same floats as every kernel row here.
 */
export function applyKernel(kernel: KernelName, s2: number, out: Float64Array, n: number): void {
  if (kernel === 'rbf') {
    for (let i = 0; i < n; i++) out[i] = s2 * exp(-0.5 * out[i]);
    return;
  }
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(5 * out[i]); // sqrt(5) times the scaled distance
    out[i] = s2 * ((1 + r + (r * r) / 3) * exp(-r));
  }
}

/**
 * Posterior of the latent function at `m` points, in standardized units:
 * mean = k(x)^T alpha, variance = max(s2 - ||L^{-1} k(x)||^2, 0).
 * Uses forward substitution with L (backward stable); mathematically equal to
 * the `Linv k(x)` form the GPU evaluates. With n = 0 this is the prior
 * (mean 0, variance s2). Memory O(n) beyond the outputs; cost O(m n^2).
 * @param Xs `m x d` row-major points in the unit cube
 */
export function posteriorFromFactors(f: Omit<PosteriorFactors, 'Linv'>, Xs: ArrayLike<number>, m: number): Posterior {
  const { n, L, alpha, signalVariance: s2 } = f;
  const s = scaleInputs(f);
  const mean = new Float64Array(m);
  const variance = new Float64Array(m);
  const kx = new Float64Array(n);
  const v = new Float64Array(n);
  for (let p = 0; p < m; p++) {
    kernelRow(s, Xs, p, kx);
    mean[p] = dotSeq(kx, alpha, n);
    const r = s2 - forwardRows(L, n, kx, v, 0, n, 0);
    variance[p] = r > 0 ? r : 0;
  }
  return { mean, variance };
}

/** The posterior mean alone at m points (standardized units): O(m n d), where the variance's solves are O(m n^2). */
export function meanFromFactors(f: Omit<PosteriorFactors, 'Linv'>, Xs: ArrayLike<number>, m: number): Float64Array {
  const { n, alpha } = f;
  const s = scaleInputs(f);
  const mean = new Float64Array(m);
  const kx = new Float64Array(n);
  for (let p = 0; p < m; p++) {
    kernelRow(s, Xs, p, kx);
    mean[p] = dotSeq(kx, alpha, n);
  }
  return mean;
}

/** k . alpha, added in index order. */
export function dotSeq(a: Float64Array, b: Float64Array, n: number): number {
  let mu = 0;
  for (let i = 0; i < n; i++) mu += a[i] * b[i];
  return mu;
}

/**
 * Rows from..to-1 of the forward substitution v = L^{-1} kx (into `v`, whose
 * entries before `from` must already hold it); returns q plus their sum of
 * squares. s2 - q over the first r rows is the variance given the first r
 * observations only, which can only fall as rows are added.
 */
export function forwardRows(
  L: Float64Array, n: number, kx: Float64Array, v: Float64Array, from: number, to: number, q: number,
): number {
  for (let i = from; i < to; i++) {
    const ri = i * n;
    const vi = (kx[i] - dot(L, ri, v, 0, i)) / L[ri + i];
    v[i] = vi;
    q += vi * vi;
  }
  return q;
}

/**
 * `f` with a factor of its own. A GP's factors() share its factor's storage,
 * which the next fit may overwrite (a kept factor grows in place), so what
 * holds factors across later fits (a joint batch choice) holds a detached
 * copy; its Linv, where read, is computed from the copied factor (the
 * floats of GaussianProcess's).
 * @example
 *   const first = detachFactors(gp.factors()); gp.fit(X2, y2, d); // first.L is still the first fit's
 */
export function detachFactors(f: PosteriorFactors): PosteriorFactors {
  const L = f.L.slice(0, f.n * f.n);
  let Linv: Float64Array | undefined;
  const out = {
    kernel: f.kernel, n: f.n, d: f.d, X: f.X, lengthscales: f.lengthscales, signalVariance: f.signalVariance,
    noiseVariance: f.noiseVariance, alpha: f.alpha, L, yMean: f.yMean, yStd: f.yStd,
  } as PosteriorFactors;
  Object.defineProperty(out, 'Linv', {
    enumerable: true,
    get: () => {
      if (!Linv) {
        Linv = new Float64Array(f.n * f.n);
        inverseRowsAppendFast(L, Linv, f.n, 0);
      }
      return Linv;
    },
  });
  return out;
}
