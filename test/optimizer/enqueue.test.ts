/**
 * Enqueued points (Optuna's enqueue_trial): waiting trials taken before the
 * design and the model's points by maximize, suggest and suggestBatch, once
 * each across workers, with missing parameters drawn, and bad input refused.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError, StateError } from '../../src/errors';
import { BayesianOptimization, GridSearch, RandomSearch } from '../../src/optimizer';
import type { Params, SpaceSpec } from '../../src/space/types';
import { MemoryJournalBackend } from '../../src/storage';

const PB = { x: [0, 1], y: [0, 1] } as const;
const quad = ({ x, y }: Params): number => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;
const FAST = { engine: 'cpu', candidates: 300, gp: { restarts: 1 }, log: () => undefined } as const;

describe('enqueue', () => {
  it('maximize evaluates enqueued points first, as extra evaluations, and they join the model', async () => {
    const seen: Params[] = [];
    const f = (p: Params) => (seen.push(p), quad(p));
    const opt = new BayesianOptimization({ f, pbounds: PB, randomState: 3, ...FAST });
    const w = await opt.enqueue({ x: 0.3, y: 0.7 }, { userAttrs: { note: 'known best' } });
    await opt.enqueue({ x: 0.9 });
    expect(w).toMatchObject({ id: 0, status: 'waiting', source: 'enqueue', target: null, params: { x: 0.3, y: 0.7 } });
    expect(opt.trials.map((t) => t.status)).toEqual(['waiting', 'waiting']);
    expect(opt.res).toEqual([]);
    await opt.maximize({ initPoints: 2, nIter: 2 });
    expect(seen).toHaveLength(6); // 2 enqueued + 2 design + 2 guided
    expect(seen[0]).toEqual({ x: 0.3, y: 0.7 });
    expect(seen[1].x).toBe(0.9);
    expect(seen[1].y).toBeGreaterThanOrEqual(0);
    expect(seen[1].y).toBeLessThanOrEqual(1);
    expect(opt.trials.map((t) => [t.id, t.source, t.status])).toEqual([
      [0, 'enqueue', 'complete'], [1, 'enqueue', 'complete'], [2, 'init', 'complete'], [3, 'init', 'complete'], [4, 'suggest', 'complete'], [5, 'suggest', 'complete'],
    ]);
    expect(opt.max?.params).toEqual({ x: 0.3, y: 0.7 });
    expect(opt.max?.target).toBeCloseTo(0, 15);
    opt.dispose();
  });

  it('a point enqueued while maximize runs is taken at its next step', async () => {
    let opt!: RandomSearch;
    const seen: Params[] = [];
    const f = async (p: Params) => {
      seen.push(p);
      if (seen.length === 2) await opt.enqueue({ x: 0.123, y: 0.456 });
      return quad(p);
    };
    opt = new RandomSearch({ f, pbounds: PB, randomState: 1, verbose: 0 });
    await opt.maximize({ initPoints: 4, nIter: 0 });
    expect(seen).toHaveLength(5);
    expect(seen[2]).toEqual({ x: 0.123, y: 0.456 });
    expect(opt.trials.find((t) => t.source === 'enqueue')).toMatchObject({ id: 2, status: 'complete' });
    opt.dispose();
  });

  it('suggest() and suggestBatch() hand out enqueued points first, then their own', async () => {
    const opt = new BayesianOptimization({ pbounds: PB, randomState: 5, initPoints: 2, ...FAST });
    await opt.enqueue({ x: 0.1, y: 0.1 });
    await opt.enqueue({ x: 0.2, y: 0.2 });
    await opt.enqueue({ x: 0.3, y: 0.3 });
    expect(await opt.suggest()).toEqual({ x: 0.1, y: 0.1 });
    const batch = await opt.suggestBatch(3);
    expect(batch.slice(0, 2)).toEqual([{ x: 0.2, y: 0.2 }, { x: 0.3, y: 0.3 }]);
    // the enqueued trials fill the 2 initial places: the batch's own point comes after them (random: nothing is complete yet)
    expect(opt.trials.map((t) => [t.source, t.status])).toEqual([
      ['enqueue', 'pending'], ['enqueue', 'pending'], ['enqueue', 'pending'], ['random', 'pending'],
    ]);
    for (const p of [{ x: 0.1, y: 0.1 }, ...batch]) await opt.register(p, quad(p));
    expect(opt.trials.every((t) => t.status === 'complete')).toBe(true);
    opt.dispose();
  });

  it('two workers on one journal take each enqueued point once', async () => {
    const backend = new MemoryJournalBackend();
    const mk = (seed: number) => new BayesianOptimization({ pbounds: PB, randomState: seed, storage: backend, initPoints: 2, ...FAST });
    const a = mk(1);
    const b = mk(2);
    await a.ready();
    await b.ready();
    for (let i = 1; i <= 4; i++) await a.enqueue({ x: i / 10, y: i / 10 });
    const got = await Promise.all([a.suggest(), b.suggest(), a.suggest(), b.suggest(), a.suggest()]);
    const xs = got.map((p) => p.x as number);
    expect(xs.filter((x) => [0.1, 0.2, 0.3, 0.4].includes(x)).sort()).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(new Set(xs).size).toBe(5);
    a.dispose();
    b.dispose();
  });

  it('with resume, an enqueued trial counts in the budget and is still evaluated', async () => {
    const backend = new MemoryJournalBackend();
    const opt = new RandomSearch({ f: quad, pbounds: PB, randomState: 4, storage: backend, verbose: 0 });
    await opt.ready();
    await opt.enqueue({ x: 0.5, y: 0.5 });
    await opt.maximize({ initPoints: 3, nIter: 0, resume: true });
    expect(opt.trials.map((t) => [t.source, t.status])).toEqual([['enqueue', 'complete'], ['init', 'complete'], ['init', 'complete']]);
    opt.dispose();
  });

  it('with resume, waiting trials past the budget stay waiting, as with Optuna\'s n_trials', async () => {
    const backend = new MemoryJournalBackend();
    let calls = 0;
    const opt = new RandomSearch({ f: (p: Params) => (calls++, quad(p)), pbounds: PB, randomState: 4, storage: backend, verbose: 0 });
    for (let i = 0; i < 8; i++) await opt.enqueue({ x: i / 10, y: 0.5 });
    await opt.maximize({ initPoints: 2, nIter: 3, resume: true });
    expect(calls).toBe(5);
    expect(opt.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'complete', 'complete', 'complete', 'waiting', 'waiting', 'waiting']);
    opt.dispose();
  });

  it('learns that another worker took the waiting trials, and asks its own points', async () => {
    const backend = new MemoryJournalBackend();
    const a = new RandomSearch({ f: quad, pbounds: PB, randomState: 1, storage: backend, verbose: 0 });
    const b = new RandomSearch({ pbounds: PB, randomState: 2, storage: backend, verbose: 0 });
    await a.enqueue({ x: 0.1, y: 0.1 });
    await a.enqueue({ x: 0.2, y: 0.2 });
    await b.ready();
    expect([await b.suggest(), await b.suggest()]).toEqual([{ x: 0.1, y: 0.1 }, { x: 0.2, y: 0.2 }]);
    await a.maximize({ initPoints: 1, nIter: 0 });
    expect(a.trials.map((t) => [t.source, t.status])).toEqual([['enqueue', 'pending'], ['enqueue', 'pending'], ['init', 'complete']]);
    a.dispose();
    b.dispose();
  });

  it("takes a point another worker enqueued while its design runs, at its next step", async () => {
    const backend = new MemoryJournalBackend();
    const other = new RandomSearch({ pbounds: PB, randomState: 9, storage: backend, verbose: 0 });
    await other.ready();
    const seen: Params[] = [];
    const f = async (p: Params) => {
      seen.push(p);
      if (seen.length === 2) await other.enqueue({ x: 0.654, y: 0.321 });
      return quad(p);
    };
    const a = new RandomSearch({ f, pbounds: PB, randomState: 1, storage: backend, verbose: 0 });
    await a.maximize({ initPoints: 4, nIter: 0 });
    expect(seen).toHaveLength(5);
    expect(seen[2]).toEqual({ x: 0.654, y: 0.321 });
    a.dispose();
    other.dispose();
  });

  it('a point that leaves out a parameter named like an Object.prototype member (valueOf) gets it drawn, not failed', async () => {
    const space: SpaceSpec = { a: { type: 'int', low: 10, high: 30 }, valueOf: { type: 'int' as const, low: 0, high: 9 } };
    const drawn = (p: Params): unknown => Object.getOwnPropertyDescriptor(p, 'valueOf')?.value;
    for (const Cls of [RandomSearch, BayesianOptimization]) {
      const opt = new Cls({ f: (p: Params) => (p.a as number) + (drawn(p) as number), space, randomState: 1, log: () => undefined, ...(Cls === BayesianOptimization ? { engine: 'cpu' as const } : {}) });
      await opt.enqueue({ a: 12 });
      await opt.maximize({ initPoints: 1, nIter: 0 });
      expect(opt.trials.map((t) => [t.id, t.status, t.params.a])).toEqual([[0, 'complete', 12], [1, 'complete', opt.trials[1].params.a]]);
      expect(Number.isInteger(drawn(opt.trials[0].params))).toBe(true);
      opt.dispose();
    }
  });

  it('grid search takes enqueued points too', async () => {
    const seen: Params[] = [];
    const opt = new GridSearch({ f: (p: Params) => (seen.push(p), quad(p)), pbounds: PB, verbose: 0 });
    await opt.enqueue({ x: 0.77, y: 0.11 });
    await opt.maximize({ initPoints: 4, nIter: 0 });
    expect(seen[0]).toEqual({ x: 0.77, y: 0.11 });
    expect(seen).toHaveLength(5);
    opt.dispose();
  });

  it('the progress total counts the enqueued trials the run will take: it equals the evaluations made', async () => {
    type Planner = { runner: { plannedTrials(initPoints: number, nIter: number, resume: boolean): number } };
    const cases = [
      { make: (f: (p: Params) => number) => new RandomSearch({ f, pbounds: PB, randomState: 4, verbose: 0 }), waiting: 2, initPoints: 2, nIter: 2, resume: false },
      { make: (f: (p: Params) => number) => new RandomSearch({ f, pbounds: PB, randomState: 4, verbose: 0, storage: new MemoryJournalBackend() }), waiting: 8, initPoints: 2, nIter: 3, resume: true },
      { make: (f: (p: Params) => number) => new RandomSearch({ f, pbounds: PB, randomState: 4, verbose: 0, storage: new MemoryJournalBackend() }), waiting: 1, initPoints: 3, nIter: 0, resume: true },
      { make: (f: (p: Params) => number) => new GridSearch({ f, pbounds: PB, verbose: 0 }), waiting: 1, initPoints: 4, nIter: 0, resume: false },
      { make: (f: (p: Params) => number) => new GridSearch({ f, pbounds: PB, verbose: 0, storage: new MemoryJournalBackend() }), waiting: 3, initPoints: 4, nIter: 0, resume: true },
    ];
    const rows: [number, number][] = [];
    for (const c of cases) {
      let calls = 0;
      const opt = c.make((p) => (calls++, quad(p)));
      for (let i = 0; i < c.waiting; i++) await opt.enqueue({ x: (i + 1) / 20, y: 0.5 });
      const planned = (opt as unknown as Planner).runner.plannedTrials(c.initPoints, c.nIter, c.resume);
      await opt.maximize({ initPoints: c.initPoints, nIter: c.nIter, resume: c.resume });
      rows.push([planned, calls]);
      opt.dispose();
    }
    expect(rows).toEqual([[6, 6], [5, 5], [3, 3], [5, 5], [4, 4]]);
  });

  it('with resume, waiting trials and probes together: the count equals the evaluations, an unawaited lazy probe counted', async () => {
    // the count took the probes alone against the budget's room: 2 planned, 3 run (the waiting trial filled the room)
    const rows: [number, number][] = [];
    for (const [probes, waiting, nIter, awaitProbes] of [[2, 2, 2, true], [2, 2, 2, false], [1, 0, 3, false], [0, 3, 2, true], [3, 1, 6, true]] as const) {
      let calls = 0;
      const opt = new RandomSearch({ f: (p: Params) => (calls++, quad(p)), pbounds: PB, randomState: 2, verbose: 0, storage: new MemoryJournalBackend() });
      await opt.maximize({ initPoints: 3, nIter: 0 });
      calls = 0;
      const queued: Promise<void>[] = [];
      for (let i = 0; i < probes; i++) queued.push(opt.probe({ x: i / 10, y: 0.1 }));
      if (awaitProbes) await Promise.all(queued);
      for (let i = 0; i < waiting; i++) await opt.enqueue({ x: 0.5 + i / 10, y: 0.9 });
      const planned = opt.plannedTrials({ initPoints: 2, nIter, resume: true });
      await opt.maximize({ initPoints: 2, nIter, resume: true });
      await Promise.all(queued);
      rows.push([planned, calls]);
      await opt.dispose();
    }
    expect(rows).toEqual([[3, 3], [3, 3], [2, 2], [1, 1], [5, 5]]);
  });

  it('refuses bad points and options with typed errors, recording nothing', async () => {
    const opt = new RandomSearch({ f: quad, pbounds: PB, randomState: 1, verbose: 0 });
    await expect(opt.enqueue({ x: 2 })).rejects.toMatchObject({ name: 'InvalidPointError', param: 'x' });
    await expect(opt.enqueue({ z: 0.5 } as never)).rejects.toBeInstanceOf(InvalidPointError);
    await expect(opt.enqueue({ x: NaN })).rejects.toBeInstanceOf(InvalidPointError);
    await expect(opt.enqueue(null as never)).rejects.toThrow('enqueue: params must be an object of parameter values, got null');
    await expect(opt.enqueue({ x: 0.5 }, { user: 1 } as never)).rejects.toThrow(new InvalidOptionError('option "user": unknown option of enqueue (known: userAttrs)', 'user'));
    await expect(opt.enqueue({ x: 0.5 }, { userAttrs: [] as never })).rejects.toThrow('option "userAttrs": expected an object, got an array');
    const json = '(a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)';
    await expect(opt.enqueue({ x: 0.5 }, { userAttrs: { cb: () => 1 } })).rejects.toThrow(`option "userAttrs": userAttrs.cb is a function ${json}`);
    await expect(opt.enqueue({ x: 0.5 }, { userAttrs: { at: new Date(0) } })).rejects.toThrow(`option "userAttrs": userAttrs.at is a Date ${json}`);
    await expect(opt.enqueue({ x: 0.5 }, { userAttrs: { v: [1, NaN] } })).rejects.toThrow(`option "userAttrs": userAttrs.v[1] is NaN ${json}`);
    await expect(opt.enqueue({ x: 0.5 }, { userAttrs: { n: 1n } as never })).rejects.toBeInstanceOf(InvalidOptionError);
    await opt.maximize({ initPoints: 1, nIter: 0 }); // nothing refused was stored: one design point, no hidden trial
    expect(opt.trials.map((t) => t.source)).toEqual(['init']);
    opt.dispose();
    await expect(opt.enqueue({ x: 0.5 })).rejects.toBeInstanceOf(StateError);
  });

  it('ask/tell calls on an enqueued point before suggest() took it say it is waiting; register records a trial of its own', async () => {
    const opt = new BayesianOptimization({ pbounds: PB, randomState: 3, ...FAST });
    await opt.enqueue({ x: 0.5, y: 0.5 });
    for (const call of [() => opt.report({ x: 0.5, y: 0.5 }, 1, 0.2), () => opt.registerPruned({ x: 0.5, y: 0.5 })]) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StateError);
      expect((e as Error).message).toMatch(/: no pending suggestion of this optimizer matches \{"x":0.5,"y":0.5\}; it is enqueued trial 0, still waiting: take it with suggest\(\) first$/);
    }
    await opt.register({ x: 0.5, y: 0.5 }, 1);
    expect(opt.trials.map((t) => [t.id, t.status])).toEqual([[0, 'waiting'], [1, 'complete']]);
    await opt.enqueue({ y: 0.25 }); // x drawn when it is taken
    const partial = await opt.report({ x: 0.9, y: 0.25 }, 1, 0.2).catch((x: unknown) => x);
    expect((partial as Error).message).toMatch(/; it is enqueued trial 2, still waiting: take it with suggest\(\) first$/);
    const p = await opt.suggest();
    expect(p).toEqual({ x: 0.5, y: 0.5 });
    expect(await opt.report(p, 1, 0.2)).toBe(false);
    opt.dispose();
  });
});
