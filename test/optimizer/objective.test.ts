/** runObjective: huge and infinite trialTimeoutMs do not fail trials. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runObjective } from '../../src/optimizer/objective';
import { BayesianOptimization } from '../../src/optimizer';

const after = (ms: number, v: number) => () => new Promise<number>((r) => setTimeout(() => r(v), ms));

describe('trialTimeoutMs beyond the timer limit', () => {
  afterEach(() => vi.useRealTimers());

  for (const ms of [Infinity, 2 ** 31, 1e12]) {
    it(`an objective taking 20 ms succeeds with timeout ${ms}`, async () => {
      const out = await runObjective(after(20, 3), {}, 0, ms);
      expect(out).toMatchObject({ ok: true, target: 3 });
    });
  }

  it('a timeout of 2^32 ms still fires, at 2^32 ms', async () => {
    vi.useFakeTimers();
    let aborted = false;
    const pending = runObjective((_p, { signal }) => new Promise(() => signal.addEventListener('abort', () => { aborted = true; })), {}, 0, 2 ** 32);
    await vi.advanceTimersByTimeAsync(2 ** 32 - 1);
    expect(aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ ok: false, error: `objective timed out after ${2 ** 32} ms` });
    expect(aborted).toBe(true);
  });

  it('maximize with trialTimeoutMs: Infinity records every trial as complete', async () => {
    const opt = new BayesianOptimization({
      f: async ({ x }) => (await new Promise((r) => setTimeout(r, 2)), -(((x as number) - 0.3) ** 2)),
      pbounds: { x: [0, 1] }, randomState: 1, engine: 'cpu', candidates: 100, gp: { restarts: 1 },
      trialTimeoutMs: Infinity, log: () => undefined,
    });
    await opt.maximize({ initPoints: 2, nIter: 1 });
    expect(opt.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'complete']);
  });
});
