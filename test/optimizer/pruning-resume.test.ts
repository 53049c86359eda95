/**
 * A pruned study resumed after a trial was cut off mid-training prunes as
 * the uninterrupted one: the cut-off trial's reports, failed and retried at
 * the same point, are not counted beside its retry's at the rungs; and a
 * pruner's inferred resource ('auto') is the one the study recorded.
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization, type TrialContext } from '../../src/optimizer';
import { HyperbandPruner, SuccessiveHalvingPruner } from '../../src/pruners';
import type { Params } from '../../src/space/types';
import { FAST, useTempJournals } from './fixtures/journal-study';

const tempJournal = useTempJournals();

describe('pruning after a resume', () => {
  it('a trial cut off at step 4 and retried weighs once at the rungs: every later decision is the uninterrupted run\'s', async () => {
    const space = { x: { type: 'float', low: -2, high: 2 }, k: { type: 'categorical', choices: ['a', 'b'] } } as const;
    const curve = (p: Params, s: number) => -(((p.x as number) - 0.3) ** 2) - 2 / s + (p.k === 'a' ? 0.1 : 0);
    const train = async (p: Params, ctx: TrialContext, cutAt?: () => Promise<void>) => {
      let v = 0;
      for (let s = 1; s <= 9; s++) {
        v = curve(p, s);
        if (s === 4 && cutAt) await cutAt();
        if (await ctx.report(s, v)) return v;
      }
      return v;
    };
    const opts = { ...FAST, space, randomState: 5, pruner: 'asha', candidates: 500, log: () => undefined } as const;
    const budget = { initPoints: 6, nIter: 8, resume: true };
    const whole = new BayesianOptimization({ ...opts, f: (p, ctx) => train(p, ctx), journal: tempJournal() });
    await whole.maximize(budget);
    const path = tempJournal();
    let calls = 0;
    const cut: BayesianOptimization = new BayesianOptimization({
      ...opts, journal: path,
      f: (p, ctx) => train(p, ctx, ++calls === 9 ? async () => {
        cut.dispose();
        await new Promise((r) => setTimeout(r, 20));
      } : undefined),
    });
    await expect(cut.maximize(budget)).rejects.toThrow();
    const resumed = new BayesianOptimization({ ...opts, f: (p, ctx) => train(p, ctx), journal: path });
    await resumed.maximize(budget);
    const ends = (o: BayesianOptimization) => o.res.filter((r) => r.status !== 'failed').map((r) => [r.params, r.status, r.step]);
    expect(resumed.res.some((r) => r.retryOf !== undefined)).toBe(true);
    expect(whole.res.some((r) => r.status === 'pruned')).toBe(true);
    expect(ends(resumed)).toEqual(ends(whole));
    await whole.close();
    await resumed.close();
  });
});

describe("pruning with an inferred resource ('auto') after a resume", () => {
  // trainings of different lengths (early stopping, say): the longest completed one sets the inferred R (or r)
  const train = (epochs: (y: number) => number) => async (p: Params, ctx: TrialContext) => {
    const x = p.x as number;
    const y = p.y as number;
    let v = 0;
    for (let e = 1; e <= epochs(y); e++) {
      v = -((x - 0.3) ** 2) - (y - 0.6) ** 2 + 0.01 * e;
      if (await ctx.report(e, v)) return v;
    }
    return v;
  };
  const cases = [
    ['hyperband', () => new HyperbandPruner(), (y: number) => 2 + Math.floor(y * 12)],
    ['asha', () => new SuccessiveHalvingPruner({ minResource: 'auto', reductionFactor: 2 }), (y: number) => (y < 0.3 ? 150 : 250)],
  ] as const;
  for (const [name, pruner, epochs] of cases) {
    it(`${name}: a study stopped after 5, 6 or 8 trials and resumed ends as the uninterrupted one`, async () => {
      const run = async (splits: number[]): Promise<string[]> => {
        const path = tempJournal();
        let out: string[] = [];
        for (const nIter of splits) {
          const opt = new BayesianOptimization({ ...FAST, pbounds: { x: [0, 1], y: [0, 1] }, randomState: 11, pruner: pruner(), journal: path, f: train(epochs) });
          await opt.maximize({ initPoints: 4, nIter, resume: true });
          out = opt.trials.map((t) => `${t.id}:${t.status}${t.status === 'pruned' ? `@${t.step}` : ''}`);
          await opt.close();
        }
        return out;
      };
      const whole = await run([8]);
      expect(whole.some((s) => s.includes('pruned'))).toBe(true);
      for (const first of [1, 2, 4]) expect(await run([first, 8]), `stopped after ${4 + first}`).toEqual(whole);
    }, 120_000);
  }
});
