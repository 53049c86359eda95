/** Targets near ±1.7e308: suggestions and recommend() keep working, with finite predictions. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GaussianProcess } from '../../src/gp';
import { BayesianOptimization } from '../../src/optimizer';
import type { Params } from '../../src/space/types';

const FAST = { engine: 'cpu', candidates: 200, gp: { restarts: 1 } } as const;
/** -1.7e308 left of 0.5, up to 1.7e308 at x = 1 */
const f = ({ x }: Params): number => ((x as number) < 0.5 ? -1.7e308 : 1.7e308) * (0.5 + Math.abs((x as number) - 0.5));

describe('targets near the float64 limit', () => {
  afterEach(() => vi.restoreAllMocks());

  it('recommend() predicts a finite value for the best trial', async () => {
    const lines: string[] = [];
    const opt = new BayesianOptimization({ ...FAST, f, pbounds: { x: [0, 1] }, randomState: 1, log: (l) => lines.push(l) });
    await opt.maximize({ initPoints: 4, nIter: 4 });
    expect(opt.trials.every((t) => t.status === 'complete')).toBe(true);
    const rec = (await opt.recommend())!;
    expect(Number.isFinite(rec.predicted)).toBe(true);
    expect(rec.target).toBe(opt.max!.target);
    expect(Math.abs(rec.predicted! - rec.target) / 1.7e308).toBeLessThan(0.05);
    expect(lines.filter((l) => l.startsWith('recommend:'))).toEqual([]);
  });

  it('falls back to the best observed trial, and says so, when the model predicts non-finite values', async () => {
    const lines: string[] = [];
    const opt = new BayesianOptimization({ ...FAST, f, pbounds: { x: [0, 1] }, randomState: 2, log: (l) => lines.push(l) });
    await opt.maximize({ initPoints: 5, nIter: 0 });
    vi.spyOn(GaussianProcess.prototype, 'trainingMean').mockImplementation(function (this: GaussianProcess) {
      return new Float64Array(5).fill(NaN);
    });
    const rec = (await opt.recommend())!;
    expect(rec).toEqual({ id: expect.any(Number), params: opt.max!.params, target: opt.max!.target, predicted: null });
    expect(lines).toContain("recommend: the model's predictions are not finite; recommending the best observed trial instead");
  });
});
