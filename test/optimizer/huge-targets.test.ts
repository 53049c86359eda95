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

  it('the largest double itself, both signs: recommend() and predict() stay finite (a mean just past -1.7e308 was -Infinity)', async () => {
    const M = Number.MAX_VALUE;
    for (const direction of ['maximize', 'minimize'] as const) {
      const lines: string[] = [];
      const opt = new BayesianOptimization({ ...FAST, pbounds: { x: [0, 1] }, randomState: 3, direction, log: (l) => lines.push(l) });
      for (const [x, v] of [[0.05, -M], [0.38, -M], [0.72, M]] as const) await opt.register({ x }, v);
      const rec = (await opt.recommend())!;
      expect([direction, rec.target]).toEqual([direction, direction === 'maximize' ? M : -M]);
      expect(Number.isFinite(rec.predicted)).toBe(true);
      expect(Math.abs(rec.predicted! - rec.target) / M).toBeLessThan(0.05);
      for (const p of (await opt.predict([{ x: 0.05 }, { x: 0.5 }, { x: 0.72 }]))!) {
        expect([p.lower, p.mean, p.upper].every(Number.isFinite)).toBe(true);
        expect(p.lower).toBeLessThanOrEqual(p.mean);
        expect(p.mean).toBeLessThanOrEqual(p.upper);
      }
      expect(lines.filter((l) => l.startsWith('recommend:'))).toEqual([]);
      opt.dispose();
    }
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

  it('a 1e308 penalty among losses of 0.1 (the default power warp) and the largest double as a target leave the search running', async () => {
    // the penalty's gap over the median gap overflowed the warp, and every later step threw
    const penalty = ({ x }: Params) => ((x as number) > 0.8 ? 1e308 : ((x as number) - 0.3) ** 2);
    const opt = new BayesianOptimization({ ...FAST, f: penalty, pbounds: { x: [0, 1] }, direction: 'minimize', randomState: 4 });
    await opt.maximize({ initPoints: 5, nIter: 6 });
    expect(opt.trials.filter((t) => t.status === 'complete')).toHaveLength(11);
    expect(opt.trials.some((t) => t.target === 1e308)).toBe(true);
    expect(opt.max!.target).toBeLessThan(0.01);
    // Math.log2 of the largest double rounds to 1024: the scale overflowed and every target standardized to 0
    const top = ({ x }: Params) => ((x as number) > 0.8 ? Number.MAX_VALUE : -(((x as number) - 0.3) ** 2));
    const b = new BayesianOptimization({ ...FAST, f: top, pbounds: { x: [0, 1] }, randomState: 4, outputWarping: 'none' });
    await b.maximize({ initPoints: 5, nIter: 0 });
    const [at] = (await b.predict([{ x: 0.3 }]))!;
    expect(Number.isFinite(at.mean) && Number.isFinite(at.lower)).toBe(true);
    expect(at.lower).toBeLessThan(at.mean);
  });

  it('predict()\'s band scales with the targets, from 1e-170 to 1e160 (a variance in the targets\' units under- or overflows there)', async () => {
    const band = async (scale: number) => {
      const opt = new BayesianOptimization({
        ...FAST, f: ({ x }: Params) => scale * Math.sin(6 * (x as number)), pbounds: { x: [0, 1] }, randomState: 3, outputWarping: 'none',
      });
      await opt.maximize({ initPoints: 5, nIter: 0 });
      return (await opt.predict([{ x: 0.25 }, { x: 0.9 }]))!;
    };
    const unit = await band(1);
    for (const scale of [1e160, 1e-170]) {
      const got = await band(scale);
      got.forEach((p, i) => {
        expect(p.upper - p.lower).toBeGreaterThan(0);
        for (const k of ['mean', 'lower', 'upper'] as const) expect(p[k] / scale).toBeCloseTo(unit[i][k], 9);
      });
    }
  });

  it('a constant objective is predicted as that constant, with a band in its units, from 1e-170 to 1e160', async () => {
    // the unit of constant targets was an absolute 1: the prior mean's shift added ~1.5e-3 (a constant 1e-12
    // predicted as 1.5e-3) and the band was ~0.03 wide, nothing beside 1e160
    const at = async (c: number) => {
      const opt = new BayesianOptimization({ ...FAST, f: () => c, pbounds: { x: [0, 1] }, randomState: 7 });
      await opt.maximize({ initPoints: 4, nIter: 2 });
      const rec = (await opt.recommend())!;
      const band = (await opt.predict([rec.params, { x: 0.5 }]))!;
      await opt.close();
      return { rec, band };
    };
    const unit = await at(1);
    for (const c of [1e-170, 1e-12, 1, -3, 1e160]) {
      const { rec, band } = await at(c);
      expect(Math.abs(rec.predicted! - c)).toBeLessThanOrEqual(1e-12 * Math.abs(c));
      band.forEach((p, i) => {
        expect(Math.abs(p.mean - c)).toBeLessThanOrEqual(1e-12 * Math.abs(c));
        expect(p.lower).toBeLessThan(p.upper);
        expect((p.upper - p.lower) / Math.abs(c)).toBeCloseTo(unit.band[i].upper - unit.band[i].lower, 9);
      });
    }
  });
});
