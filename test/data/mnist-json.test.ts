import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, StorageError } from '../../src/errors';
import { thrown as thrownBy } from '../optimizer/caught';
import { fetchMnistJson, mnistClassesToImages, parseMnistClass, parseMnistClassText } from '../../src/data/mnist-json';
import { isMnistJsonDir, loadMnistJson, mnistPackageDir } from '../../src/data/mnist-json-fs';
import { classCounts, splitImages, splitIndices, stratifiedImageSplits, stratifiedSplitIndices } from '../../src/data/splits';

const P = 784;

/** `n` images of digit `d`: pixel j of image i is ((d * 31 + i * 7 + j) % 101) / 100. */
function classData(d: number, n: number): number[] {
  return Array.from({ length: n * P }, (_, k) => ((d * 31 + Math.floor(k / P) * 7 + (k % P)) % 101) / 100);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnist-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes 0.json ... 9.json with `counts[d]` images each into a fresh folder. */
async function writeDigits(name: string, counts: number[]): Promise<string> {
  const d = join(dir, name);
  await import('node:fs/promises').then((fs) => fs.mkdir(d));
  await Promise.all(counts.map((n, c) => writeFile(join(d, `${c}.json`), JSON.stringify({ data: classData(c, n) }))));
  return d;
}

describe('parseMnistClass', () => {
  it('reads whole 28 x 28 images as float32', () => {
    const r = parseMnistClass({ data: classData(3, 2) }, '3.json');
    expect(r.n).toBe(2);
    expect(r.x).toEqual(Float32Array.from(classData(3, 2)));
  });

  it('rejects a truncated array, naming the source and the count', () => {
    const data = classData(1, 2).slice(0, 2 * P - 5);
    expect(() => parseMnistClass({ data }, 'digits/1.json')).toThrow(new StorageError(
      'digits/1.json: "data" holds 1563 values, not a positive multiple of 784 (28 x 28 per image)'));
    expect(() => parseMnistClass({ data: [] }, 'e.json')).toThrow(
      'e.json: "data" holds 0 values, not a positive multiple of 784 (28 x 28 per image)');
  });

  it('rejects values outside [0, 1], naming the index and image', () => {
    const data = classData(2, 2);
    data[P + 10] = 1.5;
    expect(() => parseMnistClass({ data }, '2.json')).toThrow(new StorageError('2.json: value 794 (image 1) is 1.5, outside [0, 1]'));
    data[P + 10] = -0.01;
    expect(() => parseMnistClass({ data }, '2.json')).toThrow('2.json: value 794 (image 1) is -0.01, outside [0, 1]');
    data[P + 10] = 255;
    expect(() => parseMnistClass({ data }, '2.json')).toThrow('2.json: value 794 (image 1) is 255, outside [0, 1]');
  });

  it('rejects non-numbers and non-finite values', () => {
    const data: unknown[] = classData(0, 1);
    data[5] = '0.5';
    expect(() => parseMnistClass({ data }, 'a.json')).toThrow(new StorageError('a.json: value 5 (image 0) is not a finite number (got "0.5")'));
    data[5] = null;
    expect(() => parseMnistClass({ data }, 'a.json')).toThrow('a.json: value 5 (image 0) is not a finite number (got null)');
    data[5] = NaN;
    expect(() => parseMnistClass({ data }, 'a.json')).toThrow('a.json: value 5 (image 0) is not a finite number (got null)');
  });

  it('rejects a file without a "data" array, and text that is not JSON', () => {
    expect(() => parseMnistClass([0, 1], 'b.json')).toThrow(new StorageError('b.json: expected an object with a "data" array of grey levels'));
    expect(() => parseMnistClass({ pixels: [] }, 'b.json')).toThrow('b.json: expected an object with a "data" array of grey levels');
    expect(() => parseMnistClassText('{"data": [0, 1', 'c.json')).toThrow(/^c\.json: not valid JSON \(/);
  });

  it('reads a file saved with a UTF-8 byte order mark as the same images', () => {
    const text = JSON.stringify({ data: Array.from({ length: 2 * 784 }, (_, i) => (i % 7) / 6) });
    const plain = parseMnistClassText(text, 'd.json');
    expect(parseMnistClassText('\ufeff' + text, 'd.json')).toEqual(plain);
    expect(plain.n).toBe(2);
  });
});

describe('mnistClassesToImages', () => {
  it('joins classes in label order, with an optional per-class limit', () => {
    const classes = [2, 3, 1].map((n, d) => parseMnistClass({ data: classData(d, n) }, `${d}.json`));
    const all = mnistClassesToImages(classes);
    expect([all.n, all.height, all.width, all.numClasses]).toEqual([6, 28, 28, 3]);
    expect(Array.from(all.labels)).toEqual([0, 0, 1, 1, 1, 2]);
    expect(all.x.subarray(2 * P, 3 * P)).toEqual(Float32Array.from(classData(1, 1)));
    const cut = mnistClassesToImages(classes, 2);
    expect(Array.from(cut.labels)).toEqual([0, 0, 1, 1, 2]);
    expect(cut.x.subarray(4 * P)).toEqual(Float32Array.from(classData(2, 1)));
    for (const [limit, shown] of [[-1, '-1'], [0, '0'], [0.5, '0.5'], [NaN, 'NaN'], ['5', '"5"']] as const) {
      expect(() => mnistClassesToImages(classes, limit as number))
        .toThrow(new InvalidOptionError(`option "limit": must be a positive integer (got ${shown})`, 'limit'));
      expect(() => mnistClassesToImages(classes, limit as number)).toThrow(InvalidOptionError);
    }
  });

  it('refuses classes that are not an array of { x, n } holding n images, naming classes (TypeErrors, or blank images from a short x, before)', () => {
    const one = parseMnistClass({ data: classData(0, 1) }, '0.json');
    const cls = (label: number, got: string) => `option "classes": class ${label}: expected { x, n } (x a Float32Array, n its count of images), got ${got}`;
    for (const [v, message] of [
      [undefined, 'option "classes": expected an array of per-class images ({ x, n }, as parseMnistClass returns), got undefined'],
      [[one, null], cls(1, 'null')],
      [[{ x: [0], n: 1 }], cls(0, '{"x":[0],"n":1}')],
      [[one, { x: one.x, n: 2 }], 'option "classes": class 1: x holds 784 pixels, fewer than n x 784 = 1568'],
    ] as const) {
      const e = thrownBy(() => mnistClassesToImages(v as never)) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual(['classes', message]);
    }
  });
});

describe('loadMnistJson (files the test writes)', () => {
  it('loads ten class files', async () => {
    const d = await writeDigits('ok', [3, 2, 2, 2, 2, 2, 2, 2, 2, 4]);
    expect(isMnistJsonDir(d)).toBe(true);
    const all = await loadMnistJson(d);
    expect(all.n).toBe(23);
    expect(classCounts(all.labels, 10)).toEqual([3, 2, 2, 2, 2, 2, 2, 2, 2, 4]);
    expect(all.x.subarray(0, P)).toEqual(Float32Array.from(classData(0, 1)));
    expect((await loadMnistJson(d, { limit: 1 })).n).toBe(10);
  });

  it('a missing class file is an error naming the file', async () => {
    const d = await writeDigits('missing', new Array(10).fill(1));
    await unlink(join(d, '7.json'));
    await expect(loadMnistJson(d)).rejects.toThrow(new StorageError(
      `${join(d, '7.json')}: missing digit class file (expected 0.json, 1.json, 2.json, 3.json, 4.json, 5.json, 6.json, 7.json, 8.json, 9.json in ${d})`));
    expect(isMnistJsonDir(join(dir, 'nowhere'))).toBe(false);
  });

  it('a folder missing 0.json is still the JSON layout, and the error names 0.json', async () => {
    const d = await writeDigits('missing0', new Array(10).fill(1));
    await unlink(join(d, '0.json'));
    expect(isMnistJsonDir(d)).toBe(true);
    await expect(loadMnistJson(d)).rejects.toThrow(`${join(d, '0.json')}: missing digit class file`);
  });

  it('a truncated or out-of-range file is an error naming that file', async () => {
    const d = await writeDigits('bad', new Array(10).fill(1));
    await writeFile(join(d, '4.json'), JSON.stringify({ data: classData(4, 1).slice(0, 700) }));
    await expect(loadMnistJson(d)).rejects.toThrow(
      `${join(d, '4.json')}: "data" holds 700 values, not a positive multiple of 784 (28 x 28 per image)`);
    const bad = classData(4, 1);
    bad[100] = 2;
    await writeFile(join(d, '4.json'), JSON.stringify({ data: bad }));
    await expect(loadMnistJson(d)).rejects.toThrow(`${join(d, '4.json')}: value 100 (image 0) is 2, outside [0, 1]`);
    // a file cut off mid-write is not JSON
    await writeFile(join(d, '4.json'), JSON.stringify({ data: classData(4, 1) }).slice(0, 1000));
    await expect(loadMnistJson(d)).rejects.toThrow(new RegExp(`^${join(d, '4.json').replace(/[.]/g, '\\.')}: not valid JSON`));
  });

  it('names the first bad class file in class order, whichever was read first; options are checked before reading', async () => {
    const d = await writeDigits('order', new Array(10).fill(1));
    await writeFile(join(d, '0.json'), 'not json');
    await unlink(join(d, '9.json')); // its read fails at once, before 0.json's text is parsed
    for (let i = 0; i < 5; i++) await expect(loadMnistJson(d)).rejects.toThrow(new RegExp(`^${join(d, '0.json').replace(/[.]/g, '\\.')}: not valid JSON`));
    await expect(loadMnistJson(d, { limt: 1 } as never)).rejects.toThrow(new InvalidOptionError('option "limt": unknown option of loadMnistJson (known: limit)', 'limt'));
    await expect(loadMnistJson(join(dir, 'nowhere'), { limit: 0 })).rejects.toThrow(new InvalidOptionError('option "limit": must be a positive integer (got 0)', 'limit'));
  });

  it('a folder that is not a non-empty string is an InvalidOptionError naming dir, as loadMnistIdx\'s (a TypeError from node:path before)', async () => {
    const msg = (who: string, got: string) => `${who}: dir: expected a folder path (a non-empty string), got ${got}`;
    for (const [v, got] of [[undefined, 'undefined'], [null, 'null'], ['', '""'], [5, '5']] as const) {
      const e = await loadMnistJson(v as never).then(() => null, (x: unknown) => x as InvalidOptionError);
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e!.option, e!.message]).toEqual(['dir', msg('loadMnistJson', got)]);
      const s = thrownBy(() => isMnistJsonDir(v as never)) as InvalidOptionError;
      expect(s).toBeInstanceOf(InvalidOptionError);
      expect([s.option, s.message]).toEqual(['dir', msg('isMnistJsonDir', got)]);
    }
  });
});

describe('fetchMnistJson', () => {
  it('fetches the ten class files relative to a base URL; a 404 names the URL', async () => {
    const served = new Map(Array.from({ length: 10 }, (_, c) => [`http://page/digits/${c}.json`, JSON.stringify({ data: classData(c, 2) })]));
    const fake = (async (url: string) => {
      const body = served.get(url);
      return new Response(body ?? 'not found', { status: body === undefined ? 404 : 200 });
    }) as typeof fetch;
    const all = await fetchMnistJson('http://page/digits/', { fetch: fake, limit: 1 });
    expect(all.n).toBe(10);
    expect(Array.from(all.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    served.delete('http://page/digits/9.json');
    await expect(fetchMnistJson('http://page/digits/', { fetch: fake })).rejects.toThrow(
      new StorageError('http://page/digits/9.json: missing digit class file (HTTP 404)'));
  });

  it('takes a folder URL without its final slash, a relative one against the page, and checks it and the options before fetching', async () => {
    const asked: string[] = [];
    const fake = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ data: classData(Number(url.slice(-6, -5)), 1) }));
    }) as typeof fetch;
    // no final slash: it fetched http://page/0.json, the folder above
    expect((await fetchMnistJson('http://page/digits', { fetch: fake })).n).toBe(10);
    expect(asked[0]).toBe('http://page/digits/0.json');
    asked.length = 0;
    await fetchMnistJson('http://page/digits?v=3', { fetch: fake }); // the slash before the query (it fetched http://page/0.json)
    expect(asked[0]).toBe('http://page/digits/0.json');
    // no page here (Node): a relative URL is an error naming baseUrl (a raw TypeError: Invalid URL before)
    await expect(fetchMnistJson('./digits/', { fetch: fake })).rejects.toThrow(new InvalidOptionError(
      'option "baseUrl": "./digits/" is not a URL (a relative one needs a page to resolve it against)', 'baseUrl'));
    const page = globalThis as { location?: { href: string } };
    page.location = { href: 'http://site/app/index.html' };
    try {
      asked.length = 0;
      await fetchMnistJson('./digits/', { fetch: fake });
      expect(asked[9]).toBe('http://site/app/digits/9.json');
    } finally {
      delete page.location;
    }
    asked.length = 0;
    await expect(fetchMnistJson('http://page/digits/', { fetch: fake, limit: 0 })).rejects.toThrow('option "limit": must be a positive integer (got 0)');
    await expect(fetchMnistJson('http://page/digits/', { fetch: fake, limt: 1 } as never)).rejects.toThrow('option "limt": unknown option of fetchMnistJson (known: limit, fetch)');
    expect(asked).toEqual([]); // nothing fetched for a call refused
  });
});

describe('stratifiedSplitIndices', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 300 ? 0 : i < 700 ? 1 : 2 + (i % 3)));

  it('partitions every index once and keeps each class\'s share in every set', () => {
    const s = stratifiedSplitIndices(labels, 5, 0.2, 0.1, 7);
    const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const total = classCounts(labels, 5);
    const count = (idx: Int32Array) => classCounts(Array.from(idx, (i) => labels[i]), 5);
    expect(count(s.test)).toEqual(total.map((n) => Math.round(n * 0.2)));
    expect(count(s.val)).toEqual(total.map((n) => Math.round((n - Math.round(n * 0.2)) * 0.1)));
    // leading rows of the training order stay close to the class shares
    const head = count(s.train.subarray(0, 100));
    total.forEach((n, c) => expect(Math.abs(head[c] - n / 10)).toBeLessThanOrEqual(2));
  });

  it('is seeded', () => {
    const a = stratifiedSplitIndices(labels, 5, 0.2, 0.1, 7);
    expect(stratifiedSplitIndices(labels, 5, 0.2, 0.1, 7)).toEqual(a);
    expect(stratifiedSplitIndices(labels, 5, 0.2, 0.1, 8).test).not.toEqual(a.test);
  });

  it('rejects a label outside the classes', () => {
    expect(() => stratifiedSplitIndices([0, 1, 5], 5, 0.2, 0.1, 0)).toThrow('option "labels": label 5 at 2 is not in [0, 5)');
    expect(() => stratifiedSplitIndices([0, 1, 2], 5, 0.2, 0.1, NaN)).toThrow(new InvalidOptionError('option "seed": must be a finite number (got NaN)', 'seed'));
    // a string label is quoted, as every message shows a string (it read as the number: label 1)
    expect(() => stratifiedSplitIndices([0, '1' as never, 2], 5, 0.2, 0.1, 0)).toThrow('option "labels": label "1" at 1 is not in [0, 5)');
  });

  it('image splits refuse unknown options, and a row count must be whole', () => {
    const pool = mnistClassesToImages([0, 1].map((d) => parseMnistClass({ data: classData(d, 5) }, `${d}.json`)));
    expect(() => stratifiedImageSplits(pool, { testFracton: 0.5 } as never)).toThrow(new InvalidOptionError(
      'option "testFracton": unknown option of stratifiedImageSplits (known: testFraction, valFraction, seed)', 'testFracton'));
    expect(() => splitImages(pool, { valFracton: 0.5 } as never)).toThrow(new InvalidOptionError(
      'option "valFracton": unknown option of splitImages (known: valFraction, seed)', 'valFracton'));
    expect(() => splitIndices(2.5, 0.2, 0.1, 0)).toThrow(new InvalidOptionError('option "n": expected a whole number of rows >= 0, got 2.5', 'n'));
    expect(splitIndices(0, 0.2, 0.1, 0).train).toHaveLength(0);
  });

  it('stratifiedImageSplits carries the pixels with the labels', () => {
    const pool = mnistClassesToImages([0, 1, 2].map((d) => parseMnistClass({ data: classData(d, 10) }, `${d}.json`)));
    const s = stratifiedImageSplits(pool, { testFraction: 0.2, valFraction: 0.25, seed: 3 });
    expect([s.train.n, s.val.n, s.test.n]).toEqual([18, 6, 6]);
    expect(classCounts(s.test.labels, 3)).toEqual([2, 2, 2]);
    for (const split of [s.train, s.val, s.test]) {
      for (let i = 0; i < split.n; i++) {
        // the first pixel of image k of digit d is ((d * 31 + 7k) % 101) / 100: its class is recoverable
        const v = Math.round(split.x[i * P] * 100);
        const d = split.labels[i];
        expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].some((k) => (d * 31 + 7 * k) % 101 === v)).toBe(true);
      }
    }
  });

  it('refuses arrays that do not make n images, labels outside the classes and a non-integer class count (typed, named)', () => {
    const pool = mnistClassesToImages([0, 1, 2].map((d) => parseMnistClass({ data: classData(d, 10) }, `${d}.json`)));
    const thrown = (f: () => unknown): Error => {
      const e = thrownBy(f);
      expect(e).toBeInstanceOf(InvalidOptionError);
      return e;
    };
    // pixels short by one image: its splits held a blank image of zeros
    const short = { ...pool, x: pool.x.subarray(0, (pool.n - 1) * P) };
    expect(thrown(() => stratifiedImageSplits(short)).message).toBe(`option "pool": ${(pool.n - 1) * P} pixels and 30 labels do not make n = 30 images of 28x28`);
    expect(thrown(() => classCounts([0, 3], 3)).message).toBe('option "labels": label 3 at 1 is not in [0, 3)');
    expect(thrown(() => stratifiedSplitIndices([0, 1], 2.5, 0.2, 0.1, 1)).message).toBe('option "numClasses": expected a positive integer, got 2.5');
  });
});

describe('mnistPackageDir', () => {
  it('finds the installed package\'s digits, or says it is not installed', async () => {
    const found = mnistPackageDir();
    if (found === null) return; // optional dependency not installed: nothing more to check
    expect(found.endsWith(join('mnist', 'src', 'digits'))).toBe(true);
    const five = await loadMnistJson(found, { limit: 3 });
    expect(five.n).toBe(30);
  });
});
