/**
 * Learning-curve helpers shared by the pruners, and the checks a report must
 * pass before it is recorded (so a bad report changes nothing).
 */
import { InvalidOptionError, InvalidPointError, StateError } from '../errors';
import { describe } from '../space/format';
import type { PruneVerdict, PrunerDirection, PrunerTrial } from './types';

/** The verdict that keeps a trial running and records nothing beside its report. */
export const KEEP: PruneVerdict = { prune: false };

/** The last reported step, or undefined before any report. */
export function lastStep(t: PrunerTrial): number | undefined {
  return t.steps.length ? t.steps[t.steps.length - 1] : undefined;
}

/**
 * The value of pruner attribute `key` (PrunerTrial's `attrs`) that the trial
 * of lowest id among `trials` recorded, if any, among values `valid` accepts:
 * the earliest decision's, where workers that had not seen each other's
 * recorded one each.
 */
export function recordedAttr(trials: Iterable<PrunerTrial>, key: string, valid: (v: number) => boolean): number | undefined {
  let id = Infinity;
  let out: number | undefined;
  for (const t of trials) {
    const v = t.attrs?.[key];
    if (v !== undefined && t.id < id && valid(v)) (id = t.id), (out = v);
  }
  return out;
}

/** Index of the first reported step >= `step` (binary search), or -1 when none is. */
export function firstIndexAtOrAfter(t: PrunerTrial, step: number): number {
  let lo = 0;
  let hi = t.steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t.steps[mid] < step) lo = mid + 1;
    else hi = mid;
  }
  return lo < t.steps.length ? lo : -1;
}

/** The value reported at exactly `step`, or undefined. */
export function valueAt(t: PrunerTrial, step: number): number | undefined {
  const i = firstIndexAtOrAfter(t, step);
  return i >= 0 && t.steps[i] === step ? t.values[i] : undefined;
}

/**
 * The best value the trial reported so far (largest when maximizing), NaN
 * reports left out (numpy's nanmax/nanmin, as Optuna's pruners take it); NaN
 * when every report was NaN (another worker's, in a shared journal).
 */
export function bestValue(t: PrunerTrial, direction: PrunerDirection): number | undefined {
  if (!t.values.length) return undefined;
  let best = NaN;
  for (const v of t.values) if (Number.isNaN(best) || (direction === 'maximize' ? v > best : v < best)) best = v;
  return best;
}

/**
 * Throws unless (`step`, `value`) may be appended to `trial`'s curve: the
 * trial is still running, `step` is a safe integer >= 0 after the last reported
 * step, and `value` is a finite number.
 * @throws InvalidOptionError naming `trial` when it is not a trial's curve (undefined was a TypeError reading state)
 * @throws StateError when the trial has ended
 * @throws InvalidPointError naming `step` or `value`
 */
export function checkReport(trial: PrunerTrial, step: unknown, value: unknown): void {
  const t = trial as Partial<PrunerTrial> | null;
  if (typeof t !== 'object' || t === null || typeof t.state !== 'string' || !Array.isArray(t.steps) || !Array.isArray(t.values)) {
    throw new InvalidOptionError(`report: trial: expected a trial's curve ({ id, state, steps, values }), got ${describe(trial)}`, 'trial');
  }
  if (trial.state !== 'running') {
    throw new StateError(`report: trial ${trial.id} has already ended (${trial.state}); nothing was recorded`);
  }
  // a safe integer: above 2^53 neighbouring steps are one double, and from 1e21 on a journal
  // writes the step as 1e+21, which Python reads as a float that Optuna's report refuses
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
    throw new InvalidPointError(`report: step: expected an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${describe(step)}`, 'step');
  }
  const last = lastStep(trial);
  if (last !== undefined && step <= last) {
    throw new InvalidPointError(`report: step: ${step} must be greater than the last reported step (${last})`, 'step');
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidPointError(`report: value: expected a finite number, got ${describe(value)}`, 'value');
  }
}
