/**
 * The tuning panel's runner (demo/src/tuning.ts) with several trainings at
 * once: each trial is numbered once as it starts, no more than
 * `concurrency` train at once, and every point is distinct. Node, tfjs wasm,
 * the CPU engine, a small synthetic regression in place of the taxi data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runTuning, type TrialRecord } from '../../demo/src/tuning';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import type { Splits, TabularSplit } from '../../src/data/types';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { linearData } from '../tfjs/synthetic';

beforeAll(async () => {
  await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
});

function split(n: number, seed: number): TabularSplit {
  const { x, y } = linearData(n, 4, 0.1, seed);
  return { x, y, n, nFeatures: 4 };
}
const data: Splits<TabularSplit> = { train: split(120, 1), val: split(40, 2), test: split(40, 3) };

async function run(concurrency: number) {
  const trials: TrialRecord[] = [];
  const open = new Set<number>();
  let most = 0;
  const res = await runTuning({
    engine: createCpuEngine(), study: 'taxi', data, budget: 6, epochs: 2, rows: 120, seed: 3, strategies: ['bayes', 'random'], concurrency,
    onEpoch: (r) => {
      if (r.strategy !== 'random') return; // its points are drawn at once, so its trainings start together
      open.add(r.index);
      most = Math.max(most, open.size);
    },
    onTrial: (t) => {
      trials.push(t);
      if (t.strategy === 'random') open.delete(t.index);
    },
  });
  return { res, trials, most };
}

describe('runTuning with several trainings at once', () => {
  it('concurrency 3: at most 3 trainings of a strategy at once; 6 trials each, numbered 1..6 once, at distinct points', async () => {
    const { res, trials, most } = await run(3);
    // never more than 3 at once (whether two overlap at all depends on timing: one-batch epochs may end before the next training starts)
    expect(most).toBeLessThanOrEqual(3);
    for (const s of ['bayes', 'random'] as const) {
      const list = res.trials[s];
      expect(list).toHaveLength(6);
      expect(list.map((t) => t.index).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(new Set(list.map((t) => JSON.stringify(t.params))).size).toBe(6);
      // best so far in the order they finished
      const values = list.map((t) => t.value);
      list.forEach((t, i) => expect(t.bestSoFar).toBe(Math.min(...values.slice(0, i + 1))));
    }
    expect(trials).toHaveLength(12);
    expect(res.winner!.value).toBe(Math.min(...trials.map((t) => t.value)));
  });

  it('concurrency 1 (the default): one training at a time, numbered in order', async () => {
    const { res, most } = await run(1);
    expect(most).toBe(1);
    expect(res.trials.bayes.map((t) => t.index)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('runTuning stopped', () => {
  it('a training cut short by the signal (told to stop, as a pruned one is) is no trial of the run; it settles after its trainings end', async () => {
    for (const concurrency of [1, 2]) {
      const ctl = new AbortController();
      const after: string[] = [];
      let stoppedAt = -1;
      const seen: TrialRecord[] = [];
      const run = runTuning({
        engine: createCpuEngine(), study: 'taxi', data, budget: 6, epochs: 4, rows: 120, seed: 3, strategies: ['random'], concurrency,
        pruner: 'median', signal: ctl.signal,
        onEpoch: (r) => {
          if (stoppedAt >= 0) after.push(`epoch ${r.index}.${r.step}`);
          // Stop right after an epoch's value, before the pruner is asked: the report then answers "stop"
          if (r.index === 2 && r.step === 2 && stoppedAt < 0) {
            stoppedAt = seen.length;
            ctl.abort(new Error('stopped'));
          }
        },
        onTrial: (t) => {
          if (stoppedAt >= 0) after.push(`trial ${t.index}`);
          seen.push(t);
        },
      });
      await expect(run).rejects.toThrow('maximize: aborted by its signal');
      // nothing reported once stopped (before: the cut training came back as a pruned trial, after the rejection)
      await new Promise((r) => setTimeout(r, 200));
      expect(after, `concurrency ${concurrency}`).toEqual([]);
      expect(seen.every((t) => !t.pruned)).toBe(true);
    }
  });
});
