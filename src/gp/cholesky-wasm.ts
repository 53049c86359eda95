/**
 * The GP's one-off Cholesky factorizations (a fresh posterior factor, the
 * relevant subset of screened scoring) through the likelihood module's
 * factorization (assembly/cholesky.ts): linalg.ts's choleskyInPlace with
 * its jitter retries, every entry the JavaScript float, 4-6x faster (n =
 * 1,000: 25 against 100-150 ms; n = 2,000: 200 against 800 ms). JavaScript
 * runs where the module cannot, below BLOCKED_FROM, and wherever the
 * JavaScript path would throw (non-finite entries, every jitter failing),
 * so the errors are its own.
 *
 * One instance per thread does the work; its memory (2 n^2 + n doubles)
 * stays grown for the next factorization up to KEEP_BYTES (the page
 * faults of a fresh 16 MB cost about as much as the factorization at n =
 * 1,000), and a larger one gets an instance of its own, freed after it.
 */
import type { KernelName } from './kernels';
import { BLOCKED_FROM, choleskyInPlace } from './linalg';
import { inverseRowsAppend } from './linalg-blocked';
import {
  kernelMeanDiag, likelihoodBackend, likelihoodModule, moduleCholesky, resolveLikelihoodBackend, type LikelihoodWasmExports,
} from './likelihood-wasm';

/** Memory the thread's instance keeps between factorizations (n up to about 2,000). */
export const KEEP_BYTES = 64 * 2 ** 20;

let kept: LikelihoodWasmExports | null = null;
/** Uses of the kept instance so far: a solver whose copy of L predates the latest use copies it again. */
let uses = 0;

/**
 * In place, as {@link choleskyInPlace} (`A` holds L on return, upper triangle
 * zero; the jitter added is returned), with the same floats.
 * @param A `n x n` row-major; only its lower triangle is read
 * @throws NumericalError as choleskyInPlace does
 */
export function choleskyInPlaceFast(A: Float64Array, n: number): number {
  if (n < BLOCKED_FROM || A.length < n * n || resolveLikelihoodBackend(likelihoodBackend()) !== 'wasm') return choleskyInPlace(A, n);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) if (!Number.isFinite(A[ri + j])) return choleskyInPlace(A, n); // its error
    meanDiag += Math.abs(A[ri + i]);
  }
  const ex = instance(n);
  if (!ex) return choleskyInPlace(A, n);
  const base = (ex.heapBase() + 15) & ~15;
  new Float64Array(ex.memory.buffer, base, n * n).set(A.subarray(0, n * n));
  // every jitter failed: the same tries in JavaScript, then its error
  return factorInModule(ex, n, base, meanDiag / n, A) ?? choleskyInPlace(A, n);
}

/**
 * The factor of K = s2 k(X, X) + noise I (lower triangle: covariance-factor.ts's
 * fillRow, s2 times kernelFromR2) into `out` (`n x n`, upper triangle zeroed),
 * the matrix built and factored in the module (the kernel's floats, then
 * choleskyInPlace's): returns the jitter, or null where the module cannot
 * run or the JavaScript path must (an entry that is not finite, every jitter
 * failing), which then builds and factors it itself (its errors).
 * @param X `n x d` row-major inputs; `inv` the `d` inverse lengthscales
 */
export function kernelCholeskyFast(
  kernel: KernelName, X: Float64Array, n: number, d: number, inv: ArrayLike<number>, s2: number, noise: number, out: Float64Array,
): number | null {
  if (n < BLOCKED_FROM || resolveLikelihoodBackend(likelihoodBackend()) !== 'wasm') return null;
  const built = kernelInModule(kernel, n, d, s2, noise, (XT, invs) => {
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) XT[k * n + i] = X[i * d + k];
    for (let k = 0; k < d; k++) invs[k] = inv[k];
  });
  return built && factorInModule(built.ex, n, built.base, kernelMeanDiag(n, s2 + noise), out);
}

/**
 * The lower triangle of s2 k(X, X) + noise I (`n x n`) built in the thread's
 * instance by kernelFill, from the inputs by dimension (`XT`, `d x n`) and
 * the inverse lengthscales (`invs`, `d`) that `inputs` writes into the
 * module's memory; the instance and the matrix's offset, or null where the
 * instance cannot be made or an entry is not finite.
 */
function kernelInModule(
  kernel: KernelName, n: number, d: number, s2: number, noise: number,
  inputs: (XT: Float64Array, invs: Float64Array) => void,
): { ex: LikelihoodWasmExports; base: number } | null {
  const ex = instance(n, d);
  if (!ex) return null;
  const base = (ex.heapBase() + 15) & ~15;
  const oXT = base + 8 * (2 * n * n + n); // past the matrix, the factorization's diagonal and its scratch
  const oInv = oXT + 8 * (d * n + 2);
  const buf = ex.memory.buffer;
  inputs(new Float64Array(buf, oXT, d * n + 2), new Float64Array(buf, oInv, d));
  if (ex.kernelFill(kernel === 'matern52' ? 1 : 0, n, d, oXT, oInv, s2, noise, base) !== 0) return null;
  return { ex, base };
}

/**
 * The factor of the kernel matrix of `s` of the observations, `idx`'s rows
 * of the scaled inputs `Z` (`d x n`, by dimension), with `diag` as its
 * diagonal, into `out` (`s x s`, upper triangle zeroed): screened scoring's
 * subset S (acquisition/screening-bounds.ts), whose JavaScript build cost 6
 * ms a round at |S| = 500 (three times that before it was optimized). The
 * entries are built in the module (kernelFill with unit inverse
 * lengthscales: r^2 = sum_k (z_ik - z_jk)^2 in dimension order, then s2
 * times kernelFromR2) and factored there, so the floats are those of
 * filling the matrix in JavaScript and calling choleskyInPlaceFast. The
 * jitter, or null where the module cannot run or the JavaScript path must
 * (too small for the module, an entry not finite, every jitter failing).
 */
export function gramCholeskyFast(
  kernel: KernelName, Z: Float64Array, n: number, d: number, idx: Int32Array, s: number, s2: number,
  diag: Float64Array, out: Float64Array,
): number | null {
  if (s < BLOCKED_FROM || resolveLikelihoodBackend(likelihoodBackend()) !== 'wasm') return null;
  let meanDiag = 0;
  for (let a = 0; a < s; a++) {
    if (!Number.isFinite(diag[a])) return null;
    meanDiag += Math.abs(diag[a]);
  }
  const built = kernelInModule(kernel, s, d, s2, 0, (XT, invs) => {
    for (let k = 0; k < d; k++) for (let a = 0; a < s; a++) XT[k * s + a] = Z[k * n + idx[a]];
    invs.fill(1);
  });
  if (!built) return null;
  const K = new Float64Array(built.ex.memory.buffer, built.base, s * s);
  for (let a = 0; a < s; a++) K[a * s + a] = diag[a];
  return factorInModule(built.ex, s, built.base, meanDiag / s, out);
}

/**
 * Factors the module's `n x n` matrix at `base` (its diagonal's and
 * scratch's room after it) and copies L into `out`, upper triangle zeroed
 * (the module keeps the original there): the jitter, or null where every
 * jitter failed (`out` untouched).
 */
function factorInModule(ex: LikelihoodWasmExports, n: number, base: number, meanDiag: number, out: Float64Array): number | null {
  const jitter = moduleCholesky(ex, n, base, base + 8 * n * n, base + 8 * (n * n + n), meanDiag);
  if (jitter < 0) return null;
  const W = new Float64Array(ex.memory.buffer, base, n * n);
  for (let i = 0; i < n; i++) {
    out.set(W.subarray(i * n, i * n + i + 1), i * n);
    out.fill(0, i * n + i + 1, (i + 1) * n);
  }
  return jitter;
}

/**
 * Fewest rows to compute for the module to pay for copying L and the given
 * rows in (O(n^2)) and the new rows out: each row costs about n^2 / 2
 * multiply-adds, so below this JavaScript's own loop is as fast.
 */
export const INVERSE_MODULE_ROWS = 8;

/**
 * {@link inverseRowsAppend} (rows p..n-1 of L^{-1} into `inv`, rows 0..p-1
 * given), computed in the likelihood module where there are at least
 * INVERSE_MODULE_ROWS rows to compute: the same floats (assembly/inverse.ts
 * does each entry's arithmetic in JavaScript's order): 9.1 and 7.2 GFLOP/s
 * against 2.0 and 1.6 at n = 1,000 and 2,000, 4.7 against 2.2 at 4,000,
 * where the triangle no longer fits the caches (`bench:suggest -- --linalg`).
 * @param L `n x n` row-major lower factor (read only)
 * @param inv `n x n` row-major; rows p..n-1 are written, upper triangle zero
 */
export function inverseRowsAppendFast(L: Float64Array, inv: Float64Array, n: number, p: number): void {
  const worth = n >= BLOCKED_FROM && n - p >= INVERSE_MODULE_ROWS && resolveLikelihoodBackend(likelihoodBackend()) === 'wasm';
  const ex = worth ? instance(n) : null;
  if (!ex) {
    inverseRowsAppend(L, inv, n, p);
    return;
  }
  const base = (ex.heapBase() + 15) & ~15;
  const oInv = base + 8 * n * n;
  const buf = ex.memory.buffer;
  new Float64Array(buf, base, n * n).set(L.subarray(0, n * n));
  new Float64Array(buf, oInv, p * n).set(inv.subarray(0, p * n));
  ex.inverseRows(n, base, oInv, p);
  inv.set(new Float64Array(ex.memory.buffer, oInv + 8 * p * n, (n - p) * n), p * n);
}

/** The thread's instance grown for n (and d inputs), or a throwaway one above KEEP_BYTES; null where it cannot be made. */
function instance(n: number, d = 0): LikelihoodWasmExports | null {
  const mod = likelihoodModule();
  if (!mod) return null;
  const bytes = 8 * (2 * n * n + n + d * n + 2 + d) + 64;
  try {
    const own = bytes > KEEP_BYTES;
    const ex = own || !kept ? new WebAssembly.Instance(mod).exports as unknown as LikelihoodWasmExports : kept;
    if (!own) { kept = ex; uses++; }
    const need = ((ex.heapBase() + 15) & ~15) + bytes;
    const have = ex.memory.buffer.byteLength;
    if (have < need) ex.memory.grow(Math.ceil((need - have) / 65536));
    return ex;
  } catch {
    return null; // a page's main thread may refuse synchronous instantiation; memory may not grow that far
  }
}

/**
 * Solves with a Cholesky factor in the module ({@link factorSolver}). A
 * class rather than a closure: a refinement makes one per suggestion, and
 * optimized code that called a fresh closure kept a weak reference to it,
 * so it was thrown away with each old solver and the gradient ran
 * unoptimized until it was compiled again.
 */
export class FactorSolver {
  private ex: LikelihoodWasmExports | null = null;
  private at = -1;
  private base = 0;

  /** Use {@link factorSolver}, which returns null where the module cannot run. */
  constructor(private readonly L: Float64Array, private readonly n: number) {}

  /** Copies L into the thread's instance; false where the module could not be set up. */
  load(): boolean {
    const { n } = this;
    const ex = instance(n);
    this.ex = ex;
    if (!ex) return false;
    this.at = ex === kept ? uses : -1;
    this.base = (ex.heapBase() + 15) & ~15;
    new Float64Array(ex.memory.buffer, this.base, n * n).set(this.L.subarray(0, n * n));
    return true;
  }

  /** Writes x = (L L^T)^{-1} y and returns |L^{-1} y|^2, or null where the module could not be set up again. */
  solve(y: Float64Array, x: Float64Array): number | null {
    // a throwaway instance (above KEEP_BYTES) is this solver's alone; the kept one may have been used meanwhile
    if (!(this.ex !== kept || this.at === uses) && !this.load()) return null;
    const e = this.ex;
    if (!e) return null;
    const { n, base } = this;
    const oy = base + 8 * n * n;
    const ox = oy + 8 * n;
    new Float64Array(e.memory.buffer, oy, n).set(y.subarray(0, n));
    const q = e.solveQ(n, base, oy, ox);
    x.set(new Float64Array(e.memory.buffer, ox, n));
    return q;
  }
}

/**
 * A solver with a Cholesky factor in the module: `solve(y, x)` writes
 * x = (L L^T)^{-1} y and returns |L^{-1} y|^2 summed in row order
 * (assembly/solve.ts solveQ: the floats of refine.ts's solves by rows), 3-4x
 * faster than the JavaScript loops at n = 1,000. L is copied into the
 * thread's instance once, and again before a solve whenever another
 * factorization used the instance meanwhile. Null where the module cannot
 * run; `solve` returns null where the module could not be set up again
 * (the caller then solves in JavaScript).
 * @param L `n x n` row-major; only its lower triangle is read
 * @example
 *   const solver = factorSolver(f.L, f.n);
 *   const q = solver?.solve(k, w) ?? forwardAndBack(k, w);
 */
export function factorSolver(L: Float64Array, n: number): FactorSolver | null {
  if (n < 1 || resolveLikelihoodBackend(likelihoodBackend()) !== 'wasm') return null;
  const s = new FactorSolver(L, n);
  return s.load() ? s : null;
}
