/**
 * Seeded index splits and row subsets shared by the tabular and image data sets.
 */
import { InvalidOptionError } from '../errors';
import { Rng } from '../util/rng';
import type { ImageSplit, Standardization, TabularSplit } from './types';

/** Throw unless `value` is in [0, 1). */
export function checkFraction(value: number, option: string): void {
  if (!(value >= 0 && value < 1)) throw new InvalidOptionError(`option "${option}": must be in [0, 1) (got ${value})`, option);
}

/** `0 .. n-1` in a seeded random order (Fisher-Yates with {@link Rng}). */
export function shuffledIndices(n: number, seed: number): Int32Array {
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

/** The images at `rows`, in that order. */
export function subsetImages(split: ImageSplit, rows: ArrayLike<number>): ImageSplit {
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

/** Split images into training and validation sets after a seeded shuffle. */
export function splitImages(split: ImageSplit, options: SplitImagesOptions = {}): { train: ImageSplit; val: ImageSplit } {
  const { train, val } = splitIndices(split.n, 0, options.valFraction ?? 0.1, options.seed ?? 0);
  return { train: subsetImages(split, train), val: subsetImages(split, val) };
}

/**
 * Mean and standard deviation (population, divisor n) of each column of an
 * `n x d` matrix. A constant column gets std 1 so standardizing leaves it at 0.
 */
export function fitStandardization(x: Float64Array | Float32Array, n: number, d: number): Standardization {
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

/** `(x - mean) / std` per column of an `n x d` matrix, as float32. */
export function applyStandardization(x: Float64Array | Float32Array, n: number, d: number, stats: Standardization): Float32Array {
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
