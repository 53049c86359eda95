/** tfjs training and the acquisition engine on one GPUDevice (skipped without an adapter outside CI). */
import { beforeAll, describe, expect, it } from 'vitest';
import { runTune } from '../../src/cli/compare';
import { isSoftwareDevice } from '../../src/gpu';
import { openTestDevice } from '../gpu/helpers';

let available = false;
let software = false;
beforeAll(async () => {
  const device = await openTestDevice();
  available = device !== null;
  software = device !== null && isSoftwareDevice(device);
  device?.destroy();
});

const TINY = { strategy: 'bayes', rows: 200, budget: 3, init: 2, epochs: 1, retrainEpochs: 1, seed: 2 } as const;

describe('runTune on WebGPU', () => {
  it('trains with tfjs on the same GPUDevice the acquisition engine uses', async (ctx) => {
    if (!available) ctx.skip();
    const r = await runTune({ ...TINY, backend: 'webgpu', engine: 'webgpu' });
    expect(r.environment).toMatchObject({ tfjsBackend: 'webgpu', engine: 'webgpu', sharedDevice: true });
    expect(r.environment.summary).toMatch(/, sharing one GPUDevice$/);
    const s = r.runs[0].strategies[0];
    expect(s.trials[2]).toMatchObject({ source: 'suggest', engine: 'webgpu' });
    expect(s.retrain?.testMetric).toBeGreaterThan(0);
  });

  it("'auto' trains on wasm on a software adapter and still scores acquisitions on WebGPU", async (ctx) => {
    if (!available || !software) ctx.skip();
    const r = await runTune({ ...TINY, budget: 2, retrainEpochs: 0, backend: 'auto', engine: 'auto' });
    expect(r.environment).toMatchObject({ tfjsBackend: 'wasm', engine: 'webgpu', sharedDevice: false });
    expect(r.environment.tfjsReason).toMatch(/^auto: the WebGPU adapter is a software renderer \(.+\), so training runs on wasm$/);
  });
});
