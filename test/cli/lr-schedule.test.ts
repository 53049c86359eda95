/**
 * `--lr-schedule` (taxi): every evaluation and every retraining of the run
 * trains with the schedule, whatever the row (so a pruned row and a plain
 * one train a configuration alike), and the record says which.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runTune } from '../../src/cli/compare';
import { taxiStudy } from '../../src/studies/taxi';

afterEach(() => {
  vi.restoreAllMocks();
});

const schedule = (c: unknown[]) => (c[2] as { lrSchedule?: string } | undefined)?.lrSchedule;

describe('compare --lr-schedule', () => {
  it('reaches every training and retraining of the run; the record keeps it', async () => {
    const realTrain = taxiStudy.train;
    const realRetrain = taxiStudy.retrainAndTest;
    const t = vi.spyOn(taxiStudy, 'train').mockImplementation((p, d, o) => realTrain(p, d, o));
    const r = vi.spyOn(taxiStudy, 'retrainAndTest').mockImplementation((p, d, o) => realRetrain(p, d, o));
    const rec = await runTune({
      strategy: 'bayes', pruner: 'asha', lrSchedule: 'linear', rows: 300, epochs: 2, budget: 3, init: 2, retrainEpochs: 1, retrainRepeats: 1,
      backend: 'wasm', engine: 'cpu', seed: 5, processes: 1, // in this process, where the spies see the trainings
    });
    // the warm-up and the 3 evaluations of each row (bayes, bayes+asha); each row's retraining
    expect(t.mock.calls.map(schedule)).toEqual(new Array(7).fill('linear'));
    expect(r.mock.calls.map(schedule)).toEqual(['linear', 'linear']);
    expect(rec.options.lrSchedule).toBe('linear');
  });

  it('taxi without a pruner trains at the constant rate by default', async () => {
    const realTrain = taxiStudy.train;
    const t = vi.spyOn(taxiStudy, 'train').mockImplementation((p, d, o) => realTrain(p, d, o));
    const rec = await runTune({
      strategy: 'random', rows: 300, epochs: 1, budget: 1, init: 1, retrainEpochs: 0, backend: 'wasm', engine: 'cpu', seed: 5, processes: 1,
    });
    expect(t.mock.calls.map(schedule)).toEqual(['constant', 'constant']);
    expect(rec.options.lrSchedule).toBe('constant');
  });
});
