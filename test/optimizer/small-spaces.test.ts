/**
 * Suggestions in spaces nearly used up, and targets that vary by a few
 * hundred ulps of their mean (found by black-box testing).
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { standardization } from '../../src/gp/standardization';
import { BayesianOptimization } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { MemoryJournalBackend } from '../../src/storage';
import { rejection } from './caught';

const FAST = { engine: 'cpu', candidates: 500, gp: { restarts: 1 }, log: () => undefined } as const;

describe('small spaces', () => {
  it('the one untried point of 200 is suggested, not a point already tried', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const opt = new BayesianOptimization({ ...FAST, space: { k: { type: 'int', low: 0, high: 199 } }, randomState: seed });
      for (let k = 0; k < 200; k++) if (k !== 123) await opt.register({ k }, -Math.abs(k - 150));
      expect(await opt.suggest()).toEqual({ k: 123 });
      opt.dispose();
    }
  });

  it('suggestBatch(q) with fewer untried points than q is an InvalidOptionError naming q, nothing asked', async () => {
    const opt = new BayesianOptimization({ ...FAST, space: { k: { type: 'int', low: 0, high: 2 } }, randomState: 1 });
    const e = await rejection(opt.suggestBatch(5));
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(e.message).toBe('q: 5 points asked, but the space has 3 of its 3 points neither tried nor pending');
    expect(opt.trials).toEqual([]);
    await opt.register({ k: 0 }, 1);
    expect((await opt.suggestBatch(2)).map((p) => p.k).sort()).toEqual([1, 2]);
    expect((await rejection(opt.suggestBatch(1))).message).toBe('q: 1 point asked, but the space has 0 of its 3 points neither tried nor pending');
    opt.dispose();
  });

  it("counts other workers' points in a shared journal, and hands out enqueued points as untried ones", async () => {
    const space = { a: { type: 'int', low: 0, high: 2 }, b: { type: 'categorical', choices: ['x', 'y'] } } as const;
    const backend = new MemoryJournalBackend();
    const w1 = new BayesianOptimization({ ...FAST, space, randomState: 1, journal: backend });
    const w2 = new BayesianOptimization({ ...FAST, space, randomState: 2, journal: backend });
    await w1.ready();
    const mine = await w2.suggestBatch(5); // w1 has not read the journal since
    const e = await rejection(w1.suggestBatch(3));
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(e.message).toBe('q: 3 points asked, but the space has 1 of its 6 points neither tried nor pending');
    const [last] = await w1.suggestBatch(1);
    const key = (p: Params) => `${p.a}${p.b}`;
    expect(new Set([...mine, last].map(key)).size).toBe(6);
    // an enqueued point is one of the untried ones, handed out first, not one taken
    const opt = new BayesianOptimization({ ...FAST, space: { k: { type: 'int', low: 0, high: 3 } }, randomState: 1 });
    await opt.enqueue({ k: 2 });
    const batch = await opt.suggestBatch(4);
    expect(batch[0]).toEqual({ k: 2 });
    expect(batch.map((p) => p.k).sort()).toEqual([0, 1, 2, 3]);
    for (const o of [w1, w2, opt]) o.dispose();
  });

  it('once every point is tried, suggest() and maximize go on at tried points (the model\'s choice), in the space', async () => {
    const opt = new BayesianOptimization({
      ...FAST, space: { k: { type: 'int', low: 0, high: 1 }, c: { type: 'categorical', choices: ['a', 'b'] } }, randomState: 1,
      f: ({ k, c }) => k + (c === 'b' ? 2 : 0),
    });
    await opt.maximize({ initPoints: 4, nIter: 3 });
    const key = (p: { k: number; c: string }) => `${p.k}${p.c}`;
    expect(new Set(opt.res.slice(0, 4).map((t) => key(t.params))).size).toBe(4); // the design covers all four first
    const all = ['0a', '0b', '1a', '1b'];
    for (const t of opt.res.slice(4)) expect(all).toContain(key(t.params));
    expect(all).toContain(key(await opt.suggest()));
    expect(opt.res.every((t) => t.status === 'complete')).toBe(true);
    opt.dispose();
    // every point pending, none tried: suggest() goes on with a pending one, suggestBatch(1) refuses
    const busy = new BayesianOptimization({ ...FAST, space: { k: { type: 'int', low: 0, high: 3 } }, randomState: 1 });
    expect((await busy.suggestBatch(4)).map((p) => p.k).sort()).toEqual([0, 1, 2, 3]);
    expect([0, 1, 2, 3]).toContain((await busy.suggest()).k);
    expect((await rejection(busy.suggestBatch(1))).message).toBe('q: 1 point asked, but the space has 0 of its 4 points neither tried nor pending');
    busy.dispose();
  });

  it('the initial design does not evaluate again the points the user probed or registered', async () => {
    const space = { a: { type: 'categorical', choices: ['p', 'q'] }, b: { type: 'categorical', choices: [true, false] } } as const;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const opt = new BayesianOptimization({ ...FAST, space, randomState: seed, f: () => 1 });
      await opt.probe({ a: 'p', b: true });
      await opt.register({ a: 'q', b: false }, 1);
      await opt.maximize({ initPoints: 2, nIter: 0 });
      expect(new Set(opt.res.map((t) => `${t.params.a}/${t.params.b}`)).size).toBe(4);
      opt.dispose();
    }
  });

  it('initDesign "sobol" beyond its dimensions is refused at construction, naming initDesign', () => {
    const space = Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`p${i}`, { type: 'float' as const, low: 0, high: 1 }]));
    expect(() => new BayesianOptimization({ ...FAST, space, initDesign: 'sobol' })).toThrow(
      new InvalidOptionError('option "initDesign": "sobol" supports at most 1024 parameters, the space has 1025', 'initDesign'),
    );
  });
});

describe('before any trial completes', () => {
  it('a failed point is not asked again while untried ones remain (random draws repeated it at the uniform rate)', async () => {
    for (const randomState of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const opt = new BayesianOptimization({ ...FAST, space: { a: { type: 'int', low: 0, high: 9 } }, randomState, initPoints: 0 });
      const asked: number[] = [];
      for (let i = 0; i < 10; i++) {
        const p = await opt.suggest();
        asked.push(p.a as number);
        await opt.registerFailure(p, 'crashed');
      }
      expect([randomState, asked.slice().sort((x, y) => x - y)]).toEqual([randomState, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
      opt.dispose();
    }
  });
});

describe('registering near a suggestion', () => {
  it('a log float 10% off a suggestion is a trial of its own; rounded to 4 significant digits it completes the suggestion', async () => {
    const opt = new BayesianOptimization({ ...FAST, space: { lr: { type: 'float', low: 1e-300, high: 1e300, log: true } }, randomState: 2 });
    const p = await opt.suggest();
    const off = await opt.register({ lr: p.lr * 1.1 }, 1);
    expect(off.params.lr).toBe(p.lr * 1.1);
    expect(off.id).toBe(1); // a new trial; the suggestion stays pending
    const rounded = Number(p.lr.toPrecision(4));
    const t = await opt.register({ lr: rounded }, 2);
    expect(t.id).toBe(0);
    opt.dispose();
  });

  it('copies rounded to 4 significant digits complete their suggestions: log floats, and floats in a range far from 0', async () => {
    // rounding to 4 digits moves a value by up to 5e-4 of it (28.31494 -> 28.31: 1.7e-4), and in 50..60 by
    // up to 5e-4 of the range: both were over the 1e-4 once asked, leaving the suggestion pending for good
    const opt = new BayesianOptimization({
      ...FAST, randomState: 1, space: { lr: { type: 'float', low: 1e-8, high: 1e8, log: true }, t: { type: 'float', low: 50, high: 60 } },
    });
    const batch = await opt.suggestBatch(12);
    let far = 0;
    for (const [i, p] of batch.entries()) {
      const copy = { lr: Number((p.lr as number).toPrecision(4)), t: Number((p.t as number).toPrecision(4)) };
      if (Math.abs(copy.lr - (p.lr as number)) > 1e-4 * (p.lr as number) || Math.abs(copy.t - (p.t as number)) > 1e-3) far++;
      expect((await opt.register(copy, i)).id).toBe(i);
    }
    expect(far).toBeGreaterThan(3); // most copies are farther than the old tolerance allowed
    expect(opt.trials.map((t) => t.status)).toEqual(Array(12).fill('complete'));
    opt.dispose();
  });

  it('in a narrow range far from 0 a rounded copy matches but another value as near does not (it is an observation of its own)', async () => {
    const opt = new BayesianOptimization({ ...FAST, randomState: 1, pbounds: { x: [1000, 1001] } });
    const [a, b] = await opt.suggestBatch(2);
    // 4e-4 of the value is 40% of this range: only a rounding of the suggestion may be that far from it
    const near = (a.x as number) + ((a.x as number) > 1000.5 ? -0.3 : 0.3);
    const other = await opt.register({ x: near }, 1);
    expect(other.params.x).toBe(near);
    expect([other.id, other.source]).toEqual([2, 'register']);
    const copy = Number((b.x as number).toPrecision(4));
    expect((await opt.register({ x: copy }, 2)).id).toBe(1);
    expect(opt.trials.map((t) => t.status)).toEqual(['pending', 'complete', 'complete']);
    opt.dispose();
  });
});

describe('targets a few hundred ulps apart', () => {
  it('are signal, not a constant: standardized with their own spread', () => {
    const g = Float64Array.from([0, -0.04, -0.1, -0.25, -0.5], (v) => 1e6 + 1e-7 * v);
    const { std } = standardization(g);
    expect(std).not.toBe(1);
    expect(std).toBeGreaterThan(1e-9);
    // rounding noise of a few ulps still reads as constant
    const flat = Float64Array.from([0, 1, 2, 1, 0], (k) => 1e6 + k * 2 ** -33);
    expect(standardization(flat).std).toBe(standardization(flat).mean); // no spread: the unit is the mean's magnitude
  });

  it('the search finds the optimum under a large offset as it does without', async () => {
    const g = ({ x, y }: Record<string, unknown>) => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;
    const best = async (off: number, sc: number) => {
      const opt = new BayesianOptimization({ ...FAST, pbounds: { x: [0, 1], y: [0, 1] }, randomState: 4, outputWarping: 'none', f: (p) => off + sc * g(p) });
      await opt.maximize({ initPoints: 5, nIter: 12 });
      const v = Math.max(...opt.res.map((t) => g(t.params)));
      opt.dispose();
      return v;
    };
    expect(await best(1e6, 1e-7)).toBeGreaterThan(-2e-3);
  });
});
