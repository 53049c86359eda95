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
import { retriedIds } from '../storage/trial-queries';
import { pointKey } from '../study/point-key';
import type { Trial } from '../study/types';
import { IDENTITY_TRANSFORM, type OutputTransform } from '../gp/transforms';
import { isCutOff } from './cut-off';
import { pullInDiverged } from './diverged';

/**
 * The failed trials the model imputes: not those retried since (a trial
 * whose worker stopped mid-trial, failed by whoever noticed and asked again
 * at the same point, see Study.reclaim): that failure says nothing of the
 * objective, and imputed at the worst value beside its retry's real one it
 * bent the model there (a resumed study went on unlike an uninterrupted one);
 * nor those at a point that some trial completed; nor those the optimizer
 * cut off itself (see ./cut-off).
 */
export function imputedFailures(trials: readonly Trial[]): Trial[] {
  const retried = retriedIds(trials);
  // nor a trial the optimizer itself cut off (its maximize signal, dispose): no reading of the objective
  const failed = trials.filter((t) => t.status === 'failed' && !retried.has(t.id) && !isCutOff(t.error));
  if (failed.length === 0) return failed;
  // nor a failure at a point some trial completed (an interrupted trial not retried because a worker
  // registered its point): the completed value says what the objective is there
  const completed = new Set(trials.filter((t) => t.status === 'complete').map((t) => pointKey(t.params)));
  return completed.size === 0 ? failed : failed.filter((t) => !completed.has(pointKey(t.params)));
}

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
 * 'extrapolate' at that value plus the median change the completed trials
 * made from the same step to their final value (see {@link extrapolatePruned}),
 * 'worst' at the worst completed value, 'ignore' not at all. With ASHA most
 * trials are pruned; 'worst' then flattens most of the data into one bad
 * value. 'fidelity' fits one GP over (parameters, training progress) to the
 * trials' learning curves and suggests at the end of training (see
 * ./fidelity: its rows are built there, not by trialObservations).
 * Measured with `npm run bench:pruned-model` (README).
 */
export type PrunedTrialPolicy = 'worst' | 'last' | 'extrapolate' | 'ignore' | 'fidelity';

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
  /**
   * picks an output transform from the completed (and 'last'-pruned) rows
   * `0..n-1` of the raw values, applied before winsorizing (see
   * src/gp/transforms.ts); `fit.rows`: their trials, `fit.total`: the rows the
   * model will have, `extra` included [none: the identity]
   */
  transform?: (X: Float64Array, y: Float64Array, n: number, fit: { rows: readonly Trial[]; total: number }) => OutputTransform;
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
  /** rows of pruned trials (with 'fidelity': learning-curve rows, see ./fidelity) */
  nPruned: number;
  /** the output transform applied to y (strictly increasing; invert predictions with it) */
  transform: OutputTransform;
  /** the trial of each row but the `extra` ones (the GP fits them in the order their ends were recorded, see ./fit-order) */
  rows: readonly Trial[];
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
  const failed = opts.failed === 'ignore' || done.length === 0 ? [] : imputedFailures(trials);
  const prunedPolicy = opts.pruned ?? 'last';
  // rows: completed, pruned at their last value ('last'), then imputed: failed, pruned ('worst')
  const atValue = prunedPolicy === 'last' || prunedPolicy === 'extrapolate';
  // pruned at a value need no completed trial (all a study has when the pruner stopped every trial so far)
  const pruned = prunedPolicy === 'ignore' || (done.length === 0 && !atValue) ? [] : trials.filter((t) => t.status === 'pruned' && t.target !== null);
  const seen = atValue ? [...done, ...pruned] : done;
  const imputed = atValue ? failed : [...failed, ...pruned];
  const extrapolated = prunedPolicy === 'extrapolate' ? extrapolatePruned(pruned, done) : null;
  const n = seen.length + imputed.length;
  const X = new Float64Array((n + opts.extra) * d);
  const y = new Float64Array(n + opts.extra);
  seen.forEach((t, i) => {
    X.set(encode(t.params), i * d);
    y[i] = opts.sign * (i >= done.length && extrapolated ? extrapolated[i - done.length] : t.target as number);
  });
  // before the warp is fitted: a diverged value would pick its exponent (see ./diverged)
  if (opts.winsorize) pullInDiverged(y, seen.length);
  let transform: OutputTransform = IDENTITY_TRANSFORM;
  if (opts.transform && seen.length > 0) {
    transform = opts.transform(X, y, seen.length, { rows: seen, total: n + opts.extra });
    for (let i = 0; i < seen.length; i++) y[i] = transform.forward(y[i]);
  }
  if (opts.winsorize) winsorizeLowerTail(y, seen.length); // on the warped scale: still clips a diverged trial
  if (imputed.length > 0) {
    const { worst: lo, failed: failValue } = imputedValues(y, done.length, opts.failed);
    imputed.forEach((t, i) => {
      X.set(encode(t.params), (seen.length + i) * d);
      y[seen.length + i] = t.status === 'failed' && Number.isFinite(failValue) ? failValue : lo;
    });
  }
  return { X, y, nComplete: done.length, nFailed: failed.length, nPruned: pruned.length, transform, rows: [...seen, ...imputed] };
}

/**
 * Pruned trials' final values as their learning curves suggest: a trial
 * pruned at step s with value v is given v + the median, over the completed
 * trials that reported at s or later, of (final target - their first value
 * at or after s). Under ASHA a pruned trial's last value is an epoch-1
 * reading next to the completed trials' final ones; shifted by how much a
 * curve typically still gains after step s, it sits on their scale, so
 * neighbours that were pruned and kept no longer disagree by the whole
 * learning gap (which the GP would read as noise). The ranking at each step
 * is kept. With no completed trial that reported at s or later, v is kept.
 *
 * @returns one value per pruned trial, in order
 * @example
 * // a completed curve 0.9 (step 1) -> 0.5 (target): a trial pruned at step 1 with 1.0 gets 0.6
 */
export function extrapolatePruned(pruned: readonly Trial[], done: readonly Trial[]): number[] {
  const curves = done.flatMap((t) => {
    if (!t.intermediate || t.target === null) return [];
    const iv = t.intermediate;
    // finite values only: another worker's ±inf report is kept for the pruners, not the model
    const steps = Object.keys(iv).map(Number).filter((s) => Number.isFinite(iv[s])).sort((a, b) => a - b);
    return steps.length ? [{ steps, values: steps.map((s) => iv[s]), target: t.target }] : [];
  });
  const gains = new Map<number, number>();
  return pruned.map((t) => {
    const v = t.target as number;
    const step = t.step ?? lastKey(t.intermediate);
    if (step === undefined) return v;
    let gain = gains.get(step);
    if (gain === undefined) {
      const deltas: number[] = [];
      for (const c of curves) {
        const i = c.steps.findIndex((s) => s >= step);
        if (i >= 0 && Number.isFinite(c.values[i])) deltas.push(c.target - c.values[i]);
      }
      gain = median(deltas);
      gains.set(step, gain);
    }
    return v + gain;
  });
}

function lastKey(r: Record<number, number> | undefined): number | undefined {
  if (!r) return undefined;
  const keys = Object.keys(r).map(Number);
  return keys.length ? Math.max(...keys) : undefined;
}

/** The median of `xs`; 0 for none. */
function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The worst of the first `nDone` values of `y` (the completed trials', on the
 * model's scale), and the value a failed trial is imputed at under `policy`:
 * the worst, or half the completed range below it ('below-worst').
 */
export function imputedValues(y: Float64Array, nDone: number, policy: FailedTrialPolicy): { worst: number; failed: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < nDone; i++) {
    lo = Math.min(lo, y[i]);
    hi = Math.max(hi, y[i]);
  }
  return { worst: lo, failed: policy === 'below-worst' ? lo - 0.5 * (hi - lo) : lo };
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
