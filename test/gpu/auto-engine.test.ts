import { afterAll, describe, expect, it } from 'vitest';
import { proposeOnCpu } from '../../src/acquisition/cpu-engine';
import { AutoEngine, createEngine, extrapolateCpuMs, isSoftwareDevice, shapeKey, WebGpuEngine } from '../../src/gpu';
import { CPU_SAMPLE, CPU_SAMPLE_SMALL, CPU_SWITCH_FACTOR, cpuTooSlow } from '../../src/gpu/auto-engine';
import { openTestDevice, proposeRequest as request } from './helpers';

const device = await openTestDevice();
afterAll(() => device?.destroy());

describe("the CPU engine's time for the full candidate count", () => {
  it('is the line through two samples: a fixed (screened exact) part plus a per-candidate part', () => {
    // 40 ms fixed + 10 us per candidate, sampled at 2048 and 8192
    const at = (m: number) => 40 + 0.01 * m;
    expect(extrapolateCpuMs(CPU_SAMPLE_SMALL, at(CPU_SAMPLE_SMALL), CPU_SAMPLE, at(CPU_SAMPLE), 65536)).toBeCloseTo(at(65536), 9);
    // scaling the larger sample in proportion would count the fixed part 8 times
    expect((at(CPU_SAMPLE) * 65536) / CPU_SAMPLE - at(65536)).toBeCloseTo(7 * 40, 9);
    // noise that makes the smaller sample slower: never below the larger sample's time
    expect(extrapolateCpuMs(2048, 120, 8192, 100, 65536)).toBe(100);
  });

  it(`a CPU run slower than ${CPU_SWITCH_FACTOR}x WebGPU's measured time hands the shape to WebGPU`, () => {
    const dec = { engine: 'cpu' as const, webgpuMs: 100, cpuMs: 60 };
    expect(cpuTooSlow(dec, 120)).toBe(false);
    expect(cpuTooSlow(dec, 130)).toBe(true);
    expect(cpuTooSlow({ ...dec, engine: 'webgpu' }, 1e6)).toBe(false);
  });

  it.runIf(device !== null)('says in its line that the CPU time was extrapolated with screening', async () => {
    const lines: string[] = [];
    const gpu = await WebGpuEngine.create(device!, { log: () => {} });
    const auto = new AutoEngine(gpu, (l) => lines.push(l));
    const req = request(5, 50, 2, CPU_SAMPLE * 2);
    await auto.propose(req);
    expect(lines[0]).toMatch(new RegExp(`CPU \\d.* \\(extrapolated from ${CPU_SAMPLE_SMALL} and ${CPU_SAMPLE}, screening included\\)`));
    // As if WebGPU had measured (nearly) instantaneous: the next CPU run hands the shape over.
    const dec = auto.decision(req)!;
    dec.engine = 'cpu';
    dec.webgpuMs = 1e-6;
    const r = await auto.propose(req);
    expect(r.engine).toBe('cpu'); // this run was the CPU's
    expect(lines[1]).toMatch(/^engine: auto switched to WebGPU for n = 50, d = 2, 16384 candidates: the CPU took \d/);
    expect(auto.decision(req)!.engine).toBe('webgpu');
    expect((await auto.propose(req)).engine).toBe('webgpu');
    expect(lines).toHaveLength(2);
    auto.dispose();
  });
});

describe.skipIf(device === null)("engine 'auto' that measures", () => {
  it('without measure, "auto" is plain WebGPU (what the demo and CLI ask for)', async () => {
    const engine = await createEngine({ device: device!, prefer: 'auto', log: () => {} });
    expect(engine).toBeInstanceOf(WebGpuEngine);
    engine.dispose();
  });

  it.runIf(device !== null && isSoftwareDevice(device))(
    'on a software adapter: measures each shape once, says which engine and why, then runs that engine',
    async () => {
      const lines: string[] = [];
      // A shape measured for the CPU is handed to WebGPU once the CPU runs slower
      // than 1.25x WebGPU's time ("auto switched", tested above): that depends on
      // the machine's load, so those lines are left out of the counts here.
      const kept = () => lines.filter((l) => !/^engine: auto switched/.test(l));
      const engine = await createEngine({ device: device!, prefer: 'auto', measure: true, verbose: true, log: (l) => lines.push(l) });
      expect(engine).toBeInstanceOf(AutoEngine);
      const auto = engine as AutoEngine;
      expect(kept()).toHaveLength(1);
      expect(lines[0]).toMatch(/^engine: auto on .+: a software adapter, so each problem shape is measured/);
      expect(auto.kind).toBe('webgpu'); // 'webgpu' while the GPU works (the count is defaultCandidates')

      const req = request(1, 40, 3, 3000);
      const first = await auto.propose(req);
      expect(kept()).toHaveLength(2);
      expect(kept()[1]).toMatch(/^engine: auto picked (the CPU|WebGPU) for n = 40, d = 3, 3000 candidates: CPU \d/);
      const dec = auto.decision(req)!;
      // The decision object is the cache entry: a switch during a later run changes it
      // in place, so the engine picked here is kept apart.
      const picked = dec.engine;
      expect(dec.engine).toBe(first.engine);
      expect(dec.cpuMs).toBeGreaterThan(0);
      expect(dec.webgpuMs).toBeGreaterThan(0);
      expect(dec.engine).toBe(dec.cpuMs < dec.webgpuMs ? 'cpu' : 'webgpu');

      // Same shape (n within a factor sqrt 2): no new measurement, same engine, deterministic result.
      const req2 = request(2, 44, 3, 3000);
      expect(shapeKey(req2)).toBe(shapeKey(req));
      const second = await auto.propose(req2);
      expect(kept()).toHaveLength(2);
      // A run on the CPU that is slower than 1.25x WebGPU's time still returns the
      // CPU's result and hands the shape over for the next run (under load).
      expect(second.engine).toBe(picked);
      if (picked === 'cpu') expect(Array.from(second.x)).toEqual(Array.from(proposeOnCpu(req2).x));

      // The cache is per device: a second engine on the same device reuses it without measuring.
      const other = await createEngine({ device: device!, prefer: 'auto', measure: true, verbose: true, log: (l) => lines.push(l) });
      await other.propose(req2);
      expect(kept()).toHaveLength(3); // only its creation line
      other.dispose();

      // A new shape is measured again.
      await auto.propose(request(3, 160, 3, 3000));
      expect(kept()).toHaveLength(4);
      expect(kept()[3]).toMatch(/for n = 160, d = 3/);
      auto.dispose();
    });
});
