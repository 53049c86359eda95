/**
 * The subgroup posterior kernel (posterior-subgroup.wgsl, used on
 * CPU-emulated adapters with 8-lane subgroups) against the float64
 * reference, with the tolerances of posterior-parity.test.ts, on a device
 * created with the 'subgroups' feature. Skips where the adapter has no
 * 8-lane subgroups (real GPUs: the kernel is never selected there).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { InvalidOptionError } from '../../src/errors';
import { hasEightLaneSubgroups, programs, WebGpuEngine } from '../../src/gpu';
import { SHADER_SOURCES } from '../../src/gpu/shader-sources';
import { getGpu } from '../../src/tfjs/device';
import {
  F32_EPS, makePoints, makeProblem, maxScaledError, openTestDevice, referencePosterior, validationErrorOf,
} from './helpers';

/** Same named tolerances as posterior-parity.test.ts. */
const TOL_MEAN = 32 * F32_EPS;
const TOL_VAR = 32 * F32_EPS;

const M = 1000;

/** A device with 'subgroups' where the adapter offers it (null otherwise). */
async function subgroupDevice(): Promise<GPUDevice | null> {
  const plain = await openTestDevice();
  if (plain === null) return null;
  plain.destroy();
  const adapter = await (await getGpu())!.requestAdapter();
  if (adapter === null || !adapter.features.has('subgroups')) return null;
  const device = await adapter.requestDevice({
    requiredFeatures: ['subgroups' as GPUFeatureName],
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  if (hasEightLaneSubgroups(device)) return device;
  device.destroy();
  return null;
}

const device = await subgroupDevice();
const engine = device ? await WebGpuEngine.create(device, { log: () => {}, posteriorShape: 'subgroup' }) : null;

afterAll(() => {
  engine?.dispose();
  device?.destroy();
});

describe('subgroup posterior kernel', () => {
  it('declares the constants programs.ts assumes', () => {
    const src = SHADER_SOURCES['posterior-subgroup'];
    const { SG, P, WG, RB } = programs.SUBGROUP_POSTERIOR;
    expect(src).toContain(`const SG = ${SG}u;`);
    expect(src).toContain(`const P = ${P}u;`);
    expect(src).toContain(`override WG: u32 = ${WG};`);
    expect(src).toContain('const RB = 4u * SG;');
    expect(RB).toBe(4 * SG);
    expect(programs.posteriorBlocking('subgroup')).toEqual({ rowsPerBlock: RB, candidatesPerGroup: WG * P });
  });

  it.skipIf(device === null)("refuses 'subgroup' on a device without the feature", async () => {
    // A device created without the optional feature (requestWebGpuDevice asks for it).
    const adapter = (await (await getGpu())!.requestAdapter())!;
    const plain = await adapter.requestDevice();
    await expect(WebGpuEngine.create(plain, { posteriorShape: 'subgroup', log: () => {} })).rejects.toThrow(
      new InvalidOptionError(
        "posteriorShape: 'subgroup' needs a device with the 'subgroups' feature and 8-lane subgroups", 'posteriorShape'));
    plain.destroy();
  });

  const acq: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2 };
  for (const kernel of ['matern52', 'rbf'] as const) {
    for (const [n, d] of [[1, 2], [7, 6], [64, 1], [200, 8], [500, 20]] as const) {
      it.skipIf(device === null)(`matches the float64 reference: ${kernel}, n = ${n}, d = ${d}`, async () => {
        const f = makeProblem({ seed: 303 + 7 * n + d, n, d, kernel });
        const P = makePoints(17 + n + d, M, f);
        const ref = referencePosterior(f, P, M);
        const { value, error } = await validationErrorOf(device!, () => engine!.evaluate(f, P, M, acq, 0.3));
        expect(error).toBeNull();
        expect(maxScaledError(value.mean, ref.mean, ref.meanScale)).toBeLessThanOrEqual(TOL_MEAN);
        expect(maxScaledError(value.variance, ref.variance, ref.varScale)).toBeLessThanOrEqual(TOL_VAR);
      });
    }
  }
});
