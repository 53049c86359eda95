/**
 * The viridis colour map (matplotlib's perceptually uniform default) as a
 * 256-entry lookup table, interpolated from its colours at 0, 0.1, ..., 1.
 */

/** Viridis sampled at t = 0, 0.1, ..., 1 (matplotlib's `viridis`). */
export const VIRIDIS_STOPS: readonly string[] = [
  '#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c',
  '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725',
];

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** `256 x 3` RGB bytes, row t = colour at t / 255. */
export function viridisTable(): Uint8ClampedArray {
  const stops = VIRIDIS_STOPS.map(hexToRgb);
  const lut = new Uint8ClampedArray(256 * 3);
  const segs = stops.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segs;
    const k = Math.min(segs - 1, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] * (1 - f) + stops[k + 1][c] * f);
  }
  return lut;
}

/** Colour range of a surface: `lo`/`hi` map to the ends of the colour bar. */
export interface ColourRange {
  lo: number;
  hi: number;
  /** values below `lo` exist and were clipped to it */
  clippedLow: boolean;
  /** values above `hi` exist and were clipped to it */
  clippedHigh?: boolean;
}

/**
 * The colour range of `values`: [min, max] of the finite values, or
 * [q-quantile, max] when `lowQuantile` > 0 (keeps a long lower tail, such as
 * log EI far from the data, from washing out the rest).
 */
export function colourRange(values: ArrayLike<number>, lowQuantile = 0): ColourRange {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  if (finite.length === 0) return { lo: 0, hi: 1, clippedLow: false };
  let min = Infinity;
  let max = -Infinity;
  for (const v of finite) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (lowQuantile <= 0) return { lo: min, hi: max, clippedLow: false };
  finite.sort((a, b) => a - b);
  const lo = finite[Math.min(finite.length - 1, Math.floor(lowQuantile * finite.length))];
  return { lo, hi: max, clippedLow: lo > min };
}

/**
 * Writes `values` (`g x g`, row 0 at the top) as RGBA pixels through the
 * table; non-finite values are drawn grey.
 */
export function colourize(values: ArrayLike<number>, range: ColourRange, lut: Uint8ClampedArray, out: Uint8ClampedArray): void {
  const span = range.hi - range.lo;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * 4;
    if (!Number.isFinite(v)) {
      out[o] = out[o + 1] = out[o + 2] = 128;
    } else {
      const t = span > 0 ? (v - range.lo) / span : 0.5;
      const k = Math.max(0, Math.min(255, Math.round(t * 255))) * 3;
      out[o] = lut[k];
      out[o + 1] = lut[k + 1];
      out[o + 2] = lut[k + 2];
    }
    out[o + 3] = 255;
  }
}
