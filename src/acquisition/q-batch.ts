/**
 * Joint acquisition of q-point batches (float64): a Monte-Carlo estimate of
 * qEI, the expected improvement of the best of q points evaluated together,
 *
 *   qEI(x_1..x_q) = E[ max(0, max_j f(x_j) - best - xi) ],  f ~ GP posterior (joint),
 *
 * over N fixed standard-normal base samples z_s (seeded, shared by every set
 * scored, so that two sets are compared on the same draws):
 *
 *   qEI ~ (1/N) sum_s max(0, max_j (mu_j + (L z_s)_j - best - xi)),  L L^T = Sigma.
 *
 * The sets are drawn from a pool of P points whose joint posterior (mean and
 * P x P covariance) is computed once; each set's q x q factor is then a
 * float64 Cholesky of its sub-covariance (`setFactors`), and the Monte-Carlo
 * sum (`qEiFromSetFactors`) is the work the GPU does in f32
 * (shaders/q-expected-improvement.wgsl, src/gpu/q-batch.ts). `refineBySwaps`
 * improves a batch by swapping one of its points for one of the pool at a
 * time, scoring every single swap of a pass at once.
 *
 * @example
 * ```ts
 * const post = jointPosterior(factors, pool, P);          // pool: P x d
 * const Z = baseSamples(new Rng(1), 512, 4);              // 512 x 4
 * const { mus, Ls } = setFactors(post, Uint32Array.of(0, 1, 2, 3), 1, 4);
 * const [v] = qEiFromSetFactors(mus, Ls, 1, 4, best + xi, Z, 512);
 * ```
 */
import { crossCovariance, kernelFromR2 } from '../gp/kernels';
import { choleskyInPlace, solveLower } from '../gp/linalg';
import type { PosteriorFactors } from '../gp/types';
import type { Rng } from '../util/rng';

/** The joint posterior of P points (standardized units). */
export interface JointPosterior {
  count: number;
  /** P */
  mean: Float64Array;
  /** P x P row-major */
  cov: Float64Array;
}

/**
 * Posterior mean and covariance of `P` points under `factors`:
 * mean = K(x, X) alpha, cov = K(x, x) - V^T V with V = L^-1 K(X, x).
 * @param points `P x d` row-major, unit cube
 */
export function jointPosterior(factors: PosteriorFactors, points: Float64Array, P: number): JointPosterior {
  const { n, d, X, L, alpha, lengthscales, signalVariance: s2, kernel } = factors;
  const K = crossCovariance(kernel, points, P, X, n, d, lengthscales, s2); // P x n
  const mean = new Float64Array(P);
  const V: Float64Array[] = [];
  for (let a = 0; a < P; a++) {
    const row = K.subarray(a * n, a * n + n);
    let m = 0;
    for (let i = 0; i < n; i++) m += row[i] * alpha[i];
    mean[a] = m;
    V.push(solveLower(L, n, row));
  }
  const inv = Array.from(lengthscales, (l) => 1 / l);
  const cov = new Float64Array(P * P);
  for (let a = 0; a < P; a++) {
    for (let b = 0; b <= a; b++) {
      let r2 = 0;
      for (let t = 0; t < d; t++) {
        const u = (points[a * d + t] - points[b * d + t]) * inv[t];
        r2 += u * u;
      }
      let v = s2 * kernelFromR2(kernel, r2);
      for (let i = 0; i < n; i++) v -= V[a][i] * V[b][i];
      cov[a * P + b] = v;
      cov[b * P + a] = v;
    }
  }
  return { count: P, mean, cov };
}

/** `N x q` standard-normal base samples from `rng`. */
export function baseSamples(rng: Rng, N: number, q: number): Float64Array {
  const Z = new Float64Array(N * q);
  for (let i = 0; i < N * q; i++) Z[i] = rng.normal();
  return Z;
}

/**
 * Each set's means (`S x q`) and the lower Cholesky factor of its covariance
 * (`S x q x q`, row-major, upper triangle zero), in float64; a nearly
 * singular sub-covariance (two points of a set close together) gets the
 * jitter `choleskyInPlace` adds.
 * @param sets `S x q` indices into the pool
 */
export function setFactors(post: JointPosterior, sets: ArrayLike<number>, S: number, q: number): { mus: Float64Array; Ls: Float64Array } {
  const P = post.count;
  const mus = new Float64Array(S * q);
  const Ls = new Float64Array(S * q * q);
  const C = new Float64Array(q * q);
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < q; a++) {
      const i = sets[s * q + a];
      mus[s * q + a] = post.mean[i];
      for (let b = 0; b <= a; b++) C[a * q + b] = post.cov[i * P + sets[s * q + b]];
      for (let b = a + 1; b < q; b++) C[a * q + b] = 0;
    }
    choleskyInPlace(C, q, { maxJitter: 1 });
    Ls.set(C, s * q * q);
  }
  return { mus, Ls };
}

/**
 * Monte-Carlo qEI of `S` sets from their factors (see the module comment):
 * the float64 twin of shaders/q-expected-improvement.wgsl.
 * @param target best + xi (standardized)
 * @param Z `N x q` base samples
 * @returns `S` estimates
 */
export function qEiFromSetFactors(
  mus: Float64Array, Ls: Float64Array, S: number, q: number, target: number, Z: Float64Array, N: number,
): Float64Array {
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    const mu = mus.subarray(s * q, s * q + q);
    const L = Ls.subarray(s * q * q, (s + 1) * q * q);
    let sum = 0;
    for (let k = 0; k < N; k++) {
      const z = Z.subarray(k * q, k * q + q);
      let top = 0; // max(0, ...)
      for (let j = 0; j < q; j++) {
        let v = mu[j] - target;
        for (let t = 0; t <= j; t++) v += L[j * q + t] * z[t];
        if (v > top) top = v;
      }
      sum += top;
    }
    out[s] = sum / N;
  }
  return out;
}

/** Every set made from `set` (q pool indices) by replacing one of its points with a pool point not in it: `S x q`, S = q (P - q). */
export function singleSwaps(set: ArrayLike<number>, q: number, P: number): Uint32Array {
  const inSet = new Set(Array.from(set));
  const others: number[] = [];
  for (let i = 0; i < P; i++) if (!inSet.has(i)) others.push(i);
  const out = new Uint32Array(q * others.length * q);
  let s = 0;
  for (let j = 0; j < q; j++) {
    for (const o of others) {
      for (let a = 0; a < q; a++) out[s * q + a] = a === j ? o : set[a];
      s++;
    }
  }
  return out;
}

/** Scores `S` sets given their factors (the float64 twin, or the GPU kernel). */
export type SetScorer = (mus: Float64Array, Ls: Float64Array, S: number) => Promise<ArrayLike<number>>;

export interface SwapResult {
  /** q pool indices */
  set: number[];
  /** its qEI (float64) */
  value: number;
  /** the starting set's qEI (float64) */
  start: number;
  /** swaps made */
  swaps: number;
}

/**
 * Best-improvement swap search: each pass scores every single swap of the
 * current set with `score` (all at once), and takes the best if it beats
 * the current set's float64 qEI by more than `1e-9` relative (the winner is
 * rescored in float64, so an f32 score never decides alone); at most
 * `maxPasses` passes.
 * @param start q pool indices (the greedy batch)
 */
export async function refineBySwaps(
  post: JointPosterior, start: readonly number[], target: number, Z: Float64Array, N: number, score: SetScorer, maxPasses: number,
): Promise<SwapResult> {
  const q = start.length;
  const exact = (set: ArrayLike<number>): number => {
    const { mus, Ls } = setFactors(post, set, 1, q);
    return qEiFromSetFactors(mus, Ls, 1, q, target, Z, N)[0];
  };
  let set = [...start];
  const first = exact(set);
  let value = first;
  let swaps = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    const sets = singleSwaps(set, q, post.count);
    const S = sets.length / q;
    if (S === 0) break;
    const { mus, Ls } = setFactors(post, sets, S, q);
    const scores = await score(mus, Ls, S);
    let w = -1;
    for (let s = 0; s < S; s++) if (!Number.isNaN(scores[s]) && (w < 0 || scores[s] > scores[w])) w = s;
    if (w < 0) break;
    const cand = Array.from(sets.subarray(w * q, w * q + q));
    const v = exact(cand);
    if (!(v > value * (1 + 1e-9) && v > value + 1e-300)) break;
    set = cand;
    value = v;
    swaps++;
  }
  return { set, value, start: first, swaps };
}
