/**
 * The seeded GP problems of bench:throughput and bench:screening: n points
 * in d dimensions, y = sin(5 x0) + noise, Matern 5/2 with lengthscales near
 * 0.3 sqrt(d), factors in float64; EI proposals over the unit cube.
 */
import type { ProposeRequest } from '../src/acquisition/engine';
import type { AcquisitionSpec } from '../src/acquisition/functions';
import { cholesky, crossCovariance, triangularInverse } from '../src/gp';
import type { PosteriorFactors } from '../src/gp/types';
import type { DimLayout } from '../src/space/types';
import { Rng } from '../src/util/rng';

export const ACQ: AcquisitionSpec = { kind: 'ei', xi: 0, kappa: 2.576 };

/** A seeded GP posterior with n points in d dimensions, factors in float64. */
export function problem(n: number, d: number, seed: number): PosteriorFactors {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const lengthscales = Float64Array.from({ length: d }, () => 0.3 * Math.sqrt(d) * rng.uniform(0.7, 1.3));
  const s2 = 1;
  const noise = 1e-3;
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * X[i * d]) + 0.1 * rng.normal());
  const K = crossCovariance('matern52', X, n, X, n, d, lengthscales, s2);
  for (let i = 0; i < n; i++) K[i * n + i] += noise;
  const { L } = cholesky(K, n);
  const Linv = triangularInverse(L, n);
  const alpha = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) v[i] += Linv[i * n + j] * y[j];
  for (let j = 0; j < n; j++) for (let i = j; i < n; i++) alpha[j] += Linv[i * n + j] * v[i];
  return {
    kernel: 'matern52', n, d, X, lengthscales, signalVariance: s2, noiseVariance: noise,
    alpha, L, Linv, yMean: 0, yStd: 1,
  };
}

/** Useful floating-point operations to score one candidate (padding and zero tiles not counted). */
export function flopsPerCandidate(n: number, d: number): number {
  const kernel = n * (3 * d + 12); // distances, Matérn, scaling
  const posterior = n * n + 2 * n; // triangular Linv k (n^2/2 multiply-adds), k . alpha
  return kernel + posterior + 60; // + acquisition
}

export function request(f: PosteriorFactors, m: number, seed: number): ProposeRequest {
  const layout: DimLayout[] = Array.from({ length: f.d }, (_, j) => ({
    kind: 'continuous', name: `x${j}`, dim: j, low: 0, high: 1, log: false,
  }));
  return {
    factors: f, acquisition: ACQ, best: 1, candidates: m, seed,
    incumbents: f.X.slice(0, Math.min(f.n, 4) * f.d), nIncumbents: Math.min(f.n, 4), layout,
  };
}

