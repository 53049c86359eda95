/**
 * Joint acquisition of q-point batches (float64): the Monte-Carlo qEI of
 * sets drawn from a pool of P points whose joint posterior (mean and P x P
 * covariance) is computed once (`jointPosterior`). Each set's q x q factor
 * is a float64 Cholesky of its sub-covariance (`setFactors`), and the
 * Monte-Carlo sum (`qEiFromSetFactors`) is the work the GPU does in f32
 * (shaders/q-expected-improvement.wgsl, src/gpu/q-batch.ts). `refineBySwaps`
 * improves a batch by swapping one of its points for one of the pool at a
 * time, scoring every single swap of a pass at once.
 */
import { crossCovariance, kernelFromR2 } from '../gp/kernels';
import { choleskyInPlaceUnchecked, solveLowerUnchecked } from '../gp/linalg';
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
    V.push(solveLowerUnchecked(L, n, row));
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
    choleskyInPlaceUnchecked(C, q, { maxJitter: 1 });
    Ls.set(C, s * q * q);
  }
  return { mus, Ls };
}

/**
 * Monte-Carlo qEI of `S` sets from their factors (`setFactors`): the
 * expected improvement of the best of q points evaluated together,
 *
 *   qEI(x_1..x_q) = E[ max(0, max_j f(x_j) - best - xi) ],  f ~ GP posterior (joint),
 *
 * over N fixed standard-normal base samples z_s (seeded, shared by every set
 * scored, so that two sets are compared on the same draws):
 *
 *   qEI ~ (1/N) sum_s max(0, max_j (mu_j + (L z_s)_j - best - xi)),  L L^T = Sigma.
 *
 * The float64 twin of shaders/q-expected-improvement.wgsl.
 * @param mus `S x q` means; `Ls`: `S x q x q` lower factors
 * @param target best + xi (standardized)
 * @param Z `N x q` base samples
 * @returns `S` estimates
 * @example
 * ```ts
 * const post = jointPosterior(factors, pool, P);          // pool: P x d
 * const Z = baseSamples(new Rng(1), 512, 4);              // 512 x 4
 * const { mus, Ls } = setFactors(post, Uint32Array.of(0, 1, 2, 3), 1, 4);
 * const [v] = qEiFromSetFactors(mus, Ls, 1, 4, best + xi, Z, 512);
 * ```
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

/**
 * Per-sample improvements of one set (`N`, float64): the terms whose mean
 * is its qEI estimate, for paired comparisons on the same base samples.
 */
export function qEiSamples(post: JointPosterior, set: ArrayLike<number>, target: number, Z: Float64Array, N: number): Float64Array {
  const q = set.length;
  const { mus, Ls } = setFactors(post, set, 1, q);
  const out = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    let top = 0;
    for (let j = 0; j < q; j++) {
      let v = mus[j] - target;
      for (let t = 0; t <= j; t++) v += Ls[j * q + t] * Z[k * q + t];
      if (v > top) top = v;
    }
    out[k] = top;
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
 * the current set by more than `z` standard errors of the paired
 * per-sample differences (float64, on the same base samples: the winner is
 * rescored, so an f32 score never decides alone, and a swap that only
 * gains on the particular draws, not in expectation, is refused; `z` = 0
 * takes any gain above 1e-9 relative); at most `maxPasses` passes.
 * @param start q pool indices (the greedy batch)
 */
export async function refineBySwaps(
  post: JointPosterior, start: readonly number[], target: number, Z: Float64Array, N: number, score: SetScorer, maxPasses: number, z = 0,
): Promise<SwapResult> {
  const q = start.length;
  let set = [...start];
  let cur = qEiSamples(post, set, target, Z, N);
  const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / N;
  const first = mean(cur);
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
    const next = qEiSamples(post, cand, target, Z, N);
    const v = mean(next);
    let ss = 0;
    for (let k = 0; k < N; k++) ss += (next[k] - cur[k] - (v - value)) ** 2;
    const se = Math.sqrt(ss / Math.max(1, N - 1) / N);
    if (!(v > value * (1 + 1e-9) && v > value + 1e-300 && v - value > z * se)) break;
    set = cand;
    cur = next;
    value = v;
    swaps++;
  }
  return { set, value, start: first, swaps };
}

/**
 * The set factors of `{pending points, x}` for each of `c` candidates x
 * (`c` sets of q = m + 1, the candidate last), from `factors` in float64:
 * the pending block's covariance is factored once, and each candidate adds
 * its last row (l = L_pp^-1 k(pending, x), l_xx = sqrt(var x - |l|^2)),
 * O(c m^2) in all instead of a Cholesky per set. The qEI of such a set is
 * the expected improvement of the best of the running points and x: the
 * acquisition of an asynchronous worker's next point, pending points
 * accounted for by the joint posterior instead of made-up values.
 * @param Xp `m x d` pending points, unit cube
 * @param C `c x d` candidates
 * @returns `mus` (`c x q`), `Ls` (`c x q x q`)
 */
export function pendingSetFactors(
  factors: PosteriorFactors, Xp: Float64Array, m: number, C: Float64Array, c: number,
): { mus: Float64Array; Ls: Float64Array; q: number } {
  const q = m + 1;
  const pend = jointPosterior(factors, Xp, m);
  const Lpp = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) Lpp[a * m + b] = pend.cov[a * m + b];
  const jitter = m > 0 ? choleskyInPlaceUnchecked(Lpp, m, { maxJitter: 1 }) : 0;
  const { n, d, X, L, alpha, lengthscales, signalVariance: s2, kernel } = factors;
  const Kc = crossCovariance(kernel, C, c, X, n, d, lengthscales, s2); // c x n
  const Kcp = crossCovariance(kernel, C, c, Xp, m, d, lengthscales, s2); // c x m
  // V_p = L^-1 K(X, pending), column per pending point
  const Vp: Float64Array[] = [];
  const Kp = crossCovariance(kernel, Xp, m, X, n, d, lengthscales, s2);
  for (let a = 0; a < m; a++) Vp.push(solveLowerUnchecked(L, n, Kp.subarray(a * n, a * n + n)));
  const mus = new Float64Array(c * q);
  const Ls = new Float64Array(c * q * q);
  const cross = new Float64Array(m);
  for (let i = 0; i < c; i++) {
    const kx = Kc.subarray(i * n, i * n + n);
    const vx = solveLowerUnchecked(L, n, kx);
    let mu = 0;
    let vv = 0;
    for (let t = 0; t < n; t++) {
      mu += kx[t] * alpha[t];
      vv += vx[t] * vx[t];
    }
    for (let a = 0; a < m; a++) {
      let v = Kcp[i * m + a];
      for (let t = 0; t < n; t++) v -= Vp[a][t] * vx[t];
      cross[a] = v;
    }
    const l = m > 0 ? solveLowerUnchecked(Lpp, m, cross) : cross;
    let ll = 0;
    for (let a = 0; a < m; a++) ll += l[a] * l[a];
    const base = i * q * q;
    for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) Ls[base + a * q + b] = Lpp[a * m + b];
    for (let a = 0; a < m; a++) Ls[base + m * q + a] = l[a];
    // the candidate's conditional variance; the pending block's jitter, so a candidate on a pending point stays factorable
    Ls[base + m * q + m] = Math.sqrt(Math.max(s2 - vv - ll, 0) + jitter);
    for (let a = 0; a < m; a++) mus[i * q + a] = pend.mean[a];
    mus[i * q + m] = mu;
  }
  return { mus, Ls, q };
}
