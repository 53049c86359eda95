/**
 * The `webgpu-bayesopt` command line: `compare` (grid vs random vs Bayesian
 * search on one study), `tune` (one strategy, or the user's own objective),
 * `report` (a study's HTML report) and `studies` (what a storage holds). Built
 * on commander; the work itself is `runCompare` / `runTune` / `runTuneObjective`.
 */
import { packageVersion } from './version';
import { Command, InvalidArgumentError, Option } from 'commander';
import { BayesOptError, InvalidOptionError } from '../errors';
import { loadWithPeers } from '../util/optional-peer';
import { writeTrialsCsv } from '../report/csv';
import { readStudy, toReportTrial, writeStudyReport } from '../report/study';
import { readStudyList } from '../storage/list-studies';
import { isRedisUrl } from '../storage/redis-url';
import type { RunCompareOptions } from './compare';
import { checkSomeCompleted, formatTuneResult, runTuneObjective } from './tune-objective';
import { BACKENDS, ENGINES, PRUNED_TRIALS, PRUNERS, STRATEGIES, STUDIES, STUDY_DEFAULTS, DIGITS_RETRAIN_SCHEDULE_CLI, DIGITS_RETRAIN_SHIFT_CLI, type CompareOptions } from './options';
import { formatStudies } from './studies';
import { formatRecord } from './table';
import { checkJournalExists, checkOutputPath, writeOutput } from './output-path';
import { damagedLinesNote } from '../storage';
import type { CompareRecord, StrategyName } from './types';

/** Default report file, in the working directory. */
export const DEFAULT_REPORT = 'webgpu-bayesopt-report.html';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

function intArg(value: string): number {
  // a negative integer parses: the option's own check then refuses it as it refuses 0 (`must be an integer >= 1 (got -3)`)
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('expected an integer.');
  // past 2^53 - 1 the number read is not the one written (9007199254740993 reads as ...992)
  if (!Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`expected an integer no ${Number(value) < 0 ? 'smaller than -' : 'larger than '}9007199254740991.`);
  }
  return Number(value);
}

/** A count of rows, or "all". */
function rowsOrAll(value: string): number | 'all' {
  if (value.trim() === 'all') return 'all';
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a non-negative integer or "all".');
  return Number(value);
}

function seedList(value: string): number[] {
  // an empty item (`1,,2`, a trailing comma) is a typo, not a list of two
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length === 0 || !parts.every((s) => /^\d+$/.test(s))) {
    throw new InvalidArgumentError('expected comma-separated non-negative integers, e.g. 1,2,3.');
  }
  return parts.map(Number);
}

/** A comma-separated list of strategy names; duplicates are left to resolveOptions, which names them. */
function strategyList(value: string): StrategyName[] {
  // an empty item (`grid,,bayes`) is a typo, as in --seeds
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length === 0 || !parts.every((s) => (STRATEGIES as readonly string[]).includes(s))) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${STRATEGIES.join(', ')}, e.g. random,bayes.`);
  }
  return parts as StrategyName[];
}

const t = STUDY_DEFAULTS.taxi;
const dg = STUDY_DEFAULTS.digits;

/** The built-in studies train TensorFlow.js networks: loaded only when a command runs one. */
const loadStudies = () => loadWithPeers(() => import('./compare'), 'running the built-in taxi and digits studies');

/** What `--init` and `--pruner` do, which differs between `compare` (several rows) and `tune` (one strategy). */
const ROLE_TEXT = {
  compare: {
    init: 'random initial points shared by random and Bayesian search',
    pruner: 'also run random and Bayesian search with this pruner, as rows random+<name> and bayes+<name> (each epoch\'s validation metric is reported)',
  },
  tune: {
    init: 'random initial points before Bayesian search\'s model-guided ones',
    pruner: 'stop bad trials early with this pruner, judging what the objective reports (ctx.report; the built-in studies report each epoch\'s validation metric)',
  },
} as const;

/** The options `compare` and `tune` share. */
function addCommonOptions(cmd: Command, role: keyof typeof ROLE_TEXT): Command {
  return cmd
    .addOption(new Option('--study <name>', 'taxi (512-256 MLP, val RMSE) or digits (CNN, val accuracy)').choices(STUDIES).default('taxi'))
    .option('--budget <n>', `evaluations per strategy (default ${t.budget})`, intArg)
    .option('--init <k>', `${ROLE_TEXT[role].init} (default: budget/4, 2 to 5)`, intArg)
    .option('--epochs <e>', `epochs per evaluation (default taxi ${t.epochs}, ${t.pruning?.epochs} with --pruner; digits ${dg.epochs})`, intArg)
    .option('--retrain-epochs <r>', `epochs to retrain each recommended configuration on train + val before testing; 0 skips (default taxi ${t.retrainEpochs}, ${t.pruning?.retrainEpochs} with --pruner; digits ${dg.retrainEpochs})`, intArg)
    .option('--retrain-repeats <k>', `retrainings of each recommended configuration from different weight seeds; the test metric is their mean (default taxi ${t.retrainRepeats}, digits ${dg.retrainRepeats})`, intArg)
    .option('--batch-size <b>', `training batch size (default taxi ${t.batchSize}, digits ${dg.batchSize})`, intArg)
    .option('--seed <s>', 'seed of splits, initial points and weights (default 1)', intArg)
    .option('--seeds <list>', 'run once per seed and summarize, e.g. 1,2,3', seedList)
    .option('--rows <n>', `taxi: CSV rows read (default ${t.rows}); digits: training images per evaluation (default ${dg.rows})`, intArg)
    .option('--retrain-rows <n>', `digits: training images of the final retraining of each recommended configuration, at least --rows, or "all" (validation images are added; default digits ${dg.retrainRows} with the default --rows and --data, else --rows): search cheaply on --rows images, retrain the pick on more`, rowsOrAll)
    .option('--retrain-schedule <s>', `digits: the retraining's learning rate, linear (from the recommended rate down to 0 at the last step), warmup-linear (up to it over the first 5% of the steps, then linear) or constant (default ${DIGITS_RETRAIN_SCHEDULE_CLI})`)
    .option('--lr-schedule <s>', `taxi: every training's learning rate over its epochs, the retraining's too: constant, linear (from the configuration's rate down to 0 at the last epoch's last step) or warmup-linear (rising over the first 5% of the steps, then linear) (default constant; ${t.pruning?.lrSchedule} with --pruner)`)
    .option('--retrain-shift <px>', `digits: the retraining shifts each image by up to px pixels in each direction, drawn anew each epoch (0..4; default ${DIGITS_RETRAIN_SHIFT_CLI})`, intArg)
    .option('--retrain-batch-size <b>', `digits: the retraining's batch size (default ${dg.retrainBatchSize} with the default --batch-size, else --batch-size)`, intArg)
    .option('--data <path>', 'taxi: a CSV in Kaggle train.csv layout (default: the shipped 5,000-row sample); digits: a folder of per-class JSON (0.json..9.json) or MNIST IDX files (default: the mnist package\'s real digits when installed, else generated digits)')
    .option('--image-size <px>', `digits: resize images to px x px (default ${dg.imageSize ?? 0}: keep 28 x 28)`, intArg)
    .addOption(new Option('--backend <name>', 'tfjs training backend (auto: WebGPU on a hardware adapter, else wasm)').choices(BACKENDS).default('auto'))
    .addOption(new Option('--engine <name>', 'acquisition engine (auto: WebGPU when an adapter exists)').choices(ENGINES).default('auto'))
    .addOption(new Option('--pruner <name>', ROLE_TEXT[role].pruner).choices(PRUNERS).default('none'))
    .option('--grace <reports>', `validation reports every evaluation makes before the pruner may stop it: ASHA's and Hyperband's minimum resource, the median pruner's warm-up; taxi reports every epoch, digits every quarter epoch (default taxi ${t.pruning?.grace} when evaluations train ${t.pruning?.epochs} epochs or more, as with --pruner, else ${t.grace}; digits ${dg.grace}, a quarter epoch)`, intArg)
    .addOption(new Option('--pruned-trials <policy>', 'how Bayesian search\'s model reads the trials its pruner stopped: at their last value, extrapolated to the end of training by the completed learning curves, at the worst completed value, not at all, or as a learning curve of a GP over the parameters and training progress (default: last)').choices(PRUNED_TRIALS))
    .option('--time-budget <seconds>', 'give each strategy this much wall time instead of a number of evaluations (--budget then caps the evaluations)', intArg)
    .option('--concurrency <n>', 'trainings in flight at once per strategy, a new point asked as each finishes (default 1)', intArg)
    .option('--processes <n>', `worker processes running the strategies' searches and the retrainings side by side, one training each; the results do not depend on it (default taxi ${t.processes}; digits ${dg.processes}, at most the cores available)`, intArg)
    .option('--json <file>', 'write the full record (every trial, timings, environment) as JSON')
    .option('--report <file>', 'write the self-contained HTML report here', DEFAULT_REPORT)
    .option('--no-report', 'do not write the HTML report')
    .option('--quiet', 'no progress output (the table is still printed)');
}

/** What commander parses: the shared options plus the CLI-only flags. */
type ParsedOptions = Omit<CompareOptions, 'strategies' | 'study' | 'backend' | 'engine'> & {
  study: NonNullable<CompareOptions['study']>;
  backend: RunCompareOptions['backend'];
  engine: RunCompareOptions['engine'];
  json?: string;
  report: string | false;
  quiet?: boolean;
  strategy?: StrategyName;
  strategies?: StrategyName[];
  objective?: string;
  journal?: string;
  studyName?: string;
};

/** Flags of the built-in studies that mean nothing with --objective. */
const STUDY_ONLY = ['study', 'grace', 'epochs', 'retrainEpochs', 'retrainRepeats', 'batchSize', 'seeds', 'rows', 'retrainRows', 'retrainSchedule', 'lrSchedule', 'retrainShift', 'retrainBatchSize', 'data', 'imageSize', 'backend', 'json', 'processes'] as const;

async function tuneObjective(p: ParsedOptions, cmd: Command, io: CliIo): Promise<void> {
  for (const k of STUDY_ONLY) {
    if (cmd.getOptionValueSource(k) === 'cli') {
      throw new InvalidOptionError(`option "${k}": applies to the built-in studies, not to --objective`, k);
    }
  }
  if (p.report !== false) checkOutputPath('report', p.report);
  if (p.studyName !== undefined && p.journal === undefined) throw new InvalidOptionError('option "studyName": needs --journal', 'studyName');
  // a journal is appended to: a path that cannot take a file is a usage error, as an output's is (redis:// URLs aside)
  if (p.journal !== undefined && !isRedisUrl(p.journal)) checkOutputPath('journal', p.journal);
  const r = await runTuneObjective({
    objective: p.objective as string,
    strategy: p.strategy,
    engine: p.engine,
    progress: p.quiet ? 'none' : 'auto',
    stream: io.stderr,
    ...(p.budget !== undefined ? { budget: p.budget } : {}),
    ...(p.init !== undefined ? { init: p.init } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    ...(p.journal !== undefined ? { journal: p.journal } : {}),
    ...(p.studyName !== undefined ? { studyName: p.studyName } : {}),
    ...(p.concurrency !== undefined ? { concurrency: p.concurrency } : {}),
    ...(p.pruner !== undefined && p.pruner !== 'none' ? { pruner: p.pruner } : {}),
    ...(p.prunedTrials !== undefined ? { prunedTrials: p.prunedTrials } : {}),
    ...(p.timeBudget !== undefined ? { timeBudget: p.timeBudget } : {}),
  });
  io.stdout.write(formatTuneResult(r) + '\n');
  if (p.journal !== undefined) io.stdout.write(`journal: ${p.journal}\n`);
  if (p.report !== false) {
    const study = p.journal !== undefined ? await readStudy(p.journal, { studyName: p.studyName ?? 'default' })
      : { space: r.space, direction: r.direction, trials: r.trials.map(toReportTrial), source: p.objective };
    const out = p.report;
    await writeOutput('report', out, () => writeStudyReport(out, { ...study, title: `${r.strategy} search on ${p.objective}` }));
    io.stdout.write(`report: ${out}\n`);
  }
  checkSomeCompleted(r.trials);
}

function toRunOptions(p: ParsedOptions, io: CliIo): RunCompareOptions {
  const out: RunCompareOptions = {
    study: p.study,
    backend: p.backend,
    engine: p.engine,
    progress: p.quiet ? 'none' : 'auto',
    stream: io.stderr,
  };
  const copy = ['budget', 'init', 'epochs', 'retrainEpochs', 'retrainRepeats', 'batchSize', 'seed', 'seeds', 'rows', 'retrainRows', 'retrainSchedule', 'lrSchedule', 'retrainShift', 'retrainBatchSize', 'data', 'imageSize', 'json', 'pruner', 'grace', 'prunedTrials', 'timeBudget', 'concurrency', 'processes', 'strategies'] as const;
  for (const k of copy) if (p[k] !== undefined) (out as Record<string, unknown>)[k] = p[k];
  if (p.report !== false) out.report = p.report;
  return out;
}

/**
 * Runs `compare` or `tune` on a built-in study: the output paths are checked
 * first, and the table is printed before the record and report are written,
 * so a write that still fails (a full disk) leaves the results on screen.
 */
async function runAndWrite(
  run: (o: RunCompareOptions) => Promise<CompareRecord>, opts: RunCompareOptions, io: CliIo,
): Promise<void> {
  checkOutputPath('json', opts.json);
  checkOutputPath('report', opts.report);
  const { json, report, ...rest } = opts;
  const record = await run(rest);
  io.stdout.write(formatRecord(record) + '\n');
  const { writeRecordFiles } = await loadStudies();
  for (const line of await writeRecordFiles(record, { json, report })) io.stdout.write(line + '\n');
}

/** The commander program, writing to `io` (default the process's streams). */
export function buildProgram(io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Command {
  const program = new Command()
    .name('webgpu-bayesopt')
    .description('Bayesian optimization (float64 GP, WebGPU acquisition) from the command line: tune your own objective (tune --objective), report a study journal (report), list the studies in a storage (studies), or compare grid, random and Bayesian search on the built-in TensorFlow.js studies (compare).')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(add --help for usage)')
    // Throw instead of exiting (runCli turns errors into exit codes); subcommands inherit this.
    .exitOverride();

  addCommonOptions(program.command('compare'), 'compare')
    .description('run grid, random and Bayesian search with the same budget and compare them')
    .option('--strategies <list>', `the strategies to run, in this order (default ${STRATEGIES.join(',')})`, strategyList)
    .action(async (p: ParsedOptions) => {
      const { runCompare } = await loadStudies();
      await runAndWrite(runCompare, toRunOptions(p, io), io);
    });

  addCommonOptions(program.command('tune'), 'tune')
    .description('run one search strategy on a built-in study, or on your own objective (--objective)')
    .addOption(new Option('--strategy <name>', 'search strategy').choices(STRATEGIES).default('bayes'))
    .option('--objective <module>', "tune your own objective: an ES module whose default export is the objective (params => value, may be async) and which exports `space` (or `pbounds`) and optionally `direction` ('maximize' or 'minimize'); --budget defaults to 20")
    .option('--journal <file>', 'with --objective: append every trial to this JSON-lines journal; rerunning resumes it and finishes the budget')
    .option('--study-name <name>', 'with --journal: the study within it (Optuna\'s study_name; see `studies`), created if new (default: default)')
    .action(async (p: ParsedOptions, cmd: Command) => {
      if (p.objective !== undefined) return tuneObjective(p, cmd, io);
      if (p.journal !== undefined) throw new InvalidOptionError('option "journal": needs --objective', 'journal');
      if (p.studyName !== undefined) throw new InvalidOptionError('option "studyName": needs --objective and --journal', 'studyName');
      const { runTune } = await loadStudies();
      await runAndWrite((o) => runTune({ ...o, strategy: p.strategy }), toRunOptions(p, io), io);
    });
  program.command('studies')
    .description('list the studies in a storage: a journal file (Optuna\'s journal format) or a redis:// URL')
    .argument('<storage>', 'journal file path or redis://host:port/db')
    .action(async (storage: string) => {
      checkJournalExists(storage);
      // damaged lines are news here too (as `tune` and `report` say them), each once however many studies read it
      const { studies, skipped } = await readStudyList(storage);
      if (skipped.length) io.stderr.write(`journal: ${damagedLinesNote(skipped)}\n`);
      io.stdout.write(formatStudies(storage, studies));
    });
  program.command('report')
    .description('write a self-contained HTML report of a study journal: history, parallel coordinates, importance, slices, contour, trial table')
    .argument('<journal>', 'the study journal (JSON lines), e.g. from `tune --journal`')
    .option('--out <file>', 'where to write the report', 'report.html')
    .option('--title <text>', 'page title (default: the journal\'s file name)')
    .option('--study-name <name>', 'the study within the journal (see `studies`)', 'default')
    .option('--csv <file>', "also write the trials as CSV, in the columns of Optuna's trials_dataframe()")
    .action(async (journal: string, p: { out: string; title?: string; studyName: string; csv?: string }) => {
      checkOutputPath('out', p.out);
      if (p.csv !== undefined) checkOutputPath('csv', p.csv);
      checkJournalExists(journal);
      const study = await readStudy(journal, { studyName: p.studyName });
      if (study.skipped?.length) io.stderr.write(`journal: ${damagedLinesNote(study.skipped)}\n`);
      await writeOutput('out', p.out, () => writeStudyReport(p.out, { ...study, title: p.title ?? `Study ${study.source ?? journal}` }));
      io.stdout.write(`report: ${p.out} (${study.trials.length} trials)\n`);
      if (p.csv !== undefined) {
        const csv = p.csv;
        await writeOutput('csv', csv, () => writeTrialsCsv(csv, study));
        io.stdout.write(`trials: ${csv}\n`);
      }
    });
  return program;
}

/** `--retrain-epochs` for the option name "retrainEpochs" in error messages. */
function flagName(option: string): string {
  return '--' + option.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** The long flags of every command of `program`. */
function realFlags(program: Command): Set<string> {
  const all = [program, ...program.commands].flatMap((c) => c.options.map((o) => o.long ?? ''));
  return new Set(all.filter((f) => f !== ''));
}

/**
 * An option error in command-line words: `option "retrainEpochs"` and quoted
 * option names become `--retrain-epochs`, but only where that flag exists, so
 * a message never names a flag the command does not have.
 */
function cliMessage(err: BayesOptError, flags: ReadonlySet<string>): string {
  const named = err.message.replace(/option "([A-Za-z]+)"/g, (m, name: string) => (flags.has(flagName(name)) ? `option ${flagName(name)}` : m));
  // a bare quoted word is an option's name only in an option's error: elsewhere it may be a file's own key
  // (a digits class file's "data" read as --data) or its text
  return err instanceof InvalidOptionError
    ? named.replace(/"([A-Za-z]+)"/g, (m, name: string) => (flags.has(flagName(name)) ? flagName(name) : m))
    : named;
}

/**
 * Runs the command line (`argv` as in `process.argv`) and resolves to the
 * exit code: 0 on success, 2 for bad options (or an objective module's bad
 * space), 1 for other failures.
 */
export async function runCli(argv: readonly string[], io?: CliIo): Promise<number> {
  const streams = io ?? { stdout: process.stdout, stderr: process.stderr };
  const program = buildProgram(streams);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // commander already printed the message (or the help/version text)
      return e.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof BayesOptError) {
      streams.stderr.write(`error: ${cliMessage(err, realFlags(program))}\n`);
      // a bad option, or a bad space (an objective module's `space`): the command's input, as commander's errors are
      return err.name === 'InvalidOptionError' || err.name === 'InvalidSpaceError' ? 2 : 1;
    }
    streams.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
