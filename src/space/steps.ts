/**
 * Parameters with a step (Optuna's `suggest_int(step=)` / `suggest_float(step=)`,
 * KerasTuner's `hp.Int(step=)`): the grid low, low + step, ..., high, laid out
 * as an integer layout over its levels (see DimLayout). An integer without a
 * step is the grid of step 1, and these functions give it the integers'
 * arithmetic exactly. They take a `Grid` (an integer layout is one), so the
 * storage reads Optuna's distributions through them too.
 */

/** A grid: low, low + step, ..., high (step 1 when absent). */
export interface Grid {
  low: number;
  high: number;
  step?: number;
}

const stepOf = (g: Grid): number => g.step ?? 1;

/**
 * Whether every value of the grid is a safe integer (an int's, or a float's on
 * integer low and step below 2^53): those are exact, and taken exactly.
 */
export function integral(g: Grid): boolean {
  return Number.isSafeInteger(g.low) && Number.isSafeInteger(g.high) && Number.isSafeInteger(stepOf(g));
}

/** How many values the grid holds. */
export function levelCount(g: Grid): number {
  return g.step === undefined ? g.high - g.low + 1 : Math.round((g.high - g.low) / g.step) + 1;
}

/**
 * Value `k` of the grid (k in 0..levelCount - 1): low + k step, the first one
 * low itself and the last one high itself. A fractional grid's values are written with the fewest digits
 * (15, 16, else all) that still read as level k, so that 0 + 3 x 0.1 is 0.3
 * and not 0.30000000000000004 (Optuna's `suggest_float(step=0.1)` gives the
 * latter; both are on its grid), and the level at zero is 0 (-0.3 + 3 x 0.1
 * is 5.6e-17). `gridLevel(g, levelValue(g, k))` is k for every level.
 */
export function levelValue(g: Grid, k: number): number {
  if (g.step === undefined) return g.low + k;
  if (k >= levelCount(g) - 1) return g.high;
  if (k <= 0) return g.low;
  const v = g.low + k * g.step;
  if (integral(g)) return v + 0;
  // the level at zero: low + k step is 0 there up to the rounding of its two terms
  if (Math.abs(v) <= 4 * Number.EPSILON * (Math.abs(g.low) + Math.abs(k * g.step))) return 0;
  // shorter only within a billionth of a step of low + k step: Optuna takes values within 1e-8 of one
  for (const digits of [15, 16]) {
    const r = Number(v.toPrecision(digits)) + 0;
    if (Math.abs(r - v) <= 1e-9 * g.step && gridLevel(g, r) === k) return r;
  }
  return v + 0;
}

/** The nearest level to `v` (clamped to the grid). */
export function levelIndex(g: Grid, v: number): number {
  const k = Math.round((v - g.low) / stepOf(g));
  return Math.min(levelCount(g) - 1, Math.max(0, k));
}

/**
 * The level `v` is, within float rounding: null off the grid or past its
 * ends. An integral grid takes its values exactly; a fractional one within
 * 1e-9 of a step plus the rounding of low + k step (Optuna's own values),
 * at either end too (0 + 3 x 0.1 is past a high of 0.3).
 */
export function gridLevel(g: Grid, v: number): number | null {
  const step = stepOf(g);
  const x = (v - g.low) / step;
  const k = Math.round(x);
  if (integral(g) ? !Number.isInteger(v) || x !== k : Math.abs(x - k) > 1e-9 + 1e-15 * (Math.abs(g.low) / step + Math.abs(x))) return null;
  return k >= 0 && k < levelCount(g) ? k : null;
}
