/**
 * Node file access for the `mnist` package's per-class JSON digits (the
 * format itself is in `mnist-json.ts`), and finding the package when it is
 * installed: it is an optional dependency, resolved at run time.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StorageError } from '../errors';
import { checkOptionKeys } from '../util/option-keys';
import { checkPathArg } from '../util/path-arg';
import { checkMnistLimit, inClassOrder, MNIST_JSON_FILES, mnistClassesToImages, parseMnistClassText } from './mnist-json';
import type { ImageSplit } from './types';

/**
 * Reads `0.json` ... `9.json` from `dir` and joins them (class by class, see
 * `mnistClassesToImages`).
 *
 * @param options.limit keep at most this many images per class (the first ones)
 * @throws InvalidOptionError naming `dir` when it is not a non-empty string (as loadMnistIdx), or an option
 * @throws StorageError naming the file that is missing, unreadable or invalid
 */
export async function loadMnistJson(dir: string, options: { limit?: number } = {}): Promise<ImageSplit> {
  checkPathArg(dir, { who: 'loadMnistJson', param: 'dir', kind: 'a folder path' });
  checkOptionKeys(options, 'loadMnistJson', ['limit']);
  checkMnistLimit(options.limit ?? Infinity);
  const classes = await inClassOrder(MNIST_JSON_FILES.map(async (file) => {
    const path = join(dir, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new StorageError(`${path}: missing digit class file (expected ${MNIST_JSON_FILES.join(', ')} in ${dir})`, { cause: e });
      throw new StorageError(`${path}: cannot read digit class file (${(e as Error).message})`, { cause: e });
    }
    return parseMnistClassText(text, path);
  }));
  return mnistClassesToImages(classes, options.limit);
}

/**
 * Whether `dir` holds the per-class JSON layout: any of its class files (a
 * folder missing `0.json` is still that layout, and loadMnistJson names the
 * missing file, rather than being read as IDX files).
 * @throws InvalidOptionError naming `dir` when it is not a non-empty string
 */
export function isMnistJsonDir(dir: string): boolean {
  checkPathArg(dir, { who: 'isMnistJsonDir', param: 'dir', kind: 'a folder path' });
  return MNIST_JSON_FILES.some((file) => existsSync(join(dir, file)));
}

/**
 * The digits folder of the installed `mnist` package (`.../mnist/src/digits`),
 * or null when the package is not installed.
 */
export function mnistPackageDir(): string | null {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist/package.json');
  } catch {
    return null;
  }
  const dir = join(dirname(pkg), 'src', 'digits');
  try {
    return isMnistJsonDir(dir) ? dir : null;
  } catch {
    return null; // a runtime that may not look there (Deno without --allow-read): not installed, as far as this run goes
  }
}
