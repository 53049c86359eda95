/**
 * The tuning panel's studies, without DOM: the taxi-fare MLP (learning rate
 * and L2 penalty, validation RMSE) or the digits CNN (dropout, dense width,
 * learning rate, validation accuracy) tuned by Bayesian optimization, random
 * search and grid search, one strategy after the other, each with the same
 * budget, training with TensorFlow.js and suggesting with the page's engine.
 */
import type { Engine } from '../../src/acquisition/engine';
import { syntheticDigitSplits } from '../../src/data/digits-generator';
import { fetchMnistJson } from '../../src/data/mnist-json';
import { stratifiedImageSplits } from '../../src/data/splits';
import { parseTaxiCsv } from '../../src/data/taxi-csv';
import { preprocessTaxi } from '../../src/data/taxi-preprocess';
import type { ImageSplit, Splits, TabularSplit } from '../../src/data/types';
import { StorageError } from '../../src/errors';
import type { BaseOptimizer } from '../../src/optimizer/base-optimizer';
import { BayesianOptimization } from '../../src/optimizer/bayesian-optimization';
import { GridSearch } from '../../src/optimizer/grid-search';
import type { Objective } from '../../src/optimizer/objective';
import { RandomSearch } from '../../src/optimizer/random-search';
import { toReportTrial, type StudyData } from '../../src/report/study';
import type { Params } from '../../src/space/types';
import { digitsStudy } from '../../src/studies/digits';
import { taxiStudy } from '../../src/studies/taxi';
import type { StudyDescriptor } from '../../src/studies/types';
import { STRATEGY_LABELS, type Strategy } from './strategies';

/** The panel's studies: taxi fares (minimize validation RMSE) or digits (maximize validation accuracy). */
export type DemoStudy = 'taxi' | 'digits';

/** The panel's pruners (the library's built-in names, at their defaults). */
export type DemoPruner = 'none' | 'median' | 'asha' | 'hyperband';
export const DEMO_PRUNERS: readonly DemoPruner[] = ['none', 'median', 'asha', 'hyperband'];

/** One epoch's validation metric of the trial being trained (as reported to the pruner). */
export interface EpochReport {
  strategy: Strategy;
  /** 1-based trial index within its strategy */
  index: number;
  /**
   * epochs done when it was measured (1, 2, ...; a fraction, as TrialRecord.epochsRun, for the
   * partial validation of a trial pruned inside an epoch): the point's x on the learning-curve chart
   */
  step: number;
  value: number;
}

export { STRATEGY_LABELS, type Strategy } from './strategies';

export interface TuningOptions {
  engine: Engine;
  /** default 'taxi' */
  study?: DemoStudy;
  /** the study's data: tabular for taxi, images for digits */
  data: Splits<TabularSplit> | Splits<ImageSplit>;
  /** trials per strategy */
  budget: number;
  /** training epochs per trial (at most; early stopping may end sooner) */
  epochs: number;
  /** leading training rows used per trial */
  rows: number;
  seed: number;
  strategies: readonly Strategy[];
  /** stops unpromising trials between epochs, for every strategy ['none'] */
  pruner?: DemoPruner;
  /**
   * trainings at once, per strategy (`maximize({ concurrency })`): each new
   * point is asked as a training finishes, the running ones pending [1]
   */
  concurrency?: number;
  /** called after each trial */
  onTrial?: (t: TrialRecord) => void;
  /** called after each epoch of each trial, before the pruner decides */
  onEpoch?: (r: EpochReport) => void;
  /**
   * stops the run: the trainings in flight end at their next batch (failed,
   * neither onEpoch nor onTrial called for them again), no new trial starts,
   * and runTuning rejects with the signal's reason once they have ended (the
   * trials finished before stay with onTrial)
   */
  signal?: AbortSignal;
}

export interface TrialRecord {
  strategy: Strategy;
  /** 1-based within its strategy */
  index: number;
  params: Params;
  /** the study's validation metric (taxi: RMSE in dollars, digits: accuracy in [0, 1]); NaN when training failed */
  value: number;
  /** best value of this strategy's completed (not pruned) trials so far */
  bestSoFar: number;
  /** the validation metric after each epoch trained (the learning curve) */
  curve: number[];
  /** the epoch of each `curve` value: 1, 2, ..., the last a fraction (`epochsRun`) where it was pruned inside an epoch */
  curveEpochs: number[];
  /** whether the pruner stopped it; then `value` is its last reported validation (a partial training) and never the best */
  pruned: boolean;
  /** epochs trained, a fraction where it was stopped inside one */
  epochsRun: number;
  trainMs: number;
  /** how the point was chosen ('init', 'suggest', 'random', 'grid') */
  source: string;
  /** suggestion time (Bayesian suggestions only), ms */
  suggestMs?: number;
  engine?: 'cpu' | 'webgpu';
}

export interface TuningResult {
  trials: Record<Strategy, TrialRecord[]>;
  /** the best completed trial over all strategies (undefined when every trial failed or was pruned) */
  winner: TrialRecord | undefined;
  /** the pruner the optimizers ran with (its `name`) */
  pruner: string;
  /** each strategy's study as a study report reads it (every trial, its learning curve), for the page's report */
  studies: Partial<Record<Strategy, StudyData>>;
}

/** The page's digits and where they came from. */
export interface DigitsData {
  splits: Splits<ImageSplit>;
  /** 'real MNIST digits (n)' or 'generated digits' */
  source: string;
}

/**
 * The real MNIST digits the page ships (`0.json` ... `9.json` under
 * `baseUrl`, copied from the mnist package when the page is built), split
 * stratified with 20% of each class held out; generated digits when the
 * files are missing, or at once, fetching nothing, when `baseUrl` is null
 * (the build's manifest says the page has none).
 */
export async function loadDigitsSplits(baseUrl: string | null): Promise<DigitsData> {
  const generated = () => ({ splits: syntheticDigitSplits({ nTrain: 1000, nTest: 200, seed: 0 }), source: 'generated digits' });
  if (baseUrl === null) {
    console.info('the page was built without the mnist package\'s digits; using generated digits');
    return generated();
  }
  try {
    const pool = await fetchMnistJson(baseUrl);
    return { splits: stratifiedImageSplits(pool, { seed: 0 }), source: `real MNIST digits (${pool.n})` };
  } catch (err) {
    if (!(err instanceof StorageError)) throw err;
    console.info(`${err.message}; using generated digits`);
    return generated();
  }
}

/** Loads and preprocesses the taxi CSV (the shipped 5,000-row sample) from `url`. */
export async function loadTaxiSplits(url: string): Promise<Splits<TabularSplit>> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
  const trips = parseTaxiCsv(await res.text(), { source: url });
  return preprocessTaxi(trips, { seed: 0 }).splits;
}

function studyOf(o: TuningOptions): StudyDescriptor<unknown> {
  return ((o.study ?? 'taxi') === 'digits' ? digitsStudy : taxiStudy) as StudyDescriptor<unknown>;
}

function makeOptimizer(strategy: Strategy, f: Objective, o: TuningOptions): BaseOptimizer {
  const study = studyOf(o);
  const common = { f, space: study.space, direction: study.direction, randomState: o.seed, pruner: o.pruner ?? 'none', log: () => {} };
  if (strategy === 'bayes') return new BayesianOptimization({ ...common, engine: o.engine });
  if (strategy === 'random') return new RandomSearch(common);
  return new GridSearch(common);
}

/**
 * Runs the strategies one after the other (each with up to `concurrency`
 * trainings at once) and returns every trial, in the order they finished, and the winner.
 */
export async function runTuning(o: TuningOptions): Promise<TuningResult> {
  const trials: Record<Strategy, TrialRecord[]> = { bayes: [], random: [], grid: [] };
  const studies: Partial<Record<Strategy, StudyData>> = {};
  const study = studyOf(o);
  const better = (a: number, b: number) => (study.direction === 'minimize' ? a < b : a > b);
  let prunerName: string = o.pruner ?? 'none';
  for (const strategy of o.strategies) {
    const list = trials[strategy];
    let opt: BaseOptimizer | null = null;
    let started = 0;
    const stopped = (): boolean => o.signal?.aborted === true;
    // the objective calls still running: a stopped run settles only after they end, so none of them
    // reports into the next run's table (maximize rejects at once, its trainings end at their next batch)
    const inFlight = new Set<Promise<unknown>>();
    const train = async (params: Params, ctx: Parameters<Objective>[1]): Promise<number> => {
      if (stopped()) throw o.signal?.reason ?? new Error('aborted');
      const trial = opt?.trials.find((t) => t.id === ctx.trialId);
      // numbered as they start: with several in flight they finish in another order
      const index = ++started;
      const curve: number[] = [];
      const curveEpochs: number[] = [];
      const r = await study.train(params, o.data, {
        epochs: o.epochs, maxTrainRows: o.rows, seed: o.seed, signal: o.signal, context: ctx,
        onEpoch: (epoch, logs) => {
          if (logs.valMetric === null || stopped()) return;
          curve.push(logs.valMetric);
          curveEpochs.push(epoch + 1);
          o.onEpoch?.({ strategy, index, step: epoch + 1, value: logs.valMetric });
        },
      });
      // cut short by Stop (told to stop as a pruned trial would be): not a result of this run
      if (stopped()) throw o.signal?.reason ?? new Error('aborted');
      // a trial pruned inside an epoch (digits reports every quarter epoch) ends on a partial
      // validation no onEpoch saw: its curve ends there, at the fraction of the epoch it trained
      // (0.33 of the first, not epoch 1: the chart's x and the table's "pruned at epoch" agree)
      const last = r.history.at(-1)?.valMetric;
      if (r.pruned && r.history.length > curve.length && typeof last === 'number' && Number.isFinite(last)) {
        curve.push(last);
        curveEpochs.push(r.epochsRun);
        o.onEpoch?.({ strategy, index, step: r.epochsRun, value: last });
      }
      const prev = list.length ? list[list.length - 1].bestSoFar : NaN;
      const v = r.pruned ? (curve.at(-1) ?? NaN) : r.valMetric;
      const counts = !r.pruned && Number.isFinite(v);
      const rec: TrialRecord = {
        strategy, index, params: { ...params }, value: v,
        bestSoFar: counts && (!Number.isFinite(prev) || better(v, prev)) ? v : prev,
        curve, curveEpochs, pruned: r.pruned, epochsRun: r.epochsRun,
        trainMs: r.trainMs, source: trial?.source ?? '', suggestMs: trial?.suggestMs, engine: trial?.engine,
      };
      list.push(rec);
      o.onTrial?.(rec);
      return r.valMetric;
    };
    const f: Objective = (params, ctx) => {
      const call = train(params, ctx);
      inFlight.add(call);
      call.then(() => inFlight.delete(call), () => inFlight.delete(call));
      return call;
    };
    opt = makeOptimizer(strategy, f, o);
    prunerName = opt.pruner.name;
    try {
      // Bayesian optimization: a third of the budget (at least 2) as the initial design.
      const init = strategy === 'bayes' ? Math.min(o.budget, Math.max(2, Math.round(o.budget / 3))) : o.budget;
      await opt.maximize({ initPoints: init, nIter: o.budget - init, concurrency: o.concurrency ?? 1, signal: o.signal });
      studies[strategy] = {
        space: study.space, direction: study.direction, trials: opt.trials.map(toReportTrial),
        title: `${STRATEGY_LABELS[strategy]} on the ${o.study ?? 'taxi'} study`,
        objective: study.metricName === 'rmse' ? 'validation RMSE' : 'validation accuracy',
        source: `the webgpu-bayesopt demo, seed ${o.seed}, ${o.epochs} epoch(s) per trial, pruner ${opt.pruner.name}; ` +
          'trials numbered from 0 in the order they were asked, as a journal numbers them (the panel counts from 1, as they start)',
      };
    } catch (err) {
      await Promise.allSettled([...inFlight]);
      throw err;
    } finally {
      opt.dispose();
    }
  }
  let winner: TrialRecord | undefined;
  for (const s of o.strategies) {
    for (const t of trials[s]) if (!t.pruned && Number.isFinite(t.value) && (!winner || better(t.value, winner.value))) winner = t;
  }
  return { trials, winner, pruner: prunerName, studies };
}
