/** createEngine where the runtime has no WebGPU adapter (the device module is mocked). */
import { describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../src/errors';

vi.mock('../../src/gpu/device', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/gpu/device')>()),
  requestWebGpuDevice: async () => null,
  webGpuUnavailableReason: () => 'no WebGPU adapter found',
}));

const { createEngine } = await import('../../src/gpu');

describe('createEngine without an adapter', () => {
  it('"auto" falls back to the CPU reference with one line saying why', async () => {
    const lines: string[] = [];
    const engine = await createEngine({ prefer: 'auto', log: (l) => lines.push(l) });
    expect(engine.kind).toBe('cpu');
    expect(lines).toEqual(['engine: CPU float64 reference (WebGPU unavailable: no WebGPU adapter found)']);
  });

  it('"webgpu" fails with an EngineError', async () => {
    await expect(createEngine({ prefer: 'webgpu', log: () => {} })).rejects.toThrow(
      new EngineError('engine: WebGPU was requested but is unavailable (no WebGPU adapter found)'));
  });
});
