/**
 * Single kernels run on their own: each call compiles (once per device),
 * uploads, dispatches, reads back and frees its buffers. Used by the parity
 * tests and handy for demos; the engine chains the same programs without
 * round trips.
 */
import type { AcquisitionSpec } from '../acquisition/functions';
import type { KernelName } from '../gp/kernels';
import type { DimLayout } from '../space/types';
import { BufferPool, type PooledBuffer } from './buffer-pool';
import { MAP_MODE_READ, READBACK_USAGE, STORAGE_USAGE } from './constants';
import { factorShape, uploadArray } from './factors';
import {
  ACQUISITION, CROSS_COVARIANCE, GATHER_CENTRES, GRAM, ROUND_ONE, ROUND_TWO, TILE, TOPK_PAIRS, TOPK_SCORES,
  type KernelProgram,
} from './programs';
import { packKronecker, packLayout } from './propose';
import { captureErrors, preparePrograms, Recorder } from './runner';
import { acquisitionCode, recordTopKReduce, topkGroups, type ScoreMode } from './scoring';

type Build = (rec: Recorder, pool: BufferPool, put: (data: Float32Array | Uint32Array) => PooledBuffer,
  make: (bytes: number) => PooledBuffer) => PooledBuffer[];

/** Records with `build`, submits, and returns a copy of each buffer it names, in order. */
async function oneShot(device: GPUDevice, programs: KernelProgram[], build: Build): Promise<ArrayBuffer[]> {
  await preparePrograms(device, programs);
  const pool = new BufferPool(device);
  try {
    const { value, errors } = captureErrors(device, () => {
      const rec = new Recorder(device, pool);
      const outs = build(rec, pool,
        (data) => uploadArray(device, pool, data, 'input'),
        (bytes) => pool.acquire(bytes, STORAGE_USAGE, 'output'));
      const total = outs.reduce((s, o) => s + o.bytes, 0);
      const staging = pool.acquire(total, READBACK_USAGE, 'readback');
      let at = 0;
      for (const o of outs) {
        rec.copy(o.buffer, 0, staging.buffer, at, o.bytes);
        at += o.bytes;
      }
      rec.submit('kernel');
      return { staging, outs, total };
    });
    try {
      await value.staging.buffer.mapAsync(MAP_MODE_READ, 0, value.total);
    } catch (err) {
      await errors;
      throw err;
    }
    await errors;
    const all = value.staging.buffer.getMappedRange(0, value.total).slice(0);
    value.staging.buffer.unmap();
    let at = 0;
    return value.outs.map((o) => {
      const part = all.slice(at, at + o.bytes);
      at += o.bytes;
      return part;
    });
  } finally {
    pool.dispose();
  }
}

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
const kernelCode = (k: KernelName) => (k === 'rbf' ? 1 : 0);

/**
 * Gram matrix K(X, X) + noise I on the GPU (gram.wgsl).
 * @param X `n x d` row-major
 * @returns `n x n` row-major f32
 */
export async function gramMatrixGpu(
  device: GPUDevice, kernel: KernelName, X: ArrayLike<number>, n: number, d: number,
  lengthscales: ArrayLike<number>, signalVariance: number, noiseVariance: number,
): Promise<Float32Array> {
  const [k] = await oneShot(device, [GRAM], (rec, _pool, put, make) => {
    const out = make(n * n * 4);
    rec.dispatch(GRAM, { n, d, kernel: kernelCode(kernel), signalVariance, noiseVariance },
      { 1: put(f32(X)), 2: put(f32(Array.from({ length: d }, (_, q) => 1 / lengthscales[q]))), 3: out },
      [Math.ceil(n / 16), Math.ceil(n / 16), 1]);
    return [out];
  });
  return new Float32Array(k);
}

/**
 * Cross-covariance K(C, X) on the GPU (cross-covariance.wgsl).
 * @param C `m x d` row-major candidates
 * @param X `n x d` row-major training inputs
 * @returns `m x n` row-major f32
 */
export async function crossCovarianceGpu(
  device: GPUDevice, kernel: KernelName, C: ArrayLike<number>, m: number, X: ArrayLike<number>, n: number,
  d: number, lengthscales: ArrayLike<number>, signalVariance: number,
): Promise<Float32Array> {
  const s = factorShape(n, d);
  const [k] = await oneShot(device, [CROSS_COVARIANCE], (rec, _pool, put, make) => {
    const xs = new Float32Array(s.nPad * d);
    for (let i = 0; i < n * d; i++) xs[i] = X[i] / lengthscales[i % d];
    const out = make(m * s.nPad * 4);
    rec.dispatch(CROSS_COVARIANCE,
      { count: m, n, nPad: s.nPad, d, kernel: kernelCode(kernel), signalVariance },
      { 1: put(f32(C)), 2: put(xs), 3: put(f32(Array.from({ length: d }, (_, q) => 1 / lengthscales[q]))), 4: out },
      [Math.ceil(s.nPad / TILE.CROSS), Math.ceil(m / TILE.CROSS), 1]);
    return [out];
  });
  const padded = new Float32Array(k);
  const res = new Float32Array(m * n);
  for (let c = 0; c < m; c++) res.set(padded.subarray(c * s.nPad, c * s.nPad + n), c * n);
  return res;
}

/**
 * Acquisition of `m` (mean, variance) pairs on the GPU (acquisition.wgsl).
 * `mode` 'rank' gives log EI for EI and log PI for PI, 'value' the plain values.
 * Any `m`: past the device's workgroups per dispatch (65,535 x 256 pairs at
 * the default limit) the pairs go in several calls.
 */
export async function acquisitionGpu(
  device: GPUDevice, mean: ArrayLike<number>, variance: ArrayLike<number>, m: number,
  spec: AcquisitionSpec, best: number, mode: ScoreMode = 'value',
): Promise<Float32Array> {
  const res = new Float32Array(m);
  for (const [at, count] of spans(m, device.limits.maxComputeWorkgroupsPerDimension * TILE.LINEAR)) {
    const part = (a: ArrayLike<number>) => Float32Array.from({ length: count }, (_, i) => a[at + i]);
    const [s] = await oneShot(device, [ACQUISITION], (rec, _pool, put, make) => {
      const out = make(count * 4);
      rec.dispatch(ACQUISITION, { count, kind: acquisitionCode(spec, mode), best, xi: spec.xi, kappa: spec.kappa },
        { 1: put(part(mean)), 2: put(part(variance)), 3: out }, [Math.ceil(count / TILE.LINEAR), 1, 1]);
      return [out];
    });
    res.set(new Float32Array(s, 0, count), at);
  }
  return res;
}

/** `[start, count]` spans of at most `per` covering 0..total-1; one empty span for total 0 (a dispatch of none). */
function spans(total: number, per: number): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 0; at < total; at += per) out.push([at, Math.min(per, total - at)]);
  return out.length ? out : [[0, 0]];
}

/**
 * The k (<= 16) best of `m` scores on the GPU (topk.wgsl), best first, ties to
 * the lower index, NaN never chosen; fewer than k entries when fewer are valid.
 */
export async function topKGpu(device: GPUDevice, scores: ArrayLike<number>, k: number): Promise<{ score: number; index: number }[]> {
  if (!(Number.isInteger(k) && k >= 1 && k <= TILE.MAX_K)) throw new RangeError(`k must be 1..${TILE.MAX_K}, got ${k}`);
  const m = scores.length;
  const [buf] = await oneShot(device, [TOPK_SCORES, TOPK_PAIRS], (rec, pool, put, make) => {
    const groups = topkGroups(m);
    const pairs = make(groups * k * 8);
    rec.dispatch(TOPK_SCORES, { count: m, base: 0, k, outBase: 0 }, { 1: put(f32(scores)), 3: pairs }, [groups, 1, 1]);
    const result = make(k * 8);
    recordTopKReduce(rec, pool, pairs, groups * k, k, result, []);
    return [result];
  });
  const v = new DataView(buf);
  const out: { score: number; index: number }[] = [];
  for (let i = 0; i < k; i++) {
    const index = v.getUint32(8 * i + 4, true);
    if (index !== 0xffffffff) out.push({ score: v.getFloat32(8 * i, true), index });
  }
  return out;
}

export interface CandidatesGpuOptions {
  seed: number;
  d: number;
  /** `nIncumbents x d` row-major */
  incumbents: ArrayLike<number>;
  nIncumbents: number;
  layout: readonly DimLayout[];
  /** round-1 points 0..m1-1 to generate */
  m1: number;
  /** round-2 points 0..m2-1 to generate around the round-1 points `centres` (indices, best first) */
  m2?: number;
  centres?: readonly number[];
}

/**
 * Snapped candidates generated on the GPU (candidates.wgsl): round 1
 * (`m1 x d`), and optionally round 2 (`m2 x d`) around given round-1 points.
 */
export async function candidatesGpu(
  device: GPUDevice, o: CandidatesGpuOptions,
): Promise<{ round1: Float32Array; round2: Float32Array }> {
  const { d, m1 } = o;
  const m2 = o.m2 ?? 0;
  const t = o.centres?.length ?? 0;
  if (t > TILE.MAX_K) throw new RangeError(`at most ${TILE.MAX_K} centres, got ${t}`);
  const k = Math.max(1, t);
  const [r1, r2] = await oneShot(device, [ROUND_ONE, ROUND_TWO, GATHER_CENTRES], (rec, _pool, put, make) => {
    const base = { seed: o.seed >>> 0, d, nInc: o.nIncumbents, nLayout: o.layout.length, k, pad: 0 };
    const kron = put(packKronecker(o.seed >>> 0, d));
    const inc = put(f32(Array.from({ length: Math.max(1, o.nIncumbents * d) }, (_, i) => o.incumbents[i] ?? 0)));
    const specs = put(new Uint32Array(packLayout(o.layout)));
    const top = new DataView(new ArrayBuffer(k * 8));
    for (let r = 0; r < k; r++) top.setUint32(8 * r + 4, r < t ? o.centres![r] : 0xffffffff, true);
    const topBuf = put(new Uint32Array(top.buffer));
    const centres = make(k * d * 4);
    const out1 = make(Math.max(1, m1) * d * 4);
    const out2 = make(Math.max(1, m2) * d * 4);
    // past the workgroups one dispatch may have, several, each from its offset into the round
    // (the shader writes its points from 0: each goes to a buffer of its own, copied into place)
    const per = device.limits.maxComputeWorkgroupsPerDimension * TILE.CANDIDATES;
    const round = (program: KernelProgram, count: number, binds: Record<number, PooledBuffer>, out: PooledBuffer) => {
      for (const [at, n] of spans(count, per)) {
        const dst = count > per ? make(n * d * 4) : out;
        rec.dispatch(program, { ...base, count: n, offset: at }, { ...binds, 6: dst }, [Math.ceil(n / TILE.CANDIDATES), 1, 1]);
        if (dst !== out) rec.copy(dst.buffer, 0, out.buffer, at * d * 4, n * d * 4);
      }
    };
    round(ROUND_ONE, m1, { 1: kron, 2: inc, 3: specs }, out1);
    rec.dispatch(GATHER_CENTRES, { ...base, count: k, offset: 0 },
      { 1: kron, 2: inc, 3: specs, 4: topBuf, 5: centres }, [1, 1, 1]);
    round(ROUND_TWO, m2, { 3: specs, 4: topBuf, 5: centres }, out2);
    return [out1, out2];
  });
  return { round1: new Float32Array(r1, 0, m1 * d), round2: new Float32Array(r2, 0, m2 * d) };
}
