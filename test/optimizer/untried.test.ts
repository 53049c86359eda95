/**
 * A proposal on a tried point is replaced by an untried one: with a scorer,
 * the best by the acquisition among its neighbours and random untried
 * points; without, a random untried point.
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { avoidDuplicate } from '../../src/optimizer/untried';
import { Space } from '../../src/space/space';
import type { Params } from '../../src/space/types';
import type { Trial } from '../../src/study/types';
import { Rng } from '../../src/util/rng';

const SPACE = new Space({ i: { type: 'int', low: 0, high: 9 }, j: { type: 'int', low: -5, high: 5 } });
const trial = (id: number, params: Params): Trial => ({ id, params, target: 0, status: 'complete', source: 'suggest' });

describe('avoidDuplicate', () => {
  it('keeps an untried point as it is', () => {
    expect(avoidDuplicate(SPACE, new Rng(1), { i: 5, j: 0 }, [trial(0, { i: 1, j: 1 })], () => [0])).toEqual({ i: 5, j: 0 });
  });

  it('with a scorer, takes the best untried point among the neighbours and random ones', () => {
    const tried = [trial(0, { i: 5, j: 0 }), trial(1, { i: 5, j: 1 })];
    const seen: Params[][] = [];
    const score = (qs: readonly Params[]) => {
      seen.push([...qs]);
      return qs.map((q) => -(((q.i as number) - 6) ** 2) - ((q.j as number) ** 2));
    };
    expect(avoidDuplicate(SPACE, new Rng(1), { i: 5, j: 0 }, tried, score)).toEqual({ i: 6, j: 0 });
    const pool = seen[0];
    // the untried neighbours one level away, then random untried points; no tried point, no repeat
    expect(pool.slice(0, 3)).toEqual([{ i: 4, j: 0 }, { i: 6, j: 0 }, { i: 5, j: -1 }]);
    expect(pool.length).toBeGreaterThan(40);
    expect(new Set(pool.map((q) => `${q.i},${q.j}`)).size).toBe(pool.length);
    expect(pool.some((q) => (q.i === 5 && q.j === 0) || (q.i === 5 && q.j === 1))).toBe(false);
  });

  it('categorical choices and stepped floats are neighbours too, on their grid', () => {
    const space = new Space({ c: { type: 'categorical', choices: ['a', 'b', 'c'] }, s: { type: 'float', low: 0, high: 1, step: 0.1 } });
    const p = { c: 'a', s: 0.3 };
    let pool: readonly Params[] = [];
    avoidDuplicate(space, new Rng(2), p, [trial(0, p)], (qs) => ((pool = qs), qs.map(() => 0)));
    expect(pool.slice(0, 4)).toEqual([{ c: 'b', s: 0.3 }, { c: 'c', s: 0.3 }, { c: 'a', s: 0.2 }, { c: 'a', s: 0.4 }]);
  });

  it('without a scorer, the first random untried point; with none left, the point itself', () => {
    const q = avoidDuplicate(SPACE, new Rng(3), { i: 5, j: 0 }, [trial(0, { i: 5, j: 0 })]);
    expect(q).not.toEqual({ i: 5, j: 0 });
    expect(SPACE.contains(q)).toBe(true);
    const tiny = new Space({ b: { type: 'int', low: 0, high: 1 } });
    expect(avoidDuplicate(tiny, new Rng(3), { b: 0 }, [trial(0, { b: 0 }), trial(1, { b: 1 })], () => [0])).toEqual({ b: 0 });
    expect(avoidDuplicate(tiny, new Rng(3), { b: 0 }, [trial(0, { b: 0 })], () => [0])).toEqual({ b: 1 });
  });
});

describe('a suggestion whose acquisition maximum was tried', () => {
  it('is the untried point next to it (the acquisition\'s best untried), not a random one', async () => {
    // the objective peaks at 2 and 0..4 are tried, so the maximum sits on a tried point; 36 points are untried
    const opt = new BayesianOptimization({ space: { x: { type: 'int', low: 0, high: 44 } }, engine: 'cpu', randomState: 7, acquisition: { kind: 'ucb', kappa: 0.1 } });
    for (const x of [0, 1, 2, 3, 4, 10, 20, 30, 40]) await opt.register({ x }, -((x - 2) ** 2));
    expect((await opt.suggest()).x).toBe(5);
    opt.dispose();
  });
});
