/**
 * Multi-fidelity model data (`prunedTrials: 'fidelity'`): one GP over
 * (parameters, s), where s in [0, 1] is how far a training had got when it
 * reported a value, fitted to the learning curves the trials reported, and
 * asked for suggestions at s = 1 (a finished training).
 *
 * With 'last' a trial pruned at epoch 1 enters the model at its epoch-1 value,
 * next to the completed trials' final values, so a configuration that learns
 * slowly but ends well looks bad. Here the same value sits at s = progress(1):
 * the completed trials' curves tell the GP how values change with s (s has its
 * own lengthscale in the ARD fit), and the prediction at s = 1 is what counts.
 *
 * Progress: s = ln(1 + step) / ln(1 + maxStep), with maxStep the largest step
 * a completed trial reported (learning curves move most early on, so a log
 * scale spreads the early epochs; 1 + step allows step 0). A completed trial
 * is at s = 1 with its target, whatever step it stopped at (early stopping
 * within a trial is its own decision). Each curve is thinned to its steps that
 * are powers of 2 (1, 2, 4, 8, ...) and, for a pruned trial, its last step,
 * so a study of n trials of E epochs gives about n (1 + log2 E) rows, not n E.
 *
 * The candidates need no change in the engines: the model space appends one
 * categorical coordinate with a single choice, which every engine's snapping
 * (CPU and WebGPU alike) sets to 1, and gradient refinement holds fixed.
 */
import { log1p } from '../util/math';
import type { Space } from '../space/space';
import type { DimLayout, Params } from '../space/types';
import type { Trial } from '../study/types';
import { IDENTITY_TRANSFORM, type OutputTransform } from '../gp/transforms';
import { pullInDiverged } from './diverged';
import { imputedFailures, imputedValues, winsorizeLowerTail, type ObservationOptions, type Observations } from './observations';

/** The name of the progress coordinate in the model layout (never a parameter). */
export const PROGRESS_NAME = '(progress)';

/** The GP's input space: the parameters' encoding, then the progress s. */
export interface ModelSpace {
  /** encoded width: the space's dim, + 1 with the progress coordinate */
  dim: number;
  layout: readonly DimLayout[];
  /** a point at s = 1 (`dim` values) */
  encode(p: Params): Float64Array;
  /** the point of a model row (the progress coordinate dropped) */
  decode(u: ArrayLike<number>): Params;
}

/**
 * The model space for `space`: the space itself, or with `progress` the
 * space plus a last coordinate fixed at 1 (a one-choice categorical).
 * @example
 * const ms = modelSpace(space, true); // ms.dim === space.dim + 1; ms.encode(p)[space.dim] === 1
 */
export function modelSpace(space: Space, progress: boolean): ModelSpace {
  if (!progress) {
    return { dim: space.dim, layout: space.layout, encode: (p) => space.encode(p), decode: (u) => space.decode(u as Float64Array) };
  }
  const d = space.dim;
  const layout: DimLayout[] = [...space.layout, { kind: 'categorical', name: PROGRESS_NAME, dim: d, size: 1, choices: [1] }];
  return {
    dim: d + 1,
    layout: Object.freeze(layout),
    encode: (p) => {
      const u = new Float64Array(d + 1);
      u.set(space.encode(p));
      u[d] = 1;
      return u;
    },
    decode: (u) => space.decode(Float64Array.from({ length: d }, (_, j) => u[j])),
  };
}

/** A trial's reported steps, increasing. */
function stepsOf(t: Trial): number[] {
  // steps with a finite value: another worker's ±inf report (kept for its pruners) is no observation
  const iv = t.intermediate;
  return iv ? Object.keys(iv).map(Number).filter((s) => Number.isFinite(iv[s])).sort((a, b) => a - b) : [];
}

/** Whether `s` is a power of 2 (1, 2, 4, ...). */
const isPow2 = (s: number): boolean => s >= 1 && Number.isInteger(s) && (s & (s - 1)) === 0;

/**
 * The steps of a curve the model keeps: its powers of 2 up to `upTo`
 * (inclusive), and `upTo` itself when `withLast` (a pruned trial's last value).
 * @example
 * thinSteps([1, 2, 3, 4, 5, 6], 6, true) // [1, 2, 4, 6]
 */
export function thinSteps(steps: readonly number[], upTo: number, withLast: boolean): number[] {
  return steps.filter((s) => (s < upTo && isPow2(s)) || (s === upTo && (withLast || isPow2(s))));
}

/** s = ln(1 + step) / ln(1 + maxStep), clamped to [0, 1]; 1 when maxStep <= 0. */
export function progressOf(step: number, maxStep: number): number {
  if (!(maxStep > 0)) return 1;
  return Math.min(1, Math.max(0, log1p(Math.max(0, step)) / log1p(maxStep)));
}

/** The largest step a completed trial reported (0 with none). */
export function maxCompletedStep(trials: readonly Trial[]): number {
  let m = 0;
  for (const t of trials) if (t.status === 'complete') for (const s of stepsOf(t)) m = Math.max(m, s);
  return m;
}

/**
 * Trials as multi-fidelity observations, rows of width `d + 1` (the encoded
 * point, then s): rows `0..nComplete-1` are the completed trials at s = 1
 * (their targets, in order, so the incumbent and the proposal's bookkeeping
 * read them as with the other policies); then `nPruned` curve rows (the
 * thinned intermediate values of completed trials before their last step,
 * and of pruned trials up to and including their last step); then the failed
 * trials imputed at s = 1 (per `opts.failed`, from the completed rows); then
 * `opts.extra` empty rows. Running trials' reports are not used (they enter
 * as pending points). The transform and winsorizing apply to every row with
 * a value. Needs a completed trial, like the other policies.
 *
 * @param encode a point's encoding (`d` values, without s)
 * @example
 * // a completed curve {1: 0.9, 2: 0.7, 3: 0.6} (target 0.6) and one pruned at {1: 1.2}, minimizing:
 * // rows (x, 1) -0.6; (x, s(1)) -0.9; (x, s(2)) -0.7; (x', s(1)) -1.2
 */
export function fidelityObservations(
  encode: (p: Params) => Float64Array, d: number, trials: readonly Trial[], opts: ObservationOptions,
): Observations {
  const w = d + 1;
  const done = trials.filter((t) => t.status === 'complete');
  const failed = opts.failed === 'ignore' || done.length === 0 ? [] : imputedFailures(trials);
  const pruned = done.length === 0 ? [] : trials.filter((t) => t.status === 'pruned' && t.target !== null);
  const maxStep = maxCompletedStep(done);
  const curve: { t: Trial; step: number; value: number }[] = [];
  for (const t of [...done, ...pruned]) {
    const steps = stepsOf(t);
    if (t.status === 'complete') {
      const last = steps.length ? steps[steps.length - 1] : 0;
      for (const s of thinSteps(steps, last, false)) if (s < last) curve.push({ t, step: s, value: (t.intermediate as Record<number, number>)[s] });
    } else {
      const last = t.step ?? (steps.length ? steps[steps.length - 1] : 0);
      const kept = thinSteps(steps.filter((s) => s < last), last, false);
      for (const s of kept) curve.push({ t, step: s, value: (t.intermediate as Record<number, number>)[s] });
      curve.push({ t, step: last, value: t.target as number });
    }
  }
  const seen = done.length + curve.length;
  const n = seen + failed.length;
  const X = new Float64Array((n + opts.extra) * w);
  const y = new Float64Array(n + opts.extra);
  const put = (row: number, p: Params, s: number, v: number) => {
    X.set(encode(p), row * w);
    X[row * w + d] = s;
    y[row] = v;
  };
  done.forEach((t, i) => put(i, t.params, 1, opts.sign * (t.target as number)));
  curve.forEach((c, i) => put(done.length + i, c.t.params, progressOf(c.step, maxStep), opts.sign * c.value));
  // the trial of each row: the completed ones, the curves', then the failed ones
  const rows = [...done, ...curve.map((c) => c.t), ...failed];
  // before the warp is fitted: a diverged value would pick its exponent (see ./diverged)
  if (opts.winsorize) pullInDiverged(y, seen);
  let transform: OutputTransform = IDENTITY_TRANSFORM;
  if (opts.transform && seen > 0) {
    transform = opts.transform(X, y, seen, { rows: rows.slice(0, seen), total: n + opts.extra });
    for (let i = 0; i < seen; i++) y[i] = transform.forward(y[i]);
  }
  if (opts.winsorize) winsorizeLowerTail(y, seen);
  if (failed.length > 0) {
    const failValue = imputedValues(y, done.length, opts.failed).failed;
    failed.forEach((t, i) => put(seen + i, t.params, 1, failValue));
  }
  return { X, y, nComplete: done.length, nFailed: failed.length, nPruned: curve.length, transform, rows };
}
