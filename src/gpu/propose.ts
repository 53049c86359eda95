/**
 * One acquisition maximization on the GPU: both candidate rounds of
 * src/acquisition/candidates.ts, generated, scored and reduced on the device
 * in one command buffer. Only the round-1 top-k pairs, the round-2 winner and
 * their coordinates are read back.
 */
import { log } from '../util/math';
import {
  kroneckerAlphas, randU32, REFINE_TOP, roundSizes, STREAM_SHIFT,
} from '../acquisition/candidates';
import type { ProposeRequest } from '../acquisition/engine';
import { isFixedFloat } from '../space/encode';
import { levelCount } from '../space/steps';
import type { DimLayout } from '../space/types';
import type { BufferPool, PooledBuffer } from './buffer-pool';
import { MAP_MODE_READ, READBACK_USAGE, STORAGE_USAGE } from './constants';
import { uploadArray, uploadFactors } from './factors';
import {
  GATHER_CENTRES, GATHER_ROUND_TWO, ROUND_ONE, ROUND_TWO, TILE, TOPK_SCORES, type PosteriorShape,
} from './programs';
import { captureErrors, Recorder } from './runner';
import {
  acquireScoringWork, acquisitionCode, chunkSize, recordScoring, recordTopKReduce, topkGroups,
} from './scoring';

/** What comes back from the device for one proposal. */
export interface GpuProposal {
  /** round-1 top pairs (best first); index 0xffffffff marks an empty slot */
  top1: { score: number; index: number }[];
  /** round-2 top pairs (best first; empty slots as in top1), or null when round 2 is empty */
  top2: { score: number; index: number }[] | null;
  /** `top1.length x d` snapped round-1 points (f32), the refinement centres */
  centres: Float32Array;
  /** `top2.length x d` snapped round-2 finalists (f32) */
  winner2: Float32Array;
  m1: number;
  m2: number;
  /** candidates whose exact variance was computed (m1 + m2 unless screened; screened, at most it) */
  exact: number;
  /** screened: each round's pilot and surviving candidates */
  screened?: { pilots: [number, number]; survivors: [number, number] };
  /** ms spent packing and uploading the factors, recording+submitting and waiting, and reading back */
  uploadMs: number;
  scoringMs: number;
  readbackMs: number;
}

export const INVALID_INDEX = 0xffffffff;

/**
 * Round-2 points read back with their f32 scores (the round-1 top-k come back as the centres):
 * the engine rescores these finalists in float64 and takes the best, so a ranking that f32
 * rounding got wrong among close scores is put right.
 */
export const ROUND_TWO_FINALISTS = 4;

/** Round 1's and round 2's kept pairs at `m1` and `m2` candidates. */
export function keptPairs(m1: number, m2: number): { k1: number; k2: number } {
  return { k1: Math.min(REFINE_TOP, m1), k2: Math.max(1, Math.min(ROUND_TWO_FINALISTS, m2)) };
}

/** Snap specs (8 words each) as candidates.wgsl's SnapSpec. */
export function packLayout(layout: readonly DimLayout[]): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(32, layout.length * 32));
  const v = new DataView(buf);
  layout.forEach((p, i) => {
    const o = i * 32;
    // a fixed float (low == high) snaps as the integer range [0, 0]: to its slice centre, FIXED_UNIT
    const fixed = isFixedFloat(p);
    const kind = p.kind === 'continuous' && !fixed ? 0 : p.kind === 'categorical' ? 2 : 1;
    v.setUint32(o, kind, true);
    v.setUint32(o + 4, p.dim, true);
    v.setUint32(o + 8, p.kind === 'categorical' ? p.size : 1, true);
    if (fixed) {
      v.setFloat32(o + 24, -0.5, true);
      v.setFloat32(o + 28, 0.5, true); // low, high and log stay 0
    } else if (p.kind === 'integer' && p.step !== undefined) {
      // a grid with a step snaps in level units: level k owns the same slice of u as low + k step
      const n = levelCount(p);
      v.setFloat32(o + 20, n - 1, true);
      v.setFloat32(o + 24, -0.5, true);
      v.setFloat32(o + 28, n - 0.5, true); // low 0, log 0
    } else if (p.kind === 'integer') {
      const a = p.low - 0.5;
      const b = p.high + 0.5;
      v.setUint32(o + 12, p.log ? 1 : 0, true);
      v.setFloat32(o + 16, p.low, true);
      v.setFloat32(o + 20, p.high, true);
      v.setFloat32(o + 24, p.log ? log(a) : a, true);
      v.setFloat32(o + 28, p.log ? log(b) : b, true);
    }
  });
  return buf;
}

/** Kronecker generators then random shifts, 2d uint32 (see candidates.ts). */
export function packKronecker(seed: number, d: number): Uint32Array {
  const out = new Uint32Array(2 * d);
  out.set(kroneckerAlphas(d), 0);
  for (let j = 0; j < d; j++) out[d + j] = randU32(seed, STREAM_SHIFT, j);
  return out;
}

/**
 * Records and runs one proposal; resolves once the results are read back.
 * `chunkBytes` bounds the cross-covariance block scored per dispatch set.
 */
export async function runProposal(
  device: GPUDevice, pool: BufferPool, req: ProposeRequest, chunkBytes: number,
  posteriorShape: PosteriorShape,
): Promise<GpuProposal> {
  const f = req.factors;
  const d = f.d;
  const { m1, m2 } = roundSizes(Math.max(1, Math.floor(req.candidates)));
  const { k1, k2 } = keptPairs(m1, m2);
  const temps: (PooledBuffer | null)[] = [];
  const take = (b: PooledBuffer): PooledBuffer => (temps.push(b), b);

  let uploadMs = 0;
  try {
    void f.Linv; // built lazily by the GP: computed before the clock starts, so upload times only the upload
    const tStart = performance.now();
    const { value: readback, errors } = captureErrors(device, () => recordAll());
    try {
      await readback.staging.buffer.mapAsync(MAP_MODE_READ, 0, readback.total);
    } catch (err) {
      await errors;
      throw err;
    }
    await errors;
    const tMapped = performance.now();
    const { staging, total, offs } = readback;
    const bytes = staging.buffer.getMappedRange(0, total).slice(0);
    staging.buffer.unmap();
    const readbackMs = performance.now() - tMapped;
    const scoringMs = tMapped - tStart - uploadMs;
    return { ...parseReadback(bytes, offs, k1, k2, d, m2), m1, m2, exact: m1 + m2, uploadMs, scoringMs, readbackMs };
  } finally {
    pool.release(...temps);
  }

  function recordAll() {
    const b = proposalBuffers(device, pool, req, chunkBytes, posteriorShape, take);
    uploadMs = b.uploadMs;
    const { kron, inc, specs, points, score, top1, top2, centres, winner2, fx, work, chunk, gpc, acq, base, targets } = b;
    const rec = new Recorder(device, pool);

    // Round 1: every chunk leaves its workgroups' top-k pairs in its own slot of pairs1.
    const chunks1 = Math.ceil(m1 / chunk);
    const pairs1 = take(pool.acquire(chunks1 * gpc * k1 * 8, STORAGE_USAGE, 'round-1 pairs'));
    for (let ci = 0; ci < chunks1; ci++) {
      const offset = ci * chunk;
      const count = Math.min(chunk, m1 - offset);
      rec.dispatch(ROUND_ONE, { ...base, count, offset }, { 1: kron, 2: inc, 3: specs, 6: points },
        [Math.ceil(count / TILE.CANDIDATES), 1, 1]);
      recordScoring(rec, fx, work, count, targets, acq);
      rec.dispatch(TOPK_SCORES, { count, base: offset, k: k1, outBase: ci * gpc * k1 },
        { 1: score, 3: pairs1 }, [gpc, 1, 1]);
    }
    recordTopKReduce(rec, pool, pairs1, chunks1 * gpc * k1, k1, top1, temps as PooledBuffer[]);
    rec.dispatch(GATHER_CENTRES, { ...base, count: k1, offset: 0 },
      { 1: kron, 2: inc, 3: specs, 4: top1, 5: centres }, [1, 1, 1]);

    // Round 2: refinements around the round-1 winners.
    if (m2 > 0) {
      const chunks2 = Math.ceil(m2 / chunk);
      const pairs2 = take(pool.acquire(chunks2 * gpc * k2 * 8, STORAGE_USAGE, 'round-2 pairs'));
      for (let ci = 0; ci < chunks2; ci++) {
        const offset = ci * chunk;
        const count = Math.min(chunk, m2 - offset);
        rec.dispatch(ROUND_TWO, { ...base, count, offset }, { 3: specs, 4: top1, 5: centres, 6: points },
          [Math.ceil(count / TILE.CANDIDATES), 1, 1]);
        recordScoring(rec, fx, work, count, targets, acq);
        rec.dispatch(TOPK_SCORES, { count, base: offset, k: k2, outBase: ci * gpc * k2 },
          { 1: score, 3: pairs2 }, [gpc, 1, 1]);
      }
      recordTopKReduce(rec, pool, pairs2, chunks2 * gpc * k2, k2, top2, temps as PooledBuffer[]);
      rec.dispatch(GATHER_ROUND_TWO, { ...base, count: k2, offset: 0 },
        { 3: specs, 4: top1, 5: centres, 6: winner2, 7: top2 }, [1, 1, 1]);
    }

    // One readback: top1 | top2 | centres | winner2.
    const { staging, total, offs } = recordReadback(rec, pool, b, k1, k2, d, take);
    temps.push(rec.submit('propose'));
    return { staging, total, offs };
  }
}

/** The buffers and settings every proposal records with (uploads timed in `uploadMs`). */
export function proposalBuffers(
  device: GPUDevice, pool: BufferPool, req: ProposeRequest, chunkBytes: number, posteriorShape: PosteriorShape,
  take: (b: PooledBuffer) => PooledBuffer,
) {
  const f = req.factors;
  const d = f.d;
  const seed = req.seed >>> 0;
  const { m1, m2 } = roundSizes(Math.max(1, Math.floor(req.candidates)));
  const { k1, k2 } = keptPairs(m1, m2);
  const nInc = req.nIncumbents;
  const tUp = performance.now();
  const fx = uploadFactors(device, pool, f);
  const uploadMs = performance.now() - tUp;
  take(fx.linv); take(fx.alpha); take(fx.xs); take(fx.invLs);
  const chunk = chunkSize(Math.max(m1, m2), fx.shape, device.limits, chunkBytes);
  const work = acquireScoringWork(pool, chunk, fx.shape, posteriorShape);
  take(work.kmat); take(work.partial);
  const points = take(pool.acquire(chunk * d * 4, STORAGE_USAGE, 'candidates'));
  const targets = {
    points,
    mean: take(pool.acquire(chunk * 4, STORAGE_USAGE, 'mean')),
    variance: take(pool.acquire(chunk * 4, STORAGE_USAGE, 'variance')),
    score: take(pool.acquire(chunk * 4, STORAGE_USAGE, 'score')),
  };
  return {
    fx, work, chunk, gpc: topkGroups(chunk), uploadMs, targets, points, score: targets.score,
    kron: take(uploadArray(device, pool, packKronecker(seed, d), 'kronecker')),
    inc: take(uploadArray(device, pool, Float32Array.from(req.incumbents.subarray(0, nInc * d)), 'incumbents')),
    specs: take(uploadArray(device, pool, new Uint32Array(packLayout(req.layout)), 'snap specs')),
    top1: take(pool.acquire(k1 * 8, STORAGE_USAGE, 'round-1 top')),
    // no round-2 finalist until one is written
    top2: take(uploadArray(device, pool, new Uint32Array(2 * k2).map((_, i) => (i % 2 === 1 ? INVALID_INDEX : 0)), 'round-2 top')),
    centres: take(pool.acquire(k1 * d * 4, STORAGE_USAGE, 'centres')),
    winner2: take(uploadArray(device, pool, new Float32Array(k2 * d), 'round-2 finalists')),
    acq: {
      code: acquisitionCode(req.acquisition, 'rank'), best: req.best,
      xi: req.acquisition.xi, kappa: req.acquisition.kappa,
    },
    base: { seed, d, nInc, nLayout: req.layout.length, k: k1, pad: 0 },
  };
}

/** Copies top1 | top2 | centres | winner2 into one readback buffer: its size and offsets. */
export function recordReadback(
  rec: Recorder, pool: BufferPool, b: ReturnType<typeof proposalBuffers>, k1: number, k2: number, d: number,
  take: (b: PooledBuffer) => PooledBuffer,
): { staging: PooledBuffer; total: number; offs: number[] } {
  const sizes = [k1 * 8, k2 * 8, k1 * d * 4, k2 * d * 4];
  const offs = [0, sizes[0], sizes[0] + sizes[1], sizes[0] + sizes[1] + sizes[2]];
  const total = offs[3] + sizes[3];
  const staging = take(pool.acquire(total, READBACK_USAGE, 'readback'));
  rec.copy(b.top1.buffer, 0, staging.buffer, offs[0], sizes[0]);
  rec.copy(b.top2.buffer, 0, staging.buffer, offs[1], sizes[1]);
  rec.copy(b.centres.buffer, 0, staging.buffer, offs[2], sizes[2]);
  rec.copy(b.winner2.buffer, 0, staging.buffer, offs[3], sizes[3]);
  return { staging, total, offs };
}

/** The proposal's results from the readback bytes (offsets of recordReadback). */
export function parseReadback(bytes: ArrayBuffer, offs: number[], k1: number, k2: number, d: number, m2: number) {
  const view = new DataView(bytes);
  const pair = (o: number) => ({ score: view.getFloat32(o, true), index: view.getUint32(o + 4, true) });
  return {
    top1: Array.from({ length: k1 }, (_, i) => pair(offs[0] + 8 * i)),
    top2: m2 > 0 ? Array.from({ length: k2 }, (_, i) => pair(offs[1] + 8 * i)) : null,
    centres: new Float32Array(bytes, offs[2], k1 * d),
    winner2: new Float32Array(bytes, offs[3], k2 * d),
  };
}

/** Reads `total` bytes of a mapped-for-read staging buffer once `errors` (of its submission) settle. */
export async function readStaging(staging: PooledBuffer, total: number, errors: Promise<void>): Promise<ArrayBuffer> {
  try {
    await staging.buffer.mapAsync(MAP_MODE_READ, 0, total);
  } catch (err) {
    await errors;
    throw err;
  }
  await errors;
  const bytes = staging.buffer.getMappedRange(0, total).slice(0);
  staging.buffer.unmap();
  return bytes;
}
