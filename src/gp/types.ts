import type { KernelName } from './kernels';

/**
 * Everything needed to evaluate a fitted GP posterior at new points, computed
 * in float64 on the CPU. The WebGPU engine uploads these (as f32) and scores
 * candidates from them; the CPU engine uses them directly.
 *
 * All quantities are in *standardized* target units over unit-cube inputs:
 * - mean(x)     = k(x)^T alpha
 * - variance(x) = signalVariance - || Linv k(x) ||^2   (clamped at >= 0)
 * where k(x)_i = K(x, X_i) (noise-free kernel), K_y = K(X, X) + noiseVariance I = L L^T.
 * Rows added for pending points (src/optimizer/pending.ts) carry less noise
 * on their diagonal than `noiseVariance`; L is the factor actually used.
 */
export interface PosteriorFactors {
  kernel: KernelName;
  /** number of observations */
  n: number;
  /** input dimension (encoded) */
  d: number;
  /** `n x d` row-major training inputs in the unit cube */
  X: Float64Array;
  /** `d` lengthscales */
  lengthscales: Float64Array;
  signalVariance: number;
  noiseVariance: number;
  /** `n`, K_y^{-1} y (standardized y) */
  alpha: Float64Array;
  /** `n x n` row-major lower-triangular Cholesky factor of K_y */
  L: Float64Array;
  /** `n x n` row-major lower-triangular inverse of L */
  Linv: Float64Array;
  /** target standardization: y_std = (y - yMean) / yStd */
  yMean: number;
  yStd: number;
}

/** GP hyperparameters (natural scale). */
export interface GPHyperparameters {
  /** `d` lengthscales */
  lengthscales: Float64Array;
  signalVariance: number;
  noiseVariance: number;
}
