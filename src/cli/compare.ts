/**
 * `compare` and `tune` as functions: grid, random and Bayesian search on one
 * study with the same evaluation budget, the same splits and (for random and
 * Bayesian search) the same initial points, then each winner retrained and
 * scored on the held-out test split.
 */
import { InvalidOptionError } from '../errors';
import { writeFileAtomically } from '../util/atomic-write';
import { writeReport } from '../report/html';
import { Space } from '../space';
import { digitsStudy, taxiStudy } from '../studies';
import { DIGITS_DEFAULTS } from '../studies/digits';
import { reportParts } from '../tfjs/fit';
import { prepareData } from './data';
import { setupEnvironment } from './environment';
import { resolveOptions, STRATEGIES, strategyBudget, type CompareOptions } from './options';
import { checkDistinctFiles, checkOutputPath, writeOutput } from './output-path';
import { createProgress, type ProgressMode } from './progress';
import { bindStudy, warmUp } from './bind';
import { retrainRecord } from './retrain';
import { prunedTrials, runStrategy, sharedInitialPoints, type BoundStudy } from './run-strategy';
import { checkGoal, checkPruneGoal, randomBestShared, reach, summarize } from './summary';
import { WorkerPool } from './worker-pool';
import type { CompareRecord, PrunerName, ResolvedOptions, RunRecord, StrategyName, StrategyRecord } from './types';

/** Options of {@link runCompare}: the search options plus output. */
export interface RunCompareOptions extends CompareOptions {
  /** write the full record as JSON here [none] */
  json?: string;
  /** write the self-contained HTML report here [none] */
  report?: string;
  /** 'auto': a bar on a terminal, plain lines otherwise ['none'] */
  progress?: ProgressMode;
  /** where progress and notices go [process.stderr] */
  stream?: { write(s: string): unknown; isTTY?: boolean };
}

/** Options of {@link runTune}: one strategy. */
export interface RunTuneOptions extends Omit<RunCompareOptions, 'strategies'> {
  /** ['bayes'] */
  strategy?: StrategyName;
}

const OUTPUT_KEYS = ['json', 'report', 'progress', 'stream'];

const now = (): number => performance.now();

/**
 * Runs grid, random and Bayesian search (or `strategies`) on the study, once
 * per seed, and returns the full record. Writes `json` and `report` when given.
 * @throws InvalidOptionError for bad options; EngineError when `engine: 'webgpu'` has no adapter
 */
export async function runCompare(options: RunCompareOptions = {}): Promise<CompareRecord> {
  const o = resolveOptions(options, OUTPUT_KEYS);
  return run(o, options, 'compare');
}

/**
 * Runs one strategy (default Bayesian search); same record as
 * {@link runCompare}, without "reach random's best" unless it is random search.
 */
export async function runTune(options: RunTuneOptions = {}): Promise<CompareRecord> {
  const { strategy, ...rest } = options;
  if (strategy !== undefined && !STRATEGIES.includes(strategy)) {
    throw new InvalidOptionError(`option "strategy": must be one of ${STRATEGIES.join(', ')} (got ${JSON.stringify(strategy)})`, 'strategy');
  }
  const o = resolveOptions({ ...rest, strategies: [strategy ?? 'bayes'] } as CompareOptions, OUTPUT_KEYS);
  return run(o, rest, 'tune');
}

async function run(resolved: ResolvedOptions, out: RunCompareOptions, command: 'compare' | 'tune'): Promise<CompareRecord> {
  const o = withActingGrace(resolved, out.grace !== undefined);
  // before the run: a path that cannot take the output would cost its results
  checkOutputPath('json', out.json);
  checkOutputPath('report', out.report);
  // the data read, then the outputs: an output on the data file replaced it with the record
  checkDistinctFiles([
    { option: 'data', path: out.data, what: '--data' },
    { option: 'json', path: out.json, what: '--json' },
    { option: 'report', path: out.report, what: '--report' },
  ]);
  const t0 = now();
  const progress = createProgress(out.progress ?? 'none', out.stream ?? process.stderr);
  const study = (o.study === 'taxi' ? taxiStudy : digitsStudy) as BoundStudy['study'];
  const space = Space.fromOptions({ space: study.space });
  const dataFor = await prepareData(o, (line) => progress.note(line));
  const env = await setupEnvironment(o.backend, o.engine, (line) => progress.note(line));
  const runs: RunRecord[] = [];
  const pool = (o.processes ?? 1) > 1 ? new WorkerPool(o.processes ?? 1, o, progress) : null;
  try {
    // With a pruner, random and Bayesian search run once more with it.
    const plan: { name: StrategyName; pruner: PrunerName }[] = o.strategies.map((name) => ({ name, pruner: 'none' }));
    if (o.pruner !== 'none') for (const name of o.strategies) if (name !== 'grid') plan.push({ name, pruner: o.pruner });
    // A grid may hold fewer points than the budget (balanced levels).
    const evals = plan.reduce((n, s) => n + (s.name === 'grid' ? space.gridSize(strategyBudget(o, s.name)) : o.budget), 0);
    progress.start(o.seeds.length * (evals + (o.retrainEpochs > 0 ? plan.length * o.retrainRepeats : 0)));
    for (const seed of o.seeds) {
      const tRun = now();
      const data = await dataFor(seed);
      const bound = bindStudy(o, study, data, seed);
      let strategies: StrategyRecord[];
      if (pool !== null) {
        strategies = await Promise.all(plan.map(({ name, pruner }) => searchAndRetrain(pool, bound, o, seed, name, pruner)));
      } else {
        if (runs.length === 0) await warmUp(bound, space, progress);
        const initPoints = sharedInitialPoints(space, seed, o.init);
        strategies = [];
        for (const { name, pruner } of plan) {
          strategies.push(await runStrategy(name, bound, {
            budget: strategyBudget(o, name), initPoints, seed, retrainEpochs: o.retrainEpochs, retrainRepeats: o.retrainRepeats,
            engine: env.engine, progress, pruner, grace: o.grace, concurrency: o.concurrency, ...prunedTrials(o),
            ...(o.timeBudget !== null ? { timeBudgetMs: 1000 * o.timeBudget } : {}),
          }));
        }
      }
      const random = strategies.find((s) => s.strategy === 'random');
      const randomBest = random?.best?.value ?? null;
      for (const s of strategies) s.reachRandomBest = reach(s.trials, randomBest, study.direction);
      runs.push({
        seed, data: data.info, randomBest, ...(random ? { randomBestShared: randomBestShared(random) } : {}), strategies, wallMs: now() - tRun,
      });
    }
  } finally {
    pool?.close();
    progress.stop();
    env.dispose();
  }
  const record: CompareRecord = {
    tool: 'webgpu-bayesopt',
    format: 1,
    command,
    createdAt: new Date().toISOString(),
    study: o.study,
    metric: study.metricName,
    direction: study.direction,
    options: o,
    environment: env.info,
    runs,
    summary: summarize(runs),
    goal: checkGoal(runs, study.direction),
    pruneGoal: checkPruneGoal(runs, o.pruner, study.direction),
    wallMs: now() - t0,
  };
  await writeRecordFiles(record, out);
  return record;
}

/**
 * Writes `record` as indented JSON to `out.json` and as an HTML report to
 * `out.report` (each when given, missing folders created); a failure is a
 * StorageError naming the flag. Returns the lines saying where each went.
 */
export async function writeRecordFiles(record: CompareRecord, out: { json?: string; report?: string }): Promise<string[]> {
  const { json, report } = out;
  const said: string[] = [];
  if (json !== undefined) {
    await writeOutput('json', json, async () => {
      await writeFileAtomically(json, JSON.stringify(record, null, 2) + '\n');
    });
    said.push(`record: ${json}`);
  }
  if (report !== undefined) {
    await writeOutput('report', report, () => writeReport(report, record));
    said.push(`report: ${report}`);
  }
  return said;
}

/**
 * One strategy's search in a worker process, then its retrainings, each a
 * job of its own (so they run side by side), assembled in weight-seed order.
 */
async function searchAndRetrain(
  pool: WorkerPool, b: BoundStudy, o: ResolvedOptions, seed: number, name: StrategyName, pruner: PrunerName,
): Promise<StrategyRecord> {
  const rec = await pool.search({ kind: 'search', seed, name, pruner });
  const pick = rec.recommended;
  if (o.retrainEpochs === 0 || pick === null) return rec;
  const results = await Promise.all(Array.from({ length: o.retrainRepeats }, (_, k) =>
    pool.retrain({ kind: 'retrain', seed, label: rec.strategy, params: pick.params, k })));
  return { ...rec, retrain: retrainRecord(b, results, o.retrainEpochs) };
}

/**
 * The options with a grace the pruner can act on. An evaluation's last report
 * is final (never judged), so the pruner acts only at earlier reports: a
 * grace at or past the last one stopped nothing and ran the pruned rows as
 * plain ones. A grace given so is an error; the study's default grace is
 * brought down to the last report but one (2 epochs of taxi: grace 1).
 * @throws InvalidOptionError naming `pruner` (one report per evaluation: nothing to judge) or `grace`
 */
function withActingGrace(o: ResolvedOptions, given: boolean): ResolvedOptions {
  if (o.pruner === 'none') return o;
  // digits' pruned rows report every quarter epoch (bindStudy), taxi's every epoch
  const steps = o.epochs * (o.study === 'digits' ? reportParts(DIGITS_DEFAULTS.reportsPerEpoch, o.rows, o.batchSize) : 1);
  if (steps < 2) {
    throw new InvalidOptionError(`option "pruner": an evaluation reports once (${o.epochs} epoch), and its last report is never judged: nothing to stop`, 'pruner');
  }
  const grace = o.grace ?? 1;
  if (grace < steps) return o;
  if (given) {
    throw new InvalidOptionError(
      `option "grace": ${grace} leaves the pruner nothing to judge: an evaluation reports ${steps} times and its last report is final (at most ${steps - 1})`, 'grace');
  }
  return { ...o, grace: steps - 1 };
}
