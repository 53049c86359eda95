/** An optimizer's recommendation (src/optimizer/study-view.ts, and the model's in bayes-sampler.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BayesianOptimization, GridSearch, RandomSearch } from '../../src/optimizer';
import type { Pruner } from '../../src/pruners';
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
    const lines: string[] = [];
    for (let s = 1; s <= SEEDS; s++) {
      const rng = new Rng(s);
      const opt = new BayesianOptimization({ pbounds: { x: [0, 1] }, randomState: s, engine: 'cpu', log: (l) => lines.push(l) });
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
    // ordinary noise never sends the pick back to the best observed trial
    expect(lines.filter((l) => l.startsWith('recommend:'))).toEqual([]);
  });

  it('falls back to the best observed trial, saying why, when the model\'s best was observed worse than half the trials', async () => {
    // one outlier (1e9) among values of sin(3x) + y in [-3, 4]: the model spread it into a broad hump and
    // rated a trial observed worse than 10 of the 15 above the outlier itself
    for (const outputWarping of ['power', 'none'] as const) {
      const lines: string[] = [];
      const opt = new BayesianOptimization({
        pbounds: { x: [0, 1], y: [-2, 3] }, randomState: 3, engine: 'cpu', outputWarping, log: (l) => lines.push(l),
      });
      for (let i = 0; i < 15; i++) {
        const p = await opt.suggest();
        await opt.register(p, i === 2 ? 1e9 : Math.sin(3 * p.x) + p.y);
      }
      const rec = (await opt.recommend())!;
      expect(rec).toEqual({ id: expect.any(Number), ...opt.max!, predicted: null });
      expect(rec.target).toBe(1e9);
      expect(lines.filter((l) => l.startsWith('recommend:'))).toEqual([
        "recommend: the model's best trial (#7) was observed worse than 10 of the 15 completed trials, and trial #2 lies 4.8 sd from what the others predict, so the model does not fit them (an outlier?); recommending the best observed trial instead",
      ]);
    }
    // with 8 trials one outlier's leave-one-out z stays under 4 (the model takes it for noise): the bar is lower there
    const lines: string[] = [];
    const few = new BayesianOptimization({ pbounds: { x: [0, 1], y: [-2, 3] }, randomState: 16, engine: 'cpu', log: (l) => lines.push(l) });
    for (let i = 0; i < 8; i++) {
      const p = await few.suggest();
      await few.register(p, i === 3 ? 1e9 : Math.sin(3 * p.x) + p.y);
    }
    expect(await few.recommend()).toEqual({ id: 3, ...few.max!, predicted: null });
    expect(lines.filter((l) => l.startsWith('recommend:'))).toHaveLength(1);
    few.dispose();
  });

  it('keeps the model\'s pick when the search piled its trials near the optimum and the pick drew badly (no outlier)', async () => {
    // -4 |p - (0.62, 0.31)|^2 with noise of sd 0.3 or 0.5, 30 trials the optimizer chose: a good point's unlucky
    // draw ranks below the median observation. These five runs fell back to the best observed trial when a pick
    // observed worse than half the trials was taken for a misfit; the model's own pick is truly better on 3 of 5
    // (over 160 such runs, sd 0.15 to 1, seeds 1-40: 16 picks observed below the median, 10 truly better than
    // the best observed trial, the two level in mean; over all 160 the pick's mean true value -0.125 against -0.150).
    const truth = (p: { x: number; y: number }) => -4 * ((p.x - 0.62) ** 2 + (p.y - 0.31) ** 2);
    let recBetter = 0;
    for (const [sd, seed] of [[0.3, 9], [0.3, 11], [0.5, 4], [0.5, 10], [0.5, 12]] as const) {
      const rng = new Rng(seed * 99);
      const lines: string[] = [];
      const opt = new BayesianOptimization({
        f: (p) => truth(p as { x: number; y: number }) + sd * rng.normal(), pbounds: { x: [0, 1], y: [0, 1] }, randomState: seed, engine: 'cpu', log: (l) => lines.push(l),
      });
      await opt.maximize({ initPoints: 5, nIter: 25 });
      const rec = (await opt.recommend())!;
      const max = opt.max!;
      const below = opt.res.filter((t) => (t.target as number) > rec.target).length;
      expect(2 * below).toBeGreaterThanOrEqual(opt.res.length); // the case: the pick observed worse than half
      expect(lines.filter((l) => l.startsWith('recommend:'))).toEqual([]);
      expect(rec.predicted).not.toBeNull();
      if (truth(rec.params as { x: number; y: number }) > truth(max.params as { x: number; y: number })) recBetter++;
      opt.dispose();
    }
    expect(recBetter).toBeGreaterThanOrEqual(3);
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

  it('reads completed trials only: pruned trials\' early values next to the best do not move the pick', async () => {
    // a pruned digits study's record, in one dimension: three completed trials (accuracy 0.81, 0.78 and the
    // best, 0.84, at x = 0.8), then nine trials next to the best that read 0.40-0.47 after a quarter epoch
    // and were pruned there. At their last values in the model they pulled the posterior mean at 0.8 below
    // 0.78's, and the worst completed trial was recommended (and retrained)
    const xs = [0.5, 0.2, 0.8, 0.795, 0.798, 0.801, 0.803, 0.806, 0.81, 0.79, 0.812, 0.799];
    const final = [0.81, 0.78, 0.84];
    const early = [0.46, 0.47, 0.41, 0.44, 0.43, 0.4, 0.45, 0.42, 0.46];
    const pruner: Pruner = { name: 'chosen', prune: ({ trial }) => trial.id >= 3 };
    const opt = new BayesianOptimization({
      f: async ({ x }, ctx) => {
        const i = xs.indexOf(x as number);
        await ctx.report(1, i >= 3 ? early[i - 3] : final[i] - 0.3);
        return i >= 3 ? 0.8 : final[i];
      },
      pbounds: { x: [0, 1] }, randomState: 4, engine: 'cpu', pruner, log: () => {},
    });
    for (const x of xs) await opt.probe({ x }, { lazy: false });
    expect(opt.res.filter((t) => t.status === 'pruned').length).toBe(9);
    const rec = (await opt.recommend())!;
    expect(rec.params.x).toBe(0.8);
    expect(rec.predicted as number).toBeGreaterThan(0.81);
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

  it('a point registered several times (one posterior mean) is recommended as its best observation, in either direction', async () => {
    for (const direction of ['maximize', 'minimize'] as const) {
      const opt = new BayesianOptimization({ pbounds: { x: [0, 1] }, randomState: 1, engine: 'cpu', direction });
      for (const [x, y] of [[0.5, 1], [0.5, 3], [0.5, 2], [0.1, 0], [0.9, 0.5]] as const) await opt.register({ x }, y);
      const rec = (await opt.recommend())!;
      const tied = opt.res.filter((t) => t.params.x === rec.params.x).map((t) => t.target as number);
      expect(rec.target).toBe(direction === 'maximize' ? Math.max(...tied) : Math.min(...tied));
      opt.dispose();
    }
  });

  it('waits for a journal to load: a study reopened is recommended at once, as it was before closing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wbo-recommend-'));
    try {
      for (const Cls of [BayesianOptimization, RandomSearch, GridSearch]) {
        const storage = join(dir, `${Cls.name}.jsonl`);
        const make = () => new Cls({ f: quad, pbounds: PB, randomState: 4, engine: 'cpu', storage });
        const a = make();
        await a.maximize({ initPoints: 4, nIter: 4 });
        const before = (await a.recommend())!;
        await a.close();
        const b = make();
        // no ready() first: recommend is async and reads the study once loaded (it gave undefined)
        expect(await b.recommend()).toEqual(before);
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
