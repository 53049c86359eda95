import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { Rng } from '../../src/util/rng';

const f = (p: Record<string, unknown>) => {
  const x = [p.a, p.b, p.c] as number[];
  return -x.reduce((s, v) => s + (v - 0.3) ** 2, 0) + 0.1 * Math.sin(10 * x[0]);
};

/** 70 registered points (above the always-refit threshold), then `steps` suggestions, each registered. */
async function run(steps: number, refit: 'auto' | 'always') {
  const opt = new BayesianOptimization({
    pbounds: { a: [0, 1], b: [0, 1], c: [0, 1] }, randomState: 5, engine: 'cpu', candidates: 1500,
    // stallExploration off: its steps fit a GP of their own, so the main GP's refit reasons would skip them
    gp: { refit }, log: () => {}, stallExploration: false,
  });
  const rng = new Rng(3);
  for (let i = 0; i < 70; i++) {
    const p = { a: rng.uniform(0, 1), b: rng.uniform(0, 1), c: rng.uniform(0, 1) };
    await opt.register(p, f(p));
  }
  const out: { params: Record<string, unknown>; reason: string }[] = [];
  for (let s = 0; s < steps; s++) {
    const p = await opt.suggest();
    out.push({ params: p, reason: opt.gp.fitStats.reason });
    await opt.register(p, f(p));
  }
  opt.dispose();
  return out;
}

describe("CPU engine with refit 'auto'", () => {
  it('repeats bit for bit with randomState, keeping the hyperparameters between refits', async () => {
    const a = await run(4, 'auto');
    const b = await run(4, 'auto');
    expect(b).toEqual(a);
    expect(a.map((s) => s.reason)).toEqual(['first', 'kept', 'kept', 'kept']);
    const always = await run(2, 'always');
    expect(always.map((s) => s.reason)).toEqual(['first', 'always']);
    expect(always[0].params).toEqual(a[0].params); // the first suggestion fits the same way
  });
});
