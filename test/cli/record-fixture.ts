/** A hand-made compare record (two seeds, three strategies) for table and report tests. */
import { bestSoFar, checkGoal, checkPruneGoal, reach, summarize } from '../../src/cli/summary';
import type { CompareRecord, RunRecord, StrategyName, StrategyRecord, TrialRecord } from '../../src/cli/types';

/** Trials with values `values`, each taking `stepMs`. */
export function trials(values: (number | null)[], stepMs = 1000): TrialRecord[] {
  const best = bestSoFar(values, 'minimize');
  return values.map((v, i) => ({
    index: i + 1,
    params: { learning_rate: 0.001 * (i + 1), l2: 0.0001 },
    value: v,
    status: v === null ? 'failed' : 'complete',
    source: 'random',
    durationMs: stepMs,
    endMs: stepMs * (i + 1),
    bestSoFar: best[i],
  }));
}

export function strategy(name: StrategyName, values: (number | null)[], test: number): StrategyRecord {
  const tr = trials(values);
  const fin = tr[tr.length - 1].bestSoFar as number;
  const at = tr.find((t) => t.value === fin) as TrialRecord;
  return {
    strategy: name,
    evaluations: tr.length,
    failed: tr.filter((t) => t.status === 'failed').length,
    wallMs: tr.length * 1000,
    suggestMs: 0,
    best: { index: at.index, value: fin, params: at.params },
    reachRandomBest: null,
    recommended: { index: at.index, value: fin, params: at.params, predicted: null },
    retrain: { testMetric: test, testMetrics: [test], testSe: null, epochs: 5, trainMs: 2000 },
    trials: tr,
  };
}

export function run(seed: number, s: StrategyRecord[]): RunRecord {
  const randomBest = s.find((x) => x.strategy === 'random')?.best?.value ?? null;
  for (const x of s) x.reachRandomBest = reach(x.trials, randomBest, 'minimize');
  return { seed, data: { source: 'data/nyc-taxi-sample.csv', train: 3900, val: 433, test: 482, rowsRead: 5000 }, randomBest, strategies: s, wallMs: 12000 };
}

export function fixtureRecord(): CompareRecord {
  const runs = [
    run(1, [
      strategy('grid', [5.0, 4.8, 4.9, 4.7], 4.9),
      strategy('random', [5.2, 4.6, 4.9, 4.5], 4.6),
      strategy('bayes', [5.2, 4.6, 4.4, 4.3], 4.4),
    ]),
    run(2, [
      strategy('grid', [5.0, 4.8, 4.9, 4.7], 4.8),
      strategy('random', [4.9, null, 4.4, 4.6], 4.5),
      strategy('bayes', [4.9, 4.7, 4.6, 4.5], 4.7),
    ]),
  ];
  return {
    tool: 'webgpu-bayesopt',
    format: 1,
    command: 'compare',
    createdAt: '2025-01-01T00:00:00.000Z',
    study: 'taxi',
    metric: 'rmse',
    direction: 'minimize',
    options: {
      study: 'taxi', strategies: ['grid', 'random', 'bayes'], budget: 4, init: 2, epochs: 3, retrainEpochs: 5, retrainRepeats: 1, batchSize: 128,
      seeds: [1, 2], rows: 5000, data: null, imageSize: null, backend: 'wasm', engine: 'cpu', pruner: 'none', timeBudget: null,
    },
    environment: {
      node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test cpu', tfjsVersion: '4.22.0', tfjsBackend: 'wasm',
      tfjsReason: 'prefer=wasm', engine: 'cpu', engineDescription: 'CPU float64 reference', adapter: null, sharedDevice: false,
      summary: 'tfjs backend wasm, acquisition engine cpu (float64 reference)',
    },
    runs,
    summary: summarize(runs),
    goal: checkGoal(runs, 'minimize'),
    wallMs: 24000,
  };
}

/** A strategy whose trials each take `stepMs` and train `epochs[i]` epochs; the first `init` trials are shared initial points. */
export function timedRow(name: string, values: number[], epochs: number[], test: number, stepMs = 1000, init = 2): StrategyRecord {
  const s = strategy(name as StrategyName, values, test);
  s.trials = s.trials.map((t, i) => ({ ...t, epochsRun: epochs[i], endMs: stepMs * (i + 1), source: i < init ? 'init' : 'random' }));
  s.wallMs = stepMs * values.length;
  return s;
}

/**
 * Two seeds of random, bayes and bayes+asha. Seed 1: random's best found by
 * the search (evaluation 4; 48 epochs, 4 s); bayes+asha reaches it at
 * evaluation 3, after 1.2 s and 2 + 2 + 12 = 16 epochs (bayes: 36). Seed 2:
 * random's best is shared initial point 1.
 */
export function prunedRuns(): RunRecord[] {
  const runs = [
    run(1, [
      timedRow('random', [5.0, 4.9, 4.6, 4.5], [12, 12, 12, 12], 4.6),
      timedRow('bayes', [5.0, 4.9, 4.4, 4.3], [12, 12, 12, 12], 4.5),
      timedRow('bayes+asha', [5.0, 4.9, 4.4, 4.8], [2, 2, 12, 2], 4.5, 400),
    ]),
    run(2, [
      timedRow('random', [4.2, 4.9, 4.6, 4.5], [12, 12, 12, 12], 4.6),
      timedRow('bayes', [4.2, 4.9, 4.4, 4.3], [12, 12, 12, 12], 4.4),
      timedRow('bayes+asha', [4.2, 4.9, 4.4, 4.8], [12, 2, 12, 2], 4.41, 400),
    ]),
  ];
  return runs;
}

/** The fixture record with the pruned runs and the pruning goal. */
export function prunedRecord(): CompareRecord {
  const r = fixtureRecord();
  const runs = prunedRuns();
  return {
    ...r, runs, summary: summarize(runs), goal: checkGoal(runs, 'minimize'), pruneGoal: checkPruneGoal(runs, 'asha', 'minimize'),
    options: { ...r.options, strategies: ['random', 'bayes'], pruner: 'asha', epochs: 12 },
  };
}
