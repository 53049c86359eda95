import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, StorageError } from '../../src/errors';
import { encodeIdx, idxToImages, imagesToIdx, isGzip, parseIdx, type IdxArray } from '../../src/data/idx';
import { loadMnistIdx, readIdx, saveMnistIdx, writeIdx } from '../../src/data/idx-fs';
import type { ImageSplit } from '../../src/data/types';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** n x 3 x 2 images with distinct pixel values, labels cycling 0..9 */
function tiny(n: number): ImageSplit {
  const x = Float32Array.from({ length: n * 6 }, (_, i) => (i % 256) / 255);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { x, labels, n, height: 3, width: 2, numClasses: 10 };
}

describe('parseIdx / encodeIdx', () => {
  it('decodes a hand-written MNIST label file (magic 0x00000801, big-endian count)', () => {
    const bytes = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]);
    expect(parseIdx(bytes)).toEqual({ dtype: 'uint8', dims: [3], data: Uint8Array.from([7, 2, 1]) });
  });

  it('decodes a hand-written image file (magic 0x00000803) and big-endian multi-byte types', () => {
    const img = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 64, 128, 255]);
    expect(parseIdx(img)).toEqual({ dtype: 'uint8', dims: [1, 2, 2], data: Uint8Array.from([0, 64, 128, 255]) });
    // int16 0x0102 = 258, -2 = 0xfffe
    const i16 = Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
    expect(Array.from(parseIdx(i16).data)).toEqual([258, -2]);
  });

  it('round-trips every element type', () => {
    const arrays: IdxArray[] = [
      { dtype: 'uint8', dims: [2, 3], data: Uint8Array.from([0, 1, 2, 253, 254, 255]) },
      { dtype: 'int8', dims: [4], data: Int8Array.from([-128, -1, 0, 127]) },
      { dtype: 'int16', dims: [3], data: Int16Array.from([-32768, 258, 32767]) },
      { dtype: 'int32', dims: [1, 3], data: Int32Array.from([-(2 ** 31), 16909060, 2 ** 31 - 1]) },
      { dtype: 'float32', dims: [2], data: Float32Array.from([Math.fround(Math.PI), -0.5]) },
      { dtype: 'float64', dims: [2, 1, 1], data: Float64Array.from([Math.E, -1e300]) },
    ];
    for (const a of arrays) expect(parseIdx(encodeIdx(a))).toEqual(a);
  });

  it('rejects a bad magic number with a message naming it', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    expect(() => parseIdx(png, 'x.idx')).toThrow(
      new StorageError('x.idx: bad magic number 0x89504e47 (expected 0x00000801 for labels, 0x00000803 for images, or another 0x0000TTNN IDX header)'),
    );
    // right prefix, unknown type code 0x07
    expect(() => parseIdx(Uint8Array.from([0, 0, 7, 1, 0, 0, 0, 0]))).toThrow('IDX data: bad magic number 0x00000701');
    expect(() => parseIdx(gzipSync(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 0])))).toThrow(
      'IDX data: data is gzip-compressed; decompress it first (readIdx does)',
    );
  });

  it('rejects truncated input, naming what was expected', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0]))).toThrow('IDX data: truncated: 2 bytes, too short for the 4-byte magic number');
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]))).toThrow(
      'IDX data: truncated header: 3 dimensions need 16 bytes, got 10',
    );
    const full = encodeIdx({ dtype: 'uint8', dims: [10, 28, 28], data: new Uint8Array(7840) });
    expect(() => parseIdx(full.subarray(0, full.length - 840))).toThrow(
      'IDX data: truncated data: dimensions 10x28x28 need 7840 bytes of uint8 after the header, got 7000',
    );
    const f64 = encodeIdx({ dtype: 'float64', dims: [2], data: Float64Array.from([1, 2]) });
    expect(() => parseIdx(f64.subarray(0, f64.length - 1))).toThrow('need 16 bytes of float64 after the header, got 15');
  });

  it('checks element counts when encoding', () => {
    expect(() => encodeIdx({ dtype: 'uint8', dims: [2, 2], data: new Uint8Array(3) })).toThrow(
      new StorageError('IDX encode: dims 2x2 hold 4 elements but data has 3'),
    );
  });
});

describe('images <-> IDX', () => {
  it('stores pixels as round(255 x), within half a grey level', () => {
    const s = tiny(5);
    s.x[0] = 0.5;
    s.x[1] = 1.2; // clamped
    const { images, labels } = imagesToIdx(s);
    expect(images.dims).toEqual([5, 3, 2]);
    expect(images.data[0]).toBe(128);
    expect(images.data[1]).toBe(255);
    const back = idxToImages(images, labels);
    expect(back.labels).toEqual(s.labels);
    for (let i = 2; i < s.x.length; i++) expect(Math.abs(back.x[i] - s.x[i])).toBeLessThanOrEqual(0.5 / 255);
  });

  it('refuses a split whose shape does not hold, naming it (an IDX file no reader takes was written)', () => {
    const s = tiny(3);
    const cases: [Partial<ImageSplit>, string][] = [
      [{ n: 4 }, 'imagesToIdx: split x holds 18 values, not n x height x width = 24'],
      [{ labels: Int32Array.from([1, 2]) }, 'imagesToIdx: split has 2 labels for n = 3 images'],
      [{ height: 0 }, 'imagesToIdx: split height must be a positive integer, got 0'],
      [{ n: 1.5 }, 'imagesToIdx: split n must be a non-negative integer, got 1.5'],
      [{ x: Float32Array.from(s.x, (v, i) => (i === 7 ? NaN : v)) }, 'imagesToIdx: split pixel 7 is NaN'],
      [{ labels: Int32Array.from([1, 300, 2]), numClasses: 1000 }, 'imagesToIdx: split label 300 at index 1 is not an integer from 0 to 255'],
      [{ labels: Int32Array.from([1, 2, 3]), numClasses: 3 }, 'imagesToIdx: split label 3 at index 2 is not an integer from 0 to 2'],
    ];
    for (const [over, message] of cases) {
      expect(() => imagesToIdx({ ...s, ...over })).toThrow(new InvalidOptionError(message, 'split'));
    }
  });

  it('rejects mismatched or out-of-range labels', () => {
    const { images, labels } = imagesToIdx(tiny(4));
    const short: IdxArray = { ...labels, dims: [3], data: labels.data.subarray(0, 3) };
    expect(() => idxToImages(images, short, 10, 'src')).toThrow(new StorageError('src: 3 labels for 4 images'));
    expect(() => idxToImages(images, labels, 2, 'src')).toThrow('src: label 2 at index 2 is not below numClasses (2)');
    expect(() => idxToImages(labels, labels, 10, 'src')).toThrow('src: expected uint8 images with 3 dimensions (magic 0x00000803), got uint8 with 1');
  });
});

describe('IDX files', () => {
  it('writes and reads plain and gzip files; gzip is detected by content', async () => {
    const arr: IdxArray = { dtype: 'uint8', dims: [2, 2, 2], data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    await writeIdx(join(dir, 'a-idx3-ubyte'), arr);
    await writeIdx(join(dir, 'a-idx3-ubyte.gz'), arr);
    const plain = await readFile(join(dir, 'a-idx3-ubyte'));
    const gz = await readFile(join(dir, 'a-idx3-ubyte.gz'));
    expect(Array.from(plain.subarray(0, 4))).toEqual([0, 0, 8, 3]);
    expect(Array.from(gz.subarray(0, 2))).toEqual([0x1f, 0x8b]);
    expect(await readIdx(join(dir, 'a-idx3-ubyte'))).toEqual(arr);
    expect(await readIdx(join(dir, 'a-idx3-ubyte.gz'))).toEqual(arr);
    await copyFile(join(dir, 'a-idx3-ubyte.gz'), join(dir, 'renamed'));
    expect(await readIdx(join(dir, 'renamed'))).toEqual(arr);
  });

  it('names the file in errors: bad magic, truncation, corrupt gzip', async () => {
    const bad = join(dir, 'bad.idx');
    await writeFile(bad, Uint8Array.from([1, 2, 3, 4]));
    await expect(readIdx(bad)).rejects.toThrow(`${bad}: bad magic number 0x01020304`);
    const cut = join(dir, 'cut.idx');
    await writeFile(cut, Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]));
    await expect(readIdx(cut)).rejects.toThrow(`${cut}: truncated data: dimensions 5 need 5 bytes of uint8 after the header, got 2`);
    const corrupt = join(dir, 'corrupt.gz');
    const gz = gzipSync(new Uint8Array(100));
    await writeFile(corrupt, gz.subarray(0, 12));
    await expect(readIdx(corrupt)).rejects.toThrow(`${corrupt}: cannot read IDX file (`);
  });

  it('loadMnistIdx reads a train/t10k pair (plain or gzip) into train/val/test', async () => {
    for (const gzip of [false, true]) {
      const sub = await mkdtemp(join(dir, gzip ? 'gz-' : 'plain-'));
      const train = tiny(20);
      const test = tiny(7);
      await saveMnistIdx(sub, train, test, { gzip });
      const s = await loadMnistIdx(sub, { valFraction: 0.25, seed: 1 });
      expect([s.train.n, s.val.n, s.test.n]).toEqual([15, 5, 7]);
      expect([s.test.height, s.test.width, s.test.numClasses]).toEqual([3, 2, 10]);
      expect(s.test.labels).toEqual(test.labels);
      // train + val hold exactly the training images' labels
      const all = [...s.train.labels, ...s.val.labels].sort((a, b) => a - b);
      expect(all).toEqual([...train.labels].sort((a, b) => a - b));
    }
  });

  it('loadMnistIdx accepts the ".idx3-ubyte" spelling and names missing files', async () => {
    const sub = await mkdtemp(join(dir, 'dots-'));
    const { images, labels } = imagesToIdx(tiny(4));
    await writeIdx(join(sub, 'train-images.idx3-ubyte'), images);
    await writeIdx(join(sub, 'train-labels.idx1-ubyte'), labels);
    await writeIdx(join(sub, 't10k-images.idx3-ubyte'), images);
    await expect(loadMnistIdx(sub)).rejects.toThrow(
      new StorageError(
        `${sub}: no t10k labels file (looked for t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz, t10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz)`,
      ),
    );
    await writeIdx(join(sub, 't10k-labels.idx1-ubyte'), labels);
    const s = await loadMnistIdx(sub, { valFraction: 0 });
    expect([s.train.n, s.val.n, s.test.n]).toEqual([4, 0, 4]);
  });

  it('loadMnistIdx refuses a training file of no image and test images of another size (they loaded as empty or mismatched splits)', async () => {
    const empty = await mkdtemp(join(dir, 'empty-'));
    await saveMnistIdx(empty, tiny(0), tiny(3));
    await expect(loadMnistIdx(empty)).rejects.toThrow(new StorageError(`${empty}: the train images file holds no image`));
    const sizes = await mkdtemp(join(dir, 'sizes-'));
    const wide = { ...tiny(3), x: new Float32Array(3 * 12), width: 4 };
    await saveMnistIdx(sizes, tiny(5), wide);
    await expect(loadMnistIdx(sizes)).rejects.toThrow(new StorageError(`${sizes}: the t10k images are 3x4 but the train images 3x2`));
  });
});

describe('IDX functions refuse what is not their input, typed, and write whole files', () => {
  const refused = async (call: () => unknown, option: string, message: string) => {
    let e: unknown;
    try {
      await call();
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect([(e as InvalidOptionError).message, (e as InvalidOptionError).option]).toEqual([message, option]);
  };
  it('bad arguments are InvalidOptionErrors naming them (they were TypeErrors and RangeErrors)', async () => {
    const arr: IdxArray = { dtype: 'uint8', dims: [2], data: new Uint8Array([1, 2]) };
    await refused(() => writeIdx(5 as never, arr), 'path', 'writeIdx: path: expected a file path (a non-empty string), got 5');
    await refused(() => writeIdx(join(dir, 'a.idx'), arr, null as never), 'options', 'writeIdx: options must be an object, got null');
    await refused(() => writeIdx(join(dir, 'a.idx'), arr, { gzpi: true } as never), 'gzpi', 'option "gzpi": unknown option of writeIdx (known: gzip)');
    await refused(() => encodeIdx({ dtype: 'foo', dims: [1], data: new Uint8Array(1) } as never), 'arr',
      'encodeIdx: arr: unknown dtype "foo" (expected one of uint8, int8, int16, int32, float32, float64)');
    await refused(() => encodeIdx(null as never), 'arr', 'encodeIdx: arr: expected an IDX array { dtype, dims, data }, got null');
    await refused(() => parseIdx(null as never), 'bytes', 'parseIdx: bytes: expected a Uint8Array, got null');
    await refused(() => isGzip(undefined as never), 'bytes', 'isGzip: bytes: expected a Uint8Array, got undefined');
    await refused(() => isGzip([0x1f, 0x8b] as never), 'bytes', 'isGzip: bytes: expected a Uint8Array, got Array');
    await refused(() => idxToImages(null as never, arr), 'images', 'idxToImages: images: expected an IDX array { dtype, dims, data }, got null');
    await refused(() => loadMnistIdx(5 as never), 'dir', 'loadMnistIdx: dir: expected a folder path (a non-empty string), got 5');
    await refused(() => saveMnistIdx(join(dir, 'none'), null as never, null as never), 'split',
      'imagesToIdx: split must be an image split { x, labels, n, height, width, numClasses }, got null');
  });
  it('a folder or a missing parent is a StorageError naming the file; an existing file is replaced whole', async () => {
    const arr: IdxArray = { dtype: 'uint8', dims: [2], data: new Uint8Array([1, 2]) };
    const e = await writeIdx(dir, arr).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(`writeIdx: cannot write ${JSON.stringify(dir)} (EISDIR: it is a folder)`);
    const path = join(dir, 'whole.idx');
    await writeIdx(path, { dtype: 'uint8', dims: [4], data: new Uint8Array([9, 9, 9, 9]) });
    await writeIdx(path, arr);
    expect(await readIdx(path)).toEqual(arr);
  });
});

describe('loadMnistIdx: a folder it cannot look in', () => {
  it('says why it could not look, where a refusal that is no absence was read as a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idx-refused-'));
    try {
      const file = join(dir, 'not-a-folder');
      await writeFile(file, 'x');
      const e = await loadMnistIdx(join(file, 'mnist')).then(() => null, (x: unknown) => x as Error);
      expect(e).toBeInstanceOf(StorageError);
      expect(e!.message).toMatch(/: no train images file \(looked for .*\); ENOTDIR: not a directory/);
      // a folder that is there and lacks the files is still said as before
      const empty = await loadMnistIdx(dir).then(() => null, (x: unknown) => x as Error);
      expect(empty!.message).toBe(`${dir}: no train images file (looked for train-images-idx3-ubyte, train-images-idx3-ubyte.gz, train-images.idx3-ubyte, train-images.idx3-ubyte.gz)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
