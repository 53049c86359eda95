/**
 * The GP hyperparameter objective: negative log marginal likelihood plus
 * negative log prior, with its analytic gradient in log-hyperparameter space.
 *
 * With K = s2 k(X, X) + noise I = L L^T and alpha = K^{-1} y:
 *   -log p(y) = y^T alpha / 2 + sum_i log L_ii + (n / 2) log(2 pi)
 *   d(-log p)/d theta = tr(W dK/d theta) / 2,  W = K^{-1} - alpha alpha^T
 * (Rasmussen & Williams, Gaussian Processes for Machine Learning, 2006, eq. 5.8-5.9).
 */
import { exp, log } from '../util/math';
import { NumericalError } from '../errors';
import type { KernelName } from './kernels';
import { WasmLikelihood, resolveLikelihoodBackend } from './likelihood-wasm';
import { choleskyInPlace, choleskySolve, dot, triangularInverseTranspose } from './linalg';
import { defaultHyperPriors, negLogPrior, type HyperPriors } from './priors';

const SQRT5 = Math.sqrt(5);
const HALF_LOG_2PI = 0.5 * log(2 * Math.PI);

/** Training data for the objective (standardized targets). */
export interface LikelihoodData {
  kernel: KernelName;
  /** `n x d` row-major inputs */
  X: Float64Array;
  /** `n` standardized targets */
  y: Float64Array;
  n: number;
  d: number;
}

/**
 * Reusable evaluator: allocates its `n x n` work matrices once, so an
 * optimizer can call {@link MarginalLikelihood.evaluate} many times cheaply.
 * Evaluates in WebAssembly SIMD where it runs (./likelihood-wasm.ts, the
 * same floats), else in JavaScript.
 */
export class MarginalLikelihood {
  private readonly wasm: WasmLikelihood | null;
  private readonly K: Float64Array; // K_y, then its Cholesky factor
  private readonly Kf: Float64Array; // noise-free s2 k(r2), strict lower triangle
  private readonly Dk: Float64Array; // s2 dk/d(r2), strict lower triangle
  private readonly W: Float64Array; // K^{-1}, lower triangle
  private readonly U: Float64Array; // Linv^T, upper triangle
  private readonly Z: Float64Array; // inputs divided by lengthscales
  private readonly alpha: Float64Array;

  /** @param priors priors to add, or null for the plain likelihood */
  constructor(readonly data: LikelihoodData, readonly priors: HyperPriors | null) {
    const { n, d } = data;
    this.wasm = resolveLikelihoodBackend() === 'wasm'
      ? WasmLikelihood.create(data.kernel, data.X, data.y, n, d) : null;
    // the JavaScript evaluation's matrices, only when it is the one that runs
    const nn = this.wasm ? 0 : n * n;
    this.K = new Float64Array(nn);
    this.Kf = new Float64Array(nn);
    this.Dk = new Float64Array(nn);
    this.W = new Float64Array(nn);
    this.U = new Float64Array(nn);
    this.Z = new Float64Array(this.wasm ? 0 : n * d);
    this.alpha = new Float64Array(this.wasm ? 0 : n);
  }

  /**
   * -log p(y | theta) - log p(theta) at theta = [log l (d), log s2, log noise].
   * Writes the gradient into `grad` (length d + 2) when given. Returns
   * +Infinity (gradient NaN) when K cannot be factored even with jitter.
   */
  evaluate(theta: ArrayLike<number>, grad?: Float64Array): number {
    if (this.wasm) {
      const f = this.wasm.run(theta, grad);
      if (this.wasm.failed || !this.priors) return f;
      return f + negLogPrior(theta, this.data.d, this.priors, grad);
    }
    return this.evaluateJs(theta, grad);
  }

  /** {@link evaluate} in JavaScript: the reference the WebAssembly evaluation equals. */
  private evaluateJs(theta: ArrayLike<number>, grad?: Float64Array): number {
    const { kernel, X, y, n, d } = this.data;
    const { K, Kf, Dk, Z, alpha } = this;
    const s2 = exp(theta[d]);
    const noise = exp(theta[d + 1]);
    for (let k = 0; k < d; k++) {
      const inv = exp(-theta[k]);
      for (let i = 0; i < n; i++) Z[i * d + k] = X[i * d + k] * inv;
    }
    const matern = kernel === 'matern52';
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j < i; j++) {
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const t = Z[i * d + k] - Z[j * d + k];
          r2 += t * t;
        }
        let kv: number;
        let dk: number;
        if (matern) {
          const r = Math.sqrt(r2);
          const e = exp(-SQRT5 * r);
          kv = (1 + SQRT5 * r + (5 / 3) * r2) * e;
          dk = -(5 / 6) * (1 + SQRT5 * r) * e;
        } else {
          kv = exp(-0.5 * r2);
          dk = -0.5 * kv;
        }
        Kf[ri + j] = s2 * kv;
        Dk[ri + j] = s2 * dk;
        K[ri + j] = s2 * kv;
      }
      K[ri + i] = s2 + noise;
    }
    try {
      choleskyInPlace(K, n);
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      if (grad) grad.fill(NaN);
      return Infinity;
    }
    choleskySolve(K, n, y, alpha);
    let f = n * HALF_LOG_2PI;
    for (let i = 0; i < n; i++) f += 0.5 * y[i] * alpha[i] + log(K[i * n + i]);
    if (grad) {
      grad.fill(0);
      this.gradient(s2, noise, grad);
    }
    if (this.priors) f += negLogPrior(theta, d, this.priors, grad);
    return f;
  }

  /** Likelihood part of the gradient, from the factor in K. */
  private gradient(s2: number, noise: number, grad: Float64Array): void {
    const { n, d } = this.data;
    const { K, Kf, Dk, W, U, Z, alpha } = this;
    // K^{-1} = Linv^T Linv: W_ij = sum_{k >= i} U_ik U_jk (j <= i), contiguous rows of U = Linv^T
    triangularInverseTranspose(K, n, U);
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) W[ri + j] = dot(U, ri + i, U, j * n + i, n - i);
    }
    let trW = 0;
    let gs = 0;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      const ai = alpha[i];
      const wii = W[ri + i] - ai * ai;
      trW += wii;
      gs += wii * s2;
      for (let j = 0; j < i; j++) {
        const w = W[ri + j] - ai * alpha[j];
        gs += 2 * w * Kf[ri + j];
        const c = -2 * w * Dk[ri + j];
        for (let k = 0; k < d; k++) {
          const t = Z[i * d + k] - Z[j * d + k];
          grad[k] += c * t * t;
        }
      }
    }
    grad[d] = 0.5 * gs;
    grad[d + 1] = 0.5 * noise * trW;
  }
}

export interface NegLogMarginalLikelihoodOptions {
  /** add the default priors ({@link defaultHyperPriors}); default true */
  priors?: boolean;
  /** `d + 2`, receives the gradient with respect to theta */
  grad?: Float64Array;
}

/**
 * -log p(y | theta) (minus log p(theta) when priors are on), in standardized
 * units. theta = [log l_1..log l_d, log signalVariance, log noiseVariance].
 * Returns +Infinity when the covariance cannot be factored.
 */
export function negLogMarginalLikelihood(
  theta: ArrayLike<number>,
  data: LikelihoodData,
  opts: NegLogMarginalLikelihoodOptions = {},
): number {
  const priors = (opts.priors ?? true) ? defaultHyperPriors(data.d) : null;
  return new MarginalLikelihood(data, priors).evaluate(theta, opts.grad);
}
