/**
 * One row of `compare` on one seed, alone: the same data, shared initial
 * points, warm-up, trainings and retrainings as `npm start -- --seed S
 * --pruner asha` gives that row, without the rows before it. For measuring
 * one strategy when the whole comparison does not fit the time at hand.
 *
 *   npx tsx bench/taxi-row.ts --seed 1 --strategy bayes --pruner asha [--grace 4] [--budget 20] [--retrain-epochs 12] [--pruned-trials fidelity] [--eta 2] [--keep ceil] [--keep-first 5] [--margin range] [--rung-window 3] [--lr-schedule linear] [--patience Infinity] [--curves curves-1.jsonl] --out row.json
 *
 * `--curves FILE` replays trainings from a cache of whole learning curves
 * (bench/curve-cache.ts), training and adding the ones it lacks: the record
 * is the live run's, its wall time is not.
 * `--pruned-trials` sets Bayesian search's `prunedTrials` (default: the library's).
 * `--eta`, `--keep floor|ceil` and `--keep-first N` set ASHA's reduction
 * factor, keep rule and keep-first count, `--margin none|improvement|range|median-range`
 * its second chance from the completed curves, `--rung-window K` the median
 * of a trial's last K reports as its rung value (SuccessiveHalvingOptions).
 * `--lr-schedule` sets the taxi trainings' and retrainings' `lrSchedule`
 * (default: the pruned protocol's, as `compare --pruner asha`).
 * `--patience N|Infinity` sets the trainings' early-stopping patience
 * (default: the study's, 3; Infinity trains every epoch the pruner allows).
 *
 * Epochs and retraining follow `compare --pruner asha` (taxi: 12 and 12, 3
 * retrainings) whatever `--pruner` is here, so a plain row ('none') is the
 * plain row of that comparison. Writes the row's StrategyRecord (every trial,
 * its curve and epochs, the retraining) with the seed and wall time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareData } from '../src/cli/data';
import { setupEnvironment } from '../src/cli/environment';
import { resolveOptions } from '../src/cli/options';
import { createProgress } from '../src/cli/progress';
import { runStrategy, sharedInitialPoints, type BoundStudy, type StrategyRunOptions } from '../src/cli/run-strategy';
import type { PrunerName } from '../src/cli/types';
import type { SuccessiveHalvingOptions } from '../src/pruners';
import { Space } from '../src/space';
import { taxiStudy } from '../src/studies';
import type { LrSchedule } from '../src/util/lr-schedule';
import { CurveCache } from './curve-cache';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    strategy: { type: 'string', default: 'bayes' },
    pruner: { type: 'string', default: 'asha' },
    grace: { type: 'string' },
    budget: { type: 'string' },
    'retrain-epochs': { type: 'string' },
    'pruned-trials': { type: 'string' },
    eta: { type: 'string' },
    keep: { type: 'string' },
    'keep-first': { type: 'string' },
    curves: { type: 'string' },
    margin: { type: 'string' },
    'rung-window': { type: 'string' },
    'lr-schedule': { type: 'string' },
    patience: { type: 'string' },
    out: { type: 'string', default: 'bench/results/taxi-row.json' },
  },
});
const seed = Number(values.seed);
const name = values.strategy as 'bayes' | 'random';
const pruner = values.pruner as PrunerName;
const o = resolveOptions({
  seeds: [seed], pruner: 'asha', strategies: [name],
  ...(values.grace !== undefined ? { grace: Number(values.grace) } : {}),
  ...(values.budget !== undefined ? { budget: Number(values.budget) } : {}),
  ...(values['retrain-epochs'] !== undefined ? { retrainEpochs: Number(values['retrain-epochs']) } : {}),
  ...(values['lr-schedule'] !== undefined ? { lrSchedule: values['lr-schedule'] as LrSchedule } : {}),
});
const load0 = loadavg();
const cache = values.curves !== undefined ? new CurveCache(values.curves) : null;
const study = cache ? cache.wrap(taxiStudy as unknown as BoundStudy['study']) : taxiStudy as unknown as BoundStudy['study'];
const space = Space.fromOptions({ space: study.space });
const data = await (await prepareData(o))(seed);
const env = await setupEnvironment(o.backend, o.engine, () => {});
const patience = values.patience !== undefined ? Number(values.patience) : undefined;
const bound: BoundStudy = {
  study, splits: data.splits as BoundStudy['splits'],
  train: { epochs: o.epochs, batchSize: o.batchSize, seed, ...(o.lrSchedule ? { lrSchedule: o.lrSchedule } : {}), ...(patience !== undefined ? { patience } : {}) },
};
// compare's warm-up: the first training pays for backend start-up
await bound.study.train(space.decode(new Float64Array(space.dim).fill(0.5)), bound.splits, { ...bound.train, epochs: 1, maxTrainRows: 128 });
const t0 = performance.now();
const rec = await runStrategy(name, bound, {
  budget: o.budget, initPoints: sharedInitialPoints(space, seed, o.init), seed, retrainEpochs: o.retrainEpochs,
  retrainRepeats: o.retrainRepeats, engine: env.engine, progress: createProgress('lines', process.stderr), pruner, grace: o.grace,
  asha: {
    ...(values.eta !== undefined ? { reductionFactor: Number(values.eta) } : {}),
    ...(values.keep !== undefined ? { keep: values.keep as 'floor' | 'ceil' } : {}),
    ...(values['keep-first'] !== undefined ? { keepFirst: Number(values['keep-first']) } : {}),
    ...(values.margin !== undefined ? { margin: values.margin as SuccessiveHalvingOptions['margin'] } : {}),
    ...(values['rung-window'] !== undefined ? { rungWindow: Number(values['rung-window']) } : {}),
  },
  ...(values['pruned-trials'] !== undefined ? { prunedTrials: values['pruned-trials'] as StrategyRunOptions['prunedTrials'] } : {}),
});
env.dispose();
mkdirSync(dirname(values.out!), { recursive: true });
writeFileSync(values.out!, JSON.stringify({ seed, options: o, pruner, prunedTrials: values['pruned-trials'] ?? null, lrSchedule: o.lrSchedule, patience: patience ?? null, asha: { eta: values.eta ?? null, keep: values.keep ?? null, keepFirst: values['keep-first'] ?? null, margin: values.margin ?? null, rungWindow: values['rung-window'] ?? null }, wallMs: performance.now() - t0, curves: cache ? { file: values.curves, trained: cache.trained, replayed: cache.replayed } : null, loadavg: [load0, loadavg()], rec }, null, 2));
console.log(`${rec.strategy}: best ${rec.best?.value}, ${rec.pruned} pruned; wrote ${values.out}`);
