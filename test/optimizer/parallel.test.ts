/**
 * Parallel work in one process: overlapping suggest() calls queue, in-flight
 * trials never share a point, suggest() hands out the initial design,
 * suggestBatch(q), and maximize({ concurrency }) with failures, timeouts and
 * a resume in the middle of a concurrent run.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionError, StateError } from '../../src/errors';
import { BayesianOptimization, pointKey, RandomSearch } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { Journal, MemoryJournalBackend } from '../../src/storage';
import { Rng } from '../../src/util/rng';
import { CrashedWorkers, useTempJournals } from './fixtures/journal-study';

const PB = { x: [0, 1], y: [0, 1] } as const;
const quad = ({ x, y }: Params): number => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;
const FAST = { engine: 'cpu', candidates: 300, gp: { restarts: 1 }, log: () => undefined } as const;
const tempJournal = useTempJournals();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));


describe('res in the order trials were told', () => {
  afterEach(() => vi.restoreAllMocks());

  it('trials registered within one millisecond keep the order they were told in, not their ask order', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 4, initPoints: 4 });
    const points = await Promise.all(Array.from({ length: 4 }, () => opt.suggest()));
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 60_000); // the wall clock stands still
    for (const i of [3, 1, 0, 2]) await opt.register(points[i], quad(points[i]));
    expect(opt.res.map((r) => r.id)).toEqual([3, 1, 0, 2]);
    expect(opt.res.map((r) => r.params)).toEqual([3, 1, 0, 2].map((i) => points[i]));
    opt.dispose();
  });
});

describe('suggest() from several workers in one process', () => {
  it('overlapping calls queue instead of throwing, and each returns a distinct pending point', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 2, initPoints: 3 });
    for (const [x, y] of [[0.1, 0.1], [0.9, 0.2], [0.5, 0.9]]) opt.register({ x, y }, quad({ x, y }));
    const points = await Promise.all(Array.from({ length: 6 }, () => opt.suggest()));
    expect(new Set(points.map(pointKey)).size).toBe(6);
    expect(opt.trials.map((t) => [t.id, t.status])).toEqual([
      [0, 'complete'], [1, 'complete'], [2, 'complete'], [3, 'pending'], [4, 'pending'], [5, 'pending'], [6, 'pending'], [7, 'pending'], [8, 'pending'],
    ]);
    // in call order: the i-th call got trial 3 + i
    expect(opt.trials.slice(3).map((t) => t.params)).toEqual(points);
    expect(opt.trials.slice(3).every((t) => t.source === 'suggest')).toBe(true);
  });

  it('a maximize while suggestions are queued is refused; queued ones still arrive', async () => {
    const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 2 });
    const s = [opt.suggest(), opt.suggest()];
    await expect(opt.maximize({ initPoints: 1, nIter: 0 })).rejects.toBeInstanceOf(StateError);
    expect(new Set((await Promise.all(s)).map(pointKey)).size).toBe(2);
  });

  it('dispose() with calls queued: those not yet started reject with StateError and record nothing', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 2, initPoints: 0 });
    opt.register({ x: 0.2, y: 0.2 }, quad({ x: 0.2, y: 0.2 }));
    const calls = [opt.suggest(), opt.suggest(), opt.suggest()];
    opt.dispose();
    const settled = await Promise.allSettled(calls);
    for (const r of settled) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(StateError);
    expect(opt.trials).toHaveLength(1);
  });

  it('in-flight trials never share a point: 4 async workers on a 4 x 4 grid of integers, 16 trials', async () => {
    const space = { x: { type: 'int', low: 0, high: 3 }, y: { type: 'int', low: 0, high: 3 } } as const;
    const f = ({ x, y }: Params) => -(((x as number) - 2) ** 2) - ((y as number) - 1) ** 2;
    for (const seed of [1, 2, 3]) {
      const opt = new BayesianOptimization({ ...FAST, space, randomState: seed, initPoints: 4 });
      const rng = new Rng(seed);
      const inFlight = new Map<string, number>();
      let asked = 0;
      const worker = async () => {
        while (asked < 16) {
          asked++;
          const p = await opt.suggest();
          const key = pointKey(p);
          expect(inFlight.has(key), `seed ${seed}: ${key} handed out twice while in flight`).toBe(false);
          inFlight.set(key, 1);
          await sleep(rng.int(4));
          inFlight.delete(key);
          await opt.register(p, f(p));
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      expect(opt.res).toHaveLength(16);
      // the 16 points of the space, each once: no trial was wasted on a repeat
      expect(new Set(opt.res.map((r) => pointKey(r.params))).size).toBe(16);
    }
  });
});

describe('the initial design through suggest()', () => {
  it('the first initPoints suggestions are the design maximize evaluates with the same seed', async () => {
    const asker = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 11, initPoints: 5 });
    const runner = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 11 });
    const suggested = await Promise.all(Array.from({ length: 5 }, () => asker.suggest()));
    await runner.maximize({ initPoints: 5, nIter: 0 });
    expect(suggested).toEqual(runner.res.map((r) => r.params));
    expect(asker.trials.map((t) => t.source)).toEqual(['init', 'init', 'init', 'init', 'init']);
    // a Latin hypercube: one point in each fifth of each axis
    for (const k of ['x', 'y'] as const) {
      expect(new Set(suggested.map((p) => Math.floor((p[k] as number) * 5))).size).toBe(5);
    }
    // past the design, with nothing completed yet, points are random and still distinct
    const more = await asker.suggest();
    expect(asker.trials[5].source).toBe('random');
    expect(suggested.map(pointKey)).not.toContain(pointKey(more));
  });

  it('registered trials count toward the design; RandomSearch hands out its random design too', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 5, initPoints: 3 });
    opt.register({ x: 0.5, y: 0.5 }, quad({ x: 0.5, y: 0.5 }));
    await opt.suggest();
    await opt.suggest();
    const third = await opt.suggest(); // the study holds 3: past the design (one value told: a random point, ./flat-values.test.ts)
    expect(opt.trials.map((t) => t.source)).toEqual(['register', 'init', 'init', 'random']);
    expect(pointKey(third)).not.toBe(pointKey({ x: 0.5, y: 0.5 }));
    const rs = new RandomSearch({ ...FAST, pbounds: PB, randomState: 5, initPoints: 2 });
    await rs.suggest();
    await rs.suggest();
    await rs.suggest();
    expect(rs.trials.map((t) => t.source)).toEqual(['init', 'init', 'random']);
  });

  it('rejects a bad initPoints option', () => {
    expect(() => new BayesianOptimization({ pbounds: PB, initPoints: -1 })).toThrow(InvalidOptionError);
    expect(() => new BayesianOptimization({ pbounds: PB, initPoints: -1 })).toThrow('option "initPoints": expected an integer >= 0, got -1');
  });
});

describe('suggestBatch(q)', () => {
  it('q distinct points, all pending until registered; design first, then the model', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 4, initPoints: 4 });
    const first = await opt.suggestBatch(4);
    expect(opt.trials.map((t) => t.source)).toEqual(['init', 'init', 'init', 'init']);
    for (const p of first) await opt.register(p, quad(p));
    const batch = await opt.suggestBatch(4);
    expect(new Set([...first, ...batch].map(pointKey)).size).toBe(8);
    expect(opt.trials.slice(4).map((t) => [t.status, t.source])).toEqual(Array(4).fill(['pending', 'suggest']));
    // jointly chosen: spread out rather than stacked on the current best
    let minDist = Infinity;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < i; j++) {
        minDist = Math.min(minDist, Math.hypot((batch[i].x as number) - (batch[j].x as number), (batch[i].y as number) - (batch[j].y as number)));
      }
    }
    expect(minDist).toBeGreaterThan(0.01);
    for (const p of batch) await opt.register(p, quad(p));
    expect(opt.res.map((r) => r.status)).toEqual(Array(8).fill('complete'));
  });

  it('rejects a bad q with the parameter named', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB });
    for (const q of [0, 1.5, NaN]) {
      await expect(opt.suggestBatch(q)).rejects.toThrow(InvalidOptionError);
    }
    await expect(opt.suggestBatch(0)).rejects.toThrow('q: expected an integer >= 1, got 0');
    // too many to choose jointly in reasonable time (the swaps cost about q^3): refused before any work
    await expect(opt.suggestBatch(1e9)).rejects.toThrow(new InvalidOptionError(
      "q: 1000000000 is more than a 'joint' batch takes (64); ask for several batches; batchSelection 'greedy' takes up to 1024", 'q'));
    await expect(opt.suggestBatch(65)).rejects.toThrow(InvalidOptionError);
    const greedy = new BayesianOptimization({ ...FAST, pbounds: PB, batchSelection: 'greedy' });
    await expect(greedy.suggestBatch(1025)).rejects.toThrow(new InvalidOptionError("q: 1025 is more than a 'greedy' batch takes (1024); ask for several batches", 'q'));
    expect([opt.trials, greedy.trials]).toEqual([[], []]);
    // nothing is held: the next batch comes
    expect(await greedy.suggestBatch(3)).toHaveLength(3);
  });
});

describe('registerFailure(params, reason)', () => {
  it('ends a suggestion as a failed trial (ask/tell\'s thrown objective): not pending, not asked again, in the journal', async () => {
    const path = tempJournal();
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3, journal: path, initPoints: 2 });
    const [a, b] = [await opt.suggest(), await opt.suggest()];
    await opt.register(a, quad(a));
    const t = await opt.registerFailure(b, new Error('out of GPU memory'));
    expect(t).toMatchObject({ id: 1, status: 'failed', error: 'out of GPU memory', params: b });
    expect(opt.trials.filter((x) => x.status === 'pending')).toEqual([]);
    // a point never suggested is recorded as a failed trial of its own; the reason defaults
    expect(await opt.registerFailure({ x: 0.5, y: 0.5 })).toMatchObject({ id: 2, status: 'failed', error: 'failed (registered)' });
    for (let i = 0; i < 3; i++) expect(pointKey(await opt.suggest())).not.toBe(pointKey(b));
    opt.dispose();
    const s = await (await Journal.open(path)).load();
    expect(s.trials.slice(0, 3).map((x) => [x.status, x.error ?? null])).toEqual([['complete', null], ['failed', 'out of GPU memory'], ['failed', 'failed (registered)']]);
    // a reason, or a thrown value, with no string form is still a failed trial (it rejected, leaving the point pending)
    const odd = Object.create(null) as object;
    const hostile = { toString: () => { throw new Error('no text'); } };
    const q = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3, f: () => { throw odd; } });
    await q.maximize({ initPoints: 1, nIter: 0 });
    expect(q.res.map((x) => [x.status, x.error])).toEqual([['failed', 'objective threw: [object Object]']]);
    const p = await q.suggest();
    expect(await q.registerFailure(p, hostile)).toMatchObject({ status: 'failed', error: '[object Object]' });
    // a thrown Proxy whose every trap throws: instanceof itself threw, and maximize rejected with the trap's error
    const trap = () => { throw new Error('trap'); };
    const proxy = new Proxy({}, { getPrototypeOf: trap, get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
    const r = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3, f: () => { throw proxy; } });
    await r.maximize({ initPoints: 1, nIter: 0 });
    expect(r.res.map((x) => x.status)).toEqual(['failed']);
    expect(r.res[0].error).toMatch(/^objective threw: /);
    r.dispose();
    // bad input records nothing
    const c = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3 });
    await expect(c.registerFailure({ x: 2, y: 0 })).rejects.toThrow(/^parameter "x"/);
    expect(c.trials).toHaveLength(0);
  });
});

describe('maximize({ concurrency })', () => {
  it('keeps up to k calls in flight, records failures and timeouts, res in completion order', async () => {
    let running = 0;
    let most = 0;
    const rng = new Rng(9);
    const f = async (p: Params, { trialId, signal }: { trialId: number; signal: AbortSignal }) => {
      running++;
      most = Math.max(most, running);
      // a call the runner gave up on (its signal aborted) is no longer in flight
      let left = false;
      const leave = () => {
        if (!left) running--;
        left = true;
      };
      signal.addEventListener('abort', leave);
      try {
        if (trialId === 2) throw new Error('boom');
        if (trialId === 5) await new Promise((r) => signal.addEventListener('abort', r)); // runs past trialTimeoutMs
        await sleep(5 + rng.int(30));
        return trialId === 7 ? NaN : quad(p);
      } finally {
        leave();
      }
    };
    // 1 s: far above the other calls' 5-35 ms even when a busy machine delays their timers
    const opt = new BayesianOptimization({ ...FAST, f, pbounds: PB, randomState: 3, trialTimeoutMs: 1000 });
    await opt.maximize({ initPoints: 4, nIter: 8, concurrency: 3 });
    expect(most).toBe(3);
    expect(opt.res).toHaveLength(12);
    expect(opt.trials.map((t) => t.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const byId = new Map(opt.res.map((r) => [r.id, r]));
    expect(byId.get(2)).toMatchObject({ status: 'failed', error: 'objective threw: boom' });
    expect(byId.get(5)).toMatchObject({ status: 'failed', error: 'objective timed out after 1000 ms' });
    expect(byId.get(7)).toMatchObject({ status: 'failed', error: 'objective returned NaN' });
    expect(opt.res.filter((r) => r.status === 'complete')).toHaveLength(9);
    expect(opt.trials.slice(0, 4).every((t) => t.source === 'init')).toBe(true);
    // asked-at and told-at times; res in the order trials were told
    for (const r of opt.res) expect(r.finishedAt!).toBeGreaterThanOrEqual(r.startedAt!);
    const told = opt.res.map((r) => r.finishedAt!);
    expect(told).toEqual([...told].sort((a, b) => a - b));
    expect(opt.res.map((r) => r.id)).not.toEqual(opt.res.map((r) => r.id).sort((a, b) => a - b)); // the slow trial 5 came late
    expect(new Set(opt.trials.map((t) => pointKey(t.params))).size).toBe(12);
  });

  it('concurrency 1 is the sequential run, bit for bit', async () => {
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 6 });
    const b = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 6 });
    await a.maximize({ initPoints: 3, nIter: 3 });
    await b.maximize({ initPoints: 3, nIter: 3, concurrency: 1 });
    expect(b.res.map((r) => r.params)).toEqual(a.res.map((r) => r.params));
  });

  it('a concurrency far above the budget runs the budget, all at once (it allocated one slot per unit: 2^32 threw a RangeError)', async () => {
    let inFlight = 0;
    let most = 0;
    let all = () => {};
    const allIn = new Promise<void>((r) => (all = r));
    const f = async (p: Params) => {
      most = Math.max(most, ++inFlight);
      if (inFlight === 3) all();
      // each call waits for the three to be in flight (up to 2 s: a loaded machine asks slowly)
      await Promise.race([allIn, new Promise((r) => setTimeout(r, 2000))]);
      inFlight--;
      return quad(p);
    };
    const opt = new BayesianOptimization({ ...FAST, f, pbounds: PB, randomState: 2 });
    await opt.maximize({ initPoints: 2, nIter: 1, concurrency: 2 ** 32 });
    expect(opt.res.map((r) => r.status)).toEqual(['complete', 'complete', 'complete']);
    expect(most).toBe(3);
  });

  it('rejects a bad concurrency with the option named', async () => {
    const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB });
    for (const c of [0, 2.5, -1]) {
      await expect(opt.maximize({ concurrency: c })).rejects.toThrow(`option "concurrency": expected an integer >= 1, got ${c}`);
    }
  });

  it('a resume in the middle of a concurrent run: interrupted trials failed and retried, nothing lost or evaluated twice', async () => {
    const backend = new CrashedWorkers();
    // run A: 3 in flight; from the 6th call on the objective never returns (a crash mid-trial)
    let calls = 0;
    let hungAll!: () => void;
    const hung = new Promise<void>((r) => (hungAll = r));
    const hungIds: number[] = [];
    const a = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 1, journal: backend,
      f: async (p, { trialId }) => {
        if (++calls > 5) {
          hungIds.push(trialId);
          if (hungIds.length === 3) hungAll();
          return new Promise(() => undefined);
        }
        await sleep(3);
        return quad(p);
      },
    });
    void a.maximize({ initPoints: 4, nIter: 8, resume: true, concurrency: 3 });
    await hung;
    const mid = await (await Journal.open(backend)).load();
    expect(mid.trials.filter((t) => t.status === 'complete')).toHaveLength(5);
    expect(mid.pending.map((t) => t.id).sort()).toEqual([...hungIds].sort());

    // run B on the same journal finishes the budget of 12
    const seen: number[] = [];
    const b = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 1, journal: backend,
      f: async (p, { trialId }) => (seen.push(trialId), await sleep(3), quad(p)),
    });
    await b.ready();
    await b.maximize({ initPoints: 4, nIter: 8, resume: true, concurrency: 3 });
    const s = await (await Journal.open(backend)).load();
    // the 3 interrupted trials failed; their retries fill their slots in the budget of 12 completed trials
    expect(s.trials.map((t) => t.id)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(s.trials.filter((t) => t.status === 'failed').map((t) => t.id).sort()).toEqual([...hungIds].sort());
    const done = s.trials.filter((t) => t.status === 'complete');
    expect(done).toHaveLength(12);
    // B evaluated the three retries (first) and the 4 new ones, each once
    const retries = s.trials.filter((t) => t.retryOf !== undefined);
    expect(retries.map((t) => t.retryOf).sort()).toEqual([...hungIds].sort());
    expect(seen.slice(0, 3).sort()).toEqual(retries.map((t) => t.id).sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(7);
    // each retry at the point its failed trial was asked
    const interrupted = new Map(mid.pending.map((t) => [t.id, t.params]));
    for (const r of retries) expect(r.params).toEqual(interrupted.get(r.retryOf as number));
    for (const [id, p] of interrupted) expect(s.trials[id].params).toEqual(p);
    expect(new Set(done.map((t) => pointKey(t.params))).size).toBe(12);
  });

  for (const concurrency of [1, 3]) {
    it(`a worker that stops while another finishes the budget: the survivor (concurrency ${concurrency}) retries its running trials before it ends`, async () => {
      // the survivor's last refresh (the budget taken, counting the stopped worker's running trials) once
      // ended the run with them running, until some later run resumed the study
      class Liveness extends MemoryJournalBackend {
        readonly stopped = new Set<string>();
        isWorkerAlive(worker: string): boolean {
          return !this.stopped.has(worker);
        }
      }
      const backend = new Liveness();
      let running!: () => void;
      const bothRunning = new Promise<void>((r) => (running = r));
      let n = 0;
      const a = new RandomSearch({
        pbounds: PB, randomState: 1, journal: backend, log: () => undefined,
        f: () => (++n === 2 && running(), new Promise<number>(() => undefined)),
      });
      void a.maximize({ initPoints: 8, nIter: 0, resume: true, concurrency: 2 }).catch(() => undefined);
      await bothRunning;
      const held = (await (await Journal.open(new MemoryJournalBackend(backend.text))).load()).pending;
      expect(held).toHaveLength(2);
      let calls = 0;
      const b = new RandomSearch({
        pbounds: PB, randomState: 2, journal: backend, log: () => undefined,
        f: async (p) => {
          // the first worker stops during the survivor's last trial of the budget (6 of 8)
          if (++calls === 6) backend.stopped.add(held[0].worker as string);
          await sleep(calls === 6 ? 20 : 1);
          return quad(p);
        },
      });
      await b.maximize({ initPoints: 8, nIter: 0, resume: true, concurrency });
      await b.close();
      const s = await (await Journal.open(new MemoryJournalBackend(backend.text))).load();
      expect(s.pending).toEqual([]);
      expect(s.trials.filter((t) => t.status === 'failed').map((t) => t.id)).toEqual(held.map((t) => t.id));
      const retries = s.trials.filter((t) => t.retryOf !== undefined);
      expect(retries.map((t) => [t.retryOf, t.status])).toEqual(held.map((t) => [t.id, 'complete']));
      expect(retries.map((t) => t.params)).toEqual(held.map((t) => t.params));
      expect(s.trials.filter((t) => t.status === 'complete')).toHaveLength(8);
      expect(calls).toBe(8);
      a.dispose();
    });
  }
});
