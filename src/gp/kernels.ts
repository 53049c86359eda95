/**
 * Stationary covariance kernels on the unit cube, float64. These are the
 * reference the WGSL kernels are checked against.
 *
 * Both kernels are ARD: one lengthscale per input dimension, and a signal
 * variance `s2`. With r^2 = sum_i ((x_i - z_i) / l_i)^2:
 * - Matérn 5/2: k = s2 (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r)
 * - RBF:        k = s2 exp(-r^2 / 2)
 */
import { exp } from '../util/math';
export type KernelName = 'matern52' | 'rbf';

/** The covariance kernels GPOptions.kernel accepts. */
export const KERNEL_NAMES: readonly KernelName[] = ['matern52', 'rbf'];

const SQRT5 = Math.sqrt(5);

/** k as a function of the scaled squared distance r^2 (signal variance 1). */
export function kernelFromR2(kind: KernelName, r2: number): number {
  if (kind === 'rbf') return exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * exp(-SQRT5 * r);
}

/**
 * d k / d (r^2) with signal variance 1; used for lengthscale gradients
 * (d r^2 / d log l_i = -2 (x_i - z_i)^2 / l_i^2).
 * For Matérn 5/2: dk/dr2 = -(5/6)(1 + sqrt5 r) exp(-sqrt5 r), finite at r = 0.
 */
export function kernelDerivR2(kind: KernelName, r2: number): number {
  if (kind === 'rbf') return -0.5 * exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  return -(5 / 6) * (1 + SQRT5 * r) * exp(-SQRT5 * r);
}

/**
 * {@link kernelFromR2} and {@link kernelDerivR2} at one r^2, with their
 * common exp computed once: the same expressions, so the same floats.
 * Writes k to out[0] and d k / d (r^2) to out[1].
 */
export function kernelAndDerivR2(kind: KernelName, r2: number, out: Float64Array): void {
  if (kind === 'rbf') {
    const e = exp(-0.5 * r2);
    out[0] = e;
    out[1] = -0.5 * e;
    return;
  }
  const r = Math.sqrt(r2);
  const e = exp(-SQRT5 * r);
  out[0] = (1 + SQRT5 * r + (5 / 3) * r2) * e;
  out[1] = -(5 / 6) * (1 + SQRT5 * r) * e;
}

/** Scaled squared distance between row i of A (stride d) and row j of B (stride d). */
export function scaledSqDist(
  A: ArrayLike<number>, i: number,
  B: ArrayLike<number>, j: number,
  invLengthscales: ArrayLike<number>, d: number,
): number {
  let s = 0;
  const a0 = i * d;
  const b0 = j * d;
  for (let k = 0; k < d; k++) {
    const t = (A[a0 + k] - B[b0 + k]) * invLengthscales[k];
    s += t * t;
  }
  return s;
}

/**
 * Cross-covariance K(A, B): `na x nb`, row-major, float64.
 * @param A `na x d` row-major points
 * @param B `nb x d` row-major points
 */
export function crossCovariance(
  kind: KernelName,
  A: ArrayLike<number>, na: number,
  B: ArrayLike<number>, nb: number,
  d: number,
  lengthscales: ArrayLike<number>,
  signalVariance: number,
): Float64Array {
  const inv = new Float64Array(d);
  for (let k = 0; k < d; k++) inv[k] = 1 / lengthscales[k];
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      out[i * nb + j] = signalVariance * kernelFromR2(kind, scaledSqDist(A, i, B, j, inv, d));
    }
  }
  return out;
}
