/**
 * The final retraining of a strategy's recommended configuration: one
 * retraining from weight seed `seed + k` scored on the test split, and the
 * record of several. Shared by the in-process run (./run-strategy) and the
 * worker processes (./worker-pool), so both retrain alike.
 */
import type { Params } from '../space/types';
import type { Progress } from './progress';
import type { BoundStudy } from './run-strategy';
import type { StrategyRecord } from './types';

/** One retraining's outcome. */
export interface RetrainResult {
  testMetric: number;
  trainMs: number;
}

/** Formats a metric value for progress lines. */
export function fmtMetric(v: number | null, metric: 'rmse' | 'accuracy'): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  return metric === 'rmse' ? v.toFixed(3) : (100 * v).toFixed(2) + '%';
}

/**
 * Retraining `k` (0-based, of `repeats`) of `params` on `b`'s retraining
 * splits for `epochs` epochs from weight seed `seed + k`, scored on test.
 */
export async function retrainOnce(
  b: BoundStudy, params: Params, o: { seed: number; k: number; repeats: number; epochs: number; label: string; progress: Progress },
): Promise<RetrainResult> {
  const of = o.repeats > 1 ? ` ${o.k + 1}/${o.repeats}` : '';
  o.progress.status(`${o.label} retraining its recommended configuration${of} for ${o.epochs} epochs`);
  const r = await b.study.retrainAndTest(params, b.retrainSplits ?? b.splits, {
    ...b.train,
    ...b.retrain,
    seed: (o.seed + o.k) >>> 0,
    epochs: o.epochs,
    onEpoch: (e) => o.progress.status(`${o.label} retraining${of} epoch ${e + 1}/${o.epochs}`),
  });
  o.progress.advance(`${o.label} retrained${of}: test ${b.study.metricName} ${fmtMetric(r.testMetric, b.study.metricName)}`);
  return { testMetric: r.testMetric, trainMs: r.trainMs };
}

/** The retraining record of `results` (in weight-seed order): their mean test metric and its standard error. */
export function retrainRecord(b: BoundStudy, results: readonly RetrainResult[], epochs: number): NonNullable<StrategyRecord['retrain']> {
  const repeats = results.length;
  const testMetrics = results.map((r) => r.testMetric);
  const testMetric = testMetrics.reduce((a, v) => a + v, 0) / repeats;
  const testSe = repeats > 1
    ? Math.sqrt(testMetrics.reduce((a, v) => a + (v - testMetric) ** 2, 0) / (repeats - 1) / repeats)
    : null;
  const data = b.retrainSplits ?? b.splits;
  const trainMs = results.reduce((a, r) => a + r.trainMs, 0);
  return { testMetric, testMetrics, testSe, epochs, trainRows: data.train.n + data.val.n, trainMs };
}
