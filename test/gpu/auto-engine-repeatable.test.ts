import { afterAll, describe, expect, it, vi } from 'vitest';
import { proposeOnCpu, scorePoints } from '../../src/acquisition/cpu-engine';
import type { ProposeResult } from '../../src/acquisition/engine';
import { StateError } from '../../src/errors';
import { AutoEngine, createEngine, isSoftwareDevice, type WebGpuEngine } from '../../src/gpu';
import { getGpu } from '../../src/gpu/acquire';
import { BayesianOptimization } from '../../src/optimizer';
import { openTestDevice, proposeRequest as request } from './helpers';

const device = await openTestDevice();
afterAll(() => device?.destroy());

/** A "WebGPU" engine that answers at once with another point: any timing picks it. */
function instantGpu(answer: ProposeResult): { gpu: WebGpuEngine; calls: () => number } {
  let calls = 0;
  const gpu = {
    kind: 'webgpu', device: {}, description: 'an instant stand-in',
    propose: async () => (calls++, { ...answer, x: answer.x.map((v) => v / 2), engine: 'webgpu' }),
    dispose: () => {},
  };
  return { gpu: gpu as unknown as WebGpuEngine, calls: () => calls };
}

/**
 * Counts the devices made through the process's WebGPU provider from now on,
 * and how many of them were destroyed.
 */
async function countDevices(): Promise<{ made: () => number; destroyed: () => number; restore: () => void }> {
  const gpu = (await getGpu())!;
  let made = 0;
  let destroyed = 0;
  const requestAdapter = gpu.requestAdapter.bind(gpu);
  const spy = vi.spyOn(gpu, 'requestAdapter').mockImplementation(async (o) => {
    const adapter = await requestAdapter(o);
    if (adapter === null) return null;
    const requestDevice = adapter.requestDevice.bind(adapter);
    adapter.requestDevice = async (d) => {
      const dev = await requestDevice(d);
      made++;
      const destroy = dev.destroy.bind(dev);
      dev.destroy = () => (destroyed++, destroy());
      return dev;
    };
    return adapter;
  });
  return { made: () => made, destroyed: () => destroyed, restore: () => spy.mockRestore() };
}

describe("engine 'auto' with randomState: the choice is never timed", () => {
  const req = request(3, 40, 3, 3000);
  const cpu = proposeOnCpu(req);

  it('a measuring engine takes whichever engine is faster at the time (so a seeded run could change with the load)', async () => {
    const { gpu, calls } = instantGpu(cpu);
    const lines: string[] = [];
    const auto = new AutoEngine(gpu, (l) => lines.push(l));
    const r = await auto.propose(req);
    expect(r.engine).toBe('webgpu');
    expect(Array.from(r.x)).not.toEqual(Array.from(cpu.x));
    expect(auto.decision(req)?.engine).toBe('webgpu');
    expect(calls()).toBe(1);
    expect(lines[0]).toMatch(/^engine: auto picked WebGPU/);
  });

  it('a repeatable engine runs every shape on the CPU engine, times nothing and records no decision', async () => {
    const { gpu, calls } = instantGpu(cpu);
    const lines: string[] = [];
    const auto = new AutoEngine(gpu, (l) => lines.push(l), true);
    for (const r of [req, request(4, 200, 3, 3000), req]) {
      const got = await auto.propose(r);
      expect(got.engine).toBe('cpu');
      expect(Array.from(got.x)).toEqual(Array.from(proposeOnCpu(r).x));
      expect(auto.decision(r)).toBeUndefined();
    }
    expect(calls()).toBe(0);
    expect(lines).toEqual([]);
    expect(auto.kind).toBe('webgpu'); // the optimizer's candidate default is unchanged
  });

  it.runIf(device !== null && isSoftwareDevice(device))('createEngine({ repeatable }) on a software adapter says so and runs the CPU engine', async () => {
    const lines: string[] = [];
    const engine = await createEngine({ device: device!, prefer: 'auto', measure: true, repeatable: true, verbose: true, log: (l) => lines.push(l) });
    expect(engine).toBeInstanceOf(AutoEngine);
    expect(lines).toEqual([expect.stringMatching(/: a software adapter, and the run is seeded, so every problem shape runs on the CPU engine \(not timed/)]);
    const r = await engine.propose(req);
    expect(r.engine).toBe('cpu');
    expect(Array.from(r.x)).toEqual(Array.from(cpu.x));
    expect(lines).toHaveLength(1);
    engine.dispose();
  });

  it.runIf(device !== null && isSoftwareDevice(device))('without a device given, no device is made until evaluate needs one, and dispose destroys it', async () => {
    const devices = await countDevices();
    try {
      const lines: string[] = [];
      const engine = await createEngine({ prefer: 'auto', measure: true, repeatable: true, log: (l) => lines.push(l) });
      expect(engine).toBeInstanceOf(AutoEngine);
      expect(engine.kind).toBe('webgpu'); // the candidate default stays WebGPU's
      expect(lines).toEqual([expect.stringMatching(/^engine: auto on .*llvmpipe.*: a software adapter, and the run is seeded/i)]);
      const r = await engine.propose(req);
      expect(Array.from(r.x)).toEqual(Array.from(cpu.x));
      expect(devices.made()).toBe(0);
      const points = Float64Array.from({ length: 12 }, (_, i) => ((i * 0.37) % 1));
      const e = await engine.evaluate(req.factors, points, 4, req.acquisition, req.best);
      expect(devices.made()).toBe(1);
      const ref = scorePoints(req.factors, points, 4, req.acquisition, req.best);
      for (let i = 0; i < 4; i++) expect(e.mean[i]).toBeCloseTo(ref.mean[i], 4);
      const dev = await (engine as AutoEngine).openDevice();
      expect(dev).toBe((engine as AutoEngine).device);
      expect(devices.made()).toBe(1);
      engine.dispose();
      engine.dispose();
      expect(devices.destroyed()).toBe(1);
      await expect(engine.evaluate(req.factors, points, 4, req.acquisition, req.best)).rejects.toThrow(StateError);
    } finally {
      devices.restore();
    }
  });

  it.runIf(device !== null && isSoftwareDevice(device))('a repeatable engine disposed before any use never makes a device', async () => {
    const devices = await countDevices();
    try {
      const engine = await createEngine({ prefer: 'auto', measure: true, repeatable: true, log: () => {} }) as AutoEngine;
      await engine.propose(req);
      expect(() => engine.device).toThrow('engine: the WebGPU device is not made yet (await openDevice())');
      engine.dispose();
      expect(await engine.openDevice()).toBeNull();
      expect(devices.made()).toBe(0);
    } finally {
      devices.restore();
    }
  });

  it.runIf(device !== null && isSoftwareDevice(device))('two runs of one seed take the same points, every suggestion on the CPU engine', async () => {
    const devices = await countDevices();
    const run = async () => {
      const lines: string[] = [];
      const opt = new BayesianOptimization({
        f: ({ x, y }) => -((x - 0.3) ** 2) - (y - 0.6) ** 2, pbounds: { x: [0, 1], y: [0, 1] },
        randomState: 11, engine: 'auto', candidates: 4096, verbose: 1, log: (l) => lines.push(l),
      });
      await opt.maximize({ initPoints: 3, nIter: 5 });
      const out = { params: opt.res.map((r) => r.params), engines: opt.trials.map((t) => t.engine ?? null), lines };
      opt.dispose();
      return out;
    };
    const a = await run();
    const b = await run();
    expect(b.params).toEqual(a.params);
    expect(a.engines).toEqual([null, null, null, 'cpu', 'cpu', 'cpu', 'cpu', 'cpu']);
    expect(a.lines.filter((l) => l.startsWith('engine:'))).toEqual([expect.stringMatching(/the run is seeded/)]);
    expect(devices.made()).toBe(0); // the CPU proposes every point: no device was made for it
    devices.restore();
  }, 120_000);
});
