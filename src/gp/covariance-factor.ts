/**
 * The Cholesky factor of K(X, X) + noise I kept across fits. When the
 * hyperparameters are unchanged and the new inputs begin with the previous
 * ones (a Bayesian-optimization loop adds points at the end), only the new
 * rows are factored: O(r n^2) for r new points instead of O(n^3 / 3). The
 * blocked factorization sums in a fixed order, so the extended factor equals a
 * fresh factorization bit for bit (see linalg-blocked.ts); a factor that
 * needed jitter, or a small one factored by the plain kernel, is always
 * refactored. Linv is extended the same way once it has been asked for, and
 * only when it is asked for again: an update keeps its valid rows where they
 * are, so suggestions scored without it (the CPU engine) pay nothing for it.
 */
import { kernelFromR2, type KernelName } from './kernels';
import { choleskyInPlaceFast, inverseRowsAppendFast, kernelCholeskyFast } from './cholesky-wasm';
import { BLOCKED_FROM } from './linalg';
import { factorLowerBlocked } from './linalg-blocked';
import { unpackHyperparameters } from './priors';

export class CovarianceFactor {
  /** `n x n` row-major lower factor, L L^T = K + (noise + jitter) I (in shared memory where there is any) */
  L: Float64Array = new Float64Array(0);
  n = 0;
  d = 0;
  jitter = 0;
  /** how many leading rows the last update kept from the previous factor (0: fresh) */
  kept = 0;
  private X = new Float64Array(0);
  private theta: Float64Array | null = null;
  private kernel: KernelName | null = null;
  /**
   * Storage of Linv (with room to grow, as `store`): its first `linvRows`
   * rows are those of the current factor's inverse, laid out `linvStride`
   * apart (the n they were computed for). Before this, every update that kept
   * rows copied them into a fresh n x n array once Linv had been asked for:
   * 128 MB at n = 4,000, about 340 ms per suggestion of the CPU engine under
   * the auto engine, whose timing had asked for Linv once.
   */
  private linvStore: Float64Array = new Float64Array(0);
  private linvStride = 0;
  private linvRows = 0;
  /**
   * Storage of L, with room to grow: extending the factor moves its rows
   * apart in place instead of copying them into a fresh n x n array, whose
   * first touch cost about 20 ms of page faults per suggestion at n = 1,000.
   * So a factor handed out (`L`, GaussianProcess.factors()) is valid until
   * the next update.
   */
  private store: Float64Array = new Float64Array(0);

  /**
   * Factors K(X, X) + noise I for `theta`, reusing the previous factor's rows
   * where possible. Returns the number of rows kept.
   * @param X `n x d` row-major inputs (copied)
   * @throws NumericalError when K cannot be factored even with jitter
   */
  update(kernel: KernelName, X: Float64Array, n: number, d: number, theta: Float64Array): number {
    const p = this.reusableRows(kernel, X, n, d, theta);
    const h = unpackHyperparameters(theta, d);
    let K: Float64Array;
    let kept = 0;
    const prev = this.L;
    const store = this.storage(n);
    // the storage is overwritten from here on: should this update throw, the
    // next one must not reuse rows of a factor that no longer exists
    this.theta = null;
    this.L = new Float64Array(0);
    if (p > 0) {
      const r = appendRowsInto(store, kernel, prev, p, X, n, d, h.lengthscales, h.signalVariance, h.noiseVariance);
      K = r.L;
      this.jitter = r.jitter;
      if (r.appended) kept = p;
    } else {
      K = new Float64Array(store.buffer, 0, n * n); // choleskyInPlace zeroes the upper triangle
      const inv = h.lengthscales.map((l) => 1 / l);
      // built and factored in WebAssembly (the same floats), else here
      const jitter = kernelCholeskyFast(kernel, X, n, d, inv, h.signalVariance, h.noiseVariance, K);
      if (jitter !== null) this.jitter = jitter;
      else {
        for (let i = 0; i < n; i++) fillRow(K, X, i, n, d, inv, h.signalVariance, h.noiseVariance, kernel);
        this.jitter = choleskyInPlaceFast(K, n);
      }
    }
    // Linv's kept rows stay valid where they are (inverse() moves them); a fresh factor drops them.
    if (kept === 0) {
      this.linvStore = new Float64Array(0);
      this.linvStride = 0;
    }
    this.linvRows = Math.min(this.linvRows, kept);
    this.L = K;
    this.n = n;
    this.d = d;
    this.kept = kept;
    this.X = X.slice(0, n * d);
    this.theta = Float64Array.from(theta);
    this.kernel = kernel;
    return kept;
  }

  /**
   * Storage for an n x n factor: the current one where it is large enough
   * (appendRowsInto then moves the kept rows apart in place), else a new one
   * with room for GROWTH_ROOM more points (the kept rows are copied in).
   */
  private storage(n: number): Float64Array {
    if (this.store.length >= n * n) return this.store;
    const cap = n + Math.max(GROWTH_ROOM, Math.ceil(n / 16));
    // shared memory where there is any: the CPU engine's worker thread then reads the
    // factor where it is instead of from a copy (acquisition/bounding-pool.ts)
    const Buffer = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;
    this.store = new Float64Array(new Buffer(8 * cap * cap));
    return this.store;
  }

  /** L^{-1} (`n x n`, lower), extended or computed on demand; shared, read-only. */
  inverse(): Float64Array {
    const n = this.n;
    const rows = this.linvRows;
    if (this.linvStore.length < n * n) {
      const cap = n + Math.max(GROWTH_ROOM, Math.ceil(n / 16));
      const next = new Float64Array(cap * cap);
      copyLowerRows(this.linvStore, this.linvStride, next, n, rows);
      this.linvStore = next;
    } else if (this.linvStride !== n && rows > 0) {
      moveRowsApart(this.linvStore, this.linvStride, n, rows);
    }
    this.linvStride = n;
    const inv = this.linvStore.subarray(0, n * n);
    if (rows < n) inverseRowsAppendFast(this.L, inv, n, rows);
    this.linvRows = n;
    return inv;
  }

  /**
   * Leading rows of the previous factor valid for the new problem: all of
   * them when kernel, d and theta are identical, the previous factor needed no
   * jitter and came from the blocked kernel, and X begins with the previous X.
   */
  private reusableRows(kernel: KernelName, X: Float64Array, n: number, d: number, theta: Float64Array): number {
    const t = this.theta;
    if (!t || this.kernel !== kernel || this.d !== d || this.jitter !== 0) return 0;
    if (this.n < BLOCKED_FROM || this.n > n || t.length !== theta.length) return 0;
    for (let i = 0; i < t.length; i++) if (!Object.is(t[i], theta[i])) return 0;
    const len = this.n * d;
    for (let i = 0; i < len; i++) if (!Object.is(this.X[i], X[i])) return 0;
    return this.n;
  }
}

/**
 * The Cholesky factor of K([X; Xnew]) + diag(noise, ..., newNoise, ...) from
 * the factor `L` of the first `n` rows (`newNoise` on the appended rows'
 * diagonal, `noise` by default): the `N - n` new rows are appended in O((N - n) N^2) by the
 * blocked kernel (the path `CovarianceFactor.update` extends by), instead of
 * O(N^3 / 3) for a fresh factorization. `L` must be the exact factor of
 * K(X, X) + noise I for the same kernel, lengthscales and signal variance
 * (pass the noise it was factored with, any jitter included). When the
 * appended rows are not positive definite without help (a new point on top
 * of an old one with almost no noise), the whole matrix is factored afresh
 * (`appended` false), with jitter where needed, and `jitter` says how much.
 * @param L `n x n` row-major lower factor (read only)
 * @param X `N x d` row-major inputs, the first `n` rows those of `L`
 * @returns the `N x N` lower factor, upper triangle zero
 * @example
 * ```ts
 * const { L: La, jitter } = appendFactorRows('matern52', f.L, f.n, Xall, f.n + m, d, f.lengthscales, f.signalVariance, f.noiseVariance);
 * ```
 */
export function appendFactorRows(
  kernel: KernelName, L: Float64Array, n: number, X: Float64Array, N: number, d: number,
  lengthscales: ArrayLike<number>, signalVariance: number, noise: number, newNoise = noise,
): { L: Float64Array<ArrayBuffer>; jitter: number; appended: boolean } {
  const store = new Float64Array(N * N);
  store.set(L.subarray(0, n * n));
  return appendRowsInto(store, kernel, store.subarray(0, n * n), n, X, N, d, lengthscales, signalVariance, noise, newNoise);
}

/**
 * Copies the first `rows` rows of a lower-triangular matrix laid out
 * `fromStride` apart in `src` (each up to its diagonal) into `dst`, laid out
 * `toStride` apart; the rest of `dst` is left as it is.
 */
export function copyLowerRows(src: Float64Array, fromStride: number, dst: Float64Array, toStride: number, rows: number): void {
  for (let i = 0; i < rows; i++) dst.set(src.subarray(i * fromStride, i * fromStride + i + 1), i * toStride);
}

/**
 * Moves the first `rows` rows of a lower-triangular matrix laid out `from`
 * apart to `to` apart (`to` > `from`), in place, last row first so that no
 * row is overwritten before it has moved, and zeroes each moved row beyond
 * its diagonal.
 */
function moveRowsApart(a: Float64Array, from: number, to: number, rows: number): void {
  for (let i = rows - 1; i >= 1; i--) {
    a.copyWithin(i * to, i * from, i * from + i + 1);
    a.fill(0, i * to + i + 1, (i + 1) * to);
  }
  a.fill(0, 1, to);
}

/** Points of room a factor's storage gets when it must grow (at least n / 16). */
export const GROWTH_ROOM = 64;

/**
 * {@link appendFactorRows} into `store`, which holds `L` (`n x n`, stride n)
 * at its start or is L's own storage: the rows move apart to stride N in
 * place (last row first, so none is overwritten before it moves), then the
 * new rows are factored. Returns a view of the first N x N entries.
 */
function appendRowsInto<B extends ArrayBufferLike>(
  store: Float64Array<B>, kernel: KernelName, L: Float64Array, n: number, X: Float64Array, N: number, d: number,
  lengthscales: ArrayLike<number>, signalVariance: number, noise: number, newNoise = noise,
): { L: Float64Array<B>; jitter: number; appended: boolean } {
  const inv = Float64Array.from(lengthscales, (l) => 1 / l);
  const K = new Float64Array(store.buffer, store.byteOffset, N * N);
  if (L.buffer !== store.buffer || L.byteOffset !== store.byteOffset) K.set(L.subarray(0, n * n));
  for (let i = n - 1; i >= 1 && N !== n; i--) {
    K.copyWithin(i * N, i * n, i * n + i + 1);
    K.fill(0, i * N + i + 1, (i + 1) * N);
  }
  if (N !== n && n > 0) K.fill(0, 1, N);
  for (let i = n; i < N; i++) K.fill(0, i * N, (i + 1) * N);
  for (let i = n; i < N; i++) fillRow(K, X, i, N, d, inv, signalVariance, newNoise, kernel);
  if (factorLowerBlocked(K, N, n)) return { L: K, jitter: 0, appended: true };
  K.fill(0);
  for (let i = 0; i < N; i++) fillRow(K, X, i, N, d, inv, signalVariance, i < n ? noise : newNoise, kernel);
  return { L: K, jitter: choleskyInPlaceFast(K, N), appended: false };
}

function fillRow(
  K: Float64Array, X: Float64Array, i: number, n: number, d: number, inv: Float64Array,
  s2: number, noise: number, kernel: KernelName,
): void {
  for (let j = 0; j < i; j++) {
    let r2 = 0;
    for (let k = 0; k < d; k++) {
      const t = (X[i * d + k] - X[j * d + k]) * inv[k];
      r2 += t * t;
    }
    K[i * n + j] = s2 * kernelFromR2(kernel, r2);
  }
  K[i * n + i] = s2 + noise;
}
