import { afterAll, describe, expect, it, vi } from 'vitest';
import { BoundingPool } from '../../src/acquisition/bounding-pool';
import { proposeOnCpu, scorePoints } from '../../src/acquisition/cpu-engine';
import { DEFAULT_CANDIDATES } from '../../src/acquisition/engine';
import type { ProposeRequest, ProposeResult } from '../../src/acquisition/engine';
import { StateError } from '../../src/errors';
import { AutoEngine, createEngine, isSoftwareDevice, shapeKey, type WebGpuEngine } from '../../src/gpu';
import { AUTO_FULL_CANDIDATES_FROM, CPU_SAMPLE, CPU_SAMPLE_SMALL } from '../../src/gpu/auto-engine';
import { getGpu } from '../../src/gpu/acquire';
import { BayesianOptimization } from '../../src/optimizer';
import { openTestDevice, proposeRequest as request } from './helpers';

const device = await openTestDevice();
afterAll(() => device?.destroy());

/** A "WebGPU" engine that answers at once with another point: any timing picks it. */
function instantGpu(answer: ProposeResult): { gpu: WebGpuEngine; calls: () => number; counts: number[] } {
  const counts: number[] = [];
  const gpu = {
    kind: 'webgpu', device: {}, description: 'an instant stand-in',
    propose: async (r: ProposeRequest) => (counts.push(r.candidates), { ...answer, x: answer.x.map((v) => v / 2), scored: r.candidates, engine: 'webgpu' }),
    dispose: () => {},
  };
  return { gpu: gpu as unknown as WebGpuEngine, calls: () => counts.length, counts };
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

describe("engine 'auto' on a software adapter: its CPU proposals and candidate count", () => {
  it(`scores the CPU engine's 10,000 candidates below ${AUTO_FULL_CANDIDATES_FROM} observations and WebGPU's 65,536 from there`, () => {
    const auto = new AutoEngine(instantGpu(proposeOnCpu(request(1, 20, 2, 500))).gpu);
    expect(auto.defaultCandidates(8)).toBe(DEFAULT_CANDIDATES.cpu);
    expect(auto.defaultCandidates(AUTO_FULL_CANDIDATES_FROM - 1)).toBe(10_000);
    expect(auto.defaultCandidates(AUTO_FULL_CANDIDATES_FROM)).toBe(65_536);
    expect(auto.defaultCandidates(4000)).toBe(DEFAULT_CANDIDATES.webgpu);
    auto.dispose();
  });

  it('keeps one decision for all acquisitions of a shape (a stall-exploration UCB step measures nothing new)', async () => {
    const ei = request(7, 300, 4, 3000);
    const ucb = { ...ei, acquisition: { kind: 'ucb' as const, xi: 0.01, kappa: 2.576 } };
    expect(shapeKey(ucb)).toBe(shapeKey(ei));
    for (const other of [request(7, 300, 5, 3000), request(7, 600, 4, 3000), { ...ei, candidates: 3001 }]) expect(shapeKey(other)).not.toBe(shapeKey(ei));
    const { gpu, calls } = instantGpu(proposeOnCpu(request(1, 20, 2, 500)));
    const lines: string[] = [];
    const auto = new AutoEngine(gpu, (l) => lines.push(l));
    await auto.propose(ei);
    await auto.propose(ucb);
    expect(calls()).toBe(2); // measured once, then WebGPU (the instant stand-in) runs the UCB step
    expect(lines).toHaveLength(1);
    auto.dispose();
  });

  it(`times WebGPU as the CPU: above ${CPU_SAMPLE} candidates on two samples after a warm-up run, then runs the pick on the full count`, async () => {
    const req = request(6, 40, 3, 4 * CPU_SAMPLE);
    const { gpu, counts } = instantGpu(proposeOnCpu(request(1, 20, 2, 500)));
    const lines: string[] = [];
    const auto = new AutoEngine(gpu, (l) => lines.push(l));
    const r = await auto.propose(req);
    expect(counts).toEqual([CPU_SAMPLE_SMALL, CPU_SAMPLE_SMALL, CPU_SAMPLE, 4 * CPU_SAMPLE]); // the stand-in answers at once: WebGPU is picked
    expect(r.engine).toBe('webgpu');
    expect(r.scored).toBe(4 * CPU_SAMPLE);
    expect(lines).toEqual([expect.stringMatching(
      new RegExp(`^engine: auto picked WebGPU for n = 40, d = 3, ${4 * CPU_SAMPLE} candidates: CPU .*\\(extrapolated from ${CPU_SAMPLE_SMALL} and ${CPU_SAMPLE}, screening included\\) vs WebGPU on an instant stand-in .* \\(software adapter, extrapolated from ${CPU_SAMPLE_SMALL} and ${CPU_SAMPLE}\\)$`))]);
    auto.dispose();
  });

  it('runs on the CPU engine with its helper threads, the one-thread result bit for bit; dispose() stops them, twice', async () => {
    const spy = vi.spyOn(BoundingPool, 'create');
    const stop = vi.spyOn(BoundingPool.prototype, 'dispose');
    try {
      const big = request(5, 300, 4, 20_000); // 6e6 kernel entries: large enough for the helper threads
      const auto = new AutoEngine(instantGpu(proposeOnCpu(request(1, 20, 2, 500))).gpu, undefined, true);
      const got = await auto.propose(big);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(await spy.mock.results[0].value).toBeInstanceOf(BoundingPool);
      expect(got.engine).toBe('cpu');
      expect(Array.from(got.x)).toEqual(Array.from(proposeOnCpu(big).x));
      expect(got.score).toBe(proposeOnCpu(big).score);
      expect(stop).not.toHaveBeenCalled();
      auto.dispose();
      auto.dispose();
      await new Promise((r) => setTimeout(r, 0));
      expect(stop).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
      stop.mockRestore();
    }
  });
});

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
    expect(auto.kind).toBe('webgpu'); // 'webgpu' while the GPU works (the count is defaultCandidates')
  });

  it('after dispose() a repeatable engine refuses to propose, as every engine does', async () => {
    const { gpu } = instantGpu(cpu);
    const auto = new AutoEngine(gpu, () => {}, true);
    await auto.propose(req);
    auto.dispose();
    await expect(auto.propose(req)).rejects.toThrow(new StateError('engine: used after dispose()'));
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
      expect(engine.kind).toBe('webgpu'); // 'webgpu' while the GPU works
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

  it.runIf(device !== null && isSoftwareDevice(device))('with trials running (fantasies, qEI, a joint batch) too: every score float64, no device made, the same points', async () => {
    // the batch scoring asked the engine's device, so a seeded 'auto' run made one and scored in f32
    const devices = await countDevices();
    const run = async (pending: 'fantasies' | 'qei') => {
      const opt = new BayesianOptimization({
        f: ({ x, y }) => -((x - 0.3) ** 2) - (y - 0.6) ** 2, pbounds: { x: [0, 1], y: [0, 1] },
        randomState: 12, engine: 'auto', candidates: 1024, pending, log: () => {},
      });
      for (let i = 0; i < 4; i++) {
        const p = await opt.suggest();
        await opt.register(p, -((p.x - 0.3) ** 2) - (p.y - 0.6) ** 2);
      }
      const held = [await opt.suggest(), await opt.suggest()]; // the second chosen with the first running
      const batch = await opt.suggestBatch(3);
      opt.dispose();
      return [...held, ...batch];
    };
    for (const pending of ['fantasies', 'qei'] as const) {
      const a = await run(pending);
      expect(await run(pending)).toEqual(a);
    }
    expect(devices.made()).toBe(0);
    devices.restore();
  }, 120_000);
});
