import { afterAll, describe, expect, it } from 'vitest';
import { proposeOnCpu } from '../../src/acquisition/cpu-engine';
import type { ProposeResult } from '../../src/acquisition/engine';
import { AutoEngine, createEngine, isSoftwareDevice, type WebGpuEngine } from '../../src/gpu';
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

  it.runIf(device !== null && isSoftwareDevice(device))('two runs of one seed take the same points, every suggestion on the CPU engine', async () => {
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
  }, 120_000);
});
