import { describe, expect, it } from 'vitest';
import { trialObservations } from '../../src/optimizer/observations';
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

  it("'ignore': left out; and without a completed trial there is nothing to model", () => {
    const o = trialObservations(encode, 1, trials, { ...opts, pruned: 'ignore' });
    expect([o.nPruned, o.y.length]).toEqual([0, 4]);
    const none = trialObservations(encode, 1, [t(1, 'pruned', 0.9)], opts);
    expect([none.nComplete, none.nPruned, none.y.length]).toEqual([0, 0, 1]);
  });
});
