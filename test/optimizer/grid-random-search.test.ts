/** The baselines beside BayesianOptimization: RandomSearch and GridSearch (src/optimizer/random-search.ts, grid-search.ts). */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization, GridSearch, RandomSearch } from '../../src/optimizer';
import { GridSampler } from '../../src/optimizer/sampler';
import { Space } from '../../src/space';
import { MemoryJournalBackend } from '../../src/storage';
import { Rng } from '../../src/util/rng';
import { PB, quad, QUAD_MAX } from './fixtures/quad';

const firstOf = <T>(it: Iterator<T>, n: number): T[] => {
  const out: T[] = [];
  for (let r = it.next(); !r.done && out.length < n; r = it.next()) out.push(r.value);
  return out;
};

describe('RandomSearch and GridSearch', () => {
  it('share the options and maximize loop', async () => {
    for (const Cls of [RandomSearch, GridSearch, BayesianOptimization]) {
      const opt = new Cls({ f: quad, pbounds: PB, randomState: 11, engine: 'cpu', candidates: 200 });
      await opt.maximize({ initPoints: 4, nIter: 12 });
      expect(opt.res.length).toBeLessThanOrEqual(16);
      expect(opt.res.length).toBeGreaterThanOrEqual(12);
      expect(opt.max!.target).toBeLessThanOrEqual(QUAD_MAX);
    }
  });

  it('grid search spreads the budget over both dimensions', async () => {
    const opt = new GridSearch({ f: quad, pbounds: PB, randomState: 1 });
    await opt.maximize({ initPoints: 0, nIter: 16 });
    expect(opt.res).toHaveLength(16);
    expect(new Set(opt.res.map((r) => r.params.x)).size).toBe(4);
    expect(new Set(opt.res.map((r) => r.params.y)).size).toBe(4);
    expect(opt.res.every((r) => r.source === 'grid')).toBe(true);
  });

  it('grid search resumed with a larger budget fills the study up to it, not the whole new grid on top', async () => {
    const journal = new MemoryJournalBackend();
    const a = new GridSearch({ f: quad, pbounds: PB, randomState: 1, journal });
    await a.maximize({ initPoints: 4, nIter: 0, resume: true });
    expect(a.res).toHaveLength(4);
    a.dispose();
    const b = new GridSearch({ f: quad, pbounds: PB, randomState: 1, journal });
    await b.maximize({ initPoints: 9, nIter: 0, resume: true });
    expect(b.res).toHaveLength(9); // 4 + 5 of the 3 x 3 grid's untried points
    expect(b.res.slice(4).every((r) => r.source === 'grid')).toBe(true);
    const grid9 = new Set(b.space.grid(9).map((p) => JSON.stringify(p)));
    expect(b.res.slice(4).every((r) => grid9.has(JSON.stringify(r.params)))).toBe(true);
    await b.maximize({ initPoints: 9, nIter: 0, resume: true });
    expect(b.res).toHaveLength(9); // the budget is met: nothing more
    b.dispose();
    // without resume the whole grid runs, as before
    const c = new GridSearch({ f: quad, pbounds: PB, randomState: 1 });
    await c.maximize({ initPoints: 9, nIter: 0 });
    expect(c.res).toHaveLength(9);
  });

  it('grid search with a budget of millions stops at maxTimeMs without listing the grid', async () => {
    const opt = new GridSearch({ f: quad, pbounds: PB, randomState: 1 });
    const t0 = performance.now();
    await opt.maximize({ initPoints: 20_000_000, nIter: 0, maxTimeMs: 200 });
    expect(performance.now() - t0).toBeLessThan(5_000); // listing 2e7 points took minutes and gigabytes
    expect(opt.res.length).toBeGreaterThan(1);
    expect(opt.res.every((r) => r.source === 'grid')).toBe(true);
    expect(opt.res.map((r) => r.params)).toEqual(firstOf(opt.space.iterateGrid(20_000_000), opt.res.length));
    opt.dispose();
  });

  it('the grid sampler counts its untried points as listing them would', () => {
    const space = new Space({ x: { type: 'float', low: 0, high: 1 }, k: { type: 'int', low: 1, high: 3 } });
    const sampler = new GridSampler({ space, rng: new Rng(1), log: () => {} });
    for (const budget of [1, 5, 9, 30]) {
      const pts = space.grid(budget);
      const tried = [pts[0], pts[0], { x: 0.123, k: 2 }, ...pts.slice(-1)];
      const keys = new Set(tried.map((p) => JSON.stringify(p)));
      expect(sampler.plan.untried(budget, tried)).toBe(pts.filter((p) => !keys.has(JSON.stringify(p))).length);
    }
  });

  it('random search is reproducible and stays in bounds', async () => {
    const a = new RandomSearch({ f: quad, pbounds: PB, randomState: 9 });
    const b = new RandomSearch({ f: quad, pbounds: PB, randomState: 9 });
    await a.maximize({ initPoints: 2, nIter: 8 });
    await b.maximize({ initPoints: 2, nIter: 8 });
    expect(a.res.map((r) => r.params)).toEqual(b.res.map((r) => r.params));
    for (const r of a.res) {
      expect(r.params.x as number).toBeGreaterThanOrEqual(2);
      expect(r.params.x as number).toBeLessThanOrEqual(4);
    }
  });
});
