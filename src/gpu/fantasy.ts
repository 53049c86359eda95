/**
 * The acquisition averaged over F fantasy models on the GPU: the scoring
 * chain of each chunk (cross-covariance, posterior variance) followed by
 * fantasy-acquisition.wgsl, which reuses the chunk's cross-covariance for
 * all F means. The float64 twin and fallback is src/acquisition/fantasy.ts.
 *
 * @example
 * ```ts
 * const scores = await fantasyScoresGpu(device, factors, { count: 8, alphas, bests }, points, m, spec);
 * ```
 */
import type { Fantasies } from '../acquisition/fantasy';
import type { AcquisitionSpec } from '../acquisition/functions';
import type { PosteriorFactors } from '../gp/types';
import { BufferPool, type PooledBuffer } from './buffer-pool';
import { MAP_MODE_READ, READBACK_USAGE, STORAGE_USAGE } from './constants';
import { uploadArray, uploadFactors } from './factors';
import {
  ACQ_CODE, ACQUISITION, CROSS_COVARIANCE, FANTASY_ACQUISITION, posteriorPrograms, TILE, type PosteriorShape,
} from './programs';
import { captureErrors, preparePrograms, Recorder } from './runner';
import { acquireScoringWork, chunkSize, recordScoring } from './scoring';

/** Cross-covariance bytes per chunk [16 MiB]. */
const CHUNK_BYTES = 16 * 2 ** 20;

/**
 * Averaged acquisition scores (see src/acquisition/fantasy.ts) of `m`
 * points, f32. The fantasies share `factors`' L; `fz.alphas` is `F x n`.
 * @param points `m x d` row-major, unit cube
 * @param shape the posterior kernel's register tiles ['square']
 */
export async function fantasyScoresGpu(
  device: GPUDevice, factors: PosteriorFactors, fz: Fantasies, points: ArrayLike<number>, m: number,
  spec: AcquisitionSpec, shape: PosteriorShape = 'square',
): Promise<Float32Array> {
  const out = new Float32Array(m);
  if (m === 0) return out;
  const post = posteriorPrograms(shape);
  await preparePrograms(device, [CROSS_COVARIANCE, post.main, post.finalize, ACQUISITION, FANTASY_ACQUISITION]);
  const pool = new BufferPool(device);
  try {
    const { value: staging, errors } = captureErrors(device, () => record(device, pool, factors, fz, points, m, spec, shape));
    try {
      await staging.buffer.mapAsync(MAP_MODE_READ, 0, m * 4);
    } catch (err) {
      await errors;
      throw err;
    }
    await errors;
    out.set(new Float32Array(staging.buffer.getMappedRange(0, m * 4)));
    staging.buffer.unmap();
  } finally {
    pool.dispose();
  }
  return out;
}

function record(
  device: GPUDevice, pool: BufferPool, factors: PosteriorFactors, fz: Fantasies, points: ArrayLike<number>, m: number,
  spec: AcquisitionSpec, shape: PosteriorShape,
): PooledBuffer {
  const fx = uploadFactors(device, pool, factors);
  const s = fx.shape;
  const d = s.d;
  const F = fz.count;
  const alphas = new Float32Array(F * s.nPad);
  for (let f = 0; f < F; f++) for (let i = 0; i < s.n; i++) alphas[f * s.nPad + i] = fz.alphas[f * s.n + i];
  const alphaBuf = uploadArray(device, pool, alphas, 'fantasy alphas');
  const bestBuf = uploadArray(device, pool, Float32Array.from(fz.bests.subarray(0, F)), 'fantasy bests');
  const chunk = chunkSize(m, s, device.limits, CHUNK_BYTES);
  const rowsAll = Math.ceil(m / chunk) * chunk;
  const work = acquireScoringWork(pool, chunk, s, shape);
  const pts = uploadArray(device, pool, Float32Array.from({ length: m * d }, (_, i) => points[i]), 'points');
  const mean = pool.acquire(rowsAll * 4, STORAGE_USAGE, 'mean');
  const variance = pool.acquire(rowsAll * 4, STORAGE_USAGE, 'variance');
  const single = pool.acquire(rowsAll * 4, STORAGE_USAGE, 'score');
  const score = pool.acquire(rowsAll * 4, STORAGE_USAGE, 'fantasy score');
  // Every buffer comes from `pool`, which the caller disposes once the scores are read.
  const rec = new Recorder(device, pool);
  const kind = ACQ_CODE[spec.kind];
  for (let off = 0; off < m; off += chunk) {
    const count = Math.min(chunk, m - off);
    const range = (b: PooledBuffer) => ({ buffer: b.buffer, offset: off * 4, size: chunk * 4 });
    // mean and score here are the shared-alpha model's, unused: the chain fills kmat and the variance
    recordScoring(rec, fx, work, count, {
      points: { buffer: pts.buffer, offset: off * d * 4, size: count * d * 4 },
      mean: range(mean), variance: range(variance), score: range(single),
    }, { code: kind, best: 0, xi: spec.xi, kappa: spec.kappa });
    rec.dispatch(FANTASY_ACQUISITION, { count, nPad: s.nPad, nFantasies: F, kind, xi: spec.xi, kappa: spec.kappa },
      { 1: work.kmat, 2: range(variance), 3: alphaBuf, 4: bestBuf, 5: range(score) },
      [Math.ceil(count / TILE.LINEAR), 1, 1]);
  }
  const staging = pool.acquire(m * 4, READBACK_USAGE, 'readback');
  rec.copy(score.buffer, 0, staging.buffer, 0, m * 4);
  rec.submit('fantasy scores');
  return staging;
}
