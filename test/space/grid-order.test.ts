/**
 * gridSpreadOrder: the grid's points, each once, in greedy maximin order
 * (the point nearest the centre first, then each the farthest from those
 * taken), so a prefix of any length is spread out; large grids keep the
 * grid order. And GridSearch's ask/tell walks that order.
 */
import { describe, expect, it } from 'vitest';
import { GridSearch } from '../../src/optimizer';
import { gridSpreadOrder, gridWalk, SPREAD_ORDER_MAX } from '../../src/space/grid-order';
import { pointKey } from '../../src/study/point-key';
import { Space } from '../../src/space/space';
import type { Params } from '../../src/space/types';

const unit = (s: Space, p: Params) => [...s.encode(p)];
const dist2 = (a: number[], b: number[]) => a.reduce((t, v, j) => t + (v - b[j]) ** 2, 0);

describe('gridSpreadOrder', () => {
  it('orders a 3 x 3 grid centre, corners, then edges', () => {
    const s = new Space({ x: { type: 'float', low: 0, high: 3 }, y: { type: 'float', low: 0, high: 3 } });
    const order = gridSpreadOrder(s.layout, 9).map((p) => [p.x, p.y]);
    expect(order[0]).toEqual([1.5, 1.5]);
    expect(order.slice(1, 5).sort()).toEqual([[0.5, 0.5], [0.5, 2.5], [2.5, 0.5], [2.5, 2.5]]);
    expect(order.slice(5).sort()).toEqual([[0.5, 1.5], [1.5, 0.5], [1.5, 2.5], [2.5, 1.5]]);
  });

  it('is a permutation of the grid whose distance to the points before never grows (mixed space)', () => {
    const s = new Space({
      lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
      units: { type: 'int', low: 1, high: 4 },
      act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
    });
    const order = gridSpreadOrder(s.layout, 60);
    expect(order.map(pointKey).sort()).toEqual(s.grid(60).map(pointKey).sort());
    const gaps = order.slice(1).map((p, k) => Math.min(...order.slice(0, k + 1).map((q) => dist2(unit(s, p), unit(s, q)))));
    for (let k = 1; k < gaps.length; k++) expect(gaps[k]).toBeLessThanOrEqual(gaps[k - 1] + 1e-12);
    // any prefix is spread: its closest pair is no closer than the grid order's prefix of the same length
    const closest = (pts: Params[]) => Math.min(...pts.flatMap((p, i) => pts.slice(i + 1).map((q) => dist2(unit(s, p), unit(s, q)))));
    for (const k of [4, 8, 12]) expect(closest(order.slice(0, k))).toBeGreaterThanOrEqual(closest(s.grid(60).slice(0, k)));
  });

  it('keeps the grid order past SPREAD_ORDER_MAX points', () => {
    const s = new Space({ x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } });
    expect(gridSpreadOrder(s.layout, SPREAD_ORDER_MAX * 2)).toEqual(s.grid(SPREAD_ORDER_MAX * 2));
  });

  it('gridWalk: past SPREAD_ORDER_MAX points a fixed scrambled permutation, made lazily, whose prefixes spread', () => {
    const s = new Space({ x: { type: 'float', low: 0, high: 1 }, y: { type: 'int', low: 1, high: 90 }, c: { type: 'categorical', choices: ['a', 'b'] } });
    const budget = 3 * SPREAD_ORDER_MAX;
    const walk = [...gridWalk(s.layout, budget)];
    const grid = s.grid(budget);
    expect(grid.length).toBeGreaterThan(SPREAD_ORDER_MAX);
    // every point once
    expect(walk).toHaveLength(grid.length);
    expect(new Set(walk.map(pointKey))).toEqual(new Set(grid.map(pointKey)));
    // a prefix of 30 reaches many levels of the first parameter (the grid order stayed on one)
    expect(new Set(walk.slice(0, 30).map((p) => p.x)).size).toBeGreaterThan(15);
    expect([...gridWalk(s.layout, budget)].slice(0, 50)).toEqual(walk.slice(0, 50)); // fixed
    // a grid of 1e8 points gives its first points without listing them
    const big = gridWalk(new Space({ x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } }).layout, 1e8);
    const first = Array.from({ length: 5 }, () => big.next().value as Params);
    expect(new Set(first.map((p) => p.x)).size).toBe(5);
    // small grids: gridSpreadOrder's order
    expect([...gridWalk(s.layout, 30)]).toEqual(gridSpreadOrder(s.layout, 30));
  });

  it('is the order of GridSearch\'s ask/tell walk, each point once, then random points', async () => {
    const opt = new GridSearch({ pbounds: { x: [0, 1], y: [0, 1] }, verbose: 0 });
    const walk: Params[] = [];
    for (let i = 0; i < 31; i++) {
      const p = await opt.suggest();
      walk.push(p);
      await opt.register(p, 0);
    }
    const space = new Space({ x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } });
    expect(walk.slice(0, 30)).toEqual(gridSpreadOrder(space.layout, 30));
    expect(opt.trials.map((t) => t.source)).toEqual([...Array(30).fill('grid'), 'random']);
    opt.dispose();
  });

  it('past the grid, ask/tell draws random points it has not tried while the space has any (it repeated them)', async () => {
    const opt = new GridSearch({ space: { n: { type: 'int', low: 1, high: 40 } }, verbose: 0, randomState: 3 });
    const asked: number[] = [];
    for (let i = 0; i < 40; i++) {
      const p = await opt.suggest();
      asked.push(p.n as number);
      await opt.register(p, 0);
    }
    expect(new Set(asked).size).toBe(40); // the 30-point grid, then the 10 integers left
    opt.dispose();
  });
});
