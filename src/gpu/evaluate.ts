/**
 * Posterior mean, variance and acquisition at given points on the GPU (for
 * heatmaps, tests and benchmarks).
 */
import type { Evaluation } from '../acquisition/engine';
import type { AcquisitionSpec } from '../acquisition/functions';
import type { PosteriorFactors } from '../gp/types';
import type { BufferPool, PooledBuffer } from './buffer-pool';
import { MAP_MODE_READ, READBACK_USAGE, STORAGE_USAGE } from './constants';
import { releaseFactors, uploadFactors } from './factors';
import type { PosteriorShape } from './programs';
import { captureErrors, Recorder } from './runner';
import { acquireScoringWork, acquisitionCode, chunkSize, recordScoring, type ScoreMode } from './scoring';

/** Most bytes of points uploaded per submission. */
const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Scores `m` points (`m x d` row-major, unit cube) under the posterior and
 * acquisition. `mode` 'rank' gives the maximizer's score (log EI for EI, log
 * PI for PI, as `acquisitionScore`), 'value' the acquisition's own value.
 */
export async function runEvaluation(
  device: GPUDevice, pool: BufferPool, factors: PosteriorFactors,
  points: ArrayLike<number>, m: number, acquisition: AcquisitionSpec, best: number,
  chunkBytes: number, posteriorShape: PosteriorShape, mode: ScoreMode = 'rank',
): Promise<Evaluation> {
  const d = factors.d;
  const out: Evaluation = { mean: new Float64Array(m), variance: new Float64Array(m), score: new Float64Array(m) };
  if (m === 0) return out;
  const { value: fx, errors } = captureErrors(device, () => uploadFactors(device, pool, factors));
  const acq = { code: acquisitionCode(acquisition, mode), best, xi: acquisition.xi, kappa: acquisition.kappa };
  try {
    await errors;
    const chunk = chunkSize(m, fx.shape, device.limits, chunkBytes);
    const limit = Math.min(BATCH_BYTES, device.limits.maxBufferSize, device.limits.maxStorageBufferBindingSize);
    const batch = Math.max(chunk, Math.floor(limit / (d * 4 * chunk)) * chunk);
    for (let start = 0; start < m; start += batch) {
      const count = Math.min(batch, m - start);
      await runBatch(device, pool, fx, points, start, count, chunk, acq, out, posteriorShape);
    }
  } finally {
    releaseFactors(pool, fx);
  }
  return out;
}

async function runBatch(
  device: GPUDevice, pool: BufferPool, fx: ReturnType<typeof uploadFactors>,
  points: ArrayLike<number>, start: number, count: number, chunk: number,
  acq: { code: number; best: number; xi: number; kappa: number }, out: Evaluation,
  posteriorShape: PosteriorShape,
): Promise<void> {
  const d = fx.shape.d;
  const rowsAll = Math.ceil(count / chunk) * chunk;
  const temps: (PooledBuffer | null)[] = [];
  const take = (b: PooledBuffer): PooledBuffer => (temps.push(b), b);
  try {
    const { value: staging, errors } = captureErrors(device, () => record());
    try {
      await staging.buffer.mapAsync(MAP_MODE_READ, 0, 3 * count * 4);
    } catch (err) {
      await errors;
      throw err;
    }
    await errors;
    const f = new Float32Array(staging.buffer.getMappedRange(0, 3 * count * 4));
    out.mean.set(f.subarray(0, count), start);
    out.variance.set(f.subarray(count, 2 * count), start);
    out.score.set(f.subarray(2 * count, 3 * count), start);
    staging.buffer.unmap();
  } finally {
    pool.release(...temps);
  }
  function record(): PooledBuffer {
    const work = acquireScoringWork(pool, chunk, fx.shape, posteriorShape);
    temps.push(work.kmat, work.partial);
    const pts = take(pool.acquire(rowsAll * d * 4, STORAGE_USAGE, 'points'));
    const data = new Float32Array(count * d);
    for (let i = 0; i < count * d; i++) data[i] = points[start * d + i];
    device.queue.writeBuffer(pts.buffer, 0, data.buffer, 0, data.byteLength);
    const mean = take(pool.acquire(rowsAll * 4, STORAGE_USAGE, 'mean'));
    const variance = take(pool.acquire(rowsAll * 4, STORAGE_USAGE, 'variance'));
    const score = take(pool.acquire(rowsAll * 4, STORAGE_USAGE, 'score'));
    const rec = new Recorder(device, pool);
    for (let off = 0; off < count; off += chunk) {
      const n = Math.min(chunk, count - off);
      const range = (b: PooledBuffer) => ({ buffer: b.buffer, offset: off * 4, size: chunk * 4 });
      recordScoring(rec, fx, work, n, {
        points: { buffer: pts.buffer, offset: off * d * 4, size: n * d * 4 },
        mean: range(mean), variance: range(variance), score: range(score),
      }, acq);
    }
    const bytes = count * 4;
    const staging = take(pool.acquire(3 * bytes, READBACK_USAGE, 'readback'));
    rec.copy(mean.buffer, 0, staging.buffer, 0, bytes);
    rec.copy(variance.buffer, 0, staging.buffer, bytes, bytes);
    rec.copy(score.buffer, 0, staging.buffer, 2 * bytes, bytes);
    temps.push(rec.submit('evaluate'));
    return staging;
  }
}
