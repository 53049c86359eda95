/**
 * The 'qei' pending strategy: the believer's point against candidates
 * scored by the qEI of the running points and the candidate together
 * (src/optimizer/pending-qei.ts), on the CPU and on WebGPU, and through
 * suggest() with workers in one process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import { baseSamples, pendingSetFactors, qEiFromSetFactors } from '../../src/acquisition/q-batch';
import { WebGpuEngine } from '../../src/gpu';
import { chooseByPendingQei } from '../../src/optimizer/pending-qei';
import { Space } from '../../src/space';
import { Rng } from '../../src/util/rng';
import { openTestDevice } from '../gpu/helpers';
import { fourAskTellWorkers } from './fixtures/asktell-workers';
import { pendingGp } from './fixtures/pending-gp';

/** With CI=true a missing adapter fails here (openTestDevice); elsewhere the WebGPU case skips. */
const device = await openTestDevice();
afterAll(() => device?.destroy());

const space = Space.fromOptions({ pbounds: { a: [0, 1], b: [0, 1] } });

const setup = pendingGp;

/** qEI of {pending, x} on the base samples chooseByPendingQei draws for `seed`. */
function qeiWith(factors: ReturnType<typeof setup>['factors'], best: number, pending: Float64Array, m: number, x: Float64Array, seed: number): number {
  const { mus, Ls, q } = pendingSetFactors(factors, pending, m, x, 1);
  return qEiFromSetFactors(mus, Ls, 1, q, best + 0.01, baseSamples(new Rng(seed), 512, q), 512)[0];
}

describe('chooseByPendingQei', () => {
  const cpu = createCpuEngine();

  it('with the believer\'s point itself running, picks another point whose qEI with the running ones is higher', async () => {
    for (const seed of [1, 2, 3]) {
      const { factors, best, incumbents } = setup(seed);
      const winner = incumbents.slice(); // the engine's point, already running
      const pending = Float64Array.of(winner[0], winner[1], 0.9, 0.1);
      const r = await chooseByPendingQei({
        factors, best, xi: 0.01, pending, m: 2, engine: cpu, winner, incumbents, nIncumbents: 1, layout: space.layout, seed: 5,
      });
      expect(r.scoredOn).toBe('cpu');
      expect(Math.max(Math.abs(r.x[0] - winner[0]), Math.abs(r.x[1] - winner[1]))).toBeGreaterThan(1e-3);
      expect(r.score).toBeCloseTo(qeiWith(factors, best, pending, 2, r.x, 5), 12);
      expect(r.score).toBeGreaterThan(qeiWith(factors, best, pending, 2, winner, 5));
    }
  });

  describe.skipIf(device === null)('on WebGPU', () => {
    let gpu: WebGpuEngine;
    beforeAll(async () => {
      gpu = await WebGpuEngine.create(device!, { log: () => {} });
    });
    afterAll(() => gpu?.dispose());

    it('sums on the GPU; its choice is within 1e-3 (relative, float64 qEI) of the float64 choice', async () => {
      const { factors, best, incumbents } = setup(1);
      const pending = Float64Array.of(incumbents[0], incumbents[1], 0.9, 0.1, 0.2, 0.8);
      const req = { factors, best, xi: 0.01, pending, m: 3, winner: incumbents.slice(), incumbents, nIncumbents: 1, layout: space.layout, seed: 5 };
      device!.pushErrorScope('validation');
      const onGpu = await chooseByPendingQei({ ...req, engine: gpu });
      expect(await device!.popErrorScope()).toBeNull();
      expect(onGpu.scoredOn).toBe('webgpu');
      const onCpu = await chooseByPendingQei({ ...req, engine: cpu });
      const vg = qeiWith(factors, best, pending, 3, onGpu.x, 5);
      const vc = qeiWith(factors, best, pending, 3, onCpu.x, 5);
      expect(vg).toBeGreaterThanOrEqual(vc * (1 - 1e-3));
      expect(Math.abs(onGpu.score - vg)).toBeLessThanOrEqual(1e-3 * vg);
    });
  });
});

describe("pending: 'qei' through suggest()", () => {
  it('4 workers in one process, 16 trials: distinct points, model-guided past the design', () => fourAskTellWorkers('qei'));
});
