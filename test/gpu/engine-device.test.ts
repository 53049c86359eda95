import { afterAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import type { Engine } from '../../src/acquisition/engine';
import { WebGpuEngine } from '../../src/gpu';
import { engineDevice } from '../../src/optimizer/engine-choice';
import { openTestDevice } from './helpers';

const device = await openTestDevice();
afterAll(() => device?.destroy());

describe('engineDevice: the device the optimizer batch-scores on', () => {
  it('is null on the CPU engine', async () => {
    const cpu = createCpuEngine();
    expect(await engineDevice(cpu)).toBeNull();
    cpu.dispose();
  });

  it("is null for a 'webgpu' engine that does not implement openDevice", async () => {
    const custom = { kind: 'webgpu', description: 'custom', propose: async () => { throw new Error('unused'); },
      evaluate: async () => { throw new Error('unused'); }, dispose: () => {} } as unknown as Engine;
    expect(await engineDevice(custom)).toBeNull();
  });

  it.skipIf(device === null)("is the WebGPU engine's own device, and null once it is disposed", async () => {
    const engine = await WebGpuEngine.create(device!);
    expect(await engineDevice(engine)).toBe(device);
    engine.dispose();
    expect(await engineDevice(engine)).toBeNull();
  });
});
