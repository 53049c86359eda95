/**
 * `compare` with worker processes (`processes: 2`) gives the record it gives
 * in one process: the same evaluations, picks and retrained test accuracies,
 * on a tiny seeded digits budget; only the timings differ.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCompare } from '../../src/cli/compare';
import { resolveOptions } from '../../src/cli/options';
import type { CompareRecord } from '../../src/cli/types';
import { WorkerPool } from '../../src/cli/worker-pool';
import { BayesOptError } from '../../src/errors';

const tiny = {
  study: 'digits', strategies: ['random', 'bayes'], rows: 40, retrainRows: 60, budget: 3, init: 1, retrainEpochs: 1, retrainRepeats: 2,
  backend: 'wasm', engine: 'cpu', seed: 3,
} as const;

/** What must not depend on where the trainings ran. */
function outcome(rec: CompareRecord) {
  return rec.runs.map((run) => ({
    randomBest: run.randomBest,
    strategies: run.strategies.map((s) => ({
      strategy: s.strategy,
      trials: s.trials.map((t) => ({ params: t.params, value: t.value, status: t.status, source: t.source })),
      best: s.best,
      recommended: s.recommended,
      reach: s.reachRandomBest?.evaluations ?? null,
      testMetrics: s.retrain?.testMetrics,
      trainRows: s.retrain?.trainRows,
    })),
  }));
}

describe('compare --processes', () => {
  it('gives the same evaluations and retrained test accuracies in 2 worker processes as in one process', async () => {
    const one = await runCompare({ ...tiny, strategies: [...tiny.strategies], processes: 1 });
    const notes: string[] = [];
    const two = await runCompare({ ...tiny, strategies: [...tiny.strategies], processes: 2, progress: 'lines', stream: { write: (s: string) => notes.push(s) } });
    expect(two.options.processes).toBe(2);
    expect(outcome(two)).toEqual(outcome(one));
    const s = outcome(one)[0].strategies;
    expect(s.map((x) => x.trials.length)).toEqual([3, 3]);
    expect(s.map((x) => x.testMetrics?.length)).toEqual([2, 2]);
    // the two weight seeds are different trainings
    expect(s[0].testMetrics![0]).not.toBe(s[0].testMetrics![1]);
    // the workers' progress reaches the caller's stream: 6 evaluations and 4 retrainings
    const lines = notes.join('').split('\n');
    expect(lines.filter((l) => / val accuracy /.test(l))).toHaveLength(6);
    expect(lines.filter((l) => / retrained \d\/2: test accuracy /.test(l))).toHaveLength(4);
    // tf.memory().numTensors stays flat in the workers: each job leaves the count it found after the warm-up
    expect(notes.join('')).not.toContain('tfjs tensors');
  }, 1_200_000);

  it('turns a job that throws in a worker into a typed error for that job only; the worker goes on', async () => {
    const o = resolveOptions({ study: 'digits', rows: 20, imageSize: 8, backend: 'wasm', engine: 'cpu', retrainRepeats: 1 });
    const notes: string[] = [];
    const pool = new WorkerPool(1, o, { start() {}, stop() {}, status() {}, advance() {}, note: (l) => notes.push(l) });
    try {
      const bad = { dropout: 0.3, dense_units_x128: 0, learning_rate: 1e-3 };
      await expect(pool.retrain({ kind: 'retrain', seed: 1, label: 'bayes', params: bad, k: 0 })).rejects.toThrow(
        new BayesOptError('worker process: InvalidPointError: parameter "dense_units_x128": must be a positive integer (got 0)'));
      const ok = await pool.retrain({ kind: 'retrain', seed: 1, label: 'bayes', params: { ...bad, dense_units_x128: 1 }, k: 0 });
      expect(ok.testMetric).toSatisfy((v: number) => v >= 0 && v <= 1);
      expect(pool.tensorsLeft).toBe(0);
    } finally {
      pool.close();
    }
    expect(notes).toEqual([]);
  }, 600_000);
});

describe('processes option', () => {
  it('defaults to 2 for digits (at most the cores available) and 1 for taxi, and rejects 0', () => {
    expect(resolveOptions({ study: 'digits' }).processes).toBe(Math.min(2, availableParallelism()));
    expect(resolveOptions({ study: 'taxi' }).processes).toBe(1);
    expect(() => resolveOptions({ study: 'digits', processes: 0 })).toThrow('option "processes": must be an integer >= 1 (got 0)');
  });
});
