/**
 * Monte-Carlo qEI of many q-point sets on the GPU
 * (shaders/q-expected-improvement.wgsl): the sets' means and covariance
 * factors come from float64 on the CPU (src/acquisition/q-batch.ts,
 * `setFactors`), the kernel sums the N samples of every set at once in f32.
 * The float64 twin and fallback is `qEiFromSetFactors`.
 *
 * @example
 * ```ts
 * const { mus, Ls } = setFactors(post, sets, S, q);
 * const scores = await qEiGpu(device, mus, Ls, S, q, best + xi, Z, N);
 * ```
 */
import { BufferPool } from './buffer-pool';
import { MAP_MODE_READ, READBACK_USAGE, STORAGE_USAGE } from './constants';
import { uploadArray } from './factors';
import { Q_EXPECTED_IMPROVEMENT } from './programs';
import { captureErrors, preparePrograms, Recorder } from './runner';

/** Most points per set the kernel holds (its MAXQ). */
export const MAX_Q_GPU = 16;

/**
 * qEI estimates of `S` sets, f32.
 * @param mus `S x q` means (standardized)
 * @param Ls `S x q x q` lower Cholesky factors, row-major
 * @param target best + xi
 * @param Z `N x q` base samples
 */
export async function qEiGpu(
  device: GPUDevice, mus: ArrayLike<number>, Ls: ArrayLike<number>, S: number, q: number, target: number, Z: ArrayLike<number>, N: number,
): Promise<Float32Array> {
  if (!Number.isInteger(q) || q < 1 || q > MAX_Q_GPU) throw new RangeError(`qEiGpu: q must be an integer in 1..${MAX_Q_GPU}, got ${q}`);
  const out = new Float32Array(S);
  if (S === 0) return out;
  await preparePrograms(device, [Q_EXPECTED_IMPROVEMENT]);
  const pool = new BufferPool(device);
  try {
    const { value: staging, errors } = captureErrors(device, () => {
      const bm = uploadArray(device, pool, Float32Array.from({ length: S * q }, (_, i) => mus[i]), 'set means');
      const bl = uploadArray(device, pool, Float32Array.from({ length: S * q * q }, (_, i) => Ls[i]), 'set factors');
      const bz = uploadArray(device, pool, Float32Array.from({ length: N * q }, (_, i) => Z[i]), 'base samples');
      const bo = pool.acquire(Math.max(S * 4, 16), STORAGE_USAGE, 'qEI');
      const maxX = device.limits.maxComputeWorkgroupsPerDimension;
      const rowGroups = Math.min(S, maxX);
      const rec = new Recorder(device, pool);
      rec.dispatch(Q_EXPECTED_IMPROVEMENT, { sets: S, q, samples: N, rowGroups, goal: target },
        { 1: bm, 2: bl, 3: bz, 4: bo }, [rowGroups, Math.ceil(S / rowGroups), 1]);
      const rb = pool.acquire(S * 4, READBACK_USAGE, 'qEI readback');
      rec.copy(bo.buffer, 0, rb.buffer, 0, S * 4);
      rec.submit('qEI');
      return rb;
    });
    try {
      await staging.buffer.mapAsync(MAP_MODE_READ, 0, S * 4);
    } catch (err) {
      await errors;
      throw err;
    }
    await errors;
    out.set(new Float32Array(staging.buffer.getMappedRange(0, S * 4)));
    staging.buffer.unmap();
  } finally {
    pool.dispose();
  }
  return out;
}
