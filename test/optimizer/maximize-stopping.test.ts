/**
 * maximize's stopping rules and hooks: maxTimeMs and targetValue stop asking
 * (the running trials finish and are recorded), onTrial runs after each
 * recorded trial, one call at a time, and its error stops the run without
 * losing a trial; progress draws the command line's progress on stderr in
 * Node and nothing elsewhere. With concurrency 1 and 3.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryJournalBackend } from '../../src/storage';
import { BayesianOptimization, RandomSearch, type Trial } from '../../src/optimizer';
import type { Pruner } from '../../src/pruners';

const PB = { q: [0, 1] } as const;
const quiet = { log: () => undefined } as const;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('maximize({ maxTimeMs })', () => {
  // A clock the objective moves: each trial takes 10 "ms", so the count does not hang on the machine's speed.
  function fakeClock(): { tick(ms: number): void } {
    let now = 1_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    return { tick: (ms) => void (now += ms) };
  }

  it.each([1, 3])('asks no trial once the time is spent, lets the running ones finish, and resolves (concurrency %i)', async (concurrency) => {
    const clock = fakeClock();
    // Trials end one after another in the order they were asked, whatever the machine's load
    // (sleeps of different lengths alone could end out of order on a busy machine).
    let previous = Promise.resolve();
    const f = async ({ q }: { q: number }) => {
      const before = previous;
      let done!: () => void;
      previous = new Promise<void>((resolve) => { done = resolve; });
      await before;
      await sleep(1);
      clock.tick(10);
      done();
      return q;
    };
    const opt = new RandomSearch({ ...quiet, f, pbounds: PB, randomState: 3 });
    await opt.maximize({ initPoints: 50, nIter: 0, maxTimeMs: 35, concurrency });
    // asked at 0, 10, 20, 30 ms one at a time; with 3 at once, 3 at 0 ms and one as each of the first three ends (10, 20, 30 ms)
    expect(opt.res).toHaveLength(concurrency === 1 ? 4 : 6);
    expect(opt.trials.every((t) => t.status === 'complete')).toBe(true);
  });

  it('maxTimeMs 0 runs nothing; Infinity is no limit', async () => {
    const opt = new RandomSearch({ ...quiet, f: ({ q }) => q, pbounds: PB, randomState: 3 });
    await opt.maximize({ initPoints: 3, nIter: 0, maxTimeMs: 0 });
    expect(opt.trials).toEqual([]);
    await opt.maximize({ initPoints: 3, nIter: 2, maxTimeMs: Infinity });
    expect(opt.res).toHaveLength(5);
  });
});

describe('stop()', () => {
  it.each([1, 3])('from onTrial: no new trial is asked, the running ones finish and are recorded, maximize resolves (concurrency %i)', async (concurrency) => {
    const seen: number[] = [];
    let calls = 0;
    let askedAtStop = -1;
    const opt = new RandomSearch({ ...quiet, f: async ({ q }) => (calls++, await sleep(2), q), pbounds: PB, randomState: 3 });
    await opt.maximize({
      initPoints: 30, nIter: 0, concurrency,
      onTrial: (t, o) => {
        seen.push(t.id);
        if (seen.length === 4) {
          askedAtStop = o.trials.length; // the told ones and those still running
          o.stop();
        }
      },
    });
    // nothing asked after the stop; the trials running then finished, were recorded and went to onTrial
    expect(askedAtStop).toBeGreaterThanOrEqual(4);
    expect(askedAtStop).toBeLessThanOrEqual(4 + concurrency - 1);
    expect(opt.trials).toHaveLength(askedAtStop);
    expect(calls).toBe(askedAtStop);
    expect(opt.trials.every((t) => t.status === 'complete')).toBe(true);
    expect(seen.sort((a, b) => a - b)).toEqual(opt.trials.map((t) => t.id));
    // a stop() belongs to the run it was called in: the next maximize runs as asked; outside a run it does nothing
    opt.stop();
    await opt.maximize({ initPoints: 2, nIter: 0 });
    expect(opt.trials).toHaveLength(askedAtStop + 2);
  });
});

describe('stop() right after maximize() is called', () => {
  it('while the storage still opens: nothing is asked', async () => {
    let calls = 0;
    const opt = new RandomSearch({ ...quiet, f: ({ q }) => (calls++, q), pbounds: PB, randomState: 3, journal: new MemoryJournalBackend() });
    const running = opt.maximize({ initPoints: 3, nIter: 5 });
    opt.stop(); // maximize waits for the journal to open: the stop is this run's
    await running;
    expect(calls).toBe(0);
    await opt.maximize({ initPoints: 2, nIter: 0 });
    expect(calls).toBe(2);
    await opt.close();
  });
});

describe('maximize({ targetValue })', () => {
  it.each([
    ['maximize', 1, 0.9],
    ['minimize', 1, 0.1],
    ['maximize', 3, 0.9],
    ['minimize', 3, 0.1],
  ] as const)('direction %s, concurrency %i: stops asking once the best reaches %d; the running trials finish', async (direction, concurrency, target) => {
    const f = async ({ q }: { q: number }) => {
      await sleep(1 + Math.round(q * 4));
      return q;
    };
    const opt = new RandomSearch({ ...quiet, f, pbounds: PB, direction, randomState: 5 });
    const told: Trial[] = []; // in the order they were recorded
    await opt.maximize({ initPoints: 200, nIter: 0, targetValue: target, concurrency, onTrial: (t) => void told.push(t) });
    const reaches = (t: Trial) => (direction === 'maximize' ? t.target! >= target : t.target! <= target);
    const first = told.findIndex(reaches);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(told.slice(0, first).some(reaches)).toBe(false);
    // 200 trials would run without the target; none is asked once it is recorded,
    // so only the trials running then (at most concurrency - 1) finish after it
    expect(told.length - first - 1).toBeLessThanOrEqual(concurrency - 1);
    expect(told.length).toBeLessThan(100);
    expect(opt.res.map((t) => t.id).sort((a, b) => a - b)).toEqual(told.map((t) => t.id).sort((a, b) => a - b));
    expect(opt.trials.filter((t) => t.status === 'pending')).toEqual([]);
  });

  it('a study that already reached the target runs no trial; a model-guided run stops on it too', async () => {
    const opt = new BayesianOptimization({ ...quiet, f: ({ q }) => -((q - 0.3) ** 2), pbounds: PB, randomState: 2, engine: 'cpu', candidates: 500 });
    await opt.maximize({ initPoints: 4, nIter: 30, targetValue: -1e-6 });
    const n = opt.res.length;
    // the last trial, a model-guided one, reached it; none before did
    expect(opt.res[n - 1].source).toBe('suggest');
    expect(opt.res.slice(0, n - 1).every((t) => t.target! < -1e-6)).toBe(true);
    expect(opt.max!.target).toBeGreaterThanOrEqual(-1e-6);
    expect(n).toBeLessThan(34);
    await opt.maximize({ initPoints: 2, nIter: 2, targetValue: -1e-6 });
    expect(opt.res).toHaveLength(n);
  });
});

describe('maximize({ onTrial })', () => {
  it.each([1, 3])('is called once per finished trial (complete, failed, pruned), after it is recorded, with the optimizer, one call at a time (concurrency %i)', async (concurrency) => {
    const journal = new MemoryJournalBackend();
    const pruneHigh: Pruner = { name: 'high', prune: ({ trial }) => trial.values[trial.values.length - 1] > 0.8 };
    const f = async ({ q }: { q: number }, ctx: { report(step: number, v: number): Promise<boolean> }) => {
      await sleep(1 + Math.round(q * 4));
      if (q < 0.2) throw new Error('diverged');
      await ctx.report(1, q);
      return q;
    };
    const opt = new RandomSearch({ ...quiet, f, pbounds: PB, randomState: 8, journal, pruner: pruneHigh });
    const seen: { id: number; status: string; recorded: boolean; same: boolean }[] = [];
    let active = 0;
    let most = 0;
    await opt.maximize({
      initPoints: 16, nIter: 0, concurrency,
      onTrial: async (trial, o) => {
        active++;
        most = Math.max(most, active);
        seen.push({ id: trial.id, status: trial.status, recorded: o.res.some((r) => r.id === trial.id && r.status === trial.status), same: o === opt });
        await sleep(2);
        active--;
      },
    });
    const ids = (a: { id: number }[]) => a.map((t) => t.id).sort((x, y) => x - y);
    expect(ids(seen)).toEqual(ids(opt.res));
    expect(seen).toHaveLength(16);
    expect(seen.every((s) => s.recorded && s.same)).toBe(true);
    expect(new Set(seen.map((s) => s.status))).toEqual(new Set(['complete', 'failed', 'pruned']));
    expect(most).toBe(1);
  });

  it.each([
    [1, 'throws'],
    [3, 'throws'],
    [3, 'rejects'],
  ] as const)('concurrency %i: when it %s, no new trial is asked, the running ones finish and are recorded, then maximize rejects with its error', async (concurrency, how) => {
    const journal = new MemoryJournalBackend();
    const f = async ({ q }: { q: number }) => {
      await sleep(1 + Math.round(q * 4));
      return q;
    };
    const opt = new RandomSearch({ ...quiet, f, pbounds: PB, randomState: 9, journal });
    const boom = new Error('callback failed');
    const calls: number[] = [];
    let thrownAt = -1;
    const e = await opt.maximize({
      initPoints: 30, nIter: 0, concurrency,
      onTrial: how === 'throws'
        ? (t) => {
          calls.push(t.id);
          if (calls.length === 3) {
            thrownAt = t.id;
            throw boom;
          }
        }
        : async (t) => {
          calls.push(t.id);
          await sleep(1);
          if (calls.length === 3) {
            thrownAt = t.id;
            throw boom;
          }
        },
    }).catch((x: unknown) => x);
    expect(e).toBe(boom);
    const res = opt.res;
    // the running trials finished, were recorded and passed to onTrial too; nothing is left pending
    expect(opt.trials.filter((t) => t.status !== 'complete')).toEqual([]);
    expect([...calls].sort((a, b) => a - b)).toEqual(res.map((t) => t.id).sort((a, b) => a - b));
    expect(calls[2]).toBe(thrownAt);
    // after the throw only the trials running then (at most concurrency - 1) finish
    expect(res.length).toBeLessThanOrEqual(3 + concurrency - 1);
    if (concurrency === 1) expect(res).toHaveLength(3);
    // what the journal holds: every trial, told
    const again = new RandomSearch({ ...quiet, f, pbounds: PB, randomState: 9, journal });
    await again.ready();
    const byId = (a: Trial[]) => a.map((t) => [t.id, t.target]).sort((x, y) => x[0]! - y[0]!);
    expect(byId(again.res)).toEqual(byId(res));
    again.dispose();
    // the optimizer is usable afterwards
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(opt.res).toHaveLength(res.length + 1);
  });

  it('runs for trials that an aborted signal failed, and maximize rejects with the abort', async () => {
    const ac = new AbortController();
    const f = (_p: { q: number }, { signal }: { signal: AbortSignal }) => {
      setTimeout(() => ac.abort(), 5);
      return new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(1)));
    };
    const opt = new RandomSearch({ ...quiet, f, pbounds: PB, randomState: 1 });
    const seen: string[] = [];
    const e = await opt.maximize({ initPoints: 5, nIter: 0, concurrency: 2, signal: ac.signal, onTrial: (t) => void seen.push(`${t.id} ${t.status}`) })
      .catch((x: unknown) => x);
    expect((e as Error).message).toBe('maximize: aborted by its signal');
    expect(seen).toEqual(['0 failed', '1 failed']);
  });
});

describe('maximize({ progress: true })', () => {
  function captureStderr(): string[] {
    const out: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    return out;
  }

  it.each([1, 2])('prints the command line\'s progress on stderr: one line per trial when stderr is not a terminal (concurrency %i)', async (concurrency) => {
    const out = captureStderr();
    const tty = process.stderr.isTTY;
    process.stderr.isTTY = false;
    try {
      const opt = new RandomSearch({ ...quiet, f: ({ q }) => (q > 0.5 ? q : Promise.reject(new Error('no'))), pbounds: PB, randomState: 4 });
      await opt.maximize({ initPoints: 4, nIter: 2, concurrency, progress: true });
      const lines = out.join('').split('\n').filter(Boolean);
      expect(lines).toHaveLength(6);
      let best: number | null = null;
      opt.res.forEach((t, i) => {
        if (t.status === 'complete') best = Math.max(best ?? -Infinity, t.target!);
        const value = t.status === 'complete' ? String(Number(t.target!.toPrecision(3))) : 'failed';
        const bestText = best === null ? '-' : String(Number((best as number).toPrecision(3)));
        expect(lines[i]).toMatch(new RegExp(`^\\[${i + 1}/6\\] trial ${t.id}: ${value.replace('.', '\\.')} \\(best ${bestText.replace('.', '\\.')}\\) \\(\\d+\\.\\d s\\)$`));
      });
    } finally {
      process.stderr.isTTY = tty;
    }
  });

  it('counts its trials on the record as other workers left it: an enqueued point another worker took since is not counted', async () => {
    const journal = new MemoryJournalBackend();
    const make = () => new RandomSearch({ ...quiet, f: ({ q }) => q, pbounds: PB, randomState: 4, journal });
    const [a, b] = [make(), make()];
    await Promise.all([a.ready(), b.ready()]);
    await a.enqueue({ q: 0.25 });
    const p = await b.suggest(); // b takes the enqueued point and tells it
    await b.register(p, 0.25);
    const out = captureStderr();
    const tty = process.stderr.isTTY;
    process.stderr.isTTY = false;
    try {
      await a.maximize({ initPoints: 0, nIter: 2, progress: true });
    } finally {
      process.stderr.isTTY = tty;
    }
    const lines = out.join('').split('\n').filter(Boolean);
    expect(lines.map((l) => l.slice(0, 5))).toEqual(['[1/2]', '[2/2]']);
    await Promise.all([a.close(), b.close()]);
  });

  it('routes the default log (the verbose table) through the progress output, not stdout', async () => {
    const out = captureStderr();
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const opt = new RandomSearch({ f: ({ q }) => q, pbounds: PB, randomState: 4, verbose: 2 });
    await opt.maximize({ initPoints: 2, nIter: 0, progress: true });
    expect(log).not.toHaveBeenCalled();
    expect(out.join('')).toMatch(/\|\s+iter\s+\|\s+target\s+\|/);
  });

  it('is quiet by default, and does nothing outside Node (a Deno global present)', async () => {
    const out = captureStderr();
    const opt = new RandomSearch({ ...quiet, f: ({ q }) => q, pbounds: PB, randomState: 4 });
    await opt.maximize({ initPoints: 2, nIter: 0 });
    expect(out).toEqual([]);
    (globalThis as { Deno?: unknown }).Deno = {};
    try {
      await opt.maximize({ initPoints: 2, nIter: 0, progress: true });
    } finally {
      delete (globalThis as { Deno?: unknown }).Deno;
    }
    expect(out).toEqual([]);
    expect(opt.res).toHaveLength(4);
  });
});
