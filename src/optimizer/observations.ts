/**
 * Trials as GP observations. Completed trials give (x, sign * target). Failed
 * trials (the objective threw, timed out or returned a non-number) are not
 * dropped: a region where the objective fails, such as a learning rate at
 * which the network diverges, would otherwise look unexplored and attract
 * suggestion after suggestion. They are imputed as bad values, as Ax does
 * for failed trials, so the model learns to stay away from them.
 *
 * Measured with `npm run bench:failures` (see the README): imputing at the
 * worst observed value keeps most guided trials out of a failing band next to
 * the optimum; with no failed trial the observations are exactly the
 * completed ones, so nothing changes for objectives that never fail.
 */
import type { Params } from '../space/types';
import type { Trial } from '../study/types';

/**
 * How failed trials enter the model: 'worst' imputes them at the worst
 * completed value (after winsorization), 'below-worst' half the observed
 * range below it, 'ignore' leaves them out.
 */
export type FailedTrialPolicy = 'worst' | 'below-worst' | 'ignore';

/**
 * How pruned trials enter the model: 'last' at their last reported value
 * (an early reading of the learning curve: it keeps their ranking, and being
 * earlier than the completed trials' final values it is a built-in penalty),
 * 'worst' at the worst completed value, 'ignore' not at all. With ASHA most
 * trials are pruned; 'worst' then flattens most of the data into one bad
 * value. Measured with `npm run bench:pruned-model` (README): 'last' finds
 * the best configurations per epoch spent.
 */
export type PrunedTrialPolicy = 'worst' | 'last' | 'ignore';

export interface ObservationOptions {
  /** +1 to maximize, -1 to minimize: observations are in maximization sense */
  sign: number;
  /** clip the bad tail of completed values (see winsorizeLowerTail) */
  winsorize: boolean;
  failed: FailedTrialPolicy;
  /** ['last'] */
  pruned?: PrunedTrialPolicy;
  /** rows left at the end of X and y for the caller (pending points) */
  extra: number;
}

/**
 * Model inputs: rows `0..nComplete-1` are completed trials (in order), then
 * `nPruned + nFailed` pruned and failed trials, then `extra` empty rows.
 */
export interface Observations {
  /** `(nComplete + nPruned + nFailed + extra) x d`, encoded */
  X: Float64Array;
  y: Float64Array;
  nComplete: number;
  nFailed: number;
  nPruned: number;
}

/**
 * Maps trials to observations.
 * @param encode a point's encoding (`d` values)
 * @example
 * const obs = trialObservations((p) => space.encode(p), space.dim, trials, { sign: 1, winsorize: true, failed: 'worst', extra: 0 });
 */
export function trialObservations(
  encode: (p: Params) => Float64Array, d: number, trials: readonly Trial[], opts: ObservationOptions,
): Observations {
  const done = trials.filter((t) => t.status === 'complete');
  // Without a completed trial there is no scale to impute on.
  const failed = opts.failed === 'ignore' || done.length === 0 ? [] : trials.filter((t) => t.status === 'failed');
  const prunedPolicy = opts.pruned ?? 'last';
  const pruned = prunedPolicy === 'ignore' || done.length === 0 ? [] : trials.filter((t) => t.status === 'pruned' && t.target !== null);
  // rows: completed, pruned at their last value ('last'), then imputed: failed, pruned ('worst')
  const seen = prunedPolicy === 'last' ? [...done, ...pruned] : done;
  const imputed = prunedPolicy === 'last' ? failed : [...failed, ...pruned];
  const n = seen.length + imputed.length;
  const X = new Float64Array((n + opts.extra) * d);
  const y = new Float64Array(n + opts.extra);
  seen.forEach((t, i) => {
    X.set(encode(t.params), i * d);
    y[i] = opts.sign * (t.target as number);
  });
  if (opts.winsorize) winsorizeLowerTail(y, seen.length);
  if (imputed.length > 0) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < done.length; i++) {
      lo = Math.min(lo, y[i]);
      hi = Math.max(hi, y[i]);
    }
    const failValue = opts.failed === 'below-worst' ? lo - 0.5 * (hi - lo) : lo;
    imputed.forEach((t, i) => {
      X.set(encode(t.params), (seen.length + i) * d);
      y[seen.length + i] = t.status === 'failed' && Number.isFinite(failValue) ? failValue : lo;
    });
  }
  return { X, y, nComplete: done.length, nFailed: failed.length, nPruned: pruned.length };
}

/**
 * Clips the bad tail of the first `n` values (maximization sense) at
 * Q1 - 1.5 IQR, as Ax's automatic winsorization does, so a few disastrous
 * trials (a diverged network) do not flatten the standardized landscape
 * around the good ones. Needs at least 4 values and a non-zero IQR.
 */
export function winsorizeLowerTail(y: Float64Array, n: number): void {
  if (n < 4) return;
  const s = Array.from(y.subarray(0, n)).sort((a, b) => a - b);
  const q = (p: number) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * (s[Math.min(lo + 1, n - 1)] - s[lo]);
  };
  const q1 = q(0.25);
  const iqr = q(0.75) - q1;
  if (!(iqr > 0)) return;
  const cut = q1 - 1.5 * iqr;
  for (let i = 0; i < n; i++) if (y[i] < cut) y[i] = cut;
}
