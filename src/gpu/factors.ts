/**
 * Packing the float64 posterior factors into the f32 layouts the kernels
 * read, and uploading them into pooled buffers.
 */
import { InvalidOptionError } from '../errors';
import type { PosteriorFactors } from '../gp/types';
import type { BufferPool, PooledBuffer } from './buffer-pool';
import { STORAGE_USAGE } from './constants';
import { TILE } from './programs';

/** Padded sizes of one posterior (see posterior.wgsl). */
export interface FactorShape {
  n: number;
  d: number;
  /** columns of K and A: n rounded up to TK (at least TK) */
  nPad: number;
  /** rows of the padded Linv: n rounded up to TN (at least TN) */
  nA: number;
  /** nA / TN */
  nBlocks: number;
}

export function factorShape(n: number, d: number): FactorShape {
  const nPad = Math.max(TILE.TK, Math.ceil(n / TILE.TK) * TILE.TK);
  const nA = Math.max(1, Math.ceil(n / TILE.TN)) * TILE.TN;
  return { n, d, nPad, nA, nBlocks: nA / TILE.TN };
}

/** Throws InvalidOptionError when the arrays of `f` do not match n and d. */
export function checkFactors(f: PosteriorFactors): void {
  const { n, d } = f;
  const bad = (what: string): never => {
    throw new InvalidOptionError(`factors: ${what}`, 'factors');
  };
  if (!Number.isInteger(n) || n < 0) bad(`n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(d) || d < 1) bad(`d must be a positive integer, got ${d}`);
  if (f.X.length < n * d) bad(`X has ${f.X.length} entries, expected n x d = ${n * d}`);
  if (f.lengthscales.length < d) bad(`lengthscales has ${f.lengthscales.length} entries, expected d = ${d}`);
  if (f.alpha.length < n) bad(`alpha has ${f.alpha.length} entries, expected n = ${n}`);
  if (f.Linv.length < n * n) bad(`Linv has ${f.Linv.length} entries, expected n x n = ${n * n}`);
}

/** Linv zero-padded to `nA x nPad` row-major f32 (lower triangular), in `out` when given (zero-filled). */
export function packLinv(f: PosteriorFactors, s: FactorShape, out?: Float32Array): Float32Array {
  const a = out ?? new Float32Array(s.nA * s.nPad);
  const n = f.n;
  const Linv = f.Linv; // a lazy getter on the GP's factors: read once
  // set() converts a row to f32 natively: about 10x faster than an element loop at n = 1,024
  for (let i = 0; i < n; i++) a.set(Linv.subarray(i * n, i * n + i + 1), i * s.nPad);
  return a;
}

/** alpha zero-padded to `nPad` f32. */
export function packAlpha(f: PosteriorFactors, s: FactorShape): Float32Array {
  const a = new Float32Array(s.nPad);
  for (let j = 0; j < f.n; j++) a[j] = f.alpha[j];
  return a;
}

/** Training inputs divided by the lengthscales, `nPad x d` row-major f32 (padding rows 0). */
export function packScaledX(f: PosteriorFactors, s: FactorShape): Float32Array {
  const x = new Float32Array(s.nPad * f.d);
  for (let i = 0; i < f.n; i++) {
    for (let q = 0; q < f.d; q++) x[i * f.d + q] = f.X[i * f.d + q] / f.lengthscales[q];
  }
  return x;
}

export function packInverseLengthscales(f: PosteriorFactors): Float32Array {
  return Float32Array.from({ length: f.d }, (_, q) => 1 / f.lengthscales[q]);
}

/** Factors resident on the device for one proposal or evaluation. */
export interface UploadedFactors {
  shape: FactorShape;
  kernelCode: number;
  signalVariance: number;
  /** padded Linv, nA x nPad */
  linv: PooledBuffer;
  /** padded alpha, nPad */
  alpha: PooledBuffer;
  /** scaled training inputs, nPad x d */
  xs: PooledBuffer;
  /** 1 / lengthscales, d */
  invLs: PooledBuffer;
}

/** Writes `data` into a pooled storage buffer. */
export function uploadArray(device: GPUDevice, pool: BufferPool, data: Float32Array | Uint32Array, label: string): PooledBuffer {
  const buf = pool.acquire(Math.max(data.byteLength, 16), STORAGE_USAGE, label);
  if (data.byteLength > 0) device.queue.writeBuffer(buf.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buf;
}

export function uploadFactors(device: GPUDevice, pool: BufferPool, f: PosteriorFactors): UploadedFactors {
  checkFactors(f);
  const shape = factorShape(f.n, f.d);
  return {
    shape,
    kernelCode: f.kernel === 'rbf' ? 1 : 0,
    signalVariance: f.signalVariance,
    linv: uploadArray(device, pool, packLinv(f, shape, pool.hostScratch(shape.nA * shape.nPad)), 'Linv'),
    alpha: uploadArray(device, pool, packAlpha(f, shape), 'alpha'),
    xs: uploadArray(device, pool, packScaledX(f, shape), 'scaled inputs'),
    invLs: uploadArray(device, pool, packInverseLengthscales(f), 'inverse lengthscales'),
  };
}

export function releaseFactors(pool: BufferPool, u: UploadedFactors): void {
  pool.release(u.linv, u.alpha, u.xs, u.invLs);
}
