/**
 * Local penalization (González, Dai, Hennig and Lawrence 2016, "Batch
 * Bayesian optimization via local penalization"), float64: the scores of
 * candidates near pending points (asked, not told) are pushed down (see
 * penalizedScores).
 */
import { exp, log, log1p } from '../util/math';
import { posteriorFromFactors } from '../gp/posterior';
import { kernelDerivR2, kernelFromR2 } from '../gp/kernels';
import type { PosteriorFactors } from '../gp/types';
import { randU32, unitFromU32 } from './candidates';
import { acquisitionScore, SIGMA_FLOOR, type AcquisitionSpec } from './functions';
import { logNormCdf } from './special';

type Factors = Omit<PosteriorFactors, 'Linv'>;

/** Uniform points (besides the observations) the Lipschitz estimate takes the largest gradient over. */
export const LIPSCHITZ_SAMPLES = 1024;
/**
 * The estimate when the mean is flat (largest gradient norm below 1e-7): a
 * flat mean says nothing about how fast f can change, and L = 0 would make
 * every penalizer Phi((mu_j - M) / sigma_j), the same everywhere (GPyOpt's
 * fallback, 10, also used there).
 */
export const FLAT_LIPSCHITZ = 10;
/** Hash stream of the Lipschitz samples (candidates.ts uses 1 to 3, refine.ts 4). */
const STREAM_LIPSCHITZ = 5;

/** The posterior mean at `x` (`d`) and its gradient, written into `grad` (`d`). O(n d). */
export function meanGradient(f: Factors, x: ArrayLike<number>, grad: Float64Array): number {
  const { n, d, X, alpha, signalVariance: s2 } = f;
  grad.fill(0);
  let mu = 0;
  const inv2 = new Float64Array(d);
  for (let j = 0; j < d; j++) inv2[j] = 1 / (f.lengthscales[j] * f.lengthscales[j]);
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      const t = x[j] - X[i * d + j];
      r2 += t * t * inv2[j];
    }
    mu += s2 * kernelFromR2(f.kernel, r2) * alpha[i];
    // d k / d x_j = s2 dk/dr2 * 2 (x_j - X_ij) / l_j^2
    const c = 2 * s2 * kernelDerivR2(f.kernel, r2) * alpha[i];
    for (let j = 0; j < d; j++) grad[j] += c * (x[j] - X[i * d + j]) * inv2[j];
  }
  return mu;
}

/**
 * L: the largest norm of the posterior mean's gradient over the `n`
 * observations and {@link LIPSCHITZ_SAMPLES} hashed uniform points of the
 * unit cube ({@link FLAT_LIPSCHITZ} when that is below 1e-7).
 */
export function lipschitzConstant(f: Factors, seed: number): number {
  const { n, d, X } = f;
  const g = new Float64Array(d);
  const x = new Float64Array(d);
  let best = 0;
  const norm = () => {
    let s = 0;
    for (let j = 0; j < d; j++) s += g[j] * g[j];
    return Math.sqrt(s);
  };
  for (let i = 0; i < n; i++) {
    meanGradient(f, X.subarray(i * d, i * d + d), g);
    best = Math.max(best, norm());
  }
  for (let s = 0; s < LIPSCHITZ_SAMPLES; s++) {
    for (let j = 0; j < d; j++) x[j] = unitFromU32(randU32(seed, STREAM_LIPSCHITZ, s * d + j));
    meanGradient(f, x, g);
    best = Math.max(best, norm());
  }
  return best < 1e-7 ? FLAT_LIPSCHITZ : best;
}

/** The penalizers of `m` pending points: their centres, posterior means and standard deviations, L and M. */
export interface Penalizers {
  /** `m x d` encoded pending points */
  centres: Float64Array;
  m: number;
  /** `m` posterior means and standard deviations at the centres (standardized) */
  mu: Float64Array;
  sigma: Float64Array;
  lipschitz: number;
  /** the maximum's stand-in: the best completed value (standardized) */
  best: number;
}

/** The penalizers of the `m` pending points `Xp` (`m x d`) under the model of the completed trials `f`. */
export function penalizers(f: Factors, Xp: Float64Array, m: number, lipschitz: number, best: number): Penalizers {
  const post = posteriorFromFactors(f, Xp, m);
  const sigma = post.variance.map((v) => Math.max(Math.sqrt(v), SIGMA_FLOOR));
  return { centres: Xp.slice(0, m * f.d), m, mu: post.mean, sigma, lipschitz, best };
}

/** log phi(x; x_j) for a point at `distance` from x_j: log Phi((L distance - M + mu_j) / sigma_j). */
export function logPenalizer(distance: number, lipschitz: number, best: number, mu: number, sigma: number): number {
  return logNormCdf((lipschitz * distance - best + mu) / Math.max(sigma, SIGMA_FLOOR));
}

/** log softplus(u) = log log(1 + e^u), finite for every finite u (u itself far below 0). */
export function logSoftplus(u: number): number {
  if (u > 30) return log(u);
  if (u < -30) return u;
  return log(log1p(exp(u)));
}

/**
 * The penalized log-scores of `c` candidates `C` (`c x d`): the transformed
 * acquisition under `f` (the model of the completed trials, incumbent `best`)
 * plus the log-penalizers of every pending point. O(c (n^2 + m d)). A
 * pending point x_j is unlikely to have the maximum M within the ball of
 * radius (M - f(x_j)) / L around it, L a Lipschitz constant of f. With
 * f(x_j) ~ N(mu_j, sigma_j^2) under the model of the completed trials, the
 * probability that x lies outside that ball is the penalizer
 *
 *   phi(x; x_j) = Phi((L ||x - x_j|| - M + mu_j) / sigma_j),
 *
 * and the next point maximizes g(acquisition(x)) * prod_j phi(x; x_j), g a
 * positive transform (EI and PI are positive already; UCB goes through a
 * softplus). Scores here are the logarithm of that product:
 * `acquisitionScore` (log EI, log PI) or log softplus(UCB), plus the sum of
 * log phi. L comes from {@link lipschitzConstant} (the paper's estimate). All
 * in standardized target units on the unit cube.
 * @example
 * ```ts
 * const L = lipschitzConstant(factors, seed);
 * const pen = penalizers(factors, Xpending, m, L, best);     // Xpending: m x d; best: the incumbent (ProposeRequest.best)
 * const s = penalizedScores(factors, acquisition, best, pen, C, c); // c log-scores of C (`c x d`)
 * ```
 */
export function penalizedScores(
  f: Factors, spec: AcquisitionSpec, best: number, pen: Penalizers, C: Float64Array, c: number,
): Float64Array {
  const d = f.d;
  const post = posteriorFromFactors(f, C, c);
  const out = new Float64Array(c);
  for (let p = 0; p < c; p++) {
    const a = acquisitionScore(spec, post.mean[p], Math.sqrt(post.variance[p]), best);
    let s = spec.kind === 'ucb' ? logSoftplus(a) : a;
    for (let j = 0; j < pen.m; j++) {
      let r2 = 0;
      for (let t = 0; t < d; t++) {
        const u = C[p * d + t] - pen.centres[j * d + t];
        r2 += u * u;
      }
      s += logPenalizer(Math.sqrt(r2), pen.lipschitz, pen.best, pen.mu[j], pen.sigma[j]);
    }
    out[p] = s;
  }
  return out;
}
