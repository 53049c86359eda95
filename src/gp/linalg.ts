/**
 * Dense float64 linear algebra for the GP: Cholesky with escalating jitter,
 * triangular solves, the triangular inverse and the log determinant.
 * Matrices are `n x n` row-major Float64Arrays; "lower" factors have exact
 * zeros above the diagonal.
 */
import { log } from '../util/math';
import { NumericalError } from '../errors';
import { factorLowerBlocked } from './linalg-blocked';
import { checkCholeskyOptions, checkN, checkSolve, checkValues } from './linalg-checks';

/** From this size on the cache-blocked factorization (linalg-blocked.ts) is used. */
export const BLOCKED_FROM = 64;

export interface CholeskyOptions {
  /** first jitter tried after a plain failure, relative to the mean diagonal; default 1e-10 */
  initialJitter?: number;
  /** largest jitter tried (relative to the mean diagonal) before giving up; default 1e-2 */
  maxJitter?: number;
}

export interface CholeskyResult {
  /** `n x n` row-major lower-triangular factor, L L^T = A + jitter I */
  L: Float64Array;
  /** absolute jitter added to the diagonal (0 when none was needed) */
  jitter: number;
}

/**
 * Cholesky factor of a symmetric positive (semi)definite matrix. Tries A
 * itself, then A + j I with j = initialJitter * mean(diag A), multiplying j by
 * 10 until the factorization succeeds or j exceeds maxJitter * mean(diag A).
 * Only the lower triangle (with the diagonal) of A is read; A is not modified.
 * @param A `n x n` row-major symmetric matrix
 * @throws InvalidOptionError naming `n` (not a non-negative integer), `A` (fewer than n x n values) or an option
 *   (unknown, or not a positive finite number)
 * @throws NumericalError on a non-finite entry or when even the largest jitter fails
 */
export function cholesky(A: Float64Array, n: number, opts: CholeskyOptions = {}): CholeskyResult {
  checkN('cholesky', n);
  checkValues('cholesky', 'A', A, n * n, 'n x n', false);
  checkCholeskyOptions('cholesky', opts);
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) L[i * n + j] = A[i * n + j];
  }
  const jitter = choleskyInPlace(L, n, opts);
  return { L, jitter };
}

/**
 * In-place variant of {@link cholesky}: on return `A` holds L (upper triangle
 * zeroed). Only the lower triangle of `A` is read. Extra memory: O(n).
 * @returns the absolute jitter added
 * @throws InvalidOptionError naming `n` (not a non-negative integer), `A` (not a Float64Array of n x n values or more)
 *   or an option (unknown, or not a positive finite number)
 * @throws NumericalError on a non-finite entry or when even the largest jitter fails
 */
export function choleskyInPlace(A: Float64Array, n: number, opts: CholeskyOptions = {}): number {
  checkN('choleskyInPlace', n);
  checkValues('choleskyInPlace', 'A', A, n * n, 'n x n', true);
  checkCholeskyOptions('choleskyInPlace', opts);
  return choleskyInPlaceUnchecked(A, n, opts);
}

/**
 * {@link choleskyInPlace} without the argument checks, for the library's own
 * callers that factor many tiny matrices (a q x q set covariance per set
 * scored: the checks cost about half of a 2 x 2 factorization). Not exported
 * from the main entry. Still a NumericalError on a non-finite entry.
 */
export function choleskyInPlaceUnchecked(A: Float64Array, n: number, opts: CholeskyOptions = {}): number {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = A[i * n + j];
      if (!Number.isFinite(v)) throw new NumericalError(`cholesky: matrix entry (${i}, ${j}) is ${v}`);
    }
    meanDiag += Math.abs(A[i * n + i]);
  }
  if (n === 0) return 0;
  meanDiag /= n;
  const scale = meanDiag > 0 ? meanDiag : 1;
  const initial = opts.initialJitter ?? 1e-10;
  const cap = (opts.maxJitter ?? 1e-2) * scale * (1 + 1e-9);

  // Keep the original in the (unused) upper triangle, and the diagonal aside, so a
  // failed attempt can be undone without an n x n copy.
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    diag[i] = A[i * n + i];
    for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
  }
  let jitter = 0;
  for (;;) {
    if (n >= BLOCKED_FROM ? factorLowerBlocked(A, n) : factorLower(A, n)) break;
    const next = jitter === 0 ? initial * scale : jitter * 10;
    // a diagonal whose mean overflows makes cap and next Infinity, and
    // Infinity <= Infinity would retry for ever
    if (!(next <= cap) || cap === Infinity) {
      throw new NumericalError(
        `cholesky: matrix is not positive definite (n = ${n}, largest jitter tried ${jitter.toExponential(1)})`);
    }
    jitter = next;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i];
      A[i * n + i] = diag[i] + jitter;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) A[i * n + j] = 0;
  }
  return jitter;
}

/**
 * Row-oriented (Cholesky-Banachiewicz) factorization of the lower triangle in
 * place; rows of L are contiguous, so every inner loop is a contiguous dot
 * product. Returns false when a pivot is not positive (or not finite).
 */
export function factorLower(A: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      A[ri + j] = (A[ri + j] - dot(A, ri, A, rj, j)) / A[rj + j];
    }
    const s = A[ri + i] - dot(A, ri, A, ri, i);
    if (!(s > 0) || !Number.isFinite(s)) return false;
    A[ri + i] = Math.sqrt(s);
  }
  return true;
}

/**
 * sum_{k < len} a[ai + k] * b[bi + k], four accumulators (about 1.2-1.5x
 * faster than a plain loop in V8 for long rows).
 */
export function dot(a: Float64Array, ai: number, b: Float64Array, bi: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ai + k] * b[bi + k];
    s1 += a[ai + k + 1] * b[bi + k + 1];
    s2 += a[ai + k + 2] * b[bi + k + 2];
    s3 += a[ai + k + 3] * b[bi + k + 3];
  }
  for (; k < len; k++) s0 += a[ai + k] * b[bi + k];
  return (s0 + s1) + (s2 + s3);
}

/**
 * Solve L x = b (forward substitution).
 * @param L `n x n` row-major lower-triangular
 * @param b `n`
 * @param out `n`, may alias b; default a new array
 * @throws InvalidOptionError naming `n`, `L`, `b` or `out` (see {@link choleskySolve})
 */
export function solveLower(L: Float64Array, n: number, b: ArrayLike<number>, out?: Float64Array): Float64Array {
  checkSolve('solveLower', L, n, b, out);
  return solveLowerUnchecked(L, n, b, out);
}

/**
 * {@link solveLower} without the argument checks, for the library's own
 * callers that solve once per candidate scored. Not exported from the main entry.
 */
export function solveLowerUnchecked(L: Float64Array, n: number, b: ArrayLike<number>, out?: Float64Array): Float64Array {
  const x = out ?? new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    x[i] = (b[i] - dot(L, ri, x, 0, i)) / L[ri + i];
  }
  return x;
}

/**
 * Solve L^T x = b (back substitution), column-oriented so L is read by rows.
 * @param L `n x n` row-major lower-triangular
 * @param b `n`
 * @param out `n`, may alias b; default a new array
 * @throws InvalidOptionError naming `n`, `L`, `b` or `out` (see {@link choleskySolve})
 */
export function solveLowerTranspose(
  L: Float64Array, n: number, b: ArrayLike<number>, out?: Float64Array,
): Float64Array {
  checkSolve('solveLowerTranspose', L, n, b, out);
  return solveLowerTransposeUnchecked(L, n, b, out);
}

/** {@link solveLowerTranspose} without the argument checks (see solveLowerUnchecked). */
function solveLowerTransposeUnchecked(L: Float64Array, n: number, b: ArrayLike<number>, out?: Float64Array): Float64Array {
  const x = out ?? new Float64Array(n);
  if (x !== b) for (let i = 0; i < n; i++) x[i] = b[i];
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = x[i] / L[ri + i];
    x[i] = xi;
    for (let k = 0; k < i; k++) x[k] -= L[ri + k] * xi;
  }
  return x;
}

/**
 * Solve (L L^T) x = b given the Cholesky factor L.
 * @throws InvalidOptionError naming `n` (not a non-negative integer), `L` (fewer than n x n values),
 *   `b` (fewer than n) or `out` (not a Float64Array of n values or more)
 */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>, out?: Float64Array): Float64Array {
  checkSolve('choleskySolve', L, n, b, out);
  const x = solveLowerUnchecked(L, n, b, out);
  return solveLowerTransposeUnchecked(L, n, x, x);
}

/**
 * Inverse of a lower-triangular matrix (itself lower-triangular), one column
 * at a time by forward substitution on the unit vectors. Cost n^3 / 6.
 * @param L `n x n` row-major lower-triangular
 * @param out `n x n` destination whose upper triangle is zero (e.g. a previous result); default a new array
 * @returns `n x n` row-major Linv with Linv L = I
 * @throws InvalidOptionError naming `n` (not a non-negative integer), `L` (fewer than n x n values) or `out` (not a Float64Array of n x n)
 */
export function triangularInverse(L: Float64Array, n: number, out?: Float64Array): Float64Array {
  checkN('triangularInverse', n);
  checkValues('triangularInverse', 'L', L, n * n, 'n x n', false);
  if (out !== undefined) checkValues('triangularInverse', 'out', out, n * n, 'n x n', true);
  const inv = out ?? new Float64Array(n * n);
  const x = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    inverseColumn(L, n, j, x, 0);
    for (let i = j; i < n; i++) inv[i * n + j] = x[i];
  }
  return inv;
}

/**
 * Transpose of the inverse, Linv^T (upper-triangular), computed directly: row j
 * of the result is column j of Linv, so every write is contiguous.
 * @param out `n x n` destination whose lower triangle is zero; default a new array
 */
export function triangularInverseTranspose(L: Float64Array, n: number, out?: Float64Array): Float64Array {
  const inv = out ?? new Float64Array(n * n);
  for (let j = 0; j < n; j++) inverseColumn(L, n, j, inv, j * n);
  return inv;
}

/** Column j of L^{-1} (entries j..n-1) into x[x0 + j .. x0 + n - 1]. */
function inverseColumn(L: Float64Array, n: number, j: number, x: Float64Array, x0: number): void {
  x[x0 + j] = 1 / L[j * n + j];
  for (let i = j + 1; i < n; i++) {
    const ri = i * n;
    x[x0 + i] = -dot(L, ri + j, x, x0 + j, i - j) / L[ri + i];
  }
}

/**
 * log det(L L^T) = 2 sum_i log L_ii.
 * @throws InvalidOptionError naming `n` (not a non-negative integer) or `L` (fewer than n x n values)
 */
export function logDetFromCholesky(L: Float64Array, n: number): number {
  checkN('logDetFromCholesky', n);
  checkValues('logDetFromCholesky', 'L', L, n * n, 'n x n', false);
  let s = 0;
  for (let i = 0; i < n; i++) s += log(L[i * n + i]);
  return 2 * s;
}
