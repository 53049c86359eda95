/**
 * The optimizer on a journal, in one process: resume (finished trials loaded,
 * interrupted ones failed and their points retried, the random stream continued), failures kept with
 * their reason, the `resume` budget of maximize, and ask/tell between workers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateError, StorageError } from '../../src/errors';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { Journal, MemoryJournalBackend } from '../../src/storage';
import { journalEvents } from '../storage/journal-lines';

const PB = { x: [0, 1], y: [0, 1] } as const;
const quad = ({ x, y }: Params): number => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;
const FAST = { engine: 'cpu', candidates: 200, gp: { restarts: 1 }, log: () => undefined } as const;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempJournal(): string {
  const d = mkdtempSync(join(tmpdir(), 'opt-journal-'));
  dirs.push(d);
  return join(d, 'study.jsonl');
}
/** The journal as study/ask/tell events (see journalEvents). */
const lines = (path: string): Record<string, any>[] => journalEvents(path);

/** A shared in-memory journal whose other workers have all stopped (as after a crash). */
class CrashedWorkers extends MemoryJournalBackend {
  isWorkerAlive(): boolean {
    return false;
  }
}

/** Runs a study whose third objective call never returns: a crash mid-trial. */
async function crashMidTrial(backend: MemoryJournalBackend): Promise<Params> {
  let hung!: (p: Params) => void;
  const hanging = new Promise<Params>((r) => (hung = r));
  let calls = 0;
  const a = new BayesianOptimization({
    ...FAST, pbounds: PB, randomState: 1, journal: backend,
    f: (p) => (++calls === 3 ? (hung(p), new Promise(() => undefined)) : quad(p)),
  });
  void a.maximize({ initPoints: 2, nIter: 3 });
  return hanging;
}

describe('resuming a study from its journal', () => {
  it('loads finished trials with their ids, targets and best', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 3, journal: path });
    await a.register({ x: 0.5, y: 0.5 }, quad({ x: 0.5, y: 0.5 }));
    await a.maximize({ initPoints: 2, nIter: 2 });
    const p = await a.suggest();
    await a.register(p, quad(p));
    a.dispose();
    const logged: string[] = [];
    const b = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 3, journal: path, log: (l) => logged.push(l) });
    await b.ready();
    expect(b.res).toEqual(a.res);
    expect(b.max).toEqual(a.max);
    expect(logged).toEqual(['journal: resumed 6 finished trial(s), 0 interrupted trial(s) to re-ask']);
  });

  it('suggest() right after construction waits for the journal (ids continue, none reused)', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 3, journal: path });
    await a.maximize({ initPoints: 2, nIter: 1 });
    a.dispose();
    const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3, journal: path });
    const p = await b.suggest(); // no ready() first
    expect(b.trials.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'complete'], [3, 'pending']]);
    const t = await b.register(p, quad(p));
    expect(t.id).toBe(3);
    expect(lines(path).filter((e) => e.type === 'ask').map((e) => e.id)).toEqual([0, 1, 2, 3]);
  });

  it('continues the random stream where it stopped', async () => {
    const whole = new RandomSearch({ f: quad, pbounds: PB, randomState: 5, journal: tempJournal(), log: () => undefined });
    await whole.maximize({ initPoints: 0, nIter: 6 });
    const path = tempJournal();
    const first = new RandomSearch({ f: quad, pbounds: PB, randomState: 5, journal: path, log: () => undefined });
    await first.maximize({ initPoints: 0, nIter: 3 });
    first.dispose();
    // another seed: only the restored stream can give the same points
    const second = new RandomSearch({ f: quad, pbounds: PB, randomState: 99, journal: path, log: () => undefined });
    await second.maximize({ initPoints: 0, nIter: 3 });
    expect(second.res.map((r) => r.params)).toEqual(whole.res.map((r) => r.params));
    const fresh = new RandomSearch({ f: quad, pbounds: PB, randomState: 99, log: () => undefined });
    await fresh.maximize({ initPoints: 0, nIter: 3 });
    expect(fresh.res.map((r) => r.params)).not.toEqual(whole.res.slice(3).map((r) => r.params));
  });

  it('continues a Bayesian study bit for bit: the GP random stream and warm start are restored too', async () => {
    const opts = { ...FAST, f: quad, pbounds: PB, gp: { restarts: 2 } } as const;
    const whole = new BayesianOptimization({ ...opts, randomState: 5 });
    await whole.maximize({ initPoints: 3, nIter: 3, resume: true });
    const at6 = whole.gp.state();
    expect(at6.theta).toHaveLength(4); // 2 lengthscales, signal, noise
    await whole.maximize({ initPoints: 3, nIter: 6, resume: true });
    const path = tempJournal();
    const first = new BayesianOptimization({ ...opts, randomState: 5, journal: path });
    await first.maximize({ initPoints: 3, nIter: 3, resume: true });
    first.dispose();
    // another seed: only the restored streams and hyperparameters can give the same GP and points
    const second = new BayesianOptimization({ ...opts, randomState: 99, journal: path });
    await second.ready();
    // fitN/fitKey (refit 'auto') travel in the wbo:model attr too
    expect(at6.fitN).toBe(5);
    expect(lines(path).filter((e) => e.type === 'ask' && e.source === 'suggest').at(-1)?.model).toMatchObject({ fitN: 5, fitKey: at6.fitKey });
    expect(second.gp.state()).toEqual(at6);
    await second.maximize({ initPoints: 3, nIter: 6, resume: true });
    expect(second.res.map((r) => [r.params, r.target])).toEqual(whole.res.map((r) => [r.params, r.target]));
    expect(lines(path).filter((e) => e.type === 'ask' && e.source === 'suggest').every((e) => e.model?.rng?.length === 4)).toBe(true);
  });

  it('fails the interrupted trial and retries its point first as a new trial, then finishes the budget', async () => {
    const backend = new CrashedWorkers();
    const lost = await crashMidTrial(backend);
    const seen: [number, Params][] = [];
    const logged: string[] = [];
    const b = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 1, journal: backend, log: (l) => logged.push(l),
      f: (p, { trialId }) => (seen.push([trialId, p]), quad(p)),
    });
    await b.ready();
    expect(logged).toEqual(['journal: resumed 2 finished trial(s), 1 interrupted trial(s) to re-ask']);
    expect(b.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'pending']);
    await b.maximize({ initPoints: 2, nIter: 3, resume: true });
    // the retry fills the failed trial's slot: the budget of 5 still ends with 5 completed trials
    expect(seen[0]).toEqual([3, lost]);
    expect(seen.map(([id]) => id)).toEqual([3, 4, 5]);
    expect(b.res.map((r) => [r.id, r.status])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'failed'], [3, 'complete'], [4, 'complete'], [5, 'complete']]);
    expect(b.res.map((r) => r.source)).toEqual(['init', 'init', 'suggest', 'suggest', 'suggest', 'suggest']);
    expect(b.trials[3]).toMatchObject({ retryOf: 2, params: lost });
    expect(b.trials[2].error).toMatch(/^heartbeat expired: worker .* stopped mid-trial/);
    const s = await (await Journal.open(backend)).load();
    expect(s.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'failed', 'complete', 'complete', 'complete']);
  });

  it('suggest() hands out the interrupted trial\'s point first (as its retry); register() completes the retry', async () => {
    const backend = new CrashedWorkers();
    const lost = await crashMidTrial(backend);
    const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 1, journal: backend });
    const p = await b.suggest();
    expect(p).toEqual(lost);
    const t = await b.register(p, quad(p));
    expect(t).toMatchObject({ id: 3, status: 'complete', target: quad(lost), retryOf: 2 });
    const q = await b.suggest();
    expect(q).not.toEqual(lost);
    expect(b.trials.map((x) => [x.id, x.status])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'failed'], [3, 'complete'], [4, 'pending']]);
  });
});

describe('objective faults in a journal', () => {
  const REASONS = [
    'objective threw: boom',
    'objective returned NaN',
    'objective returned Infinity',
    'objective returned a string ("abc"), expected a finite number',
    'objective returned undefined, expected a finite number',
    'objective timed out after 40 ms',
  ];
  const faulty = (p: Params): unknown => {
    switch (p.x) {
      case 0.1: throw new Error('boom');
      case 0.2: return NaN;
      case 0.3: return Infinity;
      case 0.4: return 'abc';
      case 0.5: return undefined;
      case 0.6: return new Promise(() => undefined); // hangs
      default: return quad(p);
    }
  };

  it('are written with their reason, resumed as failed and never re-run', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: faulty, pbounds: PB, randomState: 2, trialTimeoutMs: 40, journal: path });
    for (const x of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]) await a.probe({ x, y: 0.5 });
    await a.maximize({ initPoints: 0, nIter: 0 });
    const tells = lines(path).filter((e) => e.type === 'tell');
    expect(tells.map((e) => [e.status, e.target, e.error])).toEqual([
      ...REASONS.map((r) => ['failed', null, r]),
      ['complete', quad({ x: 0.7, y: 0.5 }), undefined],
    ]);
    a.dispose();

    const calls: Params[] = [];
    const b = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 2, journal: path, f: (p) => (calls.push(p), quad(p)),
    });
    await b.ready();
    expect(b.res.map((r) => r.error ?? r.status)).toEqual([...REASONS, 'complete']);
    expect(b.res.slice(0, 6).every((r) => r.status === 'failed' && r.target === null)).toBe(true);
    await b.maximize({ initPoints: 3, nIter: 4, resume: true }); // the study already holds 7
    expect(calls).toEqual([]);
    await b.maximize({ initPoints: 3, nIter: 6, resume: true });
    expect(calls).toHaveLength(2);
    expect(calls.some((p) => [0.1, 0.2, 0.3, 0.4, 0.5, 0.6].includes(p.x as number) && p.y === 0.5)).toBe(false);
    expect(b.res).toHaveLength(9);
  });
});

describe('maximize({ resume })', () => {
  it('counts trials already in the study against initPoints + nIter, init points first', async () => {
    const sources = async (registered: number) => {
      const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 4 });
      for (let i = 0; i < registered; i++) opt.register({ x: i / 12, y: 0.5 }, quad({ x: i / 12, y: 0.5 }));
      await opt.maximize({ initPoints: 4, nIter: 5, resume: true });
      return opt.res.slice(registered).map((r) => r.source);
    };
    expect(await sources(0)).toEqual(['init', 'init', 'init', 'init', ...Array(5).fill('suggest')]);
    expect(await sources(2)).toEqual(['init', 'init', ...Array(5).fill('suggest')]);
    expect(await sources(6)).toEqual(Array(3).fill('suggest'));
    expect(await sources(12)).toEqual([]);
  });

  it('without resume, every call evaluates initPoints + nIter new points (bayes_opt)', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 4, journal: path });
    await a.maximize({ initPoints: 2, nIter: 1 });
    a.dispose();
    const b = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 4, journal: path });
    await b.maximize({ initPoints: 2, nIter: 1 });
    expect(b.res.map((r) => r.source)).toEqual(['init', 'init', 'suggest', 'init', 'init', 'suggest']);
  });

  it('workers sharing a journal finish the budget between them, never overshooting it', async () => {
    const backend = new MemoryJournalBackend();
    const worker = (seed: number) => new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: seed, journal: backend,
      f: async (p) => (await new Promise((r) => setTimeout(r, 3)), quad(p)),
    });
    const ws = [worker(1), worker(2), worker(3)];
    await Promise.all(ws.map((w) => w.maximize({ initPoints: 3, nIter: 9, resume: true })));
    const s = await (await Journal.open(backend)).load();
    expect(s.trials).toHaveLength(12);
    expect(s.trials.every((t) => t.status === 'complete')).toBe(true);
    expect(new Set(s.trials.map((t) => t.worker)).size).toBe(3);
    expect(s.trials.filter((t) => t.source === 'init').length).toBeLessThanOrEqual(3 + 2); // each may start one before seeing the others
  });

  it('rejects a non-boolean resume', async () => {
    const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB });
    await expect(opt.maximize({ resume: 1 as never })).rejects.toThrow('option "resume": expected a boolean, got 1');
  });
});

describe('workers sharing a journal in one process', () => {
  it("a pending point of another worker repels suggestions, and register() never completes another worker's trial", async () => {
    const backend = new MemoryJournalBackend(); // each optimizer is its own worker
    const a = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 6, journal: backend });
    const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 6, journal: backend });
    await a.ready();
    await b.ready();
    for (const x of [0.1, 0.5, 0.9]) await a.register({ x, y: 0.5 }, quad({ x, y: 0.5 }));
    const pa = await a.suggest();
    const pb = await b.suggest(); // same seed, same data: only a's pending point tells them apart
    expect(pb).not.toEqual(pa);
    const byB = await b.register(pa, 1); // b evaluated a's point itself: a new trial
    expect(byB.id).toBe(5);
    const s = await (await Journal.open(backend)).load();
    expect(s.trials.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'complete'], [3, 'pending'], [4, 'pending'], [5, 'complete']]);
    expect((await a.register(pa, quad(pa))).id).toBe(3);
  });

  it('workers with the same seed do not repeat each other: a taken point is swapped for an untried random one', async () => {
    const backend = new MemoryJournalBackend();
    const [a, b] = [1, 2].map(() => new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 8, journal: backend }));
    await a.ready();
    await b.ready();
    await a.maximize({ initPoints: 3, nIter: 0 });
    await b.maximize({ initPoints: 3, nIter: 0 }); // the same design as a's
    const s = await (await Journal.open(backend)).load();
    expect(s.trials.map((t) => t.source)).toEqual(['init', 'init', 'init', 'random', 'random', 'random']);
    expect(new Set(s.trials.map((t) => JSON.stringify(t.params))).size).toBe(6);
    expect(b.res.map((r) => r.params)).toEqual(s.trials.slice(3).map((t) => t.params)); // b read the journal before a ran
    // alone, the same seed gives a's design again: the swap happens only beside another worker
    const alone = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 8 });
    await alone.maximize({ initPoints: 3, nIter: 0 });
    expect(alone.res.map((r) => r.params)).toEqual(a.res.map((r) => r.params));
  });

  it('a resume whose space differs from the journal fails with the difference', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, journal: path });
    await a.ready();
    const b = new BayesianOptimization({ ...FAST, f: quad, pbounds: { x: [0, 1], y: [0, 2] }, journal: path });
    const msg = `journal ${JSON.stringify(path)}: the search space differs from the one the study was created with: ` +
      'parameter "y" is {"type":"float","low":0,"high":1,"log":false} in the journal but {"type":"float","low":0,"high":2,"log":false} now';
    await expect(b.ready()).rejects.toThrow(StorageError);
    await expect(b.ready()).rejects.toThrow(msg);
    await expect(b.maximize({ initPoints: 1, nIter: 0 })).rejects.toThrow(msg);
    await expect(b.suggest()).rejects.toThrow(msg);
  });
});

describe('dispose() during maximize', () => {
  it('ends the wait for the running trial and records it as failed, then maximize rejects and the journal is closed', async () => {
    let closed = 0;
    const backend = new (class extends MemoryJournalBackend {
      async close(): Promise<void> {
        closed++;
      }
    })();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const opt = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 1, journal: backend,
      f: async (p) => (started(), await new Promise((r) => setTimeout(r, 20)), quad(p)),
    });
    const run = opt.maximize({ initPoints: 5, nIter: 5 });
    await running;
    opt.dispose();
    expect(closed).toBe(0); // not while the trial runs
    await expect(run).rejects.toThrow(new StateError('optimizer has been disposed'));
    const s = await (await Journal.open(backend)).load();
    expect(s.trials.map((t) => [t.status, t.error])).toEqual([['failed', 'optimizer has been disposed']]);
    await new Promise((r) => setTimeout(r, 0));
    expect(closed).toBe(1);
  });
});
