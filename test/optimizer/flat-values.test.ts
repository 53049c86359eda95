/**
 * A study whose values are all one value (one completed trial and the
 * failures imputed at it, or a plateau): the model carries no signal, and
 * the proposal draws a random point as with no model (src/optimizer/proposal.ts).
 * Before, the fit's lengthscales ran to their bound and EI walked the box's
 * corners.
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { FAILING_SPACE, failing, FLAT_SPACE, flat } from '../../bench/no-signal-problems';

describe('a study whose values are all one value', () => {
  it('one completed trial among failures: random points until a second value, then the model finds the optimum (every guided trial failed before, in the corners)', async () => {
    // seeds 1 and 3: exactly one of the 5 design points lies in the working band
    for (const seed of [1, 3]) {
      const opt = new BayesianOptimization({ f: failing, space: FAILING_SPACE, direction: 'minimize', randomState: seed, engine: 'cpu', log: () => undefined });
      await opt.maximize({ nIter: 35 });
      const res = opt.res;
      expect(res.slice(0, 5).filter((t) => t.status === 'complete')).toHaveLength(1);
      const second = res.findIndex((t, i) => i >= 5 && t.status === 'complete');
      expect(second).toBeGreaterThan(4);
      // until then, random points (no corner walk); from a second value on, the model's
      expect(res.slice(5, second + 1).every((t) => t.source === 'random')).toBe(true);
      expect(res.slice(second + 1).filter((t) => t.source === 'suggest').length).toBeGreaterThan(20);
      expect(res.filter((t) => t.status === 'complete').length).toBeGreaterThan(15);
      expect(opt.max?.target).toBeLessThan(1e-3);
      opt.dispose();
    }
  });

  it('a flat start (every design point on the plateau): random points until one leaves it, then the bowl\'s floor (the corners of the box before)', async () => {
    const opt = new BayesianOptimization({ f: flat, space: FLAT_SPACE, direction: 'minimize', randomState: 8, engine: 'cpu', log: () => undefined });
    await opt.maximize({ nIter: 35 });
    const res = opt.res;
    expect(res.slice(0, 5).every((t) => t.target === 0.9)).toBe(true);
    const off = res.findIndex((t) => t.target !== 0.9);
    expect(res.slice(5, off + 1).every((t) => t.source === 'random')).toBe(true);
    expect(opt.max?.target).toBeLessThan(0.2);
    expect(res.filter((t) => (t.target as number) < 0.9).length).toBeGreaterThan(10);
    opt.dispose();
  });

  it('in a small discrete space, a flat study takes the untried points to the last (random draws missed them and repeated a tried one)', async () => {
    // seeds 1-3 proposed 12, 188 and 34, tried already
    for (const seed of [1, 2, 3]) {
      const opt = new BayesianOptimization({ space: { k: { type: 'int', low: 0, high: 199 } }, randomState: seed, engine: 'cpu', initPoints: 0, log: () => undefined });
      for (let k = 0; k < 199; k++) if (k !== 137) await opt.register({ k }, 0.5);
      await opt.register({ k: 199 }, 0.5);
      expect(await opt.suggest()).toEqual({ k: 137 });
      expect(opt.trials.at(-1)?.source).toBe('random');
      opt.dispose();
    }
  });

  it('a single completed trial is one value too; two different values make a model', async () => {
    const opt = new BayesianOptimization({ pbounds: { x: [0, 1] }, randomState: 2, engine: 'cpu', initPoints: 0, log: () => undefined });
    await opt.register({ x: 0.2 }, 1);
    await opt.suggest().then((p) => opt.register(p, 1)); // a second trial at the same value: still none
    expect(opt.res.map((t) => t.source)).toEqual(['register', 'random']);
    await opt.register({ x: 0.7 }, 2);
    await opt.suggest();
    expect(opt.trials.at(-1)?.source).toBe('suggest');
    opt.dispose();
  });
});
