/**
 * Node file access for IDX files (MNIST), plain or gzip-compressed (the
 * decoding itself is in `idx.ts`, which has no Node dependency).
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { InvalidOptionError, StorageError } from '../errors';
import { writeFileWhole } from '../util/atomic-write';
import { checkPathArg } from '../util/path-arg';
import { show } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';
import { errorText } from '../util/error-text';
import { encodeIdx, idxToImages, imagesToIdx, isGzip, parseIdx, type IdxArray } from './idx';
import { splitImages } from './splits';
import type { ImageSplit, Splits } from './types';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/**
 * Read an IDX file; gzip-compressed content (detected by its signature, so the
 * `.gz` name is optional) is decompressed first.
 *
 * @throws StorageError when the file cannot be read or decompressed, or is not valid IDX
 */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
    if (isGzip(bytes)) bytes = await gunzipAsync(bytes);
  } catch (e) {
    throw new StorageError(`${path}: cannot read IDX file (${(e as Error).message})`, { cause: e });
  }
  return parseIdx(bytes, path);
}

/** Options for {@link writeIdx}. */
export interface WriteIdxOptions {
  /** gzip the file; default true when `path` ends in `.gz` */
  gzip?: boolean;
}

/** Write an array as an IDX file. */
export async function writeIdx(path: string, arr: IdxArray, options: WriteIdxOptions = {}): Promise<void> {
  checkPathArg(path, { who: 'writeIdx' });
  checkOptionKeys(options, 'writeIdx', ['gzip']);
  if (options.gzip !== undefined && typeof options.gzip !== 'boolean') {
    throw new InvalidOptionError(`option "gzip": expected a boolean, got ${show(options.gzip)}`, 'gzip');
  }
  const bytes = encodeIdx(arr);
  // whole or not at all: an interrupted write left a truncated file that read as a bad IDX header
  await writeFileWhole(path, (options.gzip ?? path.endsWith('.gz')) ? await gzipAsync(bytes) : bytes, 'writeIdx');
}

/** File names tried for one MNIST array (`t10k` is MNIST's name for the test set). */
function candidates(set: 'train' | 't10k', kind: 'images' | 'labels'): string[] {
  const suffix = kind === 'images' ? 'idx3-ubyte' : 'idx1-ubyte';
  const names = [`${set}-${kind}-${suffix}`, `${set}-${kind}.${suffix}`];
  return names.flatMap((n) => [n, `${n}.gz`]);
}

async function findFile(dir: string, set: 'train' | 't10k', kind: 'images' | 'labels'): Promise<string> {
  const names = candidates(set, kind);
  let refused: unknown = null;
  for (const name of names) {
    const path = join(dir, name);
    try {
      await access(path);
      return path;
    } catch (e) {
      // try the next spelling; a refusal that is no absence (Deno without --allow-read) is said, not read as one
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') refused ??= e;
    }
  }
  const why = refused === null ? '' : `; ${errorText(refused)}`;
  throw new StorageError(`${dir}: no ${set} ${kind} file (looked for ${names.join(', ')})${why}`, refused === null ? undefined : { cause: refused });
}

/** Options for {@link loadMnistIdx}. */
export interface LoadMnistOptions {
  /** share of the training file used for validation; default 0.1 */
  valFraction?: number;
  /** seed of the train/validation shuffle; default 0 */
  seed?: number;
  /** default 10 */
  numClasses?: number;
}

/**
 * Load MNIST from a directory holding `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
 * `t10k-labels-idx1-ubyte` (each optionally `.gz`, or with `.idx3-ubyte`
 * spelling). The training file is split into train and validation after a
 * seeded shuffle; the t10k file is the test set. Pixels are scaled to [0, 1].
 *
 * @throws StorageError when a file is missing or malformed, the training file
 *   holds no image, or the test images are of another size
 */
export async function loadMnistIdx(dir: string, options: LoadMnistOptions = {}): Promise<Splits<ImageSplit>> {
  checkPathArg(dir, { who: 'loadMnistIdx', param: 'dir', kind: 'a folder path' });
  const load = async (set: 'train' | 't10k'): Promise<ImageSplit> => {
    const imagesPath = await findFile(dir, set, 'images');
    const labelsPath = await findFile(dir, set, 'labels');
    const [images, labels] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
    return idxToImages(images, labels, options.numClasses ?? 10, `${imagesPath} + ${labelsPath}`);
  };
  // Both load at once, but a failure is reported in a fixed order (train
  // first), not by whichever rejects first: the error names the same file every run.
  const [poolR, testR] = await Promise.allSettled([load('train'), load('t10k')]);
  if (poolR.status === 'rejected') throw poolR.reason;
  if (testR.status === 'rejected') throw testR.reason;
  const pool = poolR.value;
  const test = testR.value;
  // no image to train on, or test images of another size: a loader's error, not one of the study's later
  if (pool.n === 0) throw new StorageError(`${dir}: the train images file holds no image`);
  if (test.height !== pool.height || test.width !== pool.width) {
    throw new StorageError(`${dir}: the t10k images are ${test.height}x${test.width} but the train images ${pool.height}x${pool.width}`);
  }
  const { train, val } = splitImages(pool, { valFraction: options.valFraction ?? 0.1, seed: options.seed ?? 0 });
  return { train, val, test };
}

/**
 * Write a training and a test image set as the four MNIST IDX files in `dir`
 * (`train-images-idx3-ubyte`, ..., with `.gz` appended when `gzip`). Pixels
 * are stored as uint8 (`round(255 x)`).
 */
export async function saveMnistIdx(dir: string, train: ImageSplit, test: ImageSplit, options: { gzip?: boolean } = {}): Promise<void> {
  checkPathArg(dir, { who: 'saveMnistIdx', param: 'dir', kind: 'a folder path' });
  checkOptionKeys(options, 'saveMnistIdx', ['gzip']);
  // both checked before a file is written
  imagesToIdx(train);
  imagesToIdx(test);
  const ext = options.gzip ? '.gz' : '';
  const write = async (set: 'train' | 't10k', split: ImageSplit) => {
    const { images, labels } = imagesToIdx(split);
    await writeIdx(join(dir, `${set}-images-idx3-ubyte${ext}`), images);
    await writeIdx(join(dir, `${set}-labels-idx1-ubyte${ext}`), labels);
  };
  await write('train', train);
  await write('t10k', test);
}
