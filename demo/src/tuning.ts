/**
 * The tuning panel's study, without DOM: the taxi-fare MLP (learning rate and
 * L2 penalty) tuned by Bayesian optimization, random search and grid search,
 * one strategy after the other, each with the same budget, training with
 * TensorFlow.js and suggesting with the page's engine.
 */
import type { Engine } from '../../src/acquisition/engine';
import { parseTaxiCsv } from '../../src/data/taxi-csv';
import { preprocessTaxi } from '../../src/data/taxi-preprocess';
import type { Splits, TabularSplit } from '../../src/data/types';
import type { BaseOptimizer } from '../../src/optimizer/base-optimizer';
import { BayesianOptimization } from '../../src/optimizer/bayesian-optimization';
import { GridSearch } from '../../src/optimizer/grid-search';
import type { Objective } from '../../src/optimizer/objective';
import { RandomSearch } from '../../src/optimizer/random-search';
import type { Params } from '../../src/space/types';
import { taxiStudy } from '../../src/studies/taxi';
import type { Strategy } from './strategies';

export { STRATEGY_LABELS, type Strategy } from './strategies';

export interface TuningOptions {
  engine: Engine;
  data: Splits<TabularSplit>;
  /** trials per strategy */
  budget: number;
  /** training epochs per trial (at most; early stopping may end sooner) */
  epochs: number;
  /** leading training rows used per trial */
  rows: number;
  seed: number;
  strategies: readonly Strategy[];
  /** called after each trial */
  onTrial?: (t: TrialRecord) => void;
  signal?: AbortSignal;
}

export interface TrialRecord {
  strategy: Strategy;
  /** 1-based within its strategy */
  index: number;
  params: Params;
  /** validation RMSE in dollars; NaN when training failed */
  rmse: number;
  /** best RMSE of this strategy so far */
  bestSoFar: number;
  trainMs: number;
  /** how the point was chosen ('init', 'suggest', 'random', 'grid') */
  source: string;
  /** suggestion time (Bayesian suggestions only), ms */
  suggestMs?: number;
  engine?: 'cpu' | 'webgpu';
}

export interface TuningResult {
  trials: Record<Strategy, TrialRecord[]>;
  /** the best trial over all strategies (undefined when every trial failed) */
  winner: TrialRecord | undefined;
}

/** Loads and preprocesses the taxi CSV (the shipped 5,000-row sample) from `url`. */
export async function loadTaxiSplits(url: string): Promise<Splits<TabularSplit>> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
  const trips = parseTaxiCsv(await res.text(), { source: url });
  return preprocessTaxi(trips, { seed: 0 }).splits;
}

function makeOptimizer(strategy: Strategy, f: Objective, o: TuningOptions): BaseOptimizer {
  const common = { f, space: taxiStudy.space, direction: 'minimize' as const, randomState: o.seed, log: () => {} };
  if (strategy === 'bayes') return new BayesianOptimization({ ...common, engine: o.engine });
  if (strategy === 'random') return new RandomSearch(common);
  return new GridSearch(common);
}

/** Runs the strategies one after the other and returns every trial and the winner. */
export async function runTuning(o: TuningOptions): Promise<TuningResult> {
  const trials: Record<Strategy, TrialRecord[]> = { bayes: [], random: [], grid: [] };
  for (const strategy of o.strategies) {
    const list = trials[strategy];
    let opt: BaseOptimizer | null = null;
    const f: Objective = async (params, ctx) => {
      if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
      const trial = opt?.trials.find((t) => t.id === ctx.trialId);
      const r = await taxiStudy.train(params, o.data, {
        epochs: o.epochs, maxTrainRows: o.rows, seed: o.seed, signal: o.signal,
      });
      const prev = list.length ? list[list.length - 1].bestSoFar : Infinity;
      const rec: TrialRecord = {
        strategy, index: list.length + 1, params: { ...params }, rmse: r.valMetric,
        bestSoFar: Number.isFinite(r.valMetric) ? Math.min(prev, r.valMetric) : prev,
        trainMs: r.trainMs, source: trial?.source ?? '', suggestMs: trial?.suggestMs, engine: trial?.engine,
      };
      list.push(rec);
      o.onTrial?.(rec);
      return r.valMetric;
    };
    opt = makeOptimizer(strategy, f, o);
    try {
      // Bayesian optimization: a third of the budget (at least 2) as the initial design.
      const init = strategy === 'bayes' ? Math.min(o.budget, Math.max(2, Math.round(o.budget / 3))) : o.budget;
      await opt.maximize({ initPoints: init, nIter: o.budget - init });
    } finally {
      opt.dispose();
    }
  }
  let winner: TrialRecord | undefined;
  for (const s of o.strategies) {
    for (const t of trials[s]) if (Number.isFinite(t.rmse) && (!winner || t.rmse < winner.rmse)) winner = t;
  }
  return { trials, winner };
}
