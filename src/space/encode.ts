/**
 * Encoding between user points and the unit cube, as laid out by `DimLayout`
 * (see its doc comment in ./types). These free functions need only the layout,
 * so engines that hold a layout but no `Space` can use them too. They assume
 * their point arguments were validated (see `validatePoint`).
 *
 * Precision: integers and categoricals round-trip exactly (===). A float is
 * mapped through a float64 u in [0, 1], whose resolution is ~2^-53, so the map
 * cannot be bijective: decode(encode(v)) equals v to within a few ulps of
 * max(|low|, |high|) on a linear scale, and to a relative error of a few
 * ulps times max(1, |ln low|, |ln high|) on a log scale (about 15 ulps for
 * a learning rate on [1e-8, 1e3], ~2e-13 when low is near the smallest
 * double). Callers that need the user's exact value keep it.
 */
import { exp, log } from '../util/math';
import { levelCount, levelIndex, levelValue } from './steps';
import type { Choice, DimLayout, Params } from './types';

type NumericLayout = Extract<DimLayout, { kind: 'continuous' | 'integer' }>;
type CategoricalLayout = Extract<DimLayout, { kind: 'categorical' }>;

/** Clamp to [0, 1]; NaN maps to 0. */
export function clamp01(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}

/** Encoded dimension of a layout (one-hot groups expand). */
export function encodedDim(layout: readonly DimLayout[]): number {
  const last = layout[layout.length - 1];
  return last === undefined ? 0 : last.dim + (last.kind === 'categorical' ? last.size : 1);
}

/**
 * The lengthscale group of each encoded column (`encodedDim` entries, see
 * the GP's `lengthscaleGroups`): one per column, except that the one-hot
 * columns of a categorical with more than `tieAbove` choices share one.
 * @example columnGroups(new Space({ x: float, act: categorical of 3 }).layout, 2) // Int32Array [0, 1, 1, 1]
 */
export function columnGroups(layout: readonly DimLayout[], tieAbove: number): Int32Array {
  const out = new Int32Array(encodedDim(layout));
  let g = 0;
  for (const l of layout) {
    const width = l.kind === 'categorical' ? l.size : 1;
    if (l.kind === 'categorical' && l.size > tieAbove) out.fill(g++, l.dim, l.dim + width);
    else for (let k = 0; k < width; k++) out[l.dim + k] = g++;
  }
  return out;
}

/** The interval the unit coordinate spans, in value space: integers own [k - 0.5, k + 0.5]. */
function span(l: NumericLayout): [number, number] {
  return l.kind === 'integer' ? [l.low - 0.5, l.high + 0.5] : [l.low, l.high];
}

/** Whether `l` is a float fixed by low == high: its one value encodes to 0.5 (see FIXED_UNIT). */
export function isFixedFloat(l: DimLayout): boolean {
  return l.kind === 'continuous' && l.low === l.high;
}

/**
 * The unit coordinate of a fixed float, for every point and every candidate
 * (snapped to it): the model then sees one constant value there, and no
 * candidate looks uncertain along a parameter that cannot change. The GPU
 * snaps it as an integer range [0, 0], whose slice centre is this 0.5.
 */
export const FIXED_UNIT = 0.5;

/** Unit coordinate of a numeric value (a float, or an integer's slice centre), in [0, 1]. */
export function valueToUnit(l: NumericLayout, v: number): number {
  if (isFixedFloat(l)) return FIXED_UNIT;
  if (l.kind === 'integer' && l.step !== undefined) return (levelIndex(l, v) + 0.5) / levelCount(l);
  const [a, b] = span(l);
  if (!l.log) return clamp01((v - a) / (b - a));
  const la = log(a);
  return clamp01((log(v) - la) / (log(b) - la));
}

/** Numeric value at unit coordinate `u` (clamped): a float in [low, high], a rounded, clamped integer, or the level of a grid with a step whose slice holds u. */
export function unitToValue(l: NumericLayout, u: number): number {
  u = clamp01(u);
  if (l.kind === 'integer' && l.step !== undefined) {
    const n = levelCount(l);
    return levelValue(l, Math.min(n - 1, Math.floor(u * n)));
  }
  if (l.kind === 'continuous') {
    // Exact endpoints: low + 1 * (high - low) need not round to high.
    if (u === 0) return l.low;
    if (u === 1) return l.high;
  }
  const [a, b] = span(l);
  let x: number;
  if (l.log) {
    const la = log(a);
    x = exp(la + u * (log(b) - la));
  } else {
    x = a + u * (b - a);
  }
  if (l.kind === 'integer') x = Math.round(x);
  // + 0 so that a rounded -0 comes back as 0.
  return Math.min(l.high, Math.max(l.low, x)) + 0;
}

/** Index of the largest clamped coordinate of a one-hot group (first maximum wins). */
export function argmaxChoice(l: CategoricalLayout, u: ArrayLike<number>): number {
  let best = 0;
  let bestV = clamp01(u[l.dim]);
  for (let i = 1; i < l.size; i++) {
    const v = clamp01(u[l.dim + i]);
    if (v > bestV) {
      best = i;
      bestV = v;
    }
  }
  return best;
}

/**
 * Write the encoding of a validated point into `out` (length `encodedDim(layout)`).
 * @returns `out`
 */
export function encodeInto(layout: readonly DimLayout[], p: Params, out: Float64Array): Float64Array {
  for (const l of layout) {
    const v = p[l.name];
    if (l.kind === 'categorical') {
      const k = l.choices.indexOf(v);
      for (let i = 0; i < l.size; i++) out[l.dim + i] = i === k ? 1 : 0;
    } else {
      out[l.dim] = valueToUnit(l, v as number);
    }
  }
  return out;
}

/** Decode any encoded vector `u` (length `encodedDim(layout)`, coordinates clamped) to a valid point. */
export function decodePoint(layout: readonly DimLayout[], u: ArrayLike<number>): Params {
  return Object.fromEntries(
    layout.map((l): [string, Choice] => [
      l.name,
      l.kind === 'categorical' ? l.choices[argmaxChoice(l, u)] : unitToValue(l, u[l.dim]),
    ]),
  );
}

/**
 * Canonical encoding of the point that `u` decodes to: integers move to their
 * slice centre and one-hot groups become exact one-hot vectors, i.e.
 * encode(decode(u)) on those coordinates; a fixed float's is FIXED_UNIT. Any
 * other continuous coordinate is only clamped (it already is canonical;
 * re-encoding it would move it by an ulp or so and break idempotence). Hence
 * snap(snap(u)) === snap(u) and decode(snap(u)) equals decode(u) exactly.
 * @param u length `encodedDim(layout)`
 * @param out written in place when given (may be `u` itself if a Float64Array)
 */
export function snapInto(
  layout: readonly DimLayout[],
  u: ArrayLike<number>,
  out: Float64Array = new Float64Array(u.length),
): Float64Array {
  for (const l of layout) {
    if (l.kind === 'categorical') {
      const k = argmaxChoice(l, u);
      for (let i = 0; i < l.size; i++) out[l.dim + i] = i === k ? 1 : 0;
    } else if (l.kind === 'integer' && l.step !== undefined) {
      // a grid's slice centre straight from its level (what encoding the decoded value gives), without
      // writing the value: every candidate is snapped, and a float grid's value costs two toPrecision calls
      const n = levelCount(l);
      out[l.dim] = (Math.min(n - 1, Math.floor(clamp01(u[l.dim]) * n)) + 0.5) / n;
    } else if (l.kind === 'integer') {
      out[l.dim] = valueToUnit(l, unitToValue(l, u[l.dim]));
    } else {
      out[l.dim] = isFixedFloat(l) ? FIXED_UNIT : clamp01(u[l.dim]);
    }
  }
  return out;
}

/**
 * Map a design point with ONE coordinate per parameter (`t`, length
 * `layout.length`, in [0, 1)) to a point: numeric parameters decode `t` as
 * their unit coordinate; a categorical picks choice floor(t * size), so each
 * choice is equally likely under a uniform `t`.
 */
export function designToPoint(layout: readonly DimLayout[], t: ArrayLike<number>): Params {
  return Object.fromEntries(
    layout.map((l, j): [string, Choice] => [
      l.name,
      l.kind === 'categorical'
        ? l.choices[Math.min(l.size - 1, Math.floor(clamp01(t[j]) * l.size))]
        : unitToValue(l, t[j]),
    ]),
  );
}
