/**
 * The tuning panel's runner (demo/src/tuning.ts) on the digits study, which
 * reports every quarter epoch: a trial the pruner stops inside its first
 * epoch is a pruned trial with the value it was stopped at and a curve
 * ending there, not a failed one with no curve. Node, tfjs wasm, the CPU
 * engine, small synthetic images in place of the digits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runTuning, type EpochReport, type TrialRecord } from '../../demo/src/tuning';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import type { ImageSplit, Splits } from '../../src/data/types';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { bandImages } from '../tfjs/synthetic';

beforeAll(async () => {
  await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
});

const data: Splits<ImageSplit> = { train: bandImages(256, 10, 10, 1), val: bandImages(64, 10, 10, 2), test: bandImages(64, 10, 10, 3) };

describe('runTuning: trials pruned inside an epoch', () => {
  it('keep the value and the partial curve they were stopped at', async () => {
    const trials: TrialRecord[] = [];
    const epochs: EpochReport[] = [];
    const res = await runTuning({
      engine: createCpuEngine(), study: 'digits', data, budget: 6, epochs: 1, rows: 256, seed: 2, strategies: ['random'], pruner: 'asha',
      onEpoch: (r) => epochs.push(r), onTrial: (t) => trials.push(t),
    });
    const pruned = res.trials.random.filter((t) => t.pruned);
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) {
      expect(t.epochsRun).toBeGreaterThan(0);
      expect(t.epochsRun).toBeLessThan(1); // stopped inside its one epoch
      expect(t.curve).toHaveLength(1);
      expect(Number.isFinite(t.value)).toBe(true);
      expect(t.value).toBe(t.curve[0]);
      // the chart heard of it, as of every epoch, at the fraction of the epoch it was stopped at
      // (the table's "pruned at epoch 0.33"; it was drawn at epoch 1)
      expect(t.curveEpochs).toEqual([t.epochsRun]);
      expect(epochs.filter((e) => e.index === t.index)).toEqual([{ strategy: 'random', index: t.index, step: t.epochsRun, value: t.value }]);
    }
    for (const t of res.trials.random.filter((x) => !x.pruned)) {
      expect(t.epochsRun).toBe(1);
      expect(t.curveEpochs).toEqual([1]);
    }
  }, 120_000);
});
