/**
 * A WebGPU engine nobody disposed (an optimizer dropped without dispose())
 * is collected, and its owned device destroyed then, as dispose() does: the
 * device's listeners reach the engine weakly. Before, every such engine kept
 * its device's threads and memory for the process's life, and a process
 * crashed natively after about 60 of them. An engine disposed before it is
 * collected destroys its device once, not again.
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { WebGpuEngine } from '../../src/gpu';
import { openTestDevice } from './helpers';
import { collect } from '../util/collect-garbage';

/** A WebGPU engine owning a fresh device whose destroy() calls are counted; only the count is returned. */
async function ownedEngine(run: (e: WebGpuEngine) => Promise<void>): Promise<{ destroyed: () => number }> {
  const device = (await openTestDevice())!;
  let destroyed = 0;
  const destroy = device.destroy.bind(device);
  device.destroy = () => {
    destroyed++;
    destroy();
  };
  const engine = await WebGpuEngine.create(device, { ownsDevice: true, log: () => undefined });
  await run(engine);
  return { destroyed: () => destroyed };
}

const device = await openTestDevice();
device?.destroy();

describe.skipIf(device === null)('a WebGPU engine collected without dispose()', () => {
  it('destroys its owned device, after an optimizer used it and was dropped', async () => {
    const { destroyed } = await ownedEngine(async (engine) => {
      const opt = new BayesianOptimization({ pbounds: { x: [0, 1], y: [0, 1] }, f: (p) => -(p.x as number), engine, candidates: 2048, randomState: 1, verbose: 0 });
      await opt.maximize({ initPoints: 3, nIter: 2 });
      expect(opt.res.slice(3).map((t) => t.engine)).toEqual(['webgpu', 'webgpu']);
    });
    await collect(() => destroyed() > 0);
    expect(destroyed()).toBe(1);
  });

  it('is not destroyed again once disposed', async () => {
    const { destroyed } = await ownedEngine(async (engine) => engine.dispose());
    expect(destroyed()).toBe(1);
    await collect(() => false);
    expect(destroyed()).toBe(1);
  });
});
