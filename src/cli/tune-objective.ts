/**
 * `webgpu-bayesopt tune --objective ./train.mjs`: tunes the user's own
 * objective. The module's default export is the objective (called as
 * `f(params, { trialId, signal })`, may be async); it also exports `space`
 * (typed parameters) or `pbounds`, and optionally `direction`
 * ('maximize' unless it says 'minimize').
 *
 * ```js
 * // train.mjs
 * export const space = { lr: { type: 'float', low: 1e-4, high: 1e-1, log: true } };
 * export const direction = 'minimize';
 * export default async function ({ lr }) { return validationLoss(await train(lr)); }
 * ```
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionError, InvalidSpaceError } from '../errors';
import { BayesianOptimization, GridSearch, RandomSearch, type BaseOptimizer, type Direction, type Objective, type Trial } from '../optimizer';
import type { Pbounds, SpaceSpec } from '../space/types';
import { normalizeSpec, pboundsToSpec } from '../space/validate';
import { formatValue, plural } from '../report/format';
import { createProgress, type ProgressMode } from './progress';
import { defaultInit, GRID_INIT, NEEDS_PRUNER, PRUNED_TRIALS, PRUNERS, TIME_BUDGET_CAP } from './options';
import type { PrunedTrialPolicy } from '../optimizer/observations';
import { cliPruner } from './run-strategy';
import type { EngineChoice, PrunerName, StrategyName } from './types';
import { runPhase, withEscapedErrors } from './process-guard';
import { show } from '../util/format-value';
import type { TuneObjectiveResult } from './tune-result';

export { checkSomeCompleted, formatTuneResult, TABLE_ROWS, type TuneObjectiveResult } from './tune-result';

/** What an objective module exports. */
export interface ObjectiveModule {
  /** the objective */
  default: Objective;
  /** typed parameters; or `pbounds` */
  space?: SpaceSpec;
  pbounds?: Pbounds;
  /** ['maximize'] */
  direction?: Direction;
}

/** Options of {@link runTuneObjective}. Defaults in brackets. */
export interface TuneObjectiveOptions {
  /** path of the objective module (relative to the working directory) */
  objective: string;
  /** trials in the study [20; with `timeBudget`, 1,000, but for grid search]; with a journal, finished trials count (rerun to resume) */
  budget?: number;
  /** initial design points [budget / 4, 2 to 5] */
  init?: number;
  /** 'bayes', 'random' or 'grid' ['bayes'] */
  strategy?: StrategyName;
  /** append every trial to this journal (JSON lines) and resume from it [none] */
  journal?: string;
  /** the study within the journal (Optuna's `study_name`): continue another program's study by its name ['default'] */
  studyName?: string;
  /** seed [1] */
  seed?: number;
  /** objective calls in flight at once (`maximize({ concurrency })`) [1] */
  concurrency?: number;
  /**
   * stops trials whose reports (`ctx.report(step, value)` in the objective)
   * the pruner rates unpromising: 'median', 'asha' or 'hyperband', at the
   * library's defaults [none]
   */
  pruner?: Exclude<PrunerName, 'none'>;
  /**
   * reports a trial makes before the pruner may stop it: ASHA's and
   * Hyperband's minimum resource, the median pruner's warm-up steps (as
   * `compare --grace`) [the pruner's own default: 1, 1, none]
   */
  grace?: number;
  /** how Bayesian search's model reads pruned trials (OptimizerOptions.prunedTrials) [the library's, 'last'] */
  prunedTrials?: PrunedTrialPolicy;
  /** seconds after which no new trial is asked (`maximize({ maxTimeMs })`); `budget`, if given, still caps the trials (without it at most 1,000) [none] */
  timeBudget?: number;
  /** seconds after which a running trial fails, its ctx.signal aborted (`trialTimeoutMs`); the run goes on [none] */
  trialTimeout?: number;
  /** acquisition engine ['auto'] */
  engine?: EngineChoice;
  /** 'auto': a bar on a terminal, lines otherwise ['none'] */
  progress?: ProgressMode;
  /** where progress and notices go [process.stderr] */
  stream?: { write(s: string): unknown; isTTY?: boolean };
}

function bad(option: string, problem: string): InvalidOptionError {
  return new InvalidOptionError(`option "${option}": ${problem}`, option);
}

/** Imports the objective module and checks its exports. */
export async function loadObjectiveModule(path: string): Promise<Required<Pick<ObjectiveModule, 'default'>> & ObjectiveModule> {
  if (typeof path !== 'string' || path === '') throw bad('objective', 'must be the path of a module');
  let imported: Record<string, unknown>;
  runPhase.importing = path;
  try {
    // a file: URL as given; a path resolved against the working directory
    imported = await import(/^file:/i.test(path) ? path : pathToFileURL(resolve(path)).href);
  } catch (e) {
    // Node without a TypeScript loader: say how to run one rather than only that the extension is unknown
    const hint = (e as { code?: unknown })?.code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?$/i.test(path)
      ? ' (a TypeScript objective needs a loader: run the command with `node --import tsx`, or compile it to .js)' : '';
    throw bad('objective', `cannot import ${path}: ${(e as Error)?.message ?? String(e)}${whereFailed(e)}${hint}`);
  } finally {
    runPhase.importing = null;
  }
  const mod = moduleExports(imported);
  if (typeof mod.default !== 'function') throw bad('objective', `${path} must export the objective function as its default export`);
  // Optuna's spelling: read as no direction, the study maximized what was to be minimized
  if (mod.directions !== undefined && mod.direction === undefined) throw bad('objective', `${path} exports \`directions\`; export \`direction\` ("maximize" or "minimize"): one objective`);
  if (mod.space === undefined && mod.pbounds === undefined) throw bad('objective', `${path} must export \`space\` (or \`pbounds\`)`);
  if (mod.direction !== undefined && mod.direction !== 'maximize' && mod.direction !== 'minimize') {
    throw bad('objective', `${path} exports direction ${JSON.stringify(mod.direction)}; expected "maximize" or "minimize"`);
  }
  if (mod.space !== undefined && mod.pbounds !== undefined) throw bad('objective', `${path} exports both \`space\` and \`pbounds\`; export one`);
  try {
    normalizeSpec(mod.space !== undefined ? mod.space : pboundsToSpec(mod.pbounds)); // the space's errors name the file they are in
  } catch (e) {
    if (e instanceof InvalidSpaceError) throw bad('objective', `${path}: ${e.message}`);
    throw e;
  }
  return mod as unknown as Required<Pick<ObjectiveModule, 'default'>> & ObjectiveModule;
}

/**
 * The module's exports as an ES module's: CommonJS compiled from TypeScript
 * (`exports.default = f` with `__esModule`) comes through `import()` as
 * `{ default: module.exports }`, and `module.exports = f` with `f.space = ...`
 * carries its other exports on the function (both were refused).
 */
function moduleExports(imported: Record<string, unknown>): Record<string, unknown> {
  const d = imported.default as Record<string, unknown> | ((...a: unknown[]) => unknown) | undefined;
  if (typeof d === 'object' && d !== null && d.__esModule === true && typeof d.default === 'function') return d;
  if (typeof d === 'function' && imported.space === undefined && imported.pbounds === undefined) {
    const own = d as unknown as Record<string, unknown>;
    if (own.space !== undefined || own.pbounds !== undefined) return { ...imported, space: own.space, pbounds: own.pbounds, direction: imported.direction ?? own.direction };
  }
  return imported;
}

/** " (at file.mjs:3:7)": where an import failed, from the error's stack (a dependency's syntax error named neither file nor line). */
function whereFailed(e: unknown): string {
  const stack = (e as { stack?: unknown })?.stack;
  if (typeof stack !== 'string') return '';
  // the first frame in the user's files: not a loader's (node_modules) nor Node's own
  for (const m of stack.matchAll(/(file:\/\/[^\s)]+?:\d+(?::\d+)?|(?:\/|[A-Za-z]:\\)[^\s():]+:\d+:\d+)/g)) {
    if (!/[\\/]node_modules[\\/]/.test(m[1])) return ` (at ${m[1]})`;
  }
  return '';
}

const now = (): number => performance.now();

/** Runs the objective module's study; prints nothing but progress (see formatTuneResult in ./tune-result). */
export async function runTuneObjective(o: TuneObjectiveOptions): Promise<TuneObjectiveResult> {
  if (o.seed !== undefined && !(Number.isSafeInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff)) {
    throw bad('seed', `must be an integer in [0, 4294967295] (got ${show(o.seed)})`); // as compare says it
  }
  const mod = await loadObjectiveModule(o.objective);
  const strategy = o.strategy ?? 'bayes';
  if (!['bayes', 'random', 'grid'].includes(strategy)) throw bad('strategy', `must be one of grid, random, bayes (got ${JSON.stringify(strategy)})`);
  // a time budget is the limit: the count's default gives way to the cap the built-in studies use; not for a
  // grid, whose points the budget lays out (1,000 in their order: a time cut swept the first parameter's first levels)
  const budget = o.budget ?? (o.timeBudget === undefined || strategy === 'grid' ? 20 : TIME_BUDGET_CAP);
  if (!Number.isSafeInteger(budget) || budget < 1) throw bad('budget', `must be an integer >= 1 (got ${show(budget)})`);
  // a grid's points are its budget: an initial design it would ignore in silence is refused, as other flags that do nothing are
  if (o.init !== undefined && strategy === 'grid') throw bad('init', GRID_INIT);
  const init = o.init ?? defaultInit(budget);
  if (!Number.isSafeInteger(init) || init < 0 || init > budget) throw bad('init', `must be an integer from 0 to the budget (${budget}) (got ${show(init)})`);
  const concurrency = o.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw bad('concurrency', `must be an integer >= 1 (got ${show(concurrency)})`);
  if (o.pruner !== undefined && !PRUNERS.includes(o.pruner)) throw bad('pruner', `must be one of ${PRUNERS.join(', ')} (got ${JSON.stringify(o.pruner)})`);
  if (o.prunedTrials !== undefined && !PRUNED_TRIALS.includes(o.prunedTrials)) throw bad('prunedTrials', `must be one of ${PRUNED_TRIALS.join(', ')} (got ${JSON.stringify(o.prunedTrials)})`);
  if (o.prunedTrials !== undefined && (o.pruner === undefined || (o.pruner as string) === 'none')) {
    throw bad('prunedTrials', NEEDS_PRUNER);
  }
  // only Bayesian search's model reads pruned trials: with random or grid search the flag was taken and ignored
  if (o.prunedTrials !== undefined && strategy !== 'bayes') throw bad('prunedTrials', `is read by Bayesian search's model only (this run's strategy is ${strategy})`);
  if (o.grace !== undefined && o.pruner === undefined) throw bad('grace', NEEDS_PRUNER);
  if (o.grace !== undefined && !(Number.isSafeInteger(o.grace) && o.grace >= 1)) throw bad('grace', `must be an integer >= 1 (got ${show(o.grace)})`);
  if (o.timeBudget !== undefined && !(Number.isSafeInteger(o.timeBudget) && o.timeBudget >= 1)) throw bad('timeBudget', `must be an integer >= 1 (got ${show(o.timeBudget)})`);
  const maxTimeMs = o.timeBudget === undefined ? {} : { maxTimeMs: 1000 * o.timeBudget };
  if (o.trialTimeout !== undefined && !(Number.isSafeInteger(o.trialTimeout) && o.trialTimeout >= 1)) throw bad('trialTimeout', `must be an integer >= 1 (got ${show(o.trialTimeout)})`);
  const direction = mod.direction ?? 'maximize';
  const stream = o.stream ?? process.stderr;
  const quiet = (o.progress ?? 'none') === 'none';
  const progress = createProgress(o.progress ?? 'none', stream);
  const user = mod.default;
  let best: number | null = null;
  let total = budget;
  const f: Objective = (params, ctx) => {
    progress.status(`trial ${ctx.trialId}`);
    return user(params, ctx);
  };
  // a line per trial as it is recorded, not as the objective's promise settles: a timed-out trial is said
  // when it fails, and what its abandoned call returns later (its value, after the run had ended) is not
  const onTrial = (t: Trial): void => {
    const done = t.status === 'complete' && t.target !== null;
    if (done && (best === null || (direction === 'minimize' ? t.target! < best : t.target! > best))) best = t.target;
    const what = t.status === 'pruned' ? 'pruned' : done ? formatValue(t.target!) : 'failed';
    progress.advance(`trial ${t.id}: ${what} (best ${best === null ? '-' : formatValue(best)})`);
  };
  const options = {
    f, space: mod.space, pbounds: mod.pbounds, direction, randomState: o.seed ?? 1, verbose: 0 as const,
    ...(o.trialTimeout !== undefined ? { trialTimeoutMs: 1000 * o.trialTimeout } : {}),
    // a journal's damaged lines are news even without progress output (--quiet)
    log: (line: string) => (quiet && line.includes('damaged line') ? stream.write(line + '\n') : progress.note(line)),
    ...(o.journal !== undefined ? { journal: o.journal } : {}),
    ...(o.studyName !== undefined ? { studyName: o.studyName } : {}),
    ...(o.pruner !== undefined ? { pruner: o.grace === undefined ? o.pruner : cliPruner(o.pruner, o.grace) } : {}),
  };
  const opt: BaseOptimizer = strategy === 'grid' ? new GridSearch(options)
    : strategy === 'random' ? new RandomSearch(options)
      : new BayesianOptimization({ ...options, engine: o.engine ?? 'auto', ...(o.prunedTrials !== undefined ? { prunedTrials: o.prunedTrials } : {}) });
  const t0 = now();
  try {
    await opt.ready();
    best = opt.max?.target ?? null; // a resumed study's best so far, so the progress lines say the study's best
    // what maximize will run: the retries of interrupted trials within the budget, then its room (a grid's untried points)
    const run = strategy === 'grid' ? { initPoints: budget, nIter: 0, resume: true } : { initPoints: init, nIter: budget - init, resume: true };
    total = opt.plannedTrials(run);
    // a rerun with a budget the journal has reached ran nothing without a word, and printed the old table
    if (total === 0 && opt.res.length > 0) {
      // whether a larger budget would run anything: a grid (or a small discrete space) may have no point left
      const more = Math.max(budget, opt.res.length) + 1;
      const larger = strategy === 'grid' ? { ...run, initPoints: more } : { ...run, nIter: more - init };
      stream.write(opt.plannedTrials(larger) > 0
        ? `tune: the journal holds ${plural(opt.res.length, 'trial')}, the budget (${budget}) or more: none to run; a larger --budget goes on\n`
        // a grid, or a small discrete space, whose every point is in the journal: a larger budget adds none
        : `tune: the journal holds ${plural(opt.res.length, 'trial')}, every point the ${strategy} search has within the budget (${budget}): none to run\n`);
    }
    progress.start(total);
    // with a journal the study ends at `budget` trials, a grid's too (its untried points, as many as fit)
    // said through the bar (written straight to the stream, a warning joined the bar's line and was cut off)
    const { escaped } = await withEscapedErrors((line) => (quiet ? void stream.write(line + '\n') : progress.note(line)), () => opt.maximize({ ...run, concurrency, ...maxTimeMs, onTrial }));
    progress.stop();
    const trials = opt.res;
    const rec = trials.some((t) => t.status === 'complete') ? await opt.recommend() : undefined;
    const complete = trials.filter((t) => t.status === 'complete' && t.target !== null);
    const bestTrial = complete.reduce<Trial | null>((b, t) =>
      b === null || (direction === 'minimize' ? t.target! < b.target! : t.target! > b.target!) ? t : b, null);
    return {
      strategy, direction, space: opt.space.spec, names: [...opt.space.names], trials, best: bestTrial,
      recommended: rec ? { id: rec.id, target: rec.target, predicted: rec.predicted } : null,
      wallMs: now() - t0,
      escaped,
    };
  } finally {
    progress.stop();
    await opt.close();
  }
}
