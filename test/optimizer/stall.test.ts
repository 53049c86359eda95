import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { BayesianOptimization } from '../../src/optimizer';
import { parseStallExploration } from '../../src/optimizer/options';
import { exploreNow, STALL_DEFAULTS, trialsSinceImprovement } from '../../src/optimizer/stall';
import { evaluateProblem, sixHumpCamel } from '../../src/problems';
import { REFIT_ALWAYS_BELOW } from '../../src/gp/refit-schedule';
import type { GaussianProcess } from '../../src/gp/gaussian-process';
import type { WarpMemo } from '../../src/gp/warp-memo';
import { Rng } from '../../src/util/rng';

describe('trialsSinceImprovement', () => {
  it('counts the trials after the last improvement larger than tolerance standard deviations', () => {
    expect(trialsSinceImprovement([], 1e-3)).toBe(0);
    expect(trialsSinceImprovement([5], 1e-3)).toBe(0);
    expect(trialsSinceImprovement([1, 2, 3], 1e-3)).toBe(0);
    expect(trialsSinceImprovement([1, 3, 2, 0, 3], 1e-3)).toBe(3);
    // std of [0, 10, 10.05, 10.1] is about 4.35: a margin of 0.0435 at 1e-2, 4.35 at 1
    expect(trialsSinceImprovement([0, 10, 10.05, 10.1], 1e-2)).toBe(0);
    expect(trialsSinceImprovement([0, 10, 10.05, 10.1], 0.1)).toBe(2);
    // std 4.40: at 0.05 (margin 0.22) neither 10.2 nor 10.3 counts; at 0.02 (margin 0.088) both count.
    // Steps that do not count still raise the best: with 10.35 (std 4.1, margin 0.12 at 0.03) 10.2 counts,
    // and 10.35 is measured from 10.3, not from 10.2
    expect(trialsSinceImprovement([0, 10, 10.2, 10.3], 0.05)).toBe(2);
    expect(trialsSinceImprovement([0, 10, 10.2, 10.3, 10.35], 0.03)).toBe(2);
    expect(trialsSinceImprovement([0, 10, 10.2, 10.3], 0.02)).toBe(0);
  });

  it('counts the same at any scale of the targets (squares near 1e200 overflowed, near 1e-200 underflowed)', () => {
    const cases: [number[], number][] = [
      [[1, 2, 3, 4, 5, 6], 1e-3], [[1, 3, 2, 0, 3], 1e-3], [[0, 10, 10.05, 10.1], 1e-2], [[0, 10, 10.05, 10.1], 0.1],
      [[0, 10, 10.2, 10.3], 0.05], [[0, 10, 10.2, 10.3, 10.35], 0.03], [[0, 10, 10.2, 10.3], 0.02],
    ];
    for (const [v, tol] of cases) {
      const want = trialsSinceImprovement(v, tol);
      for (const scale of [1e200, 1e-200, 1e-300, 2 ** 1000, -(2 ** -1000), 1.7e308 / 11]) {
        expect([v, tol, scale, trialsSinceImprovement(v.map((x) => x * scale), tol)]).toEqual([v, tol, scale, scale < 0 ? trialsSinceImprovement(v.map((x) => -x), tol) : want]);
      }
    }
    // a steady climb near the float64 limit counts every step
    expect(trialsSinceImprovement([1.1e308, 1.2e308, 1.3e308, 1.4e308, 1.5e308, 1.6e308, 1.7e308], 1e-3)).toBe(0);
    expect(trialsSinceImprovement([-1.7e308, 1.7e308, 1.7e308], 1e-3)).toBe(1);
  });

  it('skips values that are not finite', () => {
    expect(trialsSinceImprovement([1, NaN, 3, Infinity, 2, -Infinity], 1e-3)).toBe(1);
    expect(trialsSinceImprovement([NaN], 1e-3)).toBe(0);
  });
});

describe('exploreNow', () => {
  it('is true at every positive multiple of `every` trials without an improvement', () => {
    const s = { ...STALL_DEFAULTS, every: 3 };
    const flags = [];
    const v = [1, 2];
    for (let i = 0; i < 8; i++) {
      v.push(0);
      flags.push(exploreNow(v, s));
    }
    expect(flags).toEqual([false, false, true, false, false, true, false, false]);
    expect(exploreNow([1, 2], s)).toBe(false);
  });
});

describe('stallExploration option', () => {
  it('normalizes to its settings and rejects bad values with the parameter named', () => {
    expect(parseStallExploration(undefined)).toEqual({ every: 4, kappa: 2.576, tolerance: 1e-3, batchEvery: 2 });
    expect(parseStallExploration(false)).toBeNull();
    expect(parseStallExploration(true)).toEqual({ every: 4, kappa: 2.576, tolerance: 1e-3, batchEvery: 2 });
    expect(parseStallExploration({ every: 2 })).toEqual({ every: 2, kappa: 2.576, tolerance: 1e-3, batchEvery: 2 });
    expect(parseStallExploration({ batchEvery: 4 })).toEqual({ every: 4, kappa: 2.576, tolerance: 1e-3, batchEvery: 4 });
    // undefined is not given (it was refused with "got undefined"); null is refused
    expect(parseStallExploration({ every: undefined })).toEqual({ every: 4, kappa: 2.576, tolerance: 1e-3, batchEvery: 2 });
    const cases: [unknown, string][] = [
      [{ every: 0 }, 'option "stallExploration.every": expected an integer >= 1, got 0'],
      [{ every: 1.5 }, 'option "stallExploration.every": expected an integer >= 1, got 1.5'],
      [{ batchEvery: 0 }, 'option "stallExploration.batchEvery": expected an integer >= 1, got 0'],
      [{ kappa: -1 }, 'option "stallExploration.kappa": expected a finite number >= 0, got -1'],
      [{ tolerance: -0.1 }, 'option "stallExploration.tolerance": expected a finite number >= 0, got -0.1'],
      [{ often: 1 }, 'option "stallExploration.often": unknown option (known: every, kappa, tolerance, batchEvery)'],
      [{ every: null }, 'option "stallExploration.every": expected an integer >= 1, got null'],
      ['yes', 'option "stallExploration": expected a boolean or { every, kappa, tolerance, batchEvery }, got "yes"'],
    ];
    for (const [v, msg] of cases) {
      expect(() => parseStallExploration(v)).toThrow(InvalidOptionError);
      expect(() => parseStallExploration(v)).toThrow(msg);
    }
    expect(() => new BayesianOptimization({ pbounds: { x: [0, 1] }, stallExploration: { every: -2 } })).toThrow(
      'option "stallExploration.every": expected an integer >= 1, got -2',
    );
  });
});

describe('exploration when the incumbent stalls', () => {
  const run = async (stallExploration: boolean) => {
    const opt = new BayesianOptimization({
      f: async (p: { x1: number; x2: number }) => -evaluateProblem(sixHumpCamel, p),
      pbounds: sixHumpCamel.bounds as { x1: [number, number]; x2: [number, number] }, randomState: 1002, engine: 'cpu',
      stallExploration,
    });
    await opt.maximize({ initPoints: 8, nIter: 32 });
    const values = opt.res.map((r) => r.target as number);
    opt.dispose();
    return values;
  };

  it('changes nothing before the first stall, then leaves the local minimum that EI stays in (six-hump camel, seeded)', async () => {
    const [plain, explored] = [await run(false), await run(true)];
    // the first exploration step is the first trial at which the count of trials without improvement reaches `every`
    const first = plain.findIndex((_, i) => i >= 8 && exploreNow(plain.slice(0, i), STALL_DEFAULTS));
    expect(first).toBeGreaterThan(8);
    expect(explored.slice(0, first)).toEqual(plain.slice(0, first));
    expect(explored[first]).not.toBe(plain[first]);
    const regret = (v: number[]) => -Math.max(...v) - sixHumpCamel.minimum;
    // EI alone ends in the local minimum at -0.2155 (regret 0.816); with exploration the run reaches the global basin
    expect(regret(plain)).toBeGreaterThan(0.8);
    expect(regret(plain)).toBeLessThan(0.82);
    expect(regret(explored)).toBeLessThan(0.1); // measured: 0.041
  }, 120_000);

  // a stalled study of REFIT_ALWAYS_BELOW + 7 trials (the maximum first, then random points) and 11 more suggestions
  const stalledRun = async (f: (x: number, y: number) => number) => {
    const opt = new BayesianOptimization({ pbounds: { x: [0, 1], y: [0, 1] }, randomState: 5, engine: 'cpu', verbose: 0 });
    await opt.register({ x: 0.5, y: 0.3 }, f(0.5, 0.3)); // the maximum first: nothing later improves, so the incumbent has stalled
    const rng = new Rng(5);
    for (let i = 0; i < REFIT_ALWAYS_BELOW + 6; i++) {
      const [x, y] = [rng.uniform(0, 1), rng.uniform(0, 1)];
      await opt.register({ x, y }, f(x, y));
    }
    const sampler = (opt as unknown as { sampler: { exploreGp: GaussianProcess | null; warpMemo: WarpMemo } }).sampler;
    expect(sampler.exploreGp).toBeNull();
    const steps: { gp: GaussianProcess; model: string; reason: string; warp: string | undefined }[] = [];
    for (let k = 0; k < 11; k++) {
      const explores = exploreNow(opt.res.map((r) => r.target as number), STALL_DEFAULTS);
      const p = await opt.suggest() as { x: number; y: number };
      const latest = (opt as unknown as { sampler: { latest: { gp: GaussianProcess } } }).sampler.latest.gp;
      if (explores) steps.push({ gp: latest, model: opt.fitStats!.model, reason: latest.fitStats.reason, warp: sampler.warpMemo.state()?.kind });
      await opt.register(p, f(p.x, p.y));
    }
    // 71 trials, 70 after the maximum: exploration steps at 73, 77 and 81 trials (72, 76, 80 after it)
    expect(steps.length).toBe(3);
    return { opt, steps, sampler };
  };

  it('keeps one exploration GP from REFIT_ALWAYS_BELOW trials on where the output warp is not the identity, so its hyperparameters stand between steps', async () => {
    // targets over four orders of magnitude: the evidence picks the gap power warp for the main GP
    const { opt, steps, sampler } = await stalledRun((x, y) => -Math.exp(20 * ((x - 0.5) ** 2 + (y - 0.3) ** 2)));
    expect(steps.map((s) => s.warp)).toEqual(['gap-box-cox', 'gap-box-cox', 'gap-box-cox']);
    expect(steps.every((s) => s.gp === sampler.exploreGp && s.gp !== opt.gp && s.model === 'exploration')).toBe(true);
    // fitted at 72 observations, kept at 76, refitted on the schedule at 80 (at least 1.1 x 72), as the main GP would be
    expect(steps.map((s) => s.reason)).toEqual(['first', 'kept', 'schedule']);
    opt.dispose();
  }, 120_000);

  it('from REFIT_ALWAYS_BELOW trials on, an exploration step fits the main GP where its warp is the identity: the same targets, one model kept warm', async () => {
    const { opt, steps, sampler } = await stalledRun((x, y) => -((x - 0.5) ** 2 + (y - 0.3) ** 2));
    expect(steps.map((s) => s.warp)).toEqual(['identity', 'identity', 'identity']);
    expect(sampler.exploreGp).toBeNull(); // never made
    expect(steps.every((s) => s.gp === opt.gp && s.model === 'main')).toBe(true);
    // the main GP's schedule runs through the steps: its hyperparameters kept between refits
    expect(steps.map((s) => s.reason)).toEqual(['kept', 'kept', 'kept']);
    opt.dispose();
  }, 120_000);
});
