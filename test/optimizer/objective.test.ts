/** runObjective: huge and infinite trialTimeoutMs do not fail trials; a loop blocked by other work does not either. */
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
    await vi.advanceTimersByTimeAsync(1); // the one turn of the loop the limit's timer takes before it fails the trial (a fake immediate runs 1 ms on)
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

/** Blocks this thread for `ms` (work no timer can interrupt). */
const busy = (ms: number) => { const end = Date.now() + ms; while (Date.now() < end); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('trialTimeoutMs and a loop blocked by other work', () => {
  it('an asynchronous objective that ended in time is not failed because other work blocked the loop meanwhile', async () => {
    // Trial 0 sleeps 20 ms; trial 1, started beside it, blocks the loop for 300 ms (as the next trials'
    // suggestions do with concurrency). Trial 0's wall time passed the limit, its own work did not.
    const [a, b] = await Promise.all([
      runObjective(async () => (await sleep(20), 1), {}, 0, 100),
      runObjective(() => (busy(300), 2), {}, 1, 100),
    ]);
    expect(a).toMatchObject({ ok: true, target: 1 });
    expect(a.durationMs).toBeGreaterThan(100);
    expect(b).toMatchObject({ ok: false, error: 'objective timed out after 100 ms' });
  });

  it('work done after an await, in the same turn of the loop, still counts against the limit', async () => {
    const out = await runObjective(async () => { await null; busy(150); return 1; }, {}, 0, 100);
    expect(out).toMatchObject({ ok: false, error: 'objective timed out after 100 ms' });
  });

  it('synchronous work after the last wait is not timed: no timer can fire in it (the documented price)', async () => {
    const out = await runObjective(async () => { await sleep(5); busy(150); return 1; }, {}, 0, 100);
    expect(out).toMatchObject({ ok: true, target: 1 });
  });

  it('an objective that never settles still times out, its signal aborted', async () => {
    let aborted = false;
    const out = await runObjective((_p, { signal }) => new Promise(() => signal.addEventListener('abort', () => { aborted = true; })), {}, 0, 50);
    expect(out).toMatchObject({ ok: false, error: 'objective timed out after 50 ms', abandoned: true });
    expect(aborted).toBe(true);
  });

  it('maximize({ concurrency: 2 }) fails only the trial that itself ran past trialTimeoutMs', async () => {
    const { RandomSearch } = await import('../../src/optimizer');
    const opt = new RandomSearch({
      f: async ({ x }, { trialId }) => {
        if (trialId === 3) busy(300);
        await sleep(20);
        return x as number;
      },
      pbounds: { x: [0, 1] }, randomState: 1, trialTimeoutMs: 100, log: () => undefined,
    });
    await opt.maximize({ initPoints: 8, nIter: 0, concurrency: 2 });
    const failed = opt.trials.filter((t) => t.status === 'failed').map((t) => [t.id, t.error]);
    expect(failed).toEqual([[3, 'objective timed out after 100 ms']]);
  });
});

describe("the objective's signal says why the wait ended", () => {
  const reasonOf = (timeoutMs: number | undefined, abort?: AbortSignal) => new Promise<unknown>((resolve) => {
    void runObjective((_p, { signal }) => new Promise(() => signal.addEventListener('abort', () => resolve(signal.reason))), {}, 0, timeoutMs, undefined, abort);
  });

  it('its timeout: a TimeoutError naming the limit', async () => {
    const r = (await reasonOf(30)) as Error;
    expect([r.name, r.message]).toEqual(['TimeoutError', 'objective timed out after 30 ms']);
  });

  it("dispose() or the maximize signal: the optimizer's reason", async () => {
    const ac = new AbortController();
    const reason = reasonOf(undefined, ac.signal);
    const why = new Error('optimizer has been disposed');
    await sleep(10); // the objective has started and listens
    ac.abort(why);
    expect(await reason).toBe(why);
  });
});
