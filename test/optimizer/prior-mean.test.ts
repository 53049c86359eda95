import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';

const PB = { x: [0, 1], y: [0, 1] } as const;
const f = async (p: { x: number; y: number }) => -((p.x - 0.3) ** 2) - (p.y - 0.6) ** 2;

// The effect of the prior mean on the posterior is tested on the GP itself (test/gp/prior-mean.test.ts).
describe('BayesianOptimization prior mean', () => {
  it('defaults to one standard deviation below the targets\' mean; gp.priorMean overrides it; both run', async () => {
    for (const [gp, k] of [[undefined, -1], [{ priorMean: 0 }, 0], [{ priorMean: -0.5 }, -0.5]] as const) {
      const opt = new BayesianOptimization({ f, pbounds: PB, randomState: 3, engine: 'cpu', candidates: 300, ...(gp ? { gp } : {}) });
      expect(opt.gp.priorMean).toBe(k);
      await opt.maximize({ initPoints: 5, nIter: 3 });
      expect(opt.gp.priorMean).toBe(k);
      expect(opt.res).toHaveLength(8);
      expect((await opt.recommend())?.params).toBeDefined();
      opt.dispose();
    }
  });

  it('gp: { priorMean: undefined } is not given: the optimizer\'s default, not refused nor the GP\'s own default', () => {
    const opt = new BayesianOptimization({ f, pbounds: PB, randomState: 3, engine: 'cpu', gp: { priorMean: undefined, lengthscales: undefined } });
    expect(opt.gp.priorMean).toBe(-1);
    opt.dispose();
  });
});
