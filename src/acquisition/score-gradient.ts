/**
 * The acquisition score (log-EI, log-PI or UCB, see `acquisitionScore`) and
 * its analytic gradient at one encoded point, in float64: what the local
 * refinement (./refine) ascends. The posterior's triangular solves run on
 * the upper triangle of L^T by rows or columns, or in the WebAssembly
 * module's factor solver (ROWS) above a few hundred observations.
 */
import { exp, log } from '../util/math';
import { FactorSolver } from '../gp/cholesky-wasm';
import { kernelAndDerivR2, kernelDerivR2, kernelFromR2 } from '../gp/kernels';
import { forwardRows } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import { SIGMA_FLOOR, type AcquisitionSpec } from './functions';
import { logH, logNormCdf, logNormPdf } from './special';

/** The posterior factors the gradient reads (Linv is not needed). */
export type Factors = Omit<PosteriorFactors, 'Linv'>;

/** The upper triangle of L^T (`n x n`), built in blocks so neither side is read a cache line per entry. */
export function transposed(L: Float64Array, n: number): Float64Array {
  const U = new Float64Array(n * n);
  const B = 64;
  for (let i0 = 0; i0 < n; i0 += B) {
    for (let j0 = i0; j0 < n; j0 += B) {
      for (let j = j0; j < Math.min(j0 + B, n); j++) {
        for (let i = i0; i < Math.min(i0 + B, n, j + 1); i++) U[i * n + j] = L[j * n + i];
      }
    }
  }
  return U;
}

/**
 * Acquisition score at one point `x` (`d`, unit cube) and its gradient,
 * written into `grad` (`d`). Equals `acquisitionScore(spec, mu, sigma, best)`
 * with mu, sigma^2 from `posteriorFromFactors`. Cost O(n^2 + n d).
 */
export function acquisitionScoreGradient(
  f: Factors, spec: AcquisitionSpec, best: number, x: ArrayLike<number>, grad: Float64Array,
): number {
  return scoreGradient(f, spec, best, x, grad, null);
}

/**
 * Solve mode of {@link scoreGradient} for large n: the forward substitution of
 * the exact variance (`forwardRows`, four accumulators) and back substitution
 * along L's rows, with no transposed copy of L (n^2 doubles per refinement).
 * 15 gradients at n = 1,500 took 121 ms of CPU against 161 ms with the
 * transposed copy (load 16); its floats differ from the sequential sums' in
 * the last bits (test/acquisition/refine.test.ts states the tolerance).
 */
export const ROWS = 'rows' as const;

/** Scratch of {@link scoreGradient} for one factor (`n` observations, `d` inputs), reused by a refinement's evaluations. */
export class GradientScratch {
  readonly inv2: Float64Array;
  readonly k: Float64Array;
  /** d k_i / d r2_i */
  readonly dk: Float64Array;
  readonly v: Float64Array;
  readonly w: Float64Array;
  /** the kernel and its derivative at one r^2 */
  readonly kd = new Float64Array(2);
  constructor(readonly n: number, readonly d: number) {
    this.inv2 = new Float64Array(d);
    this.k = new Float64Array(n);
    this.dk = new Float64Array(n);
    this.v = new Float64Array(n);
    this.w = new Float64Array(n);
  }
}

/**
 * {@link acquisitionScoreGradient}, reading L's columns from `U`, the upper
 * triangle of L^T, where given (a refinement evaluates tens of gradients on
 * one factor): the same products in the same order, so the same floats,
 * without a cache miss per product at large n. With `U`, the forward
 * substitution runs by columns: after v_j, every later row's running sum
 * takes its product with v_j. Each row's sum still starts at k_i and
 * subtracts L_i0 v_0, L_i1 v_1, ... in that order (the floats of the row by
 * row loop), but the rows' sums no longer wait on each other's additions;
 * and the kernel and its derivative share one exp (kernelAndDerivR2). Without `U` (the
 * reference) the sums go row by row and the kernels come from kernels.ts,
 * so test/acquisition/refine.test.ts checks the faster path against it bit
 * for bit. `scratch` (for this n and d) saves the five arrays a call allocates.
 */
export function scoreGradient(
  f: Factors, spec: AcquisitionSpec, best: number, x: ArrayLike<number>, grad: Float64Array, U: Float64Array | null | typeof ROWS | FactorSolver,
  scratch?: GradientScratch,
): number {
  const { n, d, X, L, alpha, signalVariance: s2 } = f;
  const sc = scratch && scratch.n === n && scratch.d === d ? scratch : new GradientScratch(n, d);
  const { inv2, k, dk, v, w, kd } = sc;
  for (let j = 0; j < d; j++) inv2[j] = 1 / (f.lengthscales[j] * f.lengthscales[j]);
  const fused = U !== null;
  let mu = 0;
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      const t = x[j] - X[i * d + j];
      r2 += t * t * inv2[j];
    }
    if (fused) {
      kernelAndDerivR2(f.kernel, r2, kd);
      k[i] = s2 * kd[0];
      dk[i] = s2 * kd[1];
    } else {
      k[i] = s2 * kernelFromR2(f.kernel, r2);
      dk[i] = s2 * kernelDerivR2(f.kernel, r2);
    }
    mu += k[i] * alpha[i];
  }
  // v = L^-1 k, var = s2 - v.v, w = L^-T v = K^-1 k.
  let q = 0;
  // the module's solves by rows: the floats of ROWS (null: it could not run, so ROWS)
  const solved = U instanceof FactorSolver ? U.solve(k, w) : null;
  if (solved !== null) {
    q = solved;
  } else if (U === ROWS || U instanceof FactorSolver) {
    // the exact variance's own forward substitution (four accumulators), then
    // back substitution by rows of L (w_i, then its share off the rows above)
    q = forwardRows(L, n, k, v, 0, n, 0);
    for (let i = n - 1; i >= 0; i--) {
      const ri = i * n;
      const wi = v[i] / L[ri + i];
      w[i] = wi;
      for (let j = 0; j < i; j++) v[j] -= L[ri + j] * wi;
    }
  } else if (U instanceof Float64Array) {
    q = forwardColumns(U, n, k, v);
  } else {
    for (let i = 0; i < n; i++) {
      let s = k[i];
      const ri = i * n;
      for (let j = 0; j < i; j++) s -= L[ri + j] * v[j];
      v[i] = s / L[ri + i];
      q += v[i] * v[i];
    }
  }
  if (U instanceof Float64Array) {
    backRows(U, n, v, w);
  } else if (U === null) {
    for (let i = n - 1; i >= 0; i--) {
      let s = v[i];
      for (let j = i + 1; j < n; j++) s -= L[j * n + i] * w[j];
      w[i] = s / L[i * n + i];
    }
  }
  const variance = Math.max(s2 - q, 0);
  const floored = variance <= SIGMA_FLOOR * SIGMA_FLOOR;
  const sigma = floored ? SIGMA_FLOOR : Math.sqrt(variance);

  // Partial derivatives of the score in mu and sigma.
  let dMu: number;
  let dSigma: number;
  let score: number;
  if (spec.kind === 'ucb') {
    score = mu + spec.kappa * sigma;
    dMu = 1;
    dSigma = spec.kappa;
  } else {
    const z = (mu - best - spec.xi) / sigma;
    if (spec.kind === 'pi') {
      score = logNormCdf(z);
      const r = exp(logNormPdf(z) - score); // d log Phi / dz
      dMu = r / sigma;
      dSigma = -r * z / sigma;
    } else {
      const lh = logH(z);
      score = log(sigma) + lh;
      const r = exp(logNormCdf(z) - lh); // d log h / dz = Phi(z) / h(z)
      dMu = r / sigma;
      dSigma = (1 - r * z) / sigma;
    }
  }
  // d mu / dx_j = sum_i alpha_i dk_i/dx_j; d var / dx_j = -2 sum_i w_i dk_i/dx_j;
  // dk_i/dx_j = dk_i/dr2 * 2 (x_j - X_ij) / l_j^2.
  const dVarCoef = floored ? 0 : dSigma / (2 * sigma);
  grad.fill(0);
  for (let i = 0; i < n; i++) {
    const c = 2 * dk[i] * (dMu * alpha[i] - 2 * dVarCoef * w[i]);
    if (c === 0) continue;
    for (let j = 0; j < d; j++) grad[j] += c * (x[j] - X[i * d + j]) * inv2[j];
  }
  return score;
}

/*
 * The transposed path's solves, in functions of their own: inside
 * scoreGradient, V8 optimized its first call on the stack at a loop (OSR),
 * before the code after the loops had run, and that code then left the
 * optimized code on every later call (an eager deoptimization at the same
 * site each time, the rest of the call interpreted). The arithmetic is the
 * same, in the same order.
 */

/**
 * v = U^-T k by columns of U (the upper triangle of L^T); returns v . v,
 * summed as v_j is final (the order of a sum after the solve: j = 0, 1, ...),
 * so that no code runs after the loop (see above).
 */
function forwardColumns(U: Float64Array, n: number, k: Float64Array, v: Float64Array): number {
  v.set(k);
  let q = 0;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const vj = v[j] / U[rj + j];
    v[j] = vj;
    q += vj * vj;
    for (let i = j + 1; i < n; i++) v[i] -= U[rj + i] * vj;
  }
  return q;
}

/** w = U^-1 v by rows of U. */
function backRows(U: Float64Array, n: number, v: Float64Array, w: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = v[i];
    const ri = i * n;
    for (let j = i + 1; j < n; j++) s -= U[ri + j] * w[j];
    w[i] = s / U[ri + i];
  }
}
