/**
 * Shared pieces of the GPU tests: getting a device under the CI policy,
 * seeded random GP problems with factors built here in float64, and a tiny
 * float64 posterior reference with the forward-error scales the tolerances
 * are stated against.
 */
import type { ProposeRequest } from '../../src/acquisition/engine';
import { crossCovariance, type KernelName } from '../../src/gp/kernels';
import type { PosteriorFactors } from '../../src/gp/types';
import { requestWebGpuDevice, webGpuUnavailableReason } from '../../src/gpu';
import { Rng } from '../../src/util/rng';

/** f32 unit roundoff. */
export const F32_EPS = 2 ** -24;

/**
 * With CI=true a missing adapter is a failure (CI installs Mesa's lavapipe),
 * elsewhere the GPU tests may skip.
 */
export function checkAdapterPolicy(found: boolean, env: Record<string, string | undefined>, reason: string): void {
  if (!found && env.CI === 'true') {
    throw new Error(`CI=true but no WebGPU adapter was found (${reason}); install Mesa's lavapipe (mesa-vulkan-drivers)`);
  }
}

/** A device for a test file, or null (skip) where WebGPU is missing outside CI. */
export async function openTestDevice(): Promise<GPUDevice | null> {
  const device = await requestWebGpuDevice();
  checkAdapterPolicy(device !== null, process.env, webGpuUnavailableReason());
  return device;
}

/** Runs `fn` inside a validation error scope and returns the scope's error (null when clean). */
export async function validationErrorOf<T>(device: GPUDevice, fn: () => Promise<T>): Promise<{ value: T; error: GPUError | null }> {
  device.pushErrorScope('validation');
  let value: T | undefined;
  let thrown: unknown = null;
  try {
    value = await fn();
  } catch (err) {
    thrown = err;
  }
  const error = await device.popErrorScope();
  if (thrown !== null) throw thrown;
  return { value: value as T, error };
}

/** Lower Cholesky factor of an SPD `n x n` matrix (row-major). */
export function cholesky(A: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('matrix not positive definite');
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j];
      }
    }
  }
  return L;
}

/** Inverse of a lower-triangular `n x n` matrix (lower triangular). */
export function lowerInverse(L: Float64Array, n: number): Float64Array {
  const M = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    M[j * n + j] = 1 / L[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += L[i * n + k] * M[k * n + j];
      M[i * n + j] = -s / L[i * n + i];
    }
  }
  return M;
}

export interface ProblemOptions {
  seed: number;
  n: number;
  d: number;
  kernel: KernelName;
}

/**
 * A seeded GP problem: n random inputs in the unit cube, lengthscales around
 * sqrt(d)/3 (so neighbouring points correlate), noise 1e-4..1e-2 of the
 * signal variance, targets from a smooth function, standardized. Factors
 * (L, Linv, alpha) are computed here in float64.
 */
export function makeProblem({ seed, n, d, kernel }: ProblemOptions): PosteriorFactors {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const lengthscales = Float64Array.from({ length: d }, () => (Math.sqrt(d) / 3) * rng.uniform(0.5, 1.5));
  const signalVariance = rng.uniform(0.5, 2);
  const noiseVariance = signalVariance * 10 ** rng.uniform(-4, -2);
  const y = Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let q = 0; q < d; q++) s += Math.sin(3 * X[i * d + q] + q);
    return s + 0.1 * rng.normal();
  });
  return buildFactors({ kernel, X, y, n, d, lengthscales, signalVariance, noiseVariance });
}

/**
 * Posterior factors for given data and hyperparameters, in float64:
 * y standardized, K_y = K(X, X) + noise I = L L^T, Linv = L^-1, alpha = K_y^-1 y.
 */
export function buildFactors(o: {
  kernel: KernelName; X: Float64Array; y: ArrayLike<number>; n: number; d: number;
  lengthscales: Float64Array; signalVariance: number; noiseVariance: number;
}): PosteriorFactors {
  const { kernel, X, n, d, lengthscales, signalVariance, noiseVariance } = o;
  const yMean = n > 0 ? Array.from(o.y).reduce((a, b) => a + b, 0) / n : 0;
  const yStd = n > 0 ? Math.sqrt(Array.from(o.y).reduce((a, b) => a + (b - yMean) ** 2, 0) / n) || 1 : 1;
  const y = Array.from(o.y, (v) => (v - yMean) / yStd);
  const K = crossCovariance(kernel, X, n, X, n, d, lengthscales, signalVariance);
  for (let i = 0; i < n; i++) K[i * n + i] += noiseVariance;
  const L = cholesky(K, n);
  const Linv = lowerInverse(L, n);
  const alpha = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j <= i; j++) s += Linv[i * n + j] * y[j];
    v[i] = s;
  }
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = j; i < n; i++) s += Linv[i * n + j] * v[i];
    alpha[j] = s;
  }
  return { kernel, n, d, X, lengthscales, signalVariance, noiseVariance, alpha, L, Linv, yMean, yStd };
}

/**
 * `m x d` test points: mostly uniform in the cube, every 8th a small step
 * from a training input (low variance, where f32 cancellation is worst).
 */
export function makePoints(seed: number, m: number, f: PosteriorFactors): Float64Array {
  const rng = new Rng(seed ^ 0x5bd1e995);
  const P = new Float64Array(m * f.d);
  for (let c = 0; c < m; c++) {
    const near = f.n > 0 && c % 8 === 0;
    const i = rng.int(Math.max(1, f.n));
    for (let q = 0; q < f.d; q++) {
      P[c * f.d + q] = near ? Math.min(1, Math.max(0, f.X[i * f.d + q] + 0.01 * rng.normal())) : rng.random();
    }
  }
  return P;
}

/**
 * float64 reference posterior at `m` points, with per-point forward-error
 * scales: meanScale = s2 ||alpha||_1 (|k_i| <= s2), and
 * varScale = s2 + 2 sum_i |v_i| s2 R_i, v = Linv k, R_i = sum_j |Linv_ij|
 * (a perturbation of every k_j by eps s2 moves ||v||^2 by at most eps varScale).
 */
export function referencePosterior(f: PosteriorFactors, P: ArrayLike<number>, m: number) {
  const { n, d, Linv, alpha, signalVariance: s2 } = f;
  const K = crossCovariance(f.kernel, P, m, f.X, n, d, f.lengthscales, s2);
  const rowAbs = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) rowAbs[i] += Math.abs(Linv[i * n + j]);
  const alphaL1 = alpha.reduce((a, b) => a + Math.abs(b), 0);
  const mean = new Float64Array(m);
  const variance = new Float64Array(m);
  const meanScale = new Float64Array(m).fill(s2 * alphaL1 + s2);
  const varScale = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let mu = 0;
    let q = 0;
    let sc = s2;
    for (let i = 0; i < n; i++) {
      mu += K[c * n + i] * alpha[i];
      let vi = 0;
      for (let j = 0; j <= i; j++) vi += Linv[i * n + j] * K[c * n + j];
      q += vi * vi;
      sc += 2 * Math.abs(vi) * s2 * rowAbs[i];
    }
    mean[c] = mu;
    variance[c] = Math.max(0, s2 - q);
    varScale[c] = sc;
  }
  return { K, mean, variance, meanScale, varScale };
}

/** Largest |a_i - b_i| / scale_i. */
export function maxScaledError(a: ArrayLike<number>, b: ArrayLike<number>, scale: ArrayLike<number> | number): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) {
    const s = typeof scale === 'number' ? scale : scale[i];
    w = Math.max(w, Math.abs(a[i] - b[i]) / s);
  }
  return w;
}

/** An EI proposal request on {@link makeProblem}'s problem over the unit cube, its first two points as incumbents. */
export function proposeRequest(seed: number, n: number, d: number, candidates: number): ProposeRequest {
  const factors = makeProblem({ seed, n, d, kernel: 'matern52' });
  return {
    factors, acquisition: { kind: 'ei', xi: 0.01, kappa: 0 }, best: 0.5, candidates, seed: seed * 7919,
    layout: Array.from({ length: d }, (_, dim) => (
      { kind: 'continuous' as const, name: `x${dim}`, dim, low: 0, high: 1, log: false })),
    incumbents: factors.X.slice(0, 2 * d), nIncumbents: 2,
  };
}

/**
 * Ill-conditioned on purpose: `n` inputs with the last 10 duplicating the
 * first 10, noise at the floor 1e-6, lengthscales 0.4, targets cos(4 x0) plus
 * noise; factors in float64.
 */
export function illConditionedProblem(seed: number, n: number, d: number): PosteriorFactors {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  for (let i = 0; i < 10; i++) for (let q = 0; q < d; q++) X[(n - 1 - i) * d + q] = X[i * d + q];
  const y = Float64Array.from({ length: n }, (_, i) => Math.cos(4 * X[i * d]) + 0.05 * rng.normal());
  const lengthscales = Float64Array.from({ length: d }, () => 0.4);
  return buildFactors({ kernel: 'matern52', X, y, n, d, lengthscales, signalVariance: 1, noiseVariance: 1e-6 });
}

/**
 * `m x d` points: the first `near` within about `sigma` of the rows of
 * `centres` (`x d`, cycled), clipped to the unit cube, the rest makePoints'.
 */
export function pointsNear(
  seed: number, m: number, f: PosteriorFactors, centres: ArrayLike<number>, nCentres: number, near: number, sigma: number,
): Float64Array {
  const pts = makePoints(seed, m, f);
  const rng = new Rng(seed + 1);
  for (let c = 0; c < near; c++) {
    for (let q = 0; q < f.d; q++) {
      pts[c * f.d + q] = Math.min(1, Math.max(0, centres[(c % nCentres) * f.d + q] + sigma * rng.normal()));
    }
  }
  return pts;
}
