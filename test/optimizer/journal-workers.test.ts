/**
 * The optimizer on a journal shared by workers in one process: the `resume`
 * budget of maximize, and suggestions beside other workers' pending and
 * taken points.
 */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { BayesianOptimization, GridSearch } from '../../src/optimizer';
import { imputedFailures } from '../../src/optimizer/observations';
import type { Params } from '../../src/space/types';
import { Journal, MemoryJournalBackend } from '../../src/storage';
import { FAST, PB, quad, useTempJournals } from './fixtures/journal-study';

const tempJournal = useTempJournals();

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

  it('grid workers sharing a journal split the grid between them: the budget, each point once', async () => {
    // each walked the grid from the tried points of its start: 30 trials for a budget of 16, 14 points twice
    const path = tempJournal();
    // each worker's trainings wait until the other has begun one: the two runs overlap however loaded the machine
    const begun = [0, 1].map(() => { let go = () => {}; const p = new Promise<void>((r) => (go = r)); return { go, p }; });
    const worker = (i: number, concurrency: number) => new GridSearch({
      pbounds: PB, journal: path,
      f: async ({ x, y }: { x: number; y: number }) => (begun[i].go(), await begun[1 - i].p, await new Promise((r) => setTimeout(r, 5)), x + y),
    }).maximize({ initPoints: 4, nIter: 12, resume: true, concurrency });
    const ws = await Promise.all([worker(0, 1), worker(1, 2)]);
    const s = await (await Journal.open(path)).load();
    expect(s.trials).toHaveLength(16);
    expect(new Set(s.trials.map((t) => `${t.params.x},${t.params.y}`)).size).toBe(16);
    expect(s.trials.every((t) => t.status === 'complete' && t.source === 'grid')).toBe(true);
    expect(new Set(s.trials.map((t) => t.worker)).size).toBe(2);
    // the 4 x 4 grid of a budget of 16, whole
    expect(new Set(s.trials.map((t) => t.params.x)).size).toBe(4);
    for (const w of ws) w.dispose();
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

  it('a closed worker\'s suggestion whose point another worker registered is failed, not handed out again', async () => {
    const path = tempJournal();
    const make = () => new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 5, journal: path });
    const a = make();
    const b = make();
    await a.ready();
    await b.ready();
    const asked = await Promise.all([a.suggest(), a.suggest(), a.suggest()]);
    await b.register(asked[0], quad(asked[0])); // b evaluated a's point: a trial of its own (3)
    await a.close(); // a's three suggestions are left pending
    const next = [await b.suggest(), await b.suggest(), await b.suggest()];
    expect(next.some((p) => p.x === asked[0].x && p.y === asked[0].y)).toBe(false);
    // the two points nobody completed are retried (a's closing mark), the completed one is not
    expect(next.slice(0, 2)).toEqual([asked[1], asked[2]]);
    const trial0 = b.trials.find((t) => t.id === 0)!;
    expect(trial0.status).toBe('failed');
    expect(trial0.error).toMatch(/; not retried: trial 3 completed the same point$/);
    expect(b.trials.filter((t) => t.params.x === asked[0].x && t.params.y === asked[0].y).map((t) => [t.id, t.status]))
      .toEqual([[0, 'failed'], [3, 'complete']]);
    // and the model does not take that failure for a bad value beside the completed one
    expect(imputedFailures(b.trials).map((t) => t.id)).not.toContain(0);
    await b.close();
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
    // b opened the journal before a ran, and read a's trials at its design steps
    expect(b.res.map((r) => r.params)).toEqual(s.trials.map((t) => t.params));
    // alone, the same seed gives a's design again: the swap happens only beside another worker
    const alone = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 8 });
    await alone.maximize({ initPoints: 3, nIter: 0 });
    expect(alone.res.map((r) => r.params)).toEqual(a.res.map((r) => r.params));
  });

  it('a resume with wider bounds goes on from every trial and searches the wider box', async () => {
    const path = tempJournal();
    // its maximum, (1.5, -0.5), lies outside the first box
    const f = ({ x, y }: Params): number => -(((x as number) - 1.5) ** 2) - ((y as number) + 0.5) ** 2;
    const a = new BayesianOptimization({ ...FAST, f, pbounds: PB, randomState: 4, journal: path });
    await a.maximize({ initPoints: 3, nIter: 2 });
    a.dispose();
    const wide = { x: [-1, 2], y: [-1, 2] } as const;
    const b = new BayesianOptimization({ ...FAST, f, pbounds: wide, randomState: 5, journal: path });
    await b.maximize({ initPoints: 3, nIter: 7, resume: true });
    // the first five are a's, read back; the budget of ten counts them
    expect(b.res.slice(0, 5).map((r) => [r.params, r.target])).toEqual(a.res.map((r) => [r.params, r.target]));
    expect(b.res).toHaveLength(10);
    // the new points go where the wider box holds better values than the first one could
    const bestOf = (rs: readonly { target: number | null }[]) => Math.max(...rs.map((r) => r.target ?? -Infinity));
    expect(bestOf(b.res.slice(5))).toBeGreaterThan(-0.5); // the first box's best possible: -(0.5^2) - (0.5^2)
    expect(bestOf(a.res)).toBeLessThanOrEqual(-0.5);
    const j = await Journal.open(path, { readOnly: true });
    expect((await j.load()).header?.space).toEqual({ x: { type: 'float', low: -1, high: 2, log: false }, y: { type: 'float', low: -1, high: 2, log: false } });
    await j.close();
    b.dispose();
  });

  it('a resume whose space differs from the journal fails with the difference', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, journal: path });
    await a.ready();
    const b = new BayesianOptimization({ ...FAST, f: quad, pbounds: { x: [0, 1], y: [0, 0.5] }, journal: path });
    const msg = `journal ${JSON.stringify(path)}: the search space differs from the one the study was created with: ` +
      'parameter "y" is {"type":"float","low":0,"high":1,"log":false} in the journal but {"type":"float","low":0,"high":0.5,"log":false} now' +
      ' (a study\'s space may only widen: the same parameters, scales, steps and choices, bounds kept or moved outwards; ' +
      'else continue in a new study, under another study name, enqueuing or registering the points to keep)';
    await expect(b.ready()).rejects.toThrow(StorageError);
    await expect(b.ready()).rejects.toThrow(msg);
    await expect(b.maximize({ initPoints: 1, nIter: 0 })).rejects.toThrow(msg);
    await expect(b.suggest()).rejects.toThrow(msg);
  });
});

describe('a maximize step that asks no model-guided point', () => {
  // design and grid steps read the shared study as model-guided steps do: a run of initial points
  // alone (a random search) showed this worker's trials only, in res and max, to its end
  for (const kind of ['design', 'grid'] as const) {
    it(`reads the other workers' trials (${kind} steps)`, async () => {
      const backend = new MemoryJournalBackend();
      const slow = async (p: Params) => {
        await new Promise((r) => setImmediate(r));
        return quad(p);
      };
      const make = (seed: number) => (kind === 'grid'
        ? new GridSearch({ f: slow, pbounds: PB, randomState: seed, storage: backend, log: () => undefined })
        : new BayesianOptimization({ ...FAST, f: slow, pbounds: PB, randomState: seed, storage: backend, log: () => undefined }));
      const [a, b] = [make(1), make(2)];
      await Promise.all([a.ready(), b.ready()]);
      const seen: number[] = [];
      await Promise.all([
        a.maximize({ initPoints: 10, nIter: 0, onTrial: () => void seen.push(a.res.length) }),
        b.maximize({ initPoints: 10, nIter: 0 }),
      ]);
      // the runs interleave one trial at a time (grid workers share the grid's 10 points out, design
      // workers ask 10 each): a's res at its last trial holds b's trials ended before it
      const own = seen.length;
      if (kind === 'grid') expect(own).toBeLessThan(10);
      else expect(own).toBe(10);
      expect(seen[own - 1]).toBeGreaterThanOrEqual(kind === 'grid' ? 9 : 19);
      await Promise.all([a.close(), b.close()]);
    });
  }

  it('ends with a read: res and max hold a trial another worker told after this run\'s last ask', async () => {
    const backend = new MemoryJournalBackend();
    const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 2, storage: backend, log: () => undefined });
    await b.ready();
    const elsewhere = await b.suggest();
    let calls = 0;
    const a = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 1, storage: backend, log: () => undefined,
      // a's last trial ends after b tells its point, a value above any of a's
      f: async (p: Params) => (++calls === 2 ? (await b.register(elsewhere, 10), quad(p)) : quad(p)),
    });
    await a.maximize({ initPoints: 2, nIter: 0 });
    expect(a.res).toHaveLength(3);
    expect(a.max?.target).toBe(10);
    await Promise.all([a.close(), b.close()]);
  });

  it('retries a closed worker\'s running trials, as a model-guided step does (design and grid runs alike)', async () => {
    for (const kind of ['design', 'grid'] as const) {
      const backend = new MemoryJournalBackend();
      const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 9, storage: backend, log: () => undefined });
      await b.ready();
      const left: Params[] = [];
      // while a's first trial runs, b asks two points and closes: they are left running, for a's next steps
      const f = async (p: Params) => {
        if (!left.length) {
          left.push(await b.suggest(), await b.suggest());
          await b.close();
        }
        return quad(p);
      };
      const opts = { f, pbounds: PB, randomState: 5, storage: backend, log: () => undefined };
      const a = kind === 'grid' ? new GridSearch(opts) : new BayesianOptimization({ ...FAST, ...opts });
      await a.maximize({ initPoints: 4, nIter: 0 });
      const retries = a.res.filter((t) => t.retryOf !== undefined);
      expect([kind, retries.map((t) => t.params)]).toEqual([kind, left]);
      await a.close();
    }
  });
});
