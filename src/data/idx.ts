/**
 * The IDX file format of MNIST (LeCun et al.): a big-endian magic number
 * `0x0000TTNN` (TT = element type, NN = number of dimensions), NN big-endian
 * uint32 dimension sizes, then the elements in row-major order, big-endian.
 * MNIST uses 0x00000801 (uint8 labels, 1-D) and 0x00000803 (uint8 images,
 * n x 28 x 28). Pure: no Node modules (gzip is handled by the file loader).
 */
import { InvalidOptionError, StorageError } from '../errors';
import type { ImageSplit } from './types';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX array: `data` holds `prod(dims)` elements, row-major. */
export interface IdxArray {
  dtype: IdxDtype;
  dims: number[];
  data: IdxData;
}

const TYPES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

const CODE: Record<IdxDtype, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

/** What a bad argument was, for messages: its type, or its class. */
function kindOf(v: unknown): string {
  if (v === null || typeof v !== 'object') return v === null ? 'null' : typeof v;
  return (v as object).constructor?.name ?? 'an object';
}

/** Refuses what is not { dtype, dims, data } with a known dtype (they were TypeErrors deep in the encoder). */
function checkIdxArray(arr: unknown, who: string, param: string): asserts arr is IdxArray {
  const a = arr as Partial<IdxArray> | null;
  const bad = (why: string) => new InvalidOptionError(`${who}: ${param}: ${why}`, param);
  if (typeof a !== 'object' || a === null) throw bad(`expected an IDX array { dtype, dims, data }, got ${kindOf(arr)}`);
  if (typeof a.dtype !== 'string' || !(a.dtype in CODE)) throw bad(`unknown dtype ${JSON.stringify(a.dtype) ?? 'undefined'} (expected one of ${Object.keys(CODE).join(', ')})`);
  if (!Array.isArray(a.dims) || !a.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad('dims must be an array of non-negative integers');
  if (!ArrayBuffer.isView(a.data)) throw bad(`data must be a typed array, got ${kindOf(a.data)}`);
}

const hex = (u: number): string => '0x' + u.toString(16).padStart(8, '0');

/**
 * True when the bytes start with the gzip signature 1f 8b.
 * @throws InvalidOptionError naming `bytes` unless it is a Uint8Array (undefined was a TypeError)
 */
export function isGzip(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array)) throw new InvalidOptionError(`isGzip: bytes: expected a Uint8Array, got ${kindOf(bytes)}`, 'bytes');
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decode an IDX file's bytes. Bytes after the declared data are ignored.
 *
 * @param source name used in error messages (e.g. the file path); default `'IDX data'`
 * @throws StorageError on gzip input, a bad magic number, or a header or data section shorter than declared
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new InvalidOptionError(`parseIdx: bytes: expected a Uint8Array, got ${kindOf(bytes)}`, 'bytes');
  if (isGzip(bytes)) throw new StorageError(`${source}: data is gzip-compressed; decompress it first (readIdx does)`);
  if (bytes.length < 4) throw new StorageError(`${source}: truncated: ${bytes.length} bytes, too short for the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = TYPES[bytes[2]];
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || ndims === 0) {
    throw new StorageError(
      `${source}: bad magic number ${hex(magic)} (expected 0x00000801 for labels, 0x00000803 for images, or another 0x0000TTNN IDX header)`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new StorageError(`${source}: truncated header: ${ndims} dimensions need ${headerBytes} bytes, got ${bytes.length}`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    dims.push(view.getUint32(4 + 4 * i, false));
    count *= dims[i];
  }
  const need = count * type.bytes;
  if (bytes.length - headerBytes < need) {
    throw new StorageError(
      `${source}: truncated data: dimensions ${dims.join('x')} need ${need} bytes of ${type.dtype} after the header, got ${bytes.length - headerBytes}`,
    );
  }
  const start = headerBytes;
  let data: IdxData;
  switch (type.dtype) {
    case 'uint8':
      // copy into a plain Uint8Array (a Node Buffer's slice would be a view into its pool)
      data = new Uint8Array(bytes.subarray(start, start + count));
      break;
    case 'int8':
      data = Int8Array.from(new Int8Array(bytes.buffer, bytes.byteOffset + start, count));
      break;
    case 'int16':
      data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(start + 2 * i, false);
      break;
    case 'int32':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(start + 4 * i, false);
      break;
    case 'float32':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(start + 4 * i, false);
      break;
    case 'float64':
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(start + 8 * i, false);
      break;
  }
  return { dtype: type.dtype, dims, data };
}

/**
 * Encode an array as IDX bytes (uncompressed).
 *
 * @throws StorageError when `data.length` differs from the product of `dims` or there are more than 255 dimensions
 */
export function encodeIdx(arr: IdxArray): Uint8Array {
  checkIdxArray(arr, 'encodeIdx', 'arr');
  const { dtype, dims, data } = arr;
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.length === 0 || dims.length > 255) throw new StorageError(`IDX encode: need 1 to 255 dimensions, got ${dims.length}`);
  if (data.length !== count) throw new StorageError(`IDX encode: dims ${dims.join('x')} hold ${count} elements but data has ${data.length}`);
  const width = TYPES[CODE[dtype]].bytes;
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * width);
  const view = new DataView(out.buffer);
  view.setUint32(0, (CODE[dtype] << 8) | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const at = header + width * i;
    switch (dtype) {
      case 'uint8':
        view.setUint8(at, data[i]);
        break;
      case 'int8':
        view.setInt8(at, data[i]);
        break;
      case 'int16':
        view.setInt16(at, data[i], false);
        break;
      case 'int32':
        view.setInt32(at, data[i], false);
        break;
      case 'float32':
        view.setFloat32(at, data[i], false);
        break;
      case 'float64':
        view.setFloat64(at, data[i], false);
        break;
    }
  }
  return out;
}

/**
 * MNIST-style IDX arrays (uint8 `n x h x w` images scaled by 255, rounded,
 * pixels outside [0, 1] clamped; uint8 labels) of an image split.
 * @throws InvalidOptionError naming `split` when its shape does not hold
 *   (`x` not `n x height x width` values, `labels` not `n`), a pixel is NaN,
 *   or a label is not an integer below `numClasses` and 256
 */
export function imagesToIdx(split: ImageSplit): { images: IdxArray; labels: IdxArray } {
  checkSplit(split);
  const px = new Uint8Array(split.x.length);
  for (let i = 0; i < px.length; i++) px[i] = Math.round(Math.min(1, Math.max(0, split.x[i])) * 255);
  return {
    images: { dtype: 'uint8', dims: [split.n, split.height, split.width], data: px },
    labels: { dtype: 'uint8', dims: [split.n], data: Uint8Array.from(split.labels) },
  };
}

/**
 * An {@link ImageSplit} from MNIST-style IDX arrays: uint8 images `n x h x w`
 * (scaled to [0, 1] by /255) and uint8 labels `n`.
 *
 * @param source name used in error messages; default `'IDX data'`
 * @throws StorageError when the arrays have the wrong type or shape, their counts differ, or a label is not below `numClasses`
 */
export function idxToImages(images: IdxArray, labels: IdxArray, numClasses = 10, source = 'IDX data'): ImageSplit {
  checkIdxArray(images, 'idxToImages', 'images');
  checkIdxArray(labels, 'idxToImages', 'labels');
  if (images.dtype !== 'uint8' || images.dims.length !== 3) {
    throw new StorageError(
      `${source}: expected uint8 images with 3 dimensions (magic 0x00000803), got ${images.dtype} with ${images.dims.length}`,
    );
  }
  if (labels.dtype !== 'uint8' || labels.dims.length !== 1) {
    throw new StorageError(
      `${source}: expected uint8 labels with 1 dimension (magic 0x00000801), got ${labels.dtype} with ${labels.dims.length}`,
    );
  }
  const [n, height, width] = images.dims;
  if (labels.dims[0] !== n) throw new StorageError(`${source}: ${labels.dims[0]} labels for ${n} images`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (labels.data[i] >= numClasses) throw new StorageError(`${source}: label ${labels.data[i]} at index ${i} is not below numClasses (${numClasses})`);
    out[i] = labels.data[i];
  }
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return { x, labels: out, n, height, width, numClasses };
}

/** imagesToIdx's checks: a split whose counts disagree was written as an IDX file no reader takes. */
function checkSplit(split: ImageSplit): void {
  const bad = (why: string) => new InvalidOptionError(`imagesToIdx: split ${why}`, 'split');
  if (typeof split !== 'object' || split === null) throw bad(`must be an image split { x, labels, n, height, width, numClasses }, got ${kindOf(split)}`);
  if (!ArrayBuffer.isView(split.x) || !ArrayBuffer.isView(split.labels)) throw bad('must hold x and labels as typed arrays');
  const { n, height, width, x, labels, numClasses } = split;
  for (const [k, v] of [['n', n], ['height', height], ['width', width]] as const) {
    if (!(Number.isInteger(v) && v >= (k === 'n' ? 0 : 1))) throw bad(`${k} must be ${k === 'n' ? 'a non-negative' : 'a positive'} integer, got ${v}`);
  }
  if (x.length !== n * height * width) throw bad(`x holds ${x.length} values, not n x height x width = ${n * height * width}`);
  if (labels.length !== n) throw bad(`has ${labels.length} labels for n = ${n} images`);
  const i = x.findIndex((v) => Number.isNaN(v));
  if (i >= 0) throw bad(`pixel ${i} is NaN`);
  const top = Math.min(numClasses, 256);
  const j = labels.findIndex((l) => !(Number.isInteger(l) && l >= 0 && l < top));
  if (j >= 0) throw bad(`label ${labels[j]} at index ${j} is not an integer from 0 to ${top - 1}`);
}
