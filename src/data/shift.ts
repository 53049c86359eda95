/**
 * Data augmentation for image classification: every image moved by a random
 * whole number of pixels, independently in each direction, with zeros
 * shifted in. A retraining that sees each digit several times sees it at a
 * slightly different place each epoch, which is the cheapest guard against
 * memorizing 8,000 digits. Free of tfjs: it works on the row-major arrays
 * the splits hold.
 */
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { Rng } from '../util/rng';

/**
 * A copy of `x` (`n x height x width`, one channel, row-major) with image i
 * shifted by (dr, dc), each drawn uniformly from -maxShift..maxShift by `rng`
 * (row shift first, then column, image by image): out[r][c] = in[r - dr][c - dc],
 * 0 where that falls outside the image.
 *
 * @example
 *   const moved = shiftImages(split.x, split.n, 28, 28, 2, new Rng(1));
 */
export function shiftImages(
  x: Float32Array, n: number, height: number, width: number, maxShift: number, rng: Rng,
): Float32Array {
  // the sizes first: a width of 1 was blamed on maxShift ("an integer in 0..-1"), and '2' was taken
  for (const [k, v, min] of [['n', n, 0], ['height', height, 1], ['width', width, 1]] as const) {
    if (!(Number.isSafeInteger(v) && (v as number) >= min)) {
      throw new InvalidOptionError(`option "${k}": must be an integer >= ${min} (got ${show(v)})`, k);
    }
  }
  if (!(Number.isInteger(maxShift) && maxShift >= 0 && maxShift < Math.min(height, width))) {
    throw new InvalidOptionError(
      `option "maxShift": must be an integer in 0..${Math.min(height, width) - 1} (got ${show(maxShift)})`, 'maxShift');
  }
  const size = height * width;
  if (x.length !== n * size) {
    throw new InvalidOptionError(`option "x": has ${x.length} values, not n x height x width = ${n * size}`, 'x');
  }
  const out = new Float32Array(x.length);
  const span = 2 * maxShift + 1;
  for (let i = 0; i < n; i++) {
    const dr = rng.int(span) - maxShift;
    const dc = rng.int(span) - maxShift;
    const base = i * size;
    const c0 = Math.max(0, dc);
    const c1 = Math.min(width, width + dc);
    for (let r = Math.max(0, dr); r < Math.min(height, height + dr); r++) {
      const src = base + (r - dr) * width - dc;
      out.set(x.subarray(src + c0, src + c1), base + r * width + c0);
    }
  }
  return out;
}
