import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { exploreNow } from '../../src/optimizer/stall';
import type { GaussianProcess } from '../../src/gp/gaussian-process';
import { Rng } from '../../src/util/rng';

describe('BayesianOptimization.fitStats', () => {
  it("describes the GP the latest suggestion fitted: the main one, or a stall-exploration step's own", async () => {
    const f = (x: number, y: number) => -((x - 0.5) ** 2 + (y - 0.3) ** 2);
    const stall = { every: 2, kappa: 2.576, tolerance: 1e-3, batchEvery: 2 };
    const opt = new BayesianOptimization({ pbounds: { x: [0, 1], y: [0, 1] }, randomState: 3, engine: 'cpu', candidates: 512, verbose: 0, stallExploration: stall });
    expect(opt.fitStats).toBeUndefined();
    await opt.register({ x: 0.5, y: 0.3 }, 0); // the maximum first: nothing later improves, so the incumbent stalls
    const rng = new Rng(3);
    for (let i = 0; i < 4; i++) {
      const [x, y] = [rng.uniform(0, 1), rng.uniform(0, 1)];
      await opt.register({ x, y }, f(x, y));
    }
    const sampler = (opt as unknown as { sampler: { exploreGp: GaussianProcess | null } }).sampler;
    const models: string[] = [];
    for (let k = 0; k < 6; k++) {
      const explores = exploreNow(opt.res.map((r) => r.target as number), stall);
      const mainBefore = opt.gp.fitStats;
      const p = await opt.suggest() as { x: number; y: number };
      const st = opt.fitStats!;
      models.push(st.model);
      expect(st.model).toBe(explores ? 'exploration' : 'main');
      if (explores) {
        // the main GP did not fit: its stats are the previous step's, not this one's
        expect(opt.gp.fitStats).toEqual(mainBefore);
        // a fresh exploration GP below REFIT_ALWAYS_BELOW points: its hyperparameters were optimized at this step
        expect(st.refitted).toBe(true);
        expect(st.evaluations).toBeGreaterThan(0);
        const own = (opt as unknown as { sampler: { latest: { gp: GaussianProcess } } }).sampler.latest.gp;
        expect(own).not.toBe(opt.gp);
        expect({ ...own.fitStats, model: 'exploration' }).toEqual(st);
      } else {
        expect(st).toEqual({ ...opt.gp.fitStats, model: 'main' });
      }
      await opt.register(p, f(p.x, p.y));
    }
    expect(sampler.exploreGp).toBeNull(); // below REFIT_ALWAYS_BELOW each exploration step has a fresh GP
    expect(models).toContain('exploration');
    expect(models).toContain('main');
    opt.dispose();
  }, 120_000);
});
