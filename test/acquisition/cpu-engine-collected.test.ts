/**
 * A CPU engine nobody disposed (an optimizer dropped without dispose(), or
 * the CPU engine inside a WebGPU or 'auto' engine) stops its bounding
 * workers when it is collected, as dispose() does. Before, each such engine
 * kept its worker threads (about 10 MB each) for the life of the process.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoundingPool } from '../../src/acquisition/bounding-pool';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import { BayesianOptimization } from '../../src/optimizer';
import { Rng } from '../../src/util/rng';
import { collect } from '../util/collect-garbage';

const f = (p: Record<string, unknown>) => -(((p.x as number) - 0.3) ** 2) - ((p.y as number) - 0.6) ** 2;

/** Pools created and pools disposed while `run` uses a CPU engine it then drops. */
async function poolsOf(run: (engine: ReturnType<typeof createCpuEngine>) => Promise<void>): Promise<{ created: number; disposed: () => number }> {
  let created = 0;
  const create = BoundingPool.create.bind(BoundingPool);
  vi.spyOn(BoundingPool, 'create').mockImplementation((...a) => (created++, create(...a)));
  const dispose = vi.spyOn(BoundingPool.prototype, 'dispose');
  await run(createCpuEngine({ workers: 1 }));
  return { created, disposed: () => dispose.mock.calls.length };
}

/** 70 observations, then suggestions at 10,000 candidates: large enough for the engine to start its pool. */
async function useIt(engine: ReturnType<typeof createCpuEngine>, dispose: boolean): Promise<void> {
  const opt = new BayesianOptimization({ pbounds: { x: [0, 1], y: [0, 1] }, f, engine, candidates: 10_000, randomState: 1, verbose: 0 });
  const rng = new Rng(2);
  for (let i = 0; i < 70; i++) {
    const p = { x: rng.random(), y: rng.random() };
    await opt.register(p, f(p));
  }
  await opt.suggest();
  if (dispose) engine.dispose();
  opt.dispose();
}

afterEach(() => vi.restoreAllMocks());

describe('a CPU engine collected without dispose()', () => {
  it('stops the worker pool it started', async () => {
    const { created, disposed } = await poolsOf((engine) => useIt(engine, false));
    expect(created).toBe(1);
    await collect(() => disposed() > 0);
    expect(disposed()).toBe(1);
  });

  it('stops it once when it was disposed before it was collected', async () => {
    const { created, disposed } = await poolsOf((engine) => useIt(engine, true));
    expect(created).toBe(1);
    await collect(() => false);
    expect(disposed()).toBe(1);
  });
});
