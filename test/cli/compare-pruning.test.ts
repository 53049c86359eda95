/**
 * `compare --pruner asha` and `--time-budget` end to end on a tiny budget:
 * real taxi rows, real tfjs training (wasm backend), the CPU engine.
 */
import { describe, expect, it } from 'vitest';
import { runCompare, runTune } from '../../src/cli/compare';

const TINY = { rows: 300, epochs: 2, retrainEpochs: 0, backend: 'wasm', engine: 'cpu', seed: 5 } as const;

describe('compare with a pruner', () => {
  it('adds random+asha and bayes+asha rows whose epoch-1 verdicts follow ASHA', async () => {
    const rec = await runCompare({ ...TINY, budget: 5, strategies: ['random', 'bayes'], pruner: 'asha' });
    const run = rec.runs[0];
    expect(run.strategies.map((s) => s.strategy)).toEqual(['random', 'bayes', 'random+asha', 'bayes+asha']);
    expect(rec.options.pruner).toBe('asha');
    for (const s of run.strategies) {
      for (const t of s.trials) expect(t.curve?.length, `${s.strategy} ${t.index}`).toBe(t.epochsRun);
      if (!s.strategy.includes('+')) {
        expect(s.trials.every((t) => t.status === 'complete' && t.curve?.length === 2)).toBe(true);
        continue;
      }
      // rung 0 ends at epoch 1: kept iff among the best max(1, floor(n / 4)) epoch-1 values so far
      const first: number[] = [];
      for (const t of s.trials) {
        const v = (t.curve as number[])[0];
        first.push(v);
        const prune = first.filter((x) => x < v).length >= Math.max(1, Math.floor(first.length / 4));
        expect(t.status, `${s.strategy} evaluation ${t.index}`).toBe(prune ? 'pruned' : 'complete');
        if (prune) expect(t).toMatchObject({ value: null, pruned: { value: v, step: 1 }, epochsRun: 1 });
      }
      expect(s.pruned).toBe(s.trials.filter((t) => t.status === 'pruned').length);
      expect(s.pruned).toBeGreaterThan(0);
      // the same shared initial points as the unpruned row
      const plain = run.strategies.find((x) => x.strategy === s.strategy.split('+')[0])!;
      expect(s.trials[0].params).toEqual(plain.trials[0].params);
      if (s.reachRandomBest) {
        const t = s.trials[s.reachRandomBest.evaluations - 1];
        expect(s.reachRandomBest.ms).toBe(t.endMs);
      }
    }
  });

  it('--time-budget: no evaluation starts after the time is spent', async () => {
    const rec = await runTune({ ...TINY, epochs: 1, strategy: 'random', timeBudget: 3, budget: 200 });
    const s = rec.runs[0].strategies[0];
    expect(rec.options.timeBudget).toBe(3);
    expect(s.evaluations).toBeGreaterThan(0);
    expect(s.evaluations).toBeLessThan(200);
    // each evaluation but the last ended before the deadline (the next one started then)
    for (const t of s.trials.slice(0, -1)) expect(t.endMs).toBeLessThan(3000);
    expect(s.wallMs).toBeGreaterThanOrEqual(3000); // it stopped because the time was spent, not the cap
  });
});
