/**
 * One search strategy on one study: build the optimizer, run the budget,
 * record every evaluation with its timing, retrain the winner and test it.
 */
import type { Engine } from '../acquisition/engine';
import type { Splits } from '../data/types';
import { BaseOptimizer, BayesianOptimization, GridSearch, RandomSearch, type Objective, type Recommendation, type Trial } from '../optimizer';
import type { PrunedTrialPolicy } from '../optimizer/observations';
import { HyperbandPruner, MedianPruner, SuccessiveHalvingPruner, type PrunerOption, type SuccessiveHalvingOptions } from '../pruners';
import { Space } from '../space';
import type { Params } from '../space/types';
import type { StudyDescriptor, StudyTrainOptions } from '../studies';
import type { LrSchedule } from '../util/lr-schedule';
import { Rng } from '../util/rng';
import type { Progress } from './progress';
import { fmtMetric, retrainOnce, retrainRecord, type RetrainResult } from './retrain';
import { bestSoFar } from './summary';
import type { PrunerName, ResolvedOptions, StrategyLabel, StrategyName, StrategyRecord, TrialRecord } from './types';

/** A study with its data, erased to one type so taxi and digits share the runner. */
export interface BoundStudy {
  study: StudyDescriptor<unknown, StudyTrainOptions & { imageSize?: number; lrSchedule?: LrSchedule; shift?: number }>;
  splits: Splits<{ n: number }>;
  /** the final retraining's splits, when they differ from `splits` (digits with more training images) [splits] */
  retrainSplits?: Splits<{ n: number }>;
  /** options of every evaluation (epochs, batch size, seed, ...) */
  train: StudyTrainOptions & { imageSize?: number };
  /** options the final retraining adds to `train` (digits: its learning-rate schedule) [none] */
  retrain?: { lrSchedule?: LrSchedule; shift?: number; batchSize?: number };
}

export interface StrategyRunOptions {
  budget: number;
  /** shared initial points (random and Bayesian search evaluate them first) */
  initPoints: readonly Params[];
  seed: number;
  retrainEpochs: number;
  /** retrainings of the recommended configuration, with weight seeds seed, seed + 1, ... [1] */
  retrainRepeats?: number;
  engine: Engine;
  progress: Progress;
  /** random and Bayesian search only: stop bad trainings early with this pruner ['none'] */
  pruner?: PrunerName;
  /**
   * epochs before the pruner may stop an evaluation: ASHA's and Hyperband's
   * minimum resource, the median pruner's warm-up steps [1: the library's defaults]
   */
  grace?: number;
  /** ASHA only: reduction factor, keep rule and keep-first count (SuccessiveHalvingOptions) [the library's defaults] */
  asha?: Pick<SuccessiveHalvingOptions, 'reductionFactor' | 'keep' | 'keepFirst' | 'margin' | 'rungWindow'>;
  /** wall time of the search, ms: no evaluation starts after it (`budget` still caps them) [none] */
  timeBudgetMs?: number;
  /** trainings in flight at once [1] */
  concurrency?: number;
  /** Bayesian search: how the model uses pruned trials (OptimizerOptions.prunedTrials) [the library's default] */
  prunedTrials?: PrunedTrialPolicy;
}

const now = (): number => performance.now();

export { fmtMetric } from './retrain';

/**
 * The `k` shared initial points of a seed: uniform at random over the space
 * (log-uniform on log parameters), from their own stream so they do not
 * depend on which strategy runs first.
 */
export function sharedInitialPoints(space: Space, seed: number, k: number): Params[] {
  const rng = new Rng((seed ^ 0x5bd1e995) >>> 0);
  return space.sample(rng, k, 'random').map((u) => space.decode(u));
}

function makeOptimizer(name: StrategyName, f: Objective, b: BoundStudy, o: StrategyRunOptions, log: (l: string) => void): BaseOptimizer {
  const common = { f, space: b.study.space, direction: b.study.direction, randomState: o.seed, verbose: 0 as const, log };
  if (name === 'grid') return new GridSearch(common);
  const pruned = { ...common, pruner: cliPruner(o.pruner ?? 'none', o.grace ?? 1, o.asha) };
  if (name === 'random') return new RandomSearch(pruned);
  return new BayesianOptimization({ ...pruned, engine: o.engine, ...(o.prunedTrials ? { prunedTrials: o.prunedTrials } : {}) });
}

/**
 * The pruner a name gives, judging from epoch `grace` on: ASHA and Hyperband
 * with minimum resource `grace`, the median pruner with `grace` warm-up
 * steps; the library's other defaults (ASHA reduction factor 4, Hyperband 3,
 * median 5 startup trials). A grace of 1 is the library's default pruner.
 */
export function cliPruner(name: PrunerName, grace: number, asha: StrategyRunOptions['asha'] = {}): PrunerOption {
  switch (name) {
    case 'asha':
      return new SuccessiveHalvingPruner({ ...asha, minResource: grace });
    case 'hyperband':
      return new HyperbandPruner({ minResource: grace });
    case 'median':
      return new MedianPruner({ warmupSteps: grace });
    default:
      return name;
  }
}

/** The `prunedTrials` run options of `--pruned-trials` (none where it was not given: the library's default). */
export function prunedTrials(o: Pick<ResolvedOptions, 'prunedTrials'>): { prunedTrials?: PrunedTrialPolicy } {
  return o.prunedTrials ? { prunedTrials: o.prunedTrials } : {};
}

/** The row label: the strategy, with its pruner when one runs ('bayes+asha'). */
export function strategyLabel(name: StrategyName, pruner: PrunerName = 'none'): StrategyLabel {
  return pruner === 'none' || name === 'grid' ? name : `${name}+${pruner}`;
}


/**
 * Runs `name` for `o.budget` evaluations (or until `o.timeBudgetMs` is
 * spent) on `b` and retrains its recommended configuration.
 */
export async function runStrategy(name: StrategyName, b: BoundStudy, o: StrategyRunOptions): Promise<StrategyRecord> {
  const { study } = b;
  const label = strategyLabel(name, o.pruner);
  const metric = study.metricName;
  const epochs = b.train.epochs ?? 1;
  // reports within an epoch (digits) serve a pruner only: a plain row validates once an epoch, as before
  const reportsPerEpoch = o.pruner === undefined || o.pruner === 'none' ? 1 : (b.train.reportsPerEpoch ?? 1);
  const ends = new Map<number, { endMs: number; epochsRun?: number }>();
  let done = 0;
  // numbered as they start: with trainings in flight together, `done` would give two of them one label
  let started = 0;
  let best: number | null = null;
  const t0 = now();

  // A balanced grid may hold fewer points than the budget.
  const total = name === 'grid' ? Space.fromOptions({ space: study.space }).gridSize(o.budget) : o.budget;
  const f: Objective = async (params, ctx) => {
    const step = `${label} ${++started}/${total}`;
    o.progress.status(step);
    let value: number | null = null;
    let prunedNote = '';
    try {
      const r = await study.train(params, b.splits, {
        ...b.train,
        onEpoch: (e) => o.progress.status(`${step} epoch ${e + 1}/${epochs}`),
        context: ctx,
        reportsPerEpoch,
      });
      value = Number.isFinite(r.valMetric) && !r.pruned ? r.valMetric : null;
      if (r.pruned) prunedNote = ` pruned at epoch ${r.epochsRun}`;
      ends.set(ctx.trialId, { endMs: now() - t0, epochsRun: r.epochsRun });
      return r.valMetric;
    } catch (err) {
      ends.set(ctx.trialId, { endMs: now() - t0 });
      throw err;
    } finally {
      done++;
      if (value !== null && (best === null || (study.direction === 'minimize' ? value < best : value > best))) best = value;
      o.progress.advance(`${step} val ${metric} ${fmtMetric(value, metric)}${prunedNote} (best ${fmtMetric(best, metric)})`);
    }
  };

  const opt = makeOptimizer(name, f, b, o, (line) => o.progress.note(line));
  let res: Trial[];
  let pick: Recommendation | undefined;
  try {
    const c = o.concurrency ?? 1;
    const deadline = o.timeBudgetMs === undefined ? Infinity : t0 + o.timeBudgetMs;
    const timeLeft = () => now() < deadline && opt.res.length < o.budget;
    const k = Math.min(o.initPoints.length, o.budget);
    if (deadline === Infinity) {
      if (name === 'grid') {
        await opt.maximize({ initPoints: o.budget, nIter: 0, concurrency: c });
      } else {
        for (const p of o.initPoints.slice(0, k)) await opt.probe(p);
        await opt.maximize({ initPoints: 0, nIter: o.budget - k, concurrency: c });
      }
    } else {
      // while time is left, rounds of up to `c` evaluations in flight: first the
      // grid of the evaluation cap (in its order) or the shared initial points,
      // then (random and Bayesian search) points asked from the sampler
      // (the grid taken point by point: a time budget must not wait for a huge grid to be listed)
      const first: Iterator<Params> = name === 'grid' ? Space.fromOptions({ space: study.space }).iterateGrid(o.budget) : o.initPoints.slice(0, k).values();
      while (timeLeft()) {
        const size = Math.min(c, o.budget - opt.res.length);
        const round: Params[] = [];
        for (let r = first.next(); !r.done; r = first.next()) {
          round.push(r.value);
          if (round.length === size) break;
        }
        if (round.length === 0) break;
        if (c === 1) {
          await opt.probe(round[0], { lazy: false });
          continue;
        }
        for (const p of round) await opt.probe(p);
        await opt.maximize({ initPoints: 0, nIter: 0, concurrency: c });
      }
      if (name !== 'grid') {
        while (timeLeft()) await opt.maximize({ initPoints: 0, nIter: Math.min(c, o.budget - opt.res.length), concurrency: c });
      }
    }
    res = opt.res;
    pick = await opt.recommend();
  } finally {
    await opt.close();
  }
  const wallMs = now() - t0;

  const running = bestSoFar(res.map((t) => (t.status === 'complete' ? t.target : null)), study.direction);
  const trials: TrialRecord[] = res.map((t, i) => {
    const end = ends.get(t.id);
    const rec: TrialRecord = {
      index: i + 1,
      params: { ...t.params },
      value: t.status === 'complete' ? t.target : null,
      status: t.status === 'complete' || t.status === 'pruned' ? t.status : 'failed',
      source: t.source === 'probe' ? (name === 'grid' ? 'grid' : 'init') : t.source,
      durationMs: t.durationMs ?? 0,
      endMs: end?.endMs ?? wallMs,
      bestSoFar: running[i],
    };
    if (t.status === 'pruned' && t.target !== null && t.step !== undefined) rec.pruned = { value: t.target, step: t.step };
    if (t.intermediate) rec.curve = Object.values(t.intermediate); // integer keys: in epoch order
    if (t.error !== undefined) rec.error = t.error;
    if (t.engine !== undefined) rec.engine = t.engine;
    if (t.suggestMs !== undefined) rec.suggestMs = t.suggestMs;
    if (end?.epochsRun !== undefined) rec.epochsRun = end.epochsRun;
    return rec;
  });
  // The first evaluation that achieved the final best.
  const finalBest = running.length > 0 ? running[running.length - 1] : null;
  const bestTrial = finalBest === null ? null : trials.find((t) => t.value === finalBest) ?? null;

  // What the strategy would deploy: its best trial, or for Bayesian search the trial its model rates best.
  const pickIndex = pick === undefined ? -1 : res.findIndex((t) => t.id === pick.id);
  const recommended: StrategyRecord['recommended'] = pick === undefined || pickIndex < 0 ? null : {
    index: pickIndex + 1, value: pick.target, params: { ...pick.params }, predicted: pick.predicted,
  };
  let retrain: StrategyRecord['retrain'] = null;
  if (o.retrainEpochs > 0 && recommended !== null) {
    const repeats = o.retrainRepeats ?? 1;
    const results: RetrainResult[] = [];
    for (let k = 0; k < repeats; k++) {
      results.push(await retrainOnce(b, recommended.params, { seed: o.seed, k, repeats, epochs: o.retrainEpochs, label, progress: o.progress }));
    }
    retrain = retrainRecord(b, results, o.retrainEpochs);
  }

  return {
    strategy: label,
    evaluations: trials.length,
    failed: trials.filter((t) => t.status === 'failed').length,
    pruned: trials.filter((t) => t.status === 'pruned').length,
    wallMs,
    suggestMs: trials.reduce((s, t) => s + (t.suggestMs ?? 0), 0),
    best: bestTrial === null ? null : { index: bestTrial.index, value: bestTrial.value as number, params: { ...bestTrial.params } },
    reachRandomBest: null,
    recommended,
    retrain,
    ...(reportsPerEpoch !== 1 ? { reportsPerEpoch } : {}),
    trials,
  };
}
