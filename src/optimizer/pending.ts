/**
 * Pending points (asked, not yet told: other workers' trials, earlier
 * suggestions, the rest of a batch) in the proposal step: the posterior
 * factors with them entered (withPending, pendingFactors, fantasyModels),
 * for each PendingStrategy. bench/parallel.ts measures the strategies (see
 * the README).
 */
import type { Fantasies } from '../acquisition/fantasy';
import type { GaussianProcess } from '../gp/gaussian-process';
import { kernelFromR2 } from '../gp/kernels';
import { appendFactorRows, copyLowerRows } from '../gp/covariance-factor';
import { inverseRowsAppendFast } from '../gp/cholesky-wasm';
import { choleskyInPlace, choleskySolve, solveLower } from '../gp/linalg';
import type { PosteriorFactors } from '../gp/types';
import { Rng } from '../util/rng';

/**
 * How pending points enter the posterior. The GP's hyperparameters are
 * fitted on completed trials only; the pending points then join the
 * posterior with those hyperparameters kept, at a value that is not an
 * observation, as the latent value the model will learn there (no
 * observation noise on their rows, see PENDING_NOISE):
 *
 * - 'believer' (Kriging believer, the default): the posterior mean. The mean
 *   stays what the real data say everywhere, only the variance near pending
 *   points collapses, so the acquisition moves off them without the model
 *   believing anything false. It holds with one real observation and many
 *   pending points (the mean is then flat at that observation, and the
 *   suggestion goes where no point is, real or pending).
 * - 'lcb-believer': the posterior mean minus `kappa` standard deviations
 *   (option `pendingKappa`, [1]; a pessimistic believer): the spot next to
 *   a running point believed good no longer looks as good as the point
 *   itself, so workers do not pile onto it. With 4 asynchronous workers (bench/parallel.ts, 10 seeds) it
 *   is ahead of the believer on narrow valleys (Powell-4 2.76 against
 *   4.68, Dixon-Price-4 3.37 against 18.6, Rosenbrock-4 117 against 187)
 *   and far behind on Ackley-5 (10.5 against 3.77), whose bowl is reached
 *   by a chain of steps beyond running points believed good. `kappa` 0.5
 *   keeps the valleys' gain (Dixon-Price-4 1.26, Powell-4 0.378,
 *   Rosenbrock-4 59.3) and loses less on Ackley-5 (6.15); any kappa but 0
 *   moves the posterior mean around running points, which Ackley-5's creep
 *   towards its centre does not want (docs/benchmarks/parallel.md).
 * - 'liar': the worst completed value (a constant liar), on the same fixed
 *   hyperparameters. Pushes harder away from pending points, and pulls the
 *   mean down around them.
 * - 'fantasy': one joint draw from the posterior at the pending points (a
 *   single fantasy; the acquisition is not averaged over several).
 * - 'fantasies': the believer's point competes with candidates scored by
 *   the acquisition averaged over 16 joint draws (fantasy models sharing
 *   one factor, each with its own incumbent; see `fantasyModels`,
 *   ./fantasy-choice and src/acquisition/fantasy.ts), on the GPU when the
 *   engine is WebGPU. Measured behind the believer on Hartmann6.
 * - 'qei': the believer's point competes with candidates scored by the
 *   Monte-Carlo qEI of the running points and the candidate together, under
 *   the model of the completed trials, against the best completed value
 *   (BoTorch's way with pending points; see ./pending-qei), on the GPU when
 *   the engine is WebGPU.
 * - 'penalization': local penalization (González et al. 2016): the
 *   believer's point competes with candidates scored by the acquisition of
 *   the model of the completed trials times a penalizer around each running
 *   point, its radius set by a Lipschitz constant of the posterior mean (see
 *   ./penalized-choice and src/acquisition/local-penalization.ts).
 * - 'refit-liar': the worst completed value with the hyperparameters refitted
 *   to the lies too (this library's behaviour before 0.2, bayes_opt-style
 *   constant liar). Kept for comparison only: with one or two real
 *   observations the lies equal them and the model goes flat.
 */
export type PendingStrategy = 'believer' | 'lcb-believer' | 'liar' | 'fantasy' | 'fantasies' | 'qei' | 'penalization' | 'refit-liar';

/** Every {@link PendingStrategy}: the values the optimizers' `pending` option is checked against. */
export const PENDING_STRATEGIES: readonly PendingStrategy[] = ['believer', 'lcb-believer', 'liar', 'fantasy', 'fantasies', 'qei', 'penalization', 'refit-liar'];

/**
 * The noise variance of a pending point's row, relative to the signal
 * variance (a floor that keeps the factor well conditioned when a pending
 * point sits on another point). A pending row stands for the latent value
 * the model will learn there, not for one more noisy observation: entered
 * with the fitted noise, it only shrinks the uncertainty at its own spot
 * towards the noise level, and where the GP's noise is comparable to the
 * posterior variance (near the incumbent of a converging search) the next
 * proposal lands right next to the running point. Traced on Branin with 4
 * asynchronous workers (seeds 1000-1002, 6 proposals within 1e-3 of a
 * running point): the running point, believed best, kept a standard
 * deviation of 0.062 against 0.110 without it (noise variance 5.8e-3), and
 * the proposal 3.5e-4 away had 0.062 too. Noise-free, the posterior mean is
 * unchanged all the same (the believer adds no innovation), and the
 * variance vanishes at the running point.
 */
export const PENDING_NOISE = 1e-6;

/**
 * 'lcb-believer''s default: a pending point enters one posterior standard
 * deviation below its mean (option `pendingKappa`).
 */
export const LCB_KAPPA = 1;

/**
 * The posterior factors of `gp` (fitted on the finished trials) with `m`
 * pending points added at their believed value, hyperparameters unchanged
 * (see PendingStrategy). Returns `gp.factors()` itself when `m` is 0.
 * @param Xp `m x d` row-major encoded pending points
 * @param nCompleted 'liar': the lie is the worst of the completed trials'
 *   observations, the GP's first `nCompleted` rows or those a mask (one
 *   entry per row) sets (imputed failed or pruned ones are not values the
 *   objective returned) [all of them]
 * @param kappa 'lcb-believer': posterior standard deviations below the mean [LCB_KAPPA, 1]
 * @example
 * ```ts
 * gp.fit(Xdone, ydone, d);                          // hyperparameters from real data (Xdone: n x d)
 * const f = withPending(gp, Xpend, m, 'believer');  // Xpend: m x d; (n + m) rows, same hyperparameters
 * const { variance } = await engine.evaluate(f, Xpend, m, acquisition, best); // about 0 at the pending points
 * ```
 */
export function withPending(
  gp: GaussianProcess, Xp: Float64Array, m: number, strategy: 'believer' | 'lcb-believer' | 'liar' | 'fantasy', rng?: Rng, nCompleted?: number | Uint8Array, kappa = LCB_KAPPA,
): PosteriorFactors {
  return pendingFactors(gp, Xp, m, strategy, rng, nCompleted, kappa).factors;
}

/**
 * `withPending`, also returning the values the pending points were entered
 * at (`m`, standardized units): the acquisition's incumbent must count them,
 * or a pending point believed better than every observation draws the next
 * suggestions next to it (improvement over the real best with no uncertainty).
 */
export function pendingFactors(
  gp: GaussianProcess, Xp: Float64Array, m: number, strategy: 'believer' | 'lcb-believer' | 'liar' | 'fantasy', rng?: Rng, nCompleted?: number | Uint8Array, kappa = LCB_KAPPA,
): { factors: PosteriorFactors; values: Float64Array } {
  const f = gp.factors();
  if (m === 0) return { factors: f, values: new Float64Array(0) };
  const { n, d, X, lengthscales, signalVariance: s2, kernel } = f;
  // standardized targets of the real observations: K_f alpha = ys - noise alpha
  const ys = gp.trainingMean({ standardized: true });
  for (let i = 0; i < n; i++) ys[i] += f.noiseVariance * f.alpha[i];
  let value: Float64Array;
  if (strategy === 'believer') {
    value = gp.predict(Xp, m, { standardized: true }).mean;
  } else if (strategy === 'lcb-believer') {
    const post = gp.predict(Xp, m, { standardized: true });
    value = post.mean.map((mu, i) => mu - kappa * Math.sqrt(Math.max(post.variance[i], 0)));
  } else if (strategy === 'fantasy') {
    value = fantasy(gp, Xp, m, rng ?? new Rng(0));
  } else {
    let worst = Infinity;
    const counted = (i: number): boolean => (typeof nCompleted === 'object' ? nCompleted[i] === 1 : i < (nCompleted ?? n));
    for (let i = 0; i < n; i++) if (counted(i)) worst = Math.min(worst, ys[i]);
    value = new Float64Array(m).fill(worst);
  }
  const N = n + m;
  const Xa = new Float64Array(N * d);
  Xa.set(X.subarray(0, n * d));
  Xa.set(Xp.subarray(0, m * d), n * d);
  const ya = new Float64Array(N);
  ya.set(ys);
  ya.set(value, n);
  // The m new rows are appended to the fitted factor in O(m N^2) (the path the
  // GP's own refits extend by); the fit itself (hyperparameters) is not redone.
  // They carry no observation noise (see PENDING_NOISE).
  const { L, jitter, appended } = appendFactorRows(kernel, f.L, n, Xa, N, d, lengthscales, s2, f.noiseVariance, Math.min(f.noiseVariance, PENDING_NOISE * s2));
  const alpha = choleskySolve(L, N, ya);
  let Linv: Float64Array | undefined;
  // L^-1 of the appended factor begins with the fitted factor's (the GP's, kept across
  // suggestions), so only the m new rows cost anything: O(m N^2), not O(N^3) per proposal.
  const inverse = (): Float64Array => {
    const inv = new Float64Array(N * N);
    let from = 0;
    if (appended) {
      copyLowerRows(f.Linv, n, inv, N, n);
      from = n;
    }
    inverseRowsAppendFast(L, inv, N, from);
    return inv;
  };
  const out = {
    kernel, n: N, d, X: Xa, lengthscales, signalVariance: s2, noiseVariance: f.noiseVariance + jitter,
    alpha, L, yMean: f.yMean, yStd: f.yStd,
  } as Omit<PosteriorFactors, 'Linv'> as PosteriorFactors;
  // Only the WebGPU engine reads Linv: build it on first access.
  Object.defineProperty(out, 'Linv', { enumerable: true, get: () => (Linv ??= inverse()) });
  return { factors: out, values: value };
}

/** One joint draw of the latent function at the `m` pending points (standardized units). */
function fantasy(gp: GaussianProcess, Xp: Float64Array, m: number, rng: Rng): Float64Array {
  return fantasyDraws(gp, Xp, m, 1, rng);
}

/** `F` joint draws of the latent function at the `m` pending points: `F x m`, standardized units. */
function fantasyDraws(gp: GaussianProcess, Xp: Float64Array, m: number, F: number, rng: Rng): Float64Array {
  const f = gp.factors();
  const { n, d, X, L, lengthscales, signalVariance: s2, kernel } = f;
  const inv = Array.from(lengthscales, (l) => 1 / l);
  const k = (A: Float64Array, i: number, B: Float64Array, j: number): number => {
    let r2 = 0;
    for (let t = 0; t < d; t++) {
      const u = (A[i * d + t] - B[j * d + t]) * inv[t];
      r2 += u * u;
    }
    return s2 * kernelFromR2(kernel, r2);
  };
  // V = L^-1 K(X, Xp), column by column; covariance K(Xp, Xp) - V^T V
  const V: Float64Array[] = [];
  for (let j = 0; j < m; j++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = k(X, i, Xp, j);
    V.push(solveLower(L, n, c));
  }
  const C = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) {
      let v = k(Xp, a, Xp, b);
      for (let i = 0; i < n; i++) v -= V[a][i] * V[b][i];
      C[a * m + b] = v;
    }
    C[a * m + a] += 1e-9 * s2;
  }
  choleskyInPlace(C, m, { maxJitter: 1 });
  const mean = gp.predict(Xp, m, { standardized: true }).mean;
  const out = new Float64Array(F * m);
  for (let f = 0; f < F; f++) {
    const z = Array.from({ length: m }, () => rng.normal());
    for (let a = 0; a < m; a++) {
      let v = mean[a];
      for (let b = 0; b <= a; b++) v += C[a * m + b] * z[b];
      out[f * m + a] = v;
    }
  }
  return out;
}

/**
 * F fantasy models for the pending points ('fantasies'): the believer's
 * factors (pending rows appended, the mean unchanged), and for each of `F`
 * joint posterior draws at the pending points its alpha on the same factor
 * and its incumbent, the larger of `best` and the draw's best value. The
 * acquisition is then averaged over them (src/acquisition/fantasy.ts).
 * @param best the incumbent of the completed trials (standardized)
 */
export function fantasyModels(
  gp: GaussianProcess, Xp: Float64Array, m: number, F: number, best: number, rng: Rng,
): { factors: PosteriorFactors; values: Float64Array; fantasies: Fantasies } {
  const { factors, values } = pendingFactors(gp, Xp, m, 'believer');
  const n = factors.n - m;
  const draws = fantasyDraws(gp, Xp, m, F, rng);
  // targets of the believer factors: the fitted data, then the believed values
  const y = new Float64Array(factors.n);
  const ys = gp.trainingMean({ standardized: true });
  const f0 = gp.factors();
  for (let i = 0; i < n; i++) y[i] = ys[i] + f0.noiseVariance * f0.alpha[i];
  const alphas = new Float64Array(F * factors.n);
  const bests = new Float64Array(F);
  for (let f = 0; f < F; f++) {
    y.set(draws.subarray(f * m, f * m + m), n);
    alphas.set(choleskySolve(factors.L, factors.n, y), f * factors.n);
    let b = best;
    for (let j = 0; j < m; j++) b = Math.max(b, draws[f * m + j]);
    bests[f] = b;
  }
  return { factors, values, fantasies: { count: F, alphas, bests } };
}
