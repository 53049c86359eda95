import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { extrapolatePruned, trialObservations } from '../../src/optimizer/observations';
import type { Trial } from '../../src/study/types';

const t = (id: number, status: Trial['status'], target: number | null): Trial =>
  ({ id, params: { x: id / 10 }, target, status, source: 'random' });
const encode = (p: Record<string, unknown>) => Float64Array.of(p.x as number);

describe('pruned trials as observations', () => {
  // minimize: sign -1; completed 0.5 and 0.3, pruned at last values 0.9 and 0.7, one failed
  const trials = [t(0, 'complete', 0.5), t(1, 'pruned', 0.9), t(2, 'failed', null), t(3, 'complete', 0.3), t(4, 'pruned', 0.7), t(5, 'pending', null)];
  const opts = { sign: -1, winsorize: false, failed: 'worst' as const, extra: 1 };

  it("'last' (the default): their last reported value, right after the completed trials", () => {
    const o = trialObservations(encode, 1, trials, opts);
    expect([o.nComplete, o.nPruned, o.nFailed]).toEqual([2, 2, 1]);
    expect(Array.from(o.X)).toEqual([0, 0.3, 0.1, 0.4, 0.2, 0]);
    expect(Array.from(o.y)).toEqual([-0.5, -0.3, -0.9, -0.7, -0.5, 0]); // failed at the worst completed (-0.5)
  });

  it("'worst': imputed at the worst completed value, after the failed ones", () => {
    const o = trialObservations(encode, 1, trials, { ...opts, pruned: 'worst' });
    expect(Array.from(o.X)).toEqual([0, 0.3, 0.2, 0.1, 0.4, 0]);
    expect(Array.from(o.y)).toEqual([-0.5, -0.3, -0.5, -0.5, -0.5, 0]);
  });

  it("'ignore': left out; without a completed trial, pruned ones are the data at their values ('last'), nothing to impute on ('worst')", () => {
    const o = trialObservations(encode, 1, trials, { ...opts, pruned: 'ignore' });
    expect([o.nPruned, o.y.length]).toEqual([0, 4]);
    const only = [t(1, 'pruned', 0.9), t(2, 'failed', null), t(4, 'pruned', 0.7)];
    const last = trialObservations(encode, 1, only, opts);
    expect([last.nComplete, last.nPruned, last.nFailed]).toEqual([0, 2, 0]);
    expect(Array.from(last.y)).toEqual([-0.9, -0.7, 0]);
    const worst = trialObservations(encode, 1, only, { ...opts, pruned: 'worst' });
    expect([worst.nComplete, worst.nPruned, worst.y.length]).toEqual([0, 0, 1]);
  });

  it('a study whose every trial the pruner stopped gets model-guided suggestions, not random ones', async () => {
    const { proposeNext } = await import('../../src/optimizer/proposal');
    const { Study } = await import('../../src/storage/study');
    const { Space } = await import('../../src/space');
    const { GaussianProcess } = await import('../../src/gp');
    const { createCpuEngine } = await import('../../src/acquisition');
    const { Rng } = await import('../../src/util/rng');
    const space = Space.fromOptions({ pbounds: { x: [0, 1] } });
    const study = Study.open(undefined, { direction: 'minimize' });
    for (const [x, v] of [[0.1, 3], [0.5, 1], [0.9, 2]]) {
      const tr = await study.ask(() => ({ x }), { source: 'init' });
      await study.report(tr.id, 1, v);
      await study.prune(tr.id);
    }
    const engine = createCpuEngine({ workers: 0 });
    const ctx = { space, gp: new GaussianProcess({ restarts: 1, rng: new Rng(1) }), engine, acquisition: { kind: 'ei' as const, xi: 0.01, kappa: 2.576 }, rng: new Rng(2), candidates: 500 };
    const p = await proposeNext(study, ctx);
    expect(p.source).toBe('suggest');
    expect(p.factors?.n).toBe(3);
    const ignored = await proposeNext(study, { ...ctx, prunedTrials: 'ignore' });
    expect(ignored.source).toBe('random');
    engine.dispose();
  });

  describe("'extrapolate': the last value plus the completed curves' median gain from that step", () => {
    const curve = (id: number, status: Trial['status'], values: number[], target: number | null): Trial => ({
      ...t(id, status, target), intermediate: Object.fromEntries(values.map((v, i) => [i + 1, v])),
      ...(status === 'pruned' ? { step: values.length } : {}),
    });
    // completed curves (minimize): 1.0 -> 0.6 -> 0.5 (gains from step 1: -0.5; step 2: -0.1),
    // 0.8 -> 0.5 -> 0.4 (-0.4; -0.1), 0.9 -> 0.8 -> 0.6 (-0.3; -0.2)
    const done = [curve(0, 'complete', [1.0, 0.6, 0.5], 0.5), curve(1, 'complete', [0.8, 0.5, 0.4], 0.4), curve(2, 'complete', [0.9, 0.8, 0.6], 0.6)];
    const pruned = [curve(3, 'pruned', [1.2], 1.2), curve(4, 'pruned', [1.1, 0.9], 0.9), curve(5, 'pruned', [0.95], 0.95)];

    it('shifts each pruned trial by the median gain at its step, keeping the ranking at that step', () => {
      const v = extrapolatePruned(pruned, done);
      expect(v[0]).toBeCloseTo(1.2 - 0.4, 12); // median of -0.5, -0.4, -0.3
      expect(v[1]).toBeCloseTo(0.9 - 0.1, 12); // median of -0.1, -0.1, -0.2
      expect(v[2]).toBeCloseTo(0.95 - 0.4, 12);
      expect(v[2]).toBeLessThan(v[0]);
    });

    it('is the model input in place of the last value, on the same rows as with "last"', () => {
      const all = [...done, pruned[0], t(6, 'failed', null), pruned[1]];
      const last = trialObservations(encode, 1, all, { ...opts, extra: 0 });
      const o = trialObservations(encode, 1, all, { ...opts, extra: 0, pruned: 'extrapolate' });
      expect([o.nComplete, o.nPruned, o.nFailed]).toEqual([3, 2, 1]);
      expect(Array.from(o.X)).toEqual(Array.from(last.X));
      expect(Array.from(o.y.subarray(0, 3))).toEqual([-0.5, -0.4, -0.6]);
      expect(o.y[3]).toBeCloseTo(-0.8, 12);
      expect(o.y[4]).toBeCloseTo(-0.8, 12);
      expect(o.y[5]).toBe(-0.6); // failed: the worst completed
    });

    it('keeps the last value when no completed trial reported at that step or later, or none has a curve', () => {
      const short = [curve(0, 'complete', [1.0], 0.7)];
      expect(extrapolatePruned([curve(3, 'pruned', [1.1, 0.9], 0.9)], short)).toEqual([0.9]);
      expect(extrapolatePruned([curve(3, 'pruned', [1.2], 1.2)], [t(0, 'complete', 0.5)])).toEqual([1.2]);
      // a step past the completed curve's last uses its first step at or after it: none here, so no shift
      expect(extrapolatePruned([{ ...t(3, 'pruned', 2), intermediate: { 5: 2 } }], short)).toEqual([2]);
    });
  });

  it('prunedTrials is validated', () => {
    expect(() => new BayesianOptimization({ pbounds: { x: [0, 1] }, prunedTrials: 'drop' as 'ignore' })).toThrow(
      'option "prunedTrials": expected "worst", "last", "extrapolate", "ignore" or "fidelity", got "drop"',
    );
    expect(() => new BayesianOptimization({ pbounds: { x: [0, 1] }, prunedTrials: 'extrapolate' })).not.toThrow();
  });
});
