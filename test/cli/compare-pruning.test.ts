/**
 * `compare --pruner asha` and `--time-budget` end to end on a tiny budget:
 * real taxi rows, real tfjs training (wasm backend), the CPU engine.
 */
import { describe, expect, it } from 'vitest';
import { runCompare, runTune } from '../../src/cli/compare';
import { cliPruner, prunedTrials } from '../../src/cli/run-strategy';
import { checkPruneGoal } from '../../src/cli/summary';
import { HyperbandPruner, MedianPruner, SuccessiveHalvingPruner } from '../../src/pruners';

const TINY = { rows: 300, epochs: 2, retrainEpochs: 0, backend: 'wasm', engine: 'cpu', seed: 5 } as const;

describe('the pruner of --pruner and --grace', () => {
  const curve = (id: number, values: number[]) => ({ id, state: 'running' as const, steps: values.map((_, i) => i + 1), values });
  it('ASHA and Hyperband start at the grace epoch, the median pruner warms up until it; grace 1 is the library default', () => {
    const asha = cliPruner('asha', 2) as SuccessiveHalvingPruner;
    expect(asha).toBeInstanceOf(SuccessiveHalvingPruner);
    expect([asha.name, asha.minResource, asha.reductionFactor, asha.rungStep(0), asha.rungStep(1)]).toEqual(['asha', 2, 4, 2, 8]);
    // ASHA with grace 2: a worse epoch-1 value is not judged; the same at epoch 2 is
    const others = [curve(0, [1, 1]), curve(1, [1, 1]), curve(2, [1, 1]), curve(3, [1, 1])];
    const late = curve(4, [5]);
    expect(asha.prune({ direction: 'minimize', trial: late, trials: [...others, late] })).toBe(false);
    const judged = curve(4, [5, 5]);
    expect(asha.prune({ direction: 'minimize', trial: judged, trials: [...others, judged] })).toBe(true);
    expect((cliPruner('asha', 1) as SuccessiveHalvingPruner).prune({ direction: 'minimize', trial: late, trials: [...others, late] })).toBe(true);
    const hb = cliPruner('hyperband', 2) as HyperbandPruner;
    expect([hb instanceof HyperbandPruner, hb.minResource]).toEqual([true, 2]);
    const med = cliPruner('median', 2) as MedianPruner;
    expect([med instanceof MedianPruner, med.warmupSteps, med.startupTrials]).toEqual([true, 2, 5]);
    expect(cliPruner('none', 2)).toBe('none');
  });
});

describe('--pruned-trials', () => {
  it('reaches Bayesian search\'s options where given, and leaves the library\'s default otherwise', () => {
    expect(prunedTrials({ prunedTrials: 'fidelity' })).toEqual({ prunedTrials: 'fidelity' });
    expect(prunedTrials({ prunedTrials: null })).toEqual({});
  });
});

describe('compare with a pruner', () => {
  it('adds random+asha and bayes+asha rows whose epoch-1 verdicts follow ASHA', async () => {
    const rec = await runCompare({ ...TINY, budget: 5, strategies: ['random', 'bayes'], pruner: 'asha', grace: 1 });
    const run = rec.runs[0];
    expect(run.strategies.map((s) => s.strategy)).toEqual(['random', 'bayes', 'random+asha', 'bayes+asha']);
    expect(rec.options).toMatchObject({ pruner: 'asha', grace: 1 });
    // whether random search's best is a shared initial point, and the pruning goal from the same rows
    const random = run.strategies[0];
    expect(run.randomBestShared).toBe(random.trials[(random.best?.index ?? 0) - 1].source === 'init');
    expect(rec.pruneGoal).toEqual(checkPruneGoal(rec.runs, 'asha', 'minimize'));
    expect(rec.pruneGoal).toMatchObject({ strategy: 'bayes+asha', seeds: 1, sharedBest: run.randomBestShared ? 1 : 0 });
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

  it('--time-budget with --concurrency 2: rounds of two trainings in flight until the time is spent', async () => {
    const rec = await runTune({ ...TINY, epochs: 1, strategy: 'bayes', timeBudget: 3, budget: 200, concurrency: 2 });
    const s = rec.runs[0].strategies[0];
    expect(rec.options).toMatchObject({ timeBudget: 3, concurrency: 2 });
    expect(s.evaluations).toBeGreaterThan(1);
    expect(s.evaluations).toBeLessThan(200);
    expect(s.wallMs).toBeGreaterThanOrEqual(3000);
    expect(new Set(s.trials.map((t) => JSON.stringify(t.params))).size).toBe(s.evaluations);
    // trainings overlapped: one started (endMs - durationMs) before another had ended
    const spans = s.trials.map((t) => [t.endMs - t.durationMs, t.endMs]);
    expect(spans.some(([a, b], i) => spans.some(([c, d], j) => i !== j && a < d && c < b))).toBe(true);
  });
});
