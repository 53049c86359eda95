/**
 * The proposal step with a warp memo (BayesianOptimization's default): the
 * 'power' warp is chosen afresh only when the GP refits its hyperparameters,
 * and every proposal equals the one that recomputes the choice each call
 * while the choice has not changed.
 */
import { describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import { GaussianProcess, REFIT_GROWTH } from '../../src/gp/gaussian-process';
import { WarpMemo } from '../../src/gp/warp-memo';
import { BayesianOptimization, observations, proposeNext, type ProposalContext } from '../../src/optimizer';
import { rosenbrock } from '../../src/problems';
import { Space } from '../../src/space';
import { Study } from '../../src/storage/study';
import { Rng } from '../../src/util/rng';

const names = ['a', 'b', 'c', 'd'];
const space = Space.fromOptions({ pbounds: Object.fromEntries(names.map((k) => [k, [0, 1] as [number, number]])) });
const rosen = rosenbrock(4);
/** Rosenbrock-4 on [-2, 2]^4, maximized: values spanning orders of magnitude, so the evidence picks the warp */
const target = (p: Record<string, unknown>) => -rosen.fn(names.map((k) => -2 + 4 * (p[k] as number)));

async function studyOf(n: number): Promise<Study> {
  const s = Study.open(undefined, { direction: 'maximize' });
  const rng = new Rng(8);
  for (let i = 0; i < n; i++) {
    const p = Object.fromEntries(names.map((k) => [k, rng.random()]));
    await s.record(p, { target: target(p) });
  }
  return s;
}

const ctxOf = (gp: GaussianProcess, rng: Rng, warpMemo?: WarpMemo): ProposalContext => ({
  space, gp, engine: createCpuEngine(), acquisition: { kind: 'ei', xi: 0.01, kappa: 2.576 }, rng, candidates: 400, warpMemo,
});

describe('proposal step with a warp memo', () => {
  it('equals recomputing the warp every call, bit for bit, and runs the evidence comparison only at refits', async () => {
    const n0 = 64;
    const study = await studyOf(n0);
    const memo = new WarpMemo();
    const withMemo = ctxOf(new GaussianProcess({ rng: new Rng(1) }), new Rng(2), memo);
    const recompute = ctxOf(new GaussianProcess({ rng: new Rng(1) }), new Rng(2));
    const steps = Math.ceil(n0 * REFIT_GROWTH) - n0 + 1; // the last step is the scheduled refit
    const reasons: string[] = [];
    for (let s = 0; s < steps; s++) {
      const usable = study.trials;
      const n = usable.length;
      const fresh = observations(space, 1, usable, 0, 'power');
      const a = await proposeNext(study, withMemo);
      reasons.push(withMemo.gp.fitStats.reason);
      const b = await proposeNext(study, recompute);
      // the choice made afresh on this step's data is the remembered one, so nothing may differ
      expect(memo.state()?.kind).toBe(fresh.transform.kind);
      expect(a.params).toEqual(b.params);
      expect(a.score).toBe(b.score);
      expect(a.best).toBe(b.best);
      expect(Array.from(withMemo.gp.factors().alpha)).toEqual(Array.from(recompute.gp.factors().alpha));
      expect(withMemo.gp.state()).toEqual(recompute.gp.state());
      expect(n).toBe(n0 + s);
      await study.record(a.params, { target: target(a.params) });
    }
    expect(reasons).toEqual(['first', ...Array(steps - 2).fill('kept'), 'schedule']);
    expect(memo.state()?.kind).toBe('gap-box-cox');
    expect(memo.selections).toBe(2); // the first fit and the scheduled refit
  });

  it('a proposal resumed from the saved GP and memo state equals the uninterrupted one, without a new comparison', async () => {
    const study = await studyOf(66);
    const memo = new WarpMemo();
    const gp = new GaussianProcess({ rng: new Rng(1) });
    const rng = new Rng(2);
    const first = await proposeNext(study, ctxOf(gp, rng, memo));
    await study.record(first.params, { target: target(first.params) });
    const saved = JSON.parse(JSON.stringify({ gp: gp.state(), warp: memo.state(), rng: rng.state() }));
    const cont = await proposeNext(study, ctxOf(gp, rng, memo));
    const gp2 = new GaussianProcess({ rng: new Rng(99) });
    gp2.restoreState(saved.gp);
    const memo2 = new WarpMemo();
    memo2.restore(saved.warp);
    const rng2 = new Rng(5);
    rng2.setState(saved.rng);
    const resumed = await proposeNext(study, ctxOf(gp2, rng2, memo2));
    expect(resumed.params).toEqual(cont.params);
    expect([gp2.fitStats.reason, memo2.selections, memo2.reused]).toEqual(['kept', 0, true]);
  });

  it("BayesianOptimization keeps the memo in its model state (the journal's wbo:model), and restores it", async () => {
    const opt = new BayesianOptimization({ pbounds: { a: [0, 1], b: [0, 1] }, randomState: 3, engine: 'cpu', candidates: 300, log: () => {} });
    const rng = new Rng(4);
    for (let i = 0; i < 8; i++) {
      const p = { a: rng.random(), b: rng.random() };
      await opt.register(p, -((p.a - 0.2) ** 2) * 1e4 - p.b);
    }
    await opt.suggest();
    const sampler = (opt as unknown as { sampler: { modelState(): { warp?: unknown }; restoreModelState(s: unknown): void; warpMemo: WarpMemo } }).sampler;
    const state = sampler.modelState();
    expect(state.warp).toMatchObject({ n: 8 });
    sampler.restoreModelState({ ...state, warp: undefined });
    expect(sampler.warpMemo.state()).toBeNull();
    sampler.restoreModelState(state);
    expect(sampler.warpMemo.state()).toEqual(state.warp);
    opt.dispose();
  });
});

