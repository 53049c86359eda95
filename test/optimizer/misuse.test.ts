/** Misuse of an optimizer gets a typed error with an exact message, and leaves the study as it was. */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError, StateError } from '../../src/errors';
import { BayesianOptimization, GridSearch, RandomSearch } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { FileJournalBackend, MemoryJournalBackend } from '../../src/storage';
import { useTempJournals } from './fixtures/journal-study';
import { rejection } from './caught';

const tempJournal = useTempJournals();

const PB = { x: [2, 4], y: [-3, 3] } as const;
const quad = ({ x, y }: Params): number => -((x as number) ** 2) - ((y as number) - 1) ** 2 + 1;
const slow = async (p: Params): Promise<number> => (await new Promise((r) => setTimeout(r, 5)), quad(p));
const FAST = { engine: 'cpu', candidates: 100, gp: { restarts: 1 }, log: () => undefined } as const;
const BUSY = 'optimizer is busy: wait for the running maximize/suggest/probe to finish before starting another';
const DISPOSED = 'optimizer has been disposed';

describe('overlapping calls', () => {
  for (const journal of [undefined, 'memory'] as const) {
    it(`maximize, suggest and eager probe during a maximize are StateErrors (${journal ?? 'no'} journal)`, async () => {
      const opt = new BayesianOptimization({
        ...FAST, f: slow, pbounds: PB, randomState: 1, journal: journal && new MemoryJournalBackend(),
      });
      const first = opt.maximize({ initPoints: 2, nIter: 1 });
      for (const e of [
        await rejection(opt.maximize({ initPoints: 1, nIter: 0 })),
        await rejection(opt.suggest()),
        await rejection(opt.probe({ x: 3, y: 0 }, { lazy: false })),
      ]) {
        expect(e).toBeInstanceOf(StateError);
        expect(e.message).toBe(BUSY);
      }
      await first;
      expect(opt.res).toHaveLength(3); // none of the refused calls added a trial
      expect(opt.trials).toHaveLength(3);
    });
  }

  it('maximize during a suggest is refused too, and the suggestion still arrives', async () => {
    const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 1, journal: new MemoryJournalBackend() });
    const s = opt.suggest();
    const e = await rejection(opt.maximize({ initPoints: 1, nIter: 0 }));
    expect(e.message).toBe(BUSY);
    const p = await s;
    expect(opt.trials).toEqual([expect.objectContaining({ id: 0, status: 'pending', params: p })]);
    await opt.maximize({ initPoints: 1, nIter: 0 }); // free again
    expect(opt.res).toHaveLength(1);
  });
});

describe('points outside the space', () => {
  const cases: [unknown, string][] = [
    [{ x: 9, y: 0 }, 'parameter "x": value 9 is outside [2, 4]'],
    [{ x: 3 }, 'point: missing parameter "y"'],
    [{ x: 3, y: 0, z: 1 }, 'point: unknown parameter "z"'],
    [{ x: '3', y: 0 }, 'parameter "x": expected a finite number, got "3"'],
    [{ x: NaN, y: 0 }, 'parameter "x": expected a finite number, got NaN'],
    [null, 'point: expected an object mapping parameter names to values, got null'],
  ];

  it('register rejects at once, with or without a journal, and records nothing', async () => {
    for (const journal of [undefined, new MemoryJournalBackend()]) {
      const opt = new BayesianOptimization({ ...FAST, pbounds: PB, journal });
      for (const [p, msg] of cases) {
        const e = await rejection(opt.register(p as never, 1));
        expect(e).toBeInstanceOf(InvalidPointError);
        expect(e.message).toBe(msg);
      }
      await opt.ready();
      expect(opt.trials).toEqual([]);
      // the study only: created, with its space and creation time; no trial
      if (journal) expect(journal.text.split('\n').filter(Boolean).map((l) => JSON.parse(l).op_code)).toEqual([0, 3, 3]);
    }
  });

  it('register checks the target; NaN and ±Infinity are a failed evaluation (Optuna fails a trial told NaN)', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB });
    for (const [t, shown] of [['1', '"1"'], [undefined, 'undefined'], [null, 'null']] as const) {
      const e = await rejection(opt.register({ x: 3, y: 0 }, t as unknown as number));
      expect(e).toBeInstanceOf(InvalidPointError);
      expect(e.message).toBe(`target: expected a number, got ${shown}`);
    }
    expect(opt.trials).toEqual([]);
    const p = await opt.suggest();
    const told = await opt.register(p, NaN);
    expect([told.status, told.error, told.target]).toEqual(['failed', 'registered target NaN', null]);
    expect(await opt.register({ x: 3, y: 0 }, -Infinity)).toMatchObject({ status: 'failed', error: 'registered target -Infinity' });
    // the suggestion ended: nothing left pending, the diverged point not asked again
    expect(opt.trials.map((t) => t.status)).toEqual(['failed', 'failed']);
  });

  it('probe rejects, lazy or not', async () => {
    const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB });
    for (const lazy of [true, false]) {
      const e = await rejection(opt.probe({ x: 1, y: 0 }, { lazy }));
      expect(e).toBeInstanceOf(InvalidPointError);
      expect(e.message).toBe('parameter "x": value 1 is outside [2, 4]');
    }
    await opt.maximize({ initPoints: 0, nIter: 0 });
    expect(opt.trials).toEqual([]);
  });
});

describe('bad maximize arguments', () => {
  it('name the option', async () => {
    const opt = new RandomSearch({ f: quad, pbounds: PB });
    for (const [o, msg] of [
      [{ initPoints: -1 }, 'option "initPoints": expected an integer >= 0, got -1'],
      [{ nIter: 1.5 }, 'option "nIter": expected an integer >= 0, got 1.5'],
      [{ nIter: NaN }, 'option "nIter": expected an integer >= 0, got NaN'],
    ] as const) {
      const e = await rejection(opt.maximize(o));
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect(e.message).toBe(msg);
    }
    const noF = new GridSearch({ pbounds: PB });
    expect((await rejection(noF.maximize())).message).toBe('maximize: no objective; pass `f` to the constructor');
  });
});

describe('after dispose()', () => {
  it('every method throws or rejects with StateError; the record stays readable (res, max, exportBayesOpt)', async () => {
    const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 2, journal: new MemoryJournalBackend() });
    await opt.maximize({ initPoints: 2, nIter: 0 });
    const res = opt.res;
    const exported = opt.exportBayesOpt('log');
    opt.dispose();
    opt.dispose(); // idempotent
    const errors = [
      await rejection(opt.maximize()),
      await rejection(opt.suggest()),
      await rejection(opt.probe({ x: 3, y: 0 })),
      await rejection(opt.probe({ x: 3, y: 0 }, { lazy: false })),
      await rejection(opt.importBayesOpt('')),
      await rejection(opt.register({ x: 3, y: 0 }, 1)),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(StateError);
      expect(e.message).toBe(DISPOSED);
    }
    expect(opt.res).toEqual(res);
    expect(opt.exportBayesOpt('log')).toBe(exported); // bayes_opt users close, then save
    expect(opt.max).toEqual({ target: Math.max(...res.map((r) => r.target as number)), params: expect.any(Object) });
  });

  it('dispose() while the journal is still opening closes it once open (a path it opened; a backend passed stays open)', async () => {
    const path = tempJournal();
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, journal: path });
    opt.dispose();
    await opt.ready();
    await new Promise((r) => setTimeout(r, 0));
    // the file backend's close ended its worker
    expect(await new FileJournalBackend(path).isWorkerAlive(opt.study.worker)).toBe(false);
    let closed = 0;
    const backend = new (class extends MemoryJournalBackend {
      async close(): Promise<void> {
        closed++;
      }
    })();
    const mine = new BayesianOptimization({ ...FAST, pbounds: PB, journal: backend });
    mine.dispose();
    await mine.ready();
    await new Promise((r) => setTimeout(r, 0));
    expect(closed).toBe(0);
  });
});
