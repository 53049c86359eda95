/**
 * Synthetic MNIST-like digits: 28x28 grayscale glyphs drawn from per-digit
 * stroke templates with random stroke width, smooth "elastic" jitter, an
 * affine distortion (rotation, shear, scale), MNIST's normalization (fit in a
 * 20x20 box, centre of mass at the image centre, shifted if needed to keep a
 * 2-pixel blank margin) and pixel noise.
 */
import { InvalidOptionError } from '../errors';
import { show, showBrief } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';
import { checkRng, Rng } from '../util/rng';
import { GLYPHS, type Point } from './digit-glyphs';
import { splitImages } from './splits';
import type { ImageSplit, Splits } from './types';

export const DIGIT_SIZE = 28;
/** MNIST fits each digit in a 20x20 box inside the 28x28 image. */
const BOX = 20;

/** Options for {@link generateDigits}. */
export interface DigitOptions {
  /** default 0 */
  seed?: number;
  /** standard deviation of additive Gaussian pixel noise (values are then clamped to [0, 1]); default 0.05 */
  noise?: number;
  /** stroke width range in pixels; default [1.5, 3.6] */
  strokeWidth?: readonly [number, number];
  /** largest rotation, degrees either way; default 15 */
  rotationDeg?: number;
  /** largest horizontal shear (slant) either way; default 0.35 */
  shear?: number;
  /** per-axis scale range before box normalization (changes aspect ratio); default [0.85, 1.15] */
  scale?: readonly [number, number];
  /** largest offset of the centre of mass from the image centre, pixels; default 1.5 */
  translatePx?: number;
  /** amplitude of the smooth random displacement field, in glyph heights; default 0.07 */
  elastic?: number;
  /** largest share of each stroke's length cut from either end (pen lifted early); default 0.08 */
  trim?: number;
  /** probability of a stray pen mark somewhere in the image; default 0.15 */
  strayProb?: number;
}

/** The keys of DigitOptions. */
const DIGIT_OPTION_KEYS = ['seed', 'noise', 'strokeWidth', 'rotationDeg', 'shear', 'scale', 'translatePx', 'elastic', 'trim', 'strayProb'];

type Resolved = Required<Omit<DigitOptions, 'seed'>>;

function resolve(o: DigitOptions): Resolved {
  const r: Resolved = {
    noise: o.noise ?? 0.05,
    strokeWidth: o.strokeWidth ?? [1.5, 3.6],
    rotationDeg: o.rotationDeg ?? 15,
    shear: o.shear ?? 0.35,
    scale: o.scale ?? [0.85, 1.15],
    translatePx: o.translatePx ?? 1.5,
    elastic: o.elastic ?? 0.07,
    trim: o.trim ?? 0.08,
    strayProb: o.strayProb ?? 0.15,
  };
  for (const k of ['noise', 'rotationDeg', 'shear', 'translatePx', 'elastic', 'trim', 'strayProb'] as const) {
    if (!(r[k] >= 0 && Number.isFinite(r[k]))) throw new InvalidOptionError(`option "${k}": must be a finite number >= 0 (got ${r[k]})`, k);
  }
  if (r.trim >= 0.5) throw new InvalidOptionError(`option "trim": must be less than 0.5 (got ${r.trim})`, 'trim');
  if (r.strayProb > 1) throw new InvalidOptionError(`option "strayProb": must be at most 1 (got ${r.strayProb})`, 'strayProb');
  for (const k of ['strokeWidth', 'scale'] as const) {
    const [lo, hi] = r[k];
    if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) {
      throw new InvalidOptionError(`option "${k}": must be a range [low, high] with 0 < low <= high (got [${lo}, ${hi}])`, k);
    }
  }
  return r;
}

/** Draw one anti-aliased segment into `img` (max blending), only touching its bounding box. */
function drawSegment(img: Float32Array, off: number, a: Point, b: Point, halfWidth: number): void {
  const pad = halfWidth + 1;
  const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - pad));
  const x1 = Math.min(DIGIT_SIZE - 1, Math.ceil(Math.max(a[0], b[0]) + pad));
  const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - pad));
  const y1 = Math.min(DIGIT_SIZE - 1, Math.ceil(Math.max(a[1], b[1]) + pad));
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      let t = len2 > 0 ? ((px - a[0]) * dx + (py - a[1]) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - a[0] - t * dx;
      const ey = py - a[1] - t * dy;
      // one-pixel linear ramp at the stroke edge, as a pen scanned at 28x28 would look
      const v = halfWidth + 0.5 - Math.sqrt(ex * ex + ey * ey);
      if (v > 0) {
        const i = off + y * DIGIT_SIZE + x;
        const c = v > 1 ? 1 : v;
        if (c > img[i]) img[i] = c;
      }
    }
  }
}

/** MNIST leaves a blank margin: shift a centre `c` so the ink span `[c + lo, c + hi]` stays inside [FRAME, 28 - FRAME]. */
const FRAME = 2;
function keepInFrame(c: number, lo: number, hi: number): number {
  if (c + lo < FRAME) c = FRAME - lo;
  if (c + hi > DIGIT_SIZE - FRAME) c = Math.max(FRAME - lo, DIGIT_SIZE - FRAME - hi);
  return c;
}

/** The part of a polyline between fractions `head` and `1 - tail` of its length. */
function trimStroke(stroke: readonly Point[], head: number, tail: number): Point[] {
  if (head === 0 && tail === 0) return stroke.slice();
  const cum = [0];
  for (let i = 1; i < stroke.length; i++) cum.push(cum[i - 1] + Math.hypot(stroke[i][0] - stroke[i - 1][0], stroke[i][1] - stroke[i - 1][1]));
  const total = cum[cum.length - 1];
  const at = (d: number): Point => {
    let i = 1;
    while (i < stroke.length - 1 && cum[i] < d) i++;
    const t = cum[i] > cum[i - 1] ? (d - cum[i - 1]) / (cum[i] - cum[i - 1]) : 0;
    return [stroke[i - 1][0] + t * (stroke[i][0] - stroke[i - 1][0]), stroke[i - 1][1] + t * (stroke[i][1] - stroke[i - 1][1])];
  };
  const d0 = head * total;
  const d1 = (1 - tail) * total;
  const out: Point[] = [at(d0)];
  for (let i = 1; i < stroke.length - 1; i++) if (cum[i] > d0 && cum[i] < d1) out.push(stroke[i]);
  out.push(at(d1));
  return out;
}

/**
 * Render one image of `digit` into `out[offset .. offset + 784)` (row-major
 * 28x28, values in [0, 1]). Draws all randomness from `rng`.
 * @throws InvalidOptionError naming `digit` (not an integer from 0 to 9), `rng` (not an Rng),
 *   `offset` or `out` (not a Float32Array with room for the image from offset), or an invalid distortion option
 */
export function renderDigit(digit: number, rng: Rng, options: DigitOptions, out: Float32Array, offset = 0): void {
  if (!(Number.isInteger(digit) && digit >= 0 && digit <= 9)) throw new InvalidOptionError(`renderDigit: digit: expected an integer from 0 to 9, got ${show(digit)}`, 'digit');
  checkRng(rng, { who: 'renderDigit' });
  checkOptionKeys(options, 'renderDigit', DIGIT_OPTION_KEYS);
  if (!(Number.isSafeInteger(offset) && offset >= 0)) throw new InvalidOptionError(`renderDigit: offset: expected a non-negative integer, got ${show(offset)}`, 'offset');
  const px = DIGIT_SIZE * DIGIT_SIZE;
  // a short array dropped the image's end in silence
  if (!(out instanceof Float32Array) || out.length < offset + px) {
    throw new InvalidOptionError(`renderDigit: out: expected a Float32Array with room for ${px} pixels from offset ${offset}, got ${out instanceof Float32Array ? `${out.length} entries` : showBrief(out)}`, 'out');
  }
  draw(digit, rng, resolve(options), out, offset);
}

/** {@link renderDigit} of checked arguments, the options resolved. */
function draw(digit: number, rng: Rng, o: Resolved, out: Float32Array, offset: number): void {
  const variants = GLYPHS[digit];
  const glyph = variants[rng.int(variants.length)];

  // distortion: aspect and scale, smooth displacement, shear, rotation (glyph units, centred)
  const aspect = rng.uniform(0.55, 0.8) * rng.uniform(o.scale[0], o.scale[1]);
  const sy = rng.uniform(o.scale[0], o.scale[1]);
  const shear = rng.uniform(-o.shear, o.shear);
  const rot = (rng.uniform(-o.rotationDeg, o.rotationDeg) * Math.PI) / 180;
  const cr = Math.cos(rot);
  const sr = Math.sin(rot);
  const wave = () => ({ fx: rng.uniform(-5, 5), fy: rng.uniform(-5, 5), ph: rng.uniform(0, 2 * Math.PI), a: o.elastic * rng.uniform(0.5, 1) });
  const wx = [wave(), wave()];
  const wy = [wave(), wave()];
  const field = (w: typeof wx, x: number, y: number) => w.reduce((s, k) => s + k.a * Math.sin(k.fx * x + k.fy * y + k.ph), 0);
  const strokes = glyph.map((stroke) =>
    trimStroke(stroke, rng.uniform(0, o.trim), rng.uniform(0, o.trim)).map(([gx, gy]): Point => {
      const ux = gx - 0.5 + field(wx, gx, gy);
      const uy = gy - 0.5 + field(wy, gx, gy);
      const x = ux * aspect + shear * uy * sy;
      const y = uy * sy;
      return [cr * x - sr * y, sr * x + cr * y];
    }),
  );

  // MNIST normalization: the inked box fits 20x20, centre of mass at the centre
  const width = rng.uniform(o.strokeWidth[0], o.strokeWidth[1]);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const s of strokes) {
    for (const [x, y] of s) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  const k = (BOX - width) / Math.max(maxX - minX, maxY - minY, 1e-6);
  let mx = 0;
  let my = 0;
  let mass = 0;
  for (const s of strokes) {
    for (let i = 1; i < s.length; i++) {
      const l = Math.hypot(s[i][0] - s[i - 1][0], s[i][1] - s[i - 1][1]);
      mx += l * (s[i][0] + s[i - 1][0]) * 0.5;
      my += l * (s[i][1] + s[i - 1][1]) * 0.5;
      mass += l;
    }
  }
  mx /= Math.max(mass, 1e-9);
  my /= Math.max(mass, 1e-9);
  // ink reaches half a (pressure-scaled) stroke plus the anti-aliasing ramp past the skeleton
  const reach = (width * 1.15) / 2 + 0.5;
  const cx = keepInFrame(DIGIT_SIZE / 2 + rng.uniform(-o.translatePx, o.translatePx), (minX - mx) * k - reach, (maxX - mx) * k + reach);
  const cy = keepInFrame(DIGIT_SIZE / 2 + rng.uniform(-o.translatePx, o.translatePx), (minY - my) * k - reach, (maxY - my) * k + reach);

  out.fill(0, offset, offset + DIGIT_SIZE * DIGIT_SIZE);
  for (const s of strokes) {
    const half = (width * rng.uniform(0.85, 1.15)) / 2; // pen pressure differs per stroke
    const px = s.map(([x, y]): Point => [cx + (x - mx) * k, cy + (y - my) * k]);
    for (let i = 1; i < px.length; i++) drawSegment(out, offset, px[i - 1], px[i], half);
  }
  if (rng.random() < o.strayProb) {
    // a short stray pen mark
    const a: Point = [rng.uniform(4, 24), rng.uniform(4, 24)];
    const ang = rng.uniform(0, 2 * Math.PI);
    const len = rng.uniform(2, 7);
    drawSegment(out, offset, a, [a[0] + len * Math.cos(ang), a[1] + len * Math.sin(ang)], (width * rng.uniform(0.5, 1)) / 2);
  }
  if (o.noise > 0) {
    for (let i = offset; i < offset + DIGIT_SIZE * DIGIT_SIZE; i++) {
      const v = out[i] + o.noise * rng.normal();
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
}

/**
 * Generate `n` synthetic digit images, classes balanced (each digit appears
 * `floor(n/10)` or `ceil(n/10)` times) in a seeded random order.
 *
 * @returns `x`: `n x 28 x 28` row-major in [0, 1]; `labels`: `n` digits 0..9
 * @throws InvalidOptionError for a negative/non-integer `n`, options that are not an object, an unknown or invalid distortion option
 */
export function generateDigits(n: number, options: DigitOptions = {}): ImageSplit {
  if (!Number.isInteger(n) || n < 0) throw new InvalidOptionError(`option "n": must be a non-negative integer (got ${n})`, 'n');
  checkOptionKeys(options, 'generateDigits', DIGIT_OPTION_KEYS);
  const o = resolve(options); // validated once up front
  const rng = new Rng(options.seed ?? 0);
  const order = Array.from({ length: n }, (_, i) => i % 10);
  rng.shuffle(order);
  const labels = Int32Array.from(order);
  const x = new Float32Array(n * DIGIT_SIZE * DIGIT_SIZE);
  for (let i = 0; i < n; i++) draw(labels[i], rng, o, x, i * DIGIT_SIZE * DIGIT_SIZE);
  return { x, labels, n, height: DIGIT_SIZE, width: DIGIT_SIZE, numClasses: 10 };
}

/** Options for {@link syntheticDigitSplits}. */
export interface DigitSplitsOptions extends DigitOptions {
  /** images generated for train + validation; default 10000 */
  nTrain?: number;
  /** images generated for the test set; default 2000 */
  nTest?: number;
  /** share of the training images used for validation; default 0.1 */
  valFraction?: number;
}

/**
 * Synthetic digits as train / validation / test splits, all from one seed.
 * @throws InvalidOptionError for options that are not an object (null was a TypeError), an unknown or invalid one
 */
export function syntheticDigitSplits(options: DigitSplitsOptions = {}): Splits<ImageSplit> {
  checkOptionKeys(options, 'syntheticDigitSplits', [...DIGIT_OPTION_KEYS, 'nTrain', 'nTest', 'valFraction']);
  const { nTrain, nTest, valFraction, ...digits } = options;
  const rng = new Rng(options.seed ?? 0);
  const pool = generateDigits(nTrain ?? 10000, { ...digits, seed: rng.nextUint32() });
  const test = generateDigits(nTest ?? 2000, { ...digits, seed: rng.nextUint32() });
  const { train, val } = splitImages(pool, { valFraction: valFraction ?? 0.1, seed: rng.nextUint32() });
  return { train, val, test };
}
