/** A huge `candidates` is refused at construction, or capped by the CPU engine with one log line; GPU buffers are checked against device limits before allocation; without the option the engine's default count is asked. */
import { describe, expect, it, vi } from 'vitest';
import { cpuCandidateCap, createCpuEngine, DEFAULT_CANDIDATES, MAX_CANDIDATES } from '../../src/acquisition';
import type { Engine } from '../../src/acquisition/engine';
import { InvalidOptionError } from '../../src/errors';
import { BufferPool } from '../../src/gpu/buffer-pool';
import { STORAGE_USAGE, READBACK_USAGE } from '../../src/gpu/constants';
import { GpuFailure } from '../../src/errors';
import { BayesianOptimization } from '../../src/optimizer';

const f = ({ x, y }: Record<string, unknown>) => -(((x as number) - 0.3) ** 2) - (((y as number) - 0.6) ** 2);

describe('candidates option', () => {
  for (const c of [1e9, 7.2e8, MAX_CANDIDATES + 1]) {
    it(`${c} is an InvalidOptionError naming candidates, at construction`, () => {
      let err: unknown;
      try {
        new BayesianOptimization({ f, pbounds: { x: [0, 1], y: [0, 1] }, candidates: c });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).option).toBe('candidates');
      expect((err as Error).message).toBe(`option "candidates": expected an integer from 1 to 16777216 (2^24), got ${c}`);
    });
  }

  it('2^24 is accepted; the CPU engine scores what fits its memory and the optimizer says so once', async () => {
    const lines: string[] = [];
    const engine = createCpuEngine({ maxCandidateBytes: 40_000 });
    const cap = cpuCandidateCap(2, 40_000);
    expect(cap).toBe(1000);
    const opt = new BayesianOptimization({
      f, pbounds: { x: [0, 1], y: [0, 1] }, candidates: MAX_CANDIDATES, engine, randomState: 1, gp: { restarts: 1 }, log: (l) => lines.push(l),
    });
    await opt.maximize({ initPoints: 3, nIter: 3 });
    expect(opt.trials.filter((t) => t.status === 'complete')).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith('candidates:'))).toEqual([
      `candidates: the cpu engine scores ${cap} of the ${MAX_CANDIDATES} requested per suggestion (what fits its memory in 2 dimensions)`,
    ]);
  });

  it('the default CPU cap keeps a suggestion within 256 MiB', () => {
    expect(cpuCandidateCap(2)).toBe(Math.floor(2 ** 28 / 40));
    expect(cpuCandidateCap(20) * (20 + 3) * 8).toBeLessThanOrEqual(2 ** 28);
    expect(cpuCandidateCap(1, 2 ** 40)).toBe(MAX_CANDIDATES);
  });
});

describe('GPU buffers are checked against the device limits before allocation', () => {
  const device = (maxBufferSize: number, maxStorageBufferBindingSize: number) => ({
    limits: { maxBufferSize, maxStorageBufferBindingSize },
    createBuffer: vi.fn(({ size }: { size: number }) => ({ size, destroy: vi.fn() })),
  });

  it('a storage buffer above maxStorageBufferBindingSize or any buffer above maxBufferSize is a GpuFailure, and nothing is created', () => {
    const dev = device(1 << 20, 1 << 16);
    const pool = new BufferPool(dev as unknown as GPUDevice);
    expect(() => pool.acquire((1 << 16) + 4, STORAGE_USAGE, 'round-1 pairs')).toThrow(
      new GpuFailure('WebGPU limit: buffer "round-1 pairs" needs 65540 bytes, above the device\'s maxStorageBufferBindingSize (65536)', 'out-of-memory'),
    );
    expect(() => pool.acquire((1 << 20) + 4, READBACK_USAGE, 'readback')).toThrow(
      'WebGPU limit: buffer "readback" needs 1048580 bytes, above the device\'s maxBufferSize (1048576)',
    );
    expect(dev.createBuffer).not.toHaveBeenCalled();
    pool.acquire(1 << 16, STORAGE_USAGE, 'fits');
    pool.acquire((1 << 16) + 4, READBACK_USAGE, 'fits too');
    expect(dev.createBuffer).toHaveBeenCalledTimes(2);
  });
});

describe("the default candidate count is the engine's", () => {
  /** The CPU engine, recording the count each proposal was asked for; `perShape` as its defaultCandidates. */
  function recording(perShape?: (n: number, d: number) => number) {
    const inner = createCpuEngine({ workers: 0 });
    const asked: number[] = [];
    const engine: Engine = {
      kind: 'cpu', description: 'recording',
      propose: (req) => (asked.push(req.candidates), inner.propose(req)),
      evaluate: (...a) => inner.evaluate(...a),
      ...(perShape ? { defaultCandidates: perShape } : {}),
      dispose: () => inner.dispose(),
    };
    return { engine, asked };
  }

  it("engine.defaultCandidates(n, d) where the engine has it, DEFAULT_CANDIDATES of its kind otherwise, the option over both", async () => {
    const withRule = recording((n, d) => 1000 + 10 * n + d);
    const plain = recording();
    const given = recording((n, d) => 1000 + 10 * n + d);
    for (const [r, extra] of [[withRule, {}], [plain, {}], [given, { candidates: 777 }]] as const) {
      const opt = new BayesianOptimization({ f, pbounds: { x: [0, 1], y: [0, 1] }, engine: r.engine, randomState: 2, gp: { restarts: 1 }, ...extra });
      await opt.maximize({ initPoints: 3, nIter: 3 });
      opt.dispose();
    }
    // 3, 4 and 5 observations when the three model-guided points were proposed, d = 2
    expect(withRule.asked).toEqual([1032, 1042, 1052]);
    expect(plain.asked).toEqual([DEFAULT_CANDIDATES.cpu, DEFAULT_CANDIDATES.cpu, DEFAULT_CANDIDATES.cpu]);
    expect(given.asked).toEqual([777, 777, 777]);
  });
});
