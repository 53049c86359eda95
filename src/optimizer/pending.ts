/**
 * Pending points (asked, not yet told: other workers' trials, earlier
 * suggestions, the rest of a batch) in the proposal step. The GP's
 * hyperparameters are fitted on completed trials only; the pending points
 * then join the posterior with those hyperparameters kept, at a value that
 * is not an observation:
 *
 * - 'believer' (Kriging believer, the default): the posterior mean. The mean
 *   stays what the real data say everywhere, only the variance near pending
 *   points collapses, so the acquisition moves off them without the model
 *   believing anything false. It holds with one real observation and many
 *   pending points (the mean is then flat at that observation, and the
 *   suggestion goes where no point is, real or pending).
 * - 'liar': the worst completed value (a constant liar), on the same fixed
 *   hyperparameters. Pushes harder away from pending points, and pulls the
 *   mean down around them.
 * - 'refit-liar': the worst completed value with the hyperparameters refitted
 *   to the lies too (this library's behaviour before 0.2, bayes_opt-style
 *   constant liar). Kept for comparison only: with one or two real
 *   observations the lies equal them and the model goes flat.
 *
 * bench/parallel.ts measures both (see the README).
 *
 * @example
 * ```ts
 * gp.fit(Xdone, ydone, d);                       // hyperparameters from real data
 * const f = withPending(gp, Xpend, m, 'believer'); // (n + m) points, same hyperparameters
 * engine.propose({ factors: f, ... });
 * ```
 */
import type { GaussianProcess } from '../gp/gaussian-process';
import { kernelFromR2 } from '../gp/kernels';
import { choleskyInPlace, choleskySolve, triangularInverse } from '../gp/linalg';
import type { PosteriorFactors } from '../gp/types';

/** How pending points enter the posterior (see the module comment). */
export type PendingStrategy = 'believer' | 'liar' | 'refit-liar';

export const PENDING_STRATEGIES: readonly PendingStrategy[] = ['believer', 'liar', 'refit-liar'];

/**
 * The posterior factors of `gp` (fitted on the completed trials) with `m`
 * pending points added at their believed value, hyperparameters unchanged.
 * Returns `gp.factors()` itself when `m` is 0.
 * @param Xp `m x d` row-major encoded pending points
 */
export function withPending(gp: GaussianProcess, Xp: Float64Array, m: number, strategy: 'believer' | 'liar'): PosteriorFactors {
  const f = gp.factors();
  if (m === 0) return f;
  const { n, d, X, lengthscales, signalVariance: s2, kernel } = f;
  const noise = gp.hyperparameters.noiseVariance;
  // standardized targets of the real observations: K_f alpha = ys - noise alpha
  const ys = gp.trainingMean({ standardized: true });
  for (let i = 0; i < n; i++) ys[i] += f.noiseVariance * f.alpha[i];
  let value: Float64Array;
  if (strategy === 'believer') {
    value = gp.predict(Xp, m, { standardized: true }).mean;
  } else {
    let worst = Infinity;
    for (let i = 0; i < n; i++) worst = Math.min(worst, ys[i]);
    value = new Float64Array(m).fill(worst);
  }
  const N = n + m;
  const Xa = new Float64Array(N * d);
  Xa.set(X.subarray(0, n * d));
  Xa.set(Xp.subarray(0, m * d), n * d);
  const ya = new Float64Array(N);
  ya.set(ys);
  ya.set(value, n);
  // Full refactorization: O((n + m)^3) with n + m in the tens to hundreds is
  // well under the GP fit's cost; the fit itself (hyperparameters) is not redone.
  const inv = Array.from(lengthscales, (l) => 1 / l);
  const L = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < i; j++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = (Xa[i * d + k] - Xa[j * d + k]) * inv[k];
        r2 += t * t;
      }
      L[i * N + j] = s2 * kernelFromR2(kernel, r2);
    }
    L[i * N + i] = s2 + noise;
  }
  const jitter = choleskyInPlace(L, N);
  const alpha = choleskySolve(L, N, ya);
  let Linv: Float64Array | undefined;
  const out = {
    kernel, n: N, d, X: Xa, lengthscales, signalVariance: s2, noiseVariance: noise + jitter,
    alpha, L, yMean: f.yMean, yStd: f.yStd,
  } as Omit<PosteriorFactors, 'Linv'> as PosteriorFactors;
  // Linv costs O(N^3) and only the WebGPU engine reads it: build it on first access.
  Object.defineProperty(out, 'Linv', { enumerable: true, get: () => (Linv ??= triangularInverse(L, N)) });
  return out;
}
