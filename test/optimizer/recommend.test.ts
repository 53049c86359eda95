/** An optimizer's recommendation (src/optimizer/study-view.ts, and the model's in bayes-sampler.ts). */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization, GridSearch, RandomSearch } from '../../src/optimizer';
import { Rng } from '../../src/util/rng';
import { PB, quad } from './fixtures/quad';

describe('recommend', () => {
  /** 1 - 4 (x - 0.5)^2 on [0, 1], observed with Gaussian noise of sd 0.15 (seeded). */
  const truth = (x: number) => 1 - 4 * (x - 0.5) ** 2;

  it('picks, on a noisy objective, a trial whose true value beats the best observed one on average', async () => {
    let regretMax = 0;
    let regretRec = 0;
    let better = 0;
    const SEEDS = 10;
    for (let s = 1; s <= SEEDS; s++) {
      const rng = new Rng(s);
      const opt = new BayesianOptimization({ pbounds: { x: [0, 1] }, randomState: s, engine: 'cpu' });
      for (let i = 0; i < 25; i++) {
        const x = rng.random();
        await opt.register({ x }, truth(x) + 0.15 * rng.normal());
      }
      const rec = (await opt.recommend())!;
      const max = opt.max!;
      expect(opt.res.some((t) => t.id === rec.id && t.params.x === rec.params.x && t.target === rec.target)).toBe(true);
      const rMax = 1 - truth(max.params.x as number);
      const rRec = 1 - truth(rec.params.x as number);
      regretMax += rMax / SEEDS;
      regretRec += rRec / SEEDS;
      if (rRec <= rMax) better++;
    }
    expect(regretRec).toBeLessThan(0.5 * regretMax);
    expect(better).toBeGreaterThanOrEqual(7);
  });

  it('is the best observed trial (or within the noise floor of it) on a noiseless objective, and with fewer than 3 trials', async () => {
    const TOL_NOISELESS = 0.01;
    const opt = new BayesianOptimization({ f: quad, pbounds: PB, randomState: 3, engine: 'cpu', candidates: 500 });
    await opt.maximize({ initPoints: 2, nIter: 0 });
    expect(await opt.recommend()).toEqual({ id: expect.any(Number), ...opt.max!, predicted: null });
    await opt.maximize({ initPoints: 3, nIter: 10 });
    const rec = (await opt.recommend())!;
    // the GP's noise floor may rate a neighbour within a few thousandths (targets span ~40 here) as high
    expect(rec.target).toBeGreaterThan(opt.max!.target - TOL_NOISELESS);
    expect(Math.abs((rec.predicted as number) - rec.target)).toBeLessThan(TOL_NOISELESS);
  });

  it('does not change later suggestions', async () => {
    const run = async (ask: boolean) => {
      const opt = new BayesianOptimization({ f: quad, pbounds: PB, randomState: 5, engine: 'cpu', candidates: 300 });
      await opt.maximize({ initPoints: 4, nIter: 2 });
      if (ask) await opt.recommend();
      await opt.maximize({ initPoints: 0, nIter: 3 });
      return opt.res.map((r) => r.params);
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it('is the best observed trial for random and grid search, undefined before any completes', async () => {
    for (const Cls of [RandomSearch, GridSearch]) {
      const opt = new Cls({ f: quad, pbounds: PB, randomState: 2, direction: 'minimize' });
      expect(await opt.recommend()).toBeUndefined();
      await opt.maximize({ initPoints: 6, nIter: 0 });
      const best = opt.res.reduce((a, b) => ((b.target as number) < (a.target as number) ? b : a));
      expect(await opt.recommend()).toEqual({ id: best.id, params: best.params, target: best.target, predicted: null });
    }
  });
});
