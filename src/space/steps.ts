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

/**
 * Whether every value of the grid is a safe integer (an int's, or a float's on
 * integer low and step below 2^53): those are exact, and taken exactly.
 */
export function integral(l: Pick<GridLayout, 'low' | 'high' | 'step'>): boolean {
  return Number.isSafeInteger(l.low) && Number.isSafeInteger(l.high) && Number.isSafeInteger(l.step ?? 1);
}

/** How many values the grid holds. */
export function levelCount(l: GridLayout): number {
  return l.step === undefined ? l.high - l.low + 1 : Math.round((l.high - l.low) / l.step) + 1;
}

/**
 * Value `k` of the grid (k in 0..levelCount - 1): low + k step, the last one
 * high itself. A fractional grid's values are rounded to 15 significant
 * digits, so that 0 + 3 x 0.1 is 0.3 and not 0.30000000000000004 (Optuna's
 * `suggest_float(step=0.1)` gives the latter; both are on its grid), and
 * the level at zero is 0 (-0.3 + 3 x 0.1 is 5.6e-17).
 */
export function levelValue(l: GridLayout, k: number): number {
  if (l.step === undefined) return l.low + k;
  if (k >= levelCount(l) - 1) return l.high;
  const v = l.low + k * l.step;
  if (integral(l)) return v + 0;
  // the level at zero: low + k step is 0 there up to the rounding of its two terms
  if (Math.abs(v) <= 4 * Number.EPSILON * (Math.abs(l.low) + Math.abs(k * l.step))) return 0;
  return Number(v.toPrecision(15)) + 0;
}

/** The nearest level to `v` (clamped to the grid). */
export function levelIndex(l: GridLayout, v: number): number {
  const k = Math.round((v - l.low) / stepOf(l));
  return Math.min(levelCount(l) - 1, Math.max(0, k));
}

/**
 * The level `v` is, within float rounding: null off the grid or past its
 * ends. An integral grid takes its values exactly; a fractional one within
 * 1e-9 of a step plus the rounding of low + k step (Optuna's own values),
 * at either end too (0 + 3 x 0.1 is past a high of 0.3).
 */
export function gridLevel(l: Pick<GridLayout, 'low' | 'high' | 'step'>, v: number): number | null {
  const step = l.step ?? 1;
  const x = (v - l.low) / step;
  const k = Math.round(x);
  const n = Math.round((l.high - l.low) / step) + 1;
  if (integral(l) ? !Number.isInteger(v) || x !== k : Math.abs(x - k) > 1e-9 + 1e-15 * (Math.abs(l.low) / step + Math.abs(x))) return null;
  return k >= 0 && k < n ? k : null;
}
