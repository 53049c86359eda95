/**
 * prunedTrials 'fidelity' (src/optimizer/fidelity.ts): the rows it builds
 * from hand-made learning curves, a study whose slow starters are best (the
 * fidelity model ranks them right, 'last' does not), the model space the
 * engines search, and the same model data after a resume from a journal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { BayesianOptimization, observations, type TrialContext } from '../../src/optimizer';
import { fidelityObservations, maxCompletedStep, modelSpace, progressOf, thinSteps } from '../../src/optimizer/fidelity';
import { SuccessiveHalvingPruner } from '../../src/pruners';
import { Space } from '../../src/space';
import type { Trial } from '../../src/study/types';
import { Rng } from '../../src/util/rng';

const encode = (p: Record<string, unknown>) => Float64Array.of(p.x as number);
const curve = (id: number, x: number, status: Trial['status'], values: number[], target: number | null): Trial => ({
  id, params: { x }, status, source: 'suggest', target,
  intermediate: Object.fromEntries(values.map((v, i) => [i + 1, v])),
  ...(status === 'pruned' ? { step: values.length } : {}),
});
/** rows of an `n x w` matrix */
const rows = (X: Float64Array, w: number): number[][] => Array.from({ length: X.length / w }, (_, i) => Array.from(X.subarray(i * w, i * w + w)));
const s = (step: number, max: number) => Math.log1p(step) / Math.log1p(max);

describe('fidelity model data', () => {
  it('thins curves to powers of 2 (and a pruned trial\'s last step) on a log progress scale', () => {
    expect(thinSteps([1, 2, 3, 4, 5, 6], 6, true)).toEqual([1, 2, 4, 6]);
    expect(thinSteps([1, 2, 3, 4, 5, 6], 6, false)).toEqual([1, 2, 4]);
    expect(thinSteps([1, 2, 3, 4, 5, 6, 7, 8], 8, false)).toEqual([1, 2, 4, 8]);
    expect(thinSteps([0, 3], 3, true)).toEqual([3]); // step 0 is not a power of 2
    expect(progressOf(12, 12)).toBe(1);
    expect(progressOf(0, 12)).toBe(0);
    expect(progressOf(3, 12)).toBeCloseTo(Math.log(4) / Math.log(13), 15);
    expect(progressOf(20, 12)).toBe(1); // past the completed trials' end: clamped
    expect(progressOf(3, 0)).toBe(1); // no completed curve: every row at the end
  });

  // minimize (sign -1). Completed: x 0.1, curve 0.9 0.7 0.65 0.6 0.55 (5 steps), target 0.55;
  // x 0.2 without a curve, target 0.8. Pruned: x 0.3 at step 1 (1.2); x 0.4 at step 3 (1.0, 0.9, 0.85).
  // Failed x 0.5; running x 0.6 with a report (not used).
  const trials: Trial[] = [
    curve(0, 0.1, 'complete', [0.9, 0.7, 0.65, 0.6, 0.55], 0.55),
    curve(1, 0.3, 'pruned', [1.2], 1.2),
    { id: 2, params: { x: 0.2 }, status: 'complete', source: 'random', target: 0.8 },
    curve(3, 0.4, 'pruned', [1.0, 0.9, 0.85], 0.85),
    { id: 4, params: { x: 0.5 }, status: 'failed', source: 'suggest', target: null },
    { ...curve(5, 0.6, 'pending', [0.3], null) },
  ];
  const opts = { sign: -1, winsorize: false, failed: 'worst' as const, extra: 1 };

  it('completed trials at s = 1 first, then thinned curve rows, then failed at s = 1, then the extra rows', () => {
    const o = fidelityObservations(encode, 1, trials, opts);
    expect(maxCompletedStep(trials)).toBe(5);
    expect([o.nComplete, o.nPruned, o.nFailed]).toEqual([2, 7, 1]);
    expect(rows(o.X, 2)).toEqual([
      [0.1, 1], [0.2, 1], // completed: their targets at the end of training
      [0.1, s(1, 5)], [0.1, s(2, 5)], [0.1, s(4, 5)], // trial 0 at steps 1, 2, 4 (step 5 is its target's row)
      [0.3, s(1, 5)], // trial 1, pruned at step 1
      [0.4, s(1, 5)], [0.4, s(2, 5)], [0.4, s(3, 5)], // trial 3: steps 1, 2 and its last, 3
      [0.5, 1], // failed
      [0, 0], // extra
    ]);
    // the running trial's report is not used; failed at the worst completed value (-0.8)
    expect(Array.from(o.y)).toEqual([-0.55, -0.8, -0.9, -0.7, -0.6, -1.2, -1.0, -0.9, -0.85, -0.8, 0]);
  });

  it('through observations(): the same rows, transformed and winsorized like the other policies', () => {
    const space = new Space({ x: { type: 'float', low: 0, high: 1 } });
    const o = observations(space, -1, trials, 0, 'none', 'worst', 'fidelity');
    const direct = fidelityObservations((p) => space.encode(p), 1, trials, { ...opts, extra: 0 });
    expect(Array.from(o.X)).toEqual(Array.from(direct.X));
    expect(Array.from(o.y)).toEqual(Array.from(direct.y));
    // the output warp and winsorizing see every row with a value: the order of the values is kept
    const warped = observations(space, -1, trials, 0, 'power', 'worst', 'fidelity');
    expect(Array.from(warped.X)).toEqual(Array.from(o.X));
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) if (o.y[i] < o.y[j]) expect(warped.y[i]).toBeLessThanOrEqual(warped.y[j]);
  });

  it('no completed trial: nothing to model but what completed', () => {
    const o = fidelityObservations(encode, 1, [trials[1], trials[3], trials[4]], opts);
    expect([o.nComplete, o.nPruned, o.nFailed, o.y.length]).toEqual([0, 0, 0, 1]);
  });
});

/**
 * Loss after e epochs of a configuration x in [0, 1]: the final loss is best
 * at x = 1, but large x learns slowly, so at epoch 1 small x looks best.
 */
const lossAt = (x: number, e: number) => 0.1 + 0.5 * (1 - x) + (0.1 + 0.9 * x) / Math.sqrt(e);

describe('slow starters that end best', () => {
  // ASHA-like data: 10 trials stopped at epoch 1 across [0, 1], 3 trained for 12 epochs
  const full = (id: number, x: number): Trial => curve(id, x, 'complete', Array.from({ length: 12 }, (_, e) => lossAt(x, e + 1)), lossAt(x, 12));
  const trials: Trial[] = [
    full(0, 0), full(1, 0.5), full(2, 1),
    ...Array.from({ length: 10 }, (_, i) => curve(3 + i, 0.05 + 0.1 * i, 'pruned', [lossAt(0.05 + 0.1 * i, 1)], lossAt(0.05 + 0.1 * i, 1))),
  ];
  const space = new Space({ x: { type: 'float', low: 0, high: 1 } });
  /** predicted final loss at x = 0.1 and x = 0.9 (minimizing: model values are -loss) */
  function predicted(mode: 'last' | 'fidelity'): [number, number] {
    const o = observations(space, -1, trials, 0, 'none', 'worst', mode);
    const d = o.X.length / o.y.length;
    const gp = new GaussianProcess({ kernel: 'matern52', lengthscales: 'ard', rng: new Rng(7) }).fit(o.X, o.y, d);
    const at = (x: number) => (d === 2 ? [x, 1] : [x]);
    const m = gp.predict(Float64Array.from([...at(0.1), ...at(0.9)]), 2).mean;
    return [-m[0], -m[1]];
  }

  it("the fidelity model predicts the slow starter's better final loss; 'last' ranks the fast starter first", () => {
    const [fast, slow] = predicted('fidelity');
    expect(slow).toBeLessThan(fast);
    // near the true final losses (0.1: 0.605, 0.9: 0.420)
    expect(Math.abs(slow - lossAt(0.9, 12))).toBeLessThan(0.1);
    expect(Math.abs(fast - lossAt(0.1, 12))).toBeLessThan(0.1);
    const [fastLast, slowLast] = predicted('last');
    expect(slowLast).toBeGreaterThan(fastLast);
  });

  it('suggests in the slow starters\' region (CPU engine, the progress coordinate at 1)', async () => {
    const study = { sign: -1 as const, trials, completed: () => trials.filter((t) => t.status === 'complete'), pending: () => [], finished: () => trials.filter((t) => t.status !== 'pending') };
    const { proposeNext } = await import('../../src/optimizer/proposal');
    const run = async (mode: 'last' | 'fidelity') => (await proposeNext(study, {
      space, gp: new GaussianProcess({ kernel: 'matern52', lengthscales: 'ard', rng: new Rng(3) }), engine: createCpuEngine(),
      acquisition: { kind: 'ei', xi: 0, kappa: 0 }, rng: new Rng(5), candidates: 500, outputWarping: 'none', prunedTrials: mode,
    })).params.x as number;
    expect(await run('fidelity')).toBeGreaterThan(0.7);
  });
});

describe('the model space', () => {
  const space = new Space({ a: { type: 'float', low: 0, high: 1 }, c: { type: 'categorical', choices: ['u', 'v'] } });
  it('appends one coordinate that encodes 1 and that snapping keeps at 1', async () => {
    const ms = modelSpace(space, true);
    expect(ms.dim).toBe(space.dim + 1);
    expect(Array.from(ms.encode({ a: 0.25, c: 'v' }))).toEqual([...space.encode({ a: 0.25, c: 'v' }), 1]);
    expect(ms.decode(Float64Array.of(0.25, 0, 1, 1))).toEqual({ a: 0.25, c: 'v' });
    expect(modelSpace(space, false).layout).toBe(space.layout);
    const { snapInto } = await import('../../src/space/encode');
    expect(Array.from(snapInto(ms.layout, [0.3, 0.9, 0.1, 0.02]))).toEqual([0.3, 1, 0, 1]);
  });
});

describe('resume', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a study resumed from its journal gives the same model data (curves, pruned steps)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fidelity-'));
    dirs.push(dir);
    const path = join(dir, 'study.jsonl');
    const pbounds = { x: [0, 1] } as const;
    const f = async (p: Record<string, unknown>, ctx: TrialContext) => {
      let v = NaN;
      for (let e = 1; e <= 9; e++) {
        v = lossAt(p.x as number, e);
        if (await ctx.report(e, v)) return v;
      }
      return v;
    };
    const common = { pbounds, direction: 'minimize' as const, engine: 'cpu' as const, candidates: 200, gp: { restarts: 1 }, log: () => {}, prunedTrials: 'fidelity' as const };
    const a = new BayesianOptimization({ ...common, f, randomState: 4, journal: path, pruner: new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 }) });
    await a.maximize({ initPoints: 3, nIter: 4 });
    const before = a.trials;
    a.dispose();
    const b = new BayesianOptimization({ ...common, f, randomState: 4, journal: path });
    await b.ready();
    const space = new Space({ x: { type: 'float', low: 0, high: 1 } });
    const oa = observations(space, -1, before, 0, 'power', 'worst', 'fidelity');
    const ob = observations(space, -1, b.trials, 0, 'power', 'worst', 'fidelity');
    expect(before.filter((t) => t.status === 'pruned').length).toBeGreaterThan(0);
    expect(oa.nPruned).toBeGreaterThan(oa.nComplete);
    expect(Array.from(ob.X)).toEqual(Array.from(oa.X));
    expect(Array.from(ob.y)).toEqual(Array.from(oa.y));
    b.dispose();
  });
});

it("'fidelity' through BayesianOptimization: every suggestion a point of the space, pruned trials learned from", async () => {
  let calls = 0;
  const opt = new BayesianOptimization({
    pbounds: { x: [0, 1], y: [0, 1] }, direction: 'minimize', engine: 'cpu', candidates: 300, gp: { restarts: 1 }, log: () => {},
    randomState: 2, pruner: 'asha', prunedTrials: 'fidelity',
    f: async (p, ctx) => {
      calls++;
      let v = NaN;
      for (let e = 1; e <= 8; e++) {
        v = lossAt(p.x as number, e) + 0.1 * (p.y as number);
        if (await ctx.report(e, v)) return v;
      }
      return v;
    },
  });
  await opt.maximize({ initPoints: 4, nIter: 8 });
  expect(calls).toBe(12);
  expect(opt.res.filter((t) => t.status === 'pruned').length).toBeGreaterThan(0);
  for (const t of opt.res) {
    expect(Object.keys(t.params).sort()).toEqual(['x', 'y']);
    expect(t.params.x as number).toBeGreaterThanOrEqual(0);
    expect(t.params.x as number).toBeLessThanOrEqual(1);
  }
  expect(opt.res.filter((t) => t.source === 'suggest').length).toBe(8);
  // a batch: greedy (the joint qEI swaps search the parameters' space, not the model's)
  const batch = await opt.suggestBatch(3);
  expect(new Set(batch.map((p) => `${p.x},${p.y}`)).size).toBe(3);
  for (const p of batch) expect(Object.keys(p).sort()).toEqual(['x', 'y']);
  opt.dispose();
});
