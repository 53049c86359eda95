/**
 * The command line's environment (src/cli/environment.ts): tfjs and the acquisition engine set up
 * together, their lines held until both are chosen, then each later line said as it comes.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setupEnvironment } from '../../src/cli/environment';
import { acquireDevice } from '../../src/gpu/acquire';

const probe = await acquireDevice();
const hasGpu = probe !== null;
probe?.destroy();
if (!hasGpu && process.env.CI === 'true') throw new Error('CI=true but no WebGPU adapter');

describe.skipIf(!hasGpu)('setupEnvironment', () => {
  it('says the lines of a device lost after setup (tfjs moves to wasm, the engine to the CPU): they went to a list nobody read', async () => {
    const lines: string[] = [];
    const env = await setupEnvironment('webgpu', 'webgpu', (l) => lines.push(l));
    expect([env.info.tfjsBackend, env.info.engine, env.info.sharedDevice]).toEqual(['webgpu', 'webgpu', true]);
    const setup = lines.length;
    (tf.backend() as unknown as { device: GPUDevice }).device.destroy();
    for (let i = 0; i < 200 && lines.length < setup + 2; i++) await new Promise((r) => setTimeout(r, 10));
    const later = lines.slice(setup);
    expect(later.some((l) => l.startsWith('tfjs backend: wasm (the WebGPU device was lost'))).toBe(true);
    expect(later.some((l) => l.startsWith('engine: the WebGPU device was lost'))).toBe(true);
    env.dispose();
  });
});
