import { afterAll, describe, expect, it } from 'vitest';
import { EngineError, InvalidOptionError } from '../../src/errors';
import { createEngine, WebGpuEngine } from '../../src/gpu';
import { checkAdapterPolicy, openTestDevice } from './helpers';

const device = await openTestDevice();
afterAll(() => device?.destroy());

describe('CI adapter policy', () => {
  it('fails when CI=true and no adapter was found', () => {
    expect(() => checkAdapterPolicy(false, { CI: 'true' }, 'no WebGPU adapter found')).toThrow(
      "CI=true but no WebGPU adapter was found (no WebGPU adapter found); install Mesa's lavapipe (mesa-vulkan-drivers)");
  });

  it('lets the GPU tests skip outside CI and run wherever an adapter exists', () => {
    expect(() => checkAdapterPolicy(false, {}, 'x')).not.toThrow();
    expect(() => checkAdapterPolicy(false, { CI: 'false' }, 'x')).not.toThrow();
    expect(() => checkAdapterPolicy(true, { CI: 'true' }, 'x')).not.toThrow();
  });

  it.runIf(process.env.CI === 'true')('found an adapter on this CI machine', () => {
    expect(device).not.toBeNull();
  });
});

describe('createEngine', () => {
  it('gives the CPU reference for prefer "cpu"', async () => {
    const engine = await createEngine({ prefer: 'cpu', log: () => {} });
    expect(engine.kind).toBe('cpu');
    engine.dispose();
  });

  it('rejects an unknown preference with a typed error', async () => {
    await expect(createEngine({ prefer: 'gpu' as never })).rejects.toThrow(
      new InvalidOptionError('prefer: expected "auto", "webgpu" or "cpu", got "gpu"', 'prefer'));
    // a misspelt key gave the default engine (WebGPU where an adapter exists) without a word
    await expect(createEngine({ prefr: 'cpu' } as never)).rejects.toThrow(new InvalidOptionError(
      'option "prefr": unknown option of createEngine (known: prefer, device, log, chunkBytes, screening, powerPreference, measure, verbose, repeatable)', 'prefr'));
  });

  it('refuses bad option values by name (a misspelt powerPreference read as "WebGPU unavailable")', async () => {
    for (const [o, option, message] of [
      [{ log: 5 }, 'log', 'log: expected a function, got number'],
      [{ powerPreference: 'fast' }, 'powerPreference', 'powerPreference: expected "high-performance" or "low-power", got "fast"'],
      [{ prefer: 'cpu', measure: 'yes' }, 'measure', 'measure: expected a boolean, got "yes"'],
      [{ prefer: 'cpu', repeatable: 1 }, 'repeatable', 'repeatable: expected a boolean, got 1'],
      // checked whichever engine comes of it
      [{ prefer: 'cpu', chunkBytes: -5 }, 'chunkBytes', 'chunkBytes: expected a positive number, got -5'],
      [{ prefer: 'cpu', chunkBytes: 'big' }, 'chunkBytes', 'chunkBytes: expected a positive number, got "big"'],
      // null made a device of the engine's own that it took for the caller's, and never destroyed
      [{ prefer: 'webgpu', device: null }, 'device', 'device: expected a GPUDevice, got null'],
      [{ prefer: 'auto', device: {} }, 'device', 'device: expected a GPUDevice, got an object without createBuffer and queue'],
      [{ prefer: 'cpu', device: 'gpu0' }, 'device', 'device: expected a GPUDevice, got "gpu0"'],
    ] as const) {
      await expect(createEngine(o as never)).rejects.toThrow(new InvalidOptionError(message, option));
    }
  });

  it('GpuFailure is exported from the main entry, an EngineError', async () => {
    const main = await import('../../src/index');
    const e = new main.GpuFailure('buffer beyond maxBufferSize', 'out-of-memory');
    expect(e).toBeInstanceOf(main.EngineError);
    expect(e).toBeInstanceOf(main.BayesOptError);
    expect([e.name, e.filter]).toEqual(['GpuFailure', 'out-of-memory']);
  });

  it.skipIf(device === null)('takes WebGPU for "auto" and "webgpu" and says so in one line', async () => {
    for (const prefer of ['auto', 'webgpu'] as const) {
      const lines: string[] = [];
      const engine = await createEngine({ prefer, log: (l) => lines.push(l) });
      expect(engine).toBeInstanceOf(WebGpuEngine);
      expect(engine.kind).toBe('webgpu');
      expect(lines).toEqual([`engine: WebGPU on ${engine.description}`]);
      const own = (engine as WebGpuEngine).device;
      engine.dispose();
      expect((await own.lost).reason).toBe('destroyed');
    }
  });

  it.skipIf(device === null)('a destroyed device given for "webgpu" is an EngineError; for "auto" the CPU reference, said once', async () => {
    const { requestWebGpuDevice } = await import('../../src/gpu');
    const dead = (await requestWebGpuDevice())!;
    dead.destroy();
    await expect(createEngine({ prefer: 'webgpu', device: dead, log: () => {} }))
      .rejects.toThrow(new EngineError('engine: WebGPU was requested but is unavailable (the device was lost)'));
    const lines: string[] = [];
    const engine = await createEngine({ prefer: 'auto', device: dead, log: (l) => lines.push(l) });
    expect(engine.kind).toBe('cpu');
    // one line: the engine made meanwhile had said it went on on the CPU too
    expect(lines).toEqual(['engine: CPU float64 reference (WebGPU unavailable: the device was lost)']);
    engine.dispose();
  });

  it.skipIf(device === null)('runs on a device it is given and leaves it alive', async () => {
    const lines: string[] = [];
    const engine = await createEngine({ device: device!, log: (l) => lines.push(l) });
    expect((engine as WebGpuEngine).device).toBe(device);
    expect(lines).toEqual([`engine: WebGPU on ${engine.description} (shared device)`]);
    engine.dispose();
    const state = await Promise.race([device!.lost.then(() => 'lost'), new Promise((r) => setTimeout(() => r('alive'), 50))]);
    expect(state).toBe('alive');
  });
});
