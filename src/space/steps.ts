/**
 * Parameters with a step (Optuna's `suggest_int(step=)` / `suggest_float(step=)`,
 * KerasTuner's `hp.Int(step=)`): the grid low, low + step, ..., high, laid out
 * as an integer layout over its levels (see DimLayout). An integer without a
 * step is the grid of step 1, and these functions give it the integers'
 * arithmetic exactly.
 */
import type { DimLayout } from './types';

type GridLayout = Extract<DimLayout, { kind: 'integer' }>;

/** The grid's step: 1 for an integer without one. */
export function stepOf(l: GridLayout): number {
  return l.step ?? 1;
}

/** How many values the grid holds. */
export function levelCount(l: GridLayout): number {
  return l.step === undefined ? l.high - l.low + 1 : Math.round((l.high - l.low) / l.step) + 1;
}

/**
 * Value `k` of the grid (k in 0..levelCount - 1): low + k step, the last one
 * high itself. A float step's values are rounded to 15 significant digits,
 * so that 0 + 3 x 0.1 is 0.3 and not 0.30000000000000004 (Optuna's
 * `suggest_float(step=0.1)` gives the latter; both are on its grid).
 */
export function levelValue(l: GridLayout, k: number): number {
  if (l.step === undefined) return l.low + k;
  if (k >= levelCount(l) - 1) return l.high;
  const v = l.low + k * l.step;
  return (Number.isInteger(l.step) && Number.isInteger(l.low) ? v : Number(v.toPrecision(15))) + 0;
}

/** The nearest level to `v` (clamped to the grid). */
export function levelIndex(l: GridLayout, v: number): number {
  const k = Math.round((v - l.low) / stepOf(l));
  return Math.min(levelCount(l) - 1, Math.max(0, k));
}

/** Whether `v` lies on the grid of a layout with a step, within 1e-9 of a step (float rounding). */
export function onGrid(l: GridLayout, v: number): boolean {
  if (l.step === undefined) return Number.isInteger(v);
  const k = (v - l.low) / l.step;
  return Math.abs(k - Math.round(k)) <= 1e-9 * Math.max(1, Math.abs(k));
}
