/**
 * Seeded index splits and row subsets shared by the tabular and image data sets.
 */
import { InvalidOptionError } from '../errors';
import { show, showBrief } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';
import { Rng } from '../util/rng';
import type { ImageSplit, Splits, Standardization, TabularSplit } from './types';

/** Throw unless `value` is in [0, 1). */
export function checkFraction(value: number, option: string): void {
  if (!(value >= 0 && value < 1)) throw new InvalidOptionError(`option "${option}": must be in [0, 1) (got ${value})`, option);
}

/** Throw unless `seed` is a finite number (a NaN seed split as some other seed would, silently). */
function checkSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidOptionError(`option "seed": must be a finite number (got ${seed})`, 'seed');
}

/** `0 .. n-1` in a seeded random order (Fisher-Yates with {@link Rng}). */
export function shuffledIndices(n: number, seed: number): Int32Array {
  checkSeed(seed);
  // 2.5 rows split as 3, a negative count as none: a count is a whole number
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new InvalidOptionError(`option "n": expected a whole number of rows >= 0, got ${show(n)}`, 'n');
  const idx = Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(idx);
  return Int32Array.from(idx);
}

/**
 * Partition `0 .. n-1` after a seeded shuffle: first `round(n * testFraction)`
 * indices are the test set, then `round(rest * valFraction)` validation, the
 * remainder training.
 */
export function splitIndices(
  n: number,
  testFraction: number,
  valFraction: number,
  seed: number,
): { train: Int32Array; val: Int32Array; test: Int32Array } {
  checkFraction(testFraction, 'testFraction');
  checkFraction(valFraction, 'valFraction');
  const idx = shuffledIndices(n, seed);
  const nTest = Math.round(n * testFraction);
  const nVal = Math.round((n - nTest) * valFraction);
  return { test: idx.subarray(0, nTest), val: idx.subarray(nTest, nTest + nVal), train: idx.subarray(nTest + nVal) };
}

/** Rows `rows` of an `n x d` row-major matrix, as a new array. */
export function takeRows<T extends Float32Array | Float64Array>(x: T, d: number, rows: ArrayLike<number>, make: (len: number) => T): T {
  const out = make(rows.length * d);
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i] * d, rows[i] * d + d), i * d);
  return out;
}

/**
 * Refuses what is not an image split whose arrays make its `n` images of
 * `height x width` (undefined was a TypeError reading `n`; arrays shorter
 * than that read past their end as zeros: whole blank images, in silence).
 * @throws InvalidOptionError naming `option`
 */
function checkImages(split: unknown, option: string): asserts split is ImageSplit {
  const s = split as Partial<ImageSplit> | null;
  if (typeof s !== 'object' || s === null || Array.isArray(s) || !ArrayBuffer.isView(s.x) || !ArrayBuffer.isView(s.labels)) {
    throw new InvalidOptionError(`option "${option}": expected an image split { x, labels, n, height, width, numClasses }, got ${showBrief(split)}`, option);
  }
  const { x, labels, n, height, width } = s as ImageSplit;
  if (!(Number.isSafeInteger(n) && n >= 0) || x.length !== n * height * width || labels.length !== n) {
    throw new InvalidOptionError(
      `option "${option}": ${x.length} pixels and ${labels.length} labels do not make n = ${n} images of ${height}x${width}`, option);
  }
}

/**
 * The images at `rows`, in that order.
 * @throws InvalidOptionError naming `split` (not an image split whose arrays match its shape) or `rows` (not an array of image indices)
 */
export function subsetImages(split: ImageSplit, rows: ArrayLike<number>): ImageSplit {
  checkImages(split, 'split');
  if (typeof rows !== 'object' || rows === null || typeof rows.length !== 'number') {
    throw new InvalidOptionError(`option "rows": expected an array of image indices, got ${showBrief(rows)}`, 'rows');
  }
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    // an index past the end took a blank image labelled 0, in silence
    if (!(Number.isInteger(r) && r >= 0 && r < split.n)) {
      throw new InvalidOptionError(`option "rows": index ${show(r)} at ${i} is not an image of 0..${split.n - 1}`, 'rows');
    }
  }
  const px = split.height * split.width;
  const labels = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) labels[i] = split.labels[rows[i]];
  return {
    x: takeRows(split.x, px, rows, (len) => new Float32Array(len)),
    labels,
    n: rows.length,
    height: split.height,
    width: split.width,
    numClasses: split.numClasses,
  };
}

/** Options for {@link splitImages}. */
export interface SplitImagesOptions {
  /** share of images moved to validation; default 0.1 */
  valFraction?: number;
  /** shuffle seed; default 0 */
  seed?: number;
}

/**
 * Split images into training and validation sets after a seeded shuffle.
 * @throws InvalidOptionError naming `split` (not an image split whose arrays match its shape) or an option
 */
export function splitImages(split: ImageSplit, options: SplitImagesOptions = {}): { train: ImageSplit; val: ImageSplit } {
  checkImages(split, 'split');
  checkOptionKeys(options, 'splitImages', ['valFraction', 'seed']);
  const { train, val } = splitIndices(split.n, 0, options.valFraction ?? 0.1, options.seed ?? 0);
  return { train: subsetImages(split, train), val: subsetImages(split, val) };
}

/**
 * Refuses an `n x d` matrix whose counts are not whole numbers or whose
 * array is shorter (-1 was a RangeError, a short array read NaN).
 */
function checkMatrix(x: unknown, n: unknown, d: unknown): void {
  for (const [k, v] of [['n', n], ['d', d]] as const) {
    if (!(Number.isSafeInteger(v) && (v as number) >= 0)) throw new InvalidOptionError(`option "${k}": expected a whole number >= 0, got ${show(v)}`, k);
  }
  const need = (n as number) * (d as number);
  const len = (x as { length?: unknown } | null)?.length;
  if (typeof x !== 'object' || x === null || typeof len !== 'number' || len < need) {
    throw new InvalidOptionError(`option "x": expected n x d = ${need} values (an array), got ${typeof len === 'number' ? `${len} values` : showBrief(x)}`, 'x');
  }
}

/**
 * Mean and standard deviation (population, divisor n) of each column of an
 * `n x d` matrix. A constant column gets std 1 so standardizing leaves it at 0.
 * @throws InvalidOptionError naming `n` or `d` (not a whole number) or `x` (fewer than n x d values)
 */
export function fitStandardization(x: Float64Array | Float32Array, n: number, d: number): Standardization {
  checkMatrix(x, n, d);
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(n, 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const e = x[i * d + j] - mean[j];
      std[j] += e * e;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(std[j] / Math.max(n, 1));
    std[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j])) ? s : 1;
  }
  return { mean, std };
}

/**
 * `(x - mean) / std` per column of an `n x d` matrix, as float32.
 * @throws InvalidOptionError naming `n` or `d` (not a whole number), `x` (fewer than n x d values) or `stats` (not d means and stds)
 */
export function applyStandardization(x: Float64Array | Float32Array, n: number, d: number, stats: Standardization): Float32Array {
  checkMatrix(x, n, d);
  const s = stats as Partial<Standardization> | null;
  if (typeof s !== 'object' || s === null || !((s.mean?.length ?? -1) >= d && (s.std?.length ?? -1) >= d)) {
    throw new InvalidOptionError(`option "stats": expected d = ${d} means and stds ({ mean, std }, as fitStandardization returns), got ${showBrief(stats)}`, 'stats');
  }
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = (x[i * d + j] - stats.mean[j]) / stats.std[j];
  return out;
}

/** Build a {@link TabularSplit} from rows of an `n x d` feature matrix and a target vector. */
export function tabularSubset(
  x: Float64Array,
  y: Float64Array,
  d: number,
  rows: ArrayLike<number>,
  stats: Standardization,
): TabularSplit {
  const sub = takeRows(x, d, rows, (len) => new Float64Array(len));
  const ys = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) ys[i] = y[rows[i]];
  return { x: applyStandardization(sub, rows.length, d, stats), y: ys, n: rows.length, nFeatures: d };
}

/** Images per class: entry c counts the labels equal to c (`numClasses` entries). */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  checkNumClasses(numClasses);
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) {
      throw new InvalidOptionError(`option "labels": label ${show(c)} at ${i} is not in [0, ${numClasses})`, 'labels');
    }
    counts[c]++;
  }
  return counts;
}

/** @throws InvalidOptionError naming `numClasses` unless it is a positive integer */
function checkNumClasses(numClasses: unknown): void {
  if (!(typeof numClasses === 'number' && Number.isInteger(numClasses) && numClasses >= 1)) {
    throw new InvalidOptionError(`option "numClasses": expected a positive integer, got ${String(numClasses)}`, 'numClasses');
  }
}

/**
 * A seeded stratified split of `0 .. labels.length-1`: within each class,
 * after a shuffle, `round(n_c * testFraction)` images go to the test set and
 * `round((n_c - test_c) * valFraction)` to validation, the rest to training,
 * so every set keeps the class shares. Each set is ordered so that its
 * classes interleave in proportion (image i of a class with n_c images in the
 * set sits near position `(i + u) / n_c` of the set, u uniform in [0, 1)),
 * which keeps any leading block of rows close to stratified too.
 */
export function stratifiedSplitIndices(
  labels: ArrayLike<number>,
  numClasses: number,
  testFraction: number,
  valFraction: number,
  seed: number,
): { train: Int32Array; val: Int32Array; test: Int32Array } {
  checkFraction(testFraction, 'testFraction');
  checkFraction(valFraction, 'valFraction');
  checkSeed(seed);
  checkNumClasses(numClasses);
  const rng = new Rng(seed);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) {
      throw new InvalidOptionError(`option "labels": label ${show(c)} at ${i} is not in [0, ${numClasses})`, 'labels');
    }
    byClass[c].push(i);
  }
  const sets = { train: [] as { i: number; key: number }[], val: [] as { i: number; key: number }[], test: [] as { i: number; key: number }[] };
  for (const members of byClass) {
    rng.shuffle(members);
    const nTest = Math.round(members.length * testFraction);
    const nVal = Math.round((members.length - nTest) * valFraction);
    const parts = { test: members.slice(0, nTest), val: members.slice(nTest, nTest + nVal), train: members.slice(nTest + nVal) };
    for (const name of ['train', 'val', 'test'] as const) {
      const part = parts[name];
      part.forEach((i, k) => sets[name].push({ i, key: (k + rng.random()) / part.length }));
    }
  }
  const order = (xs: { i: number; key: number }[]) => Int32Array.from(xs.sort((a, b) => a.key - b.key || a.i - b.i), (e) => e.i);
  return { train: order(sets.train), val: order(sets.val), test: order(sets.test) };
}

/** Options for {@link stratifiedImageSplits}. */
export interface StratifiedImageSplitsOptions {
  /** share of each class held out for testing; default 0.2 */
  testFraction?: number;
  /** share of each class's remaining images used for validation; default 0.1 */
  valFraction?: number;
  /** default 0 */
  seed?: number;
}

/**
 * Train / validation / test image sets from one pool by {@link stratifiedSplitIndices}.
 * @throws InvalidOptionError naming `pool` (not an image split whose arrays match its shape), `labels` (a label that is no class) or an option
 */
export function stratifiedImageSplits(pool: ImageSplit, options: StratifiedImageSplitsOptions = {}): Splits<ImageSplit> {
  checkImages(pool, 'pool');
  checkOptionKeys(options, 'stratifiedImageSplits', ['testFraction', 'valFraction', 'seed']);
  const idx = stratifiedSplitIndices(pool.labels, pool.numClasses, options.testFraction ?? 0.2, options.valFraction ?? 0.1, options.seed ?? 0);
  return { train: subsetImages(pool, idx.train), val: subsetImages(pool, idx.val), test: subsetImages(pool, idx.test) };
}
