/**
 * The `webgpu-bayesopt` command line: `compare` (grid vs random vs Bayesian
 * search on one study), `tune` (one strategy, or the user's own objective),
 * `report` (a study's HTML report) and `studies` (what a storage holds). Built
 * on commander; the work itself is `runCompare` / `runTune` / `runTuneObjective`.
 */
import { packageVersion } from './version';
import { Command, Option } from 'commander';
import { addCommonOptions, intArg, strategyList } from './common-options';
import { watchLineEnd } from './process-guard';
import { BayesOptError, InvalidOptionError, StateError } from '../errors';
import { plural } from '../util/format-value';
import { loadWithPeers } from '../util/optional-peer';
import { writeTrialsCsv } from '../report/csv';
import { readStudy, toReportTrial, writeStudyReport } from '../report/study';
import { readStudyList } from '../storage/list-studies';
import { isRedisUrl } from '../storage/redis-url';
import type { RunCompareOptions } from './compare';
import { runTuneObjective } from './tune-objective';
import { checkSomeCompleted, formatTuneResult } from './tune-result';
import { STRATEGIES, TIME_BUDGET_CAP, type CompareOptions } from './options';
import { formatStudies } from './studies';
import { formatRecord } from './table';
import { checkDistinctFiles, checkJournalExists, checkOutputPath, isStdout, writeOutput } from './output-path';
import { damagedLinesNote } from '../storage';
import type { CompareRecord, StrategyName } from './types';

export { DEFAULT_REPORT } from './common-options';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

/** The built-in studies train TensorFlow.js networks: loaded only when a command runs one. */
const loadStudies = () => loadWithPeers(() => import('./compare'), 'running the built-in taxi and digits studies');

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
  trialTimeout?: number;
};

/** Flags of the built-in studies that mean nothing with --objective. */
const STUDY_ONLY = ['study', 'epochs', 'retrainEpochs', 'retrainRepeats', 'batchSize', 'seeds', 'rows', 'retrainRows', 'retrainSchedule', 'lrSchedule', 'retrainShift', 'retrainBatchSize', 'data', 'imageSize', 'backend', 'json', 'processes'] as const;

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
  checkDistinctFiles([
    // the objective's own source first: --report on it replaced the module with the page
    { option: 'objective', path: p.objective, what: '--objective' },
    { option: 'journal', path: p.journal, what: '--journal' },
    { option: 'report', path: p.report === false ? undefined : p.report, what: '--report' },
  ]);
  // the objective may print (console.log, a partial line): the table starts on a line of its own
  const line = io.stdout === process.stdout ? watchLineEnd(process.stdout) : null;
  let fresh = true;
  let r: Awaited<ReturnType<typeof runTuneObjective>>;
  try {
    r = await runTuneObjective({
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
      ...(p.grace !== undefined ? { grace: p.grace } : {}),
      ...(p.prunedTrials !== undefined ? { prunedTrials: p.prunedTrials } : {}),
      ...(p.timeBudget !== undefined ? { timeBudget: p.timeBudget } : {}),
      ...(p.trialTimeout !== undefined ? { trialTimeout: p.trialTimeout } : {}),
    });
    fresh = line === null || line.ended();
  } finally {
    line?.restore();
  }
  io.stdout.write((fresh ? '' : '\n') + formatTuneResult(r) + '\n');
  if (p.journal !== undefined) io.stdout.write(`journal: ${p.journal}\n`);
  if (p.report !== false) {
    const study = p.journal !== undefined ? await readStudy(p.journal, { studyName: p.studyName ?? 'default' })
      : { space: r.space, direction: r.direction, trials: r.trials.map(toReportTrial), source: p.objective };
    const out = p.report;
    await writeOutput('report', out, () => writeStudyReport(out, { ...study, title: `${r.strategy} search on ${p.objective}` }));
    io.stdout.write(`report: ${out}\n`);
  }
  checkSomeCompleted(r.trials);
  // the study is recorded, but an objective that lets errors escape has a bug to fix: not a success
  if (r.escaped > 0) throw new StateError(`tune: ${plural(r.escaped, 'error')} escaped the objective during the run (said above as they came); every trial is recorded`);
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
  checkDistinctFiles([
    { option: 'data', path: opts.data, what: '--data' },
    { option: 'json', path: opts.json, what: '--json' },
    { option: 'report', path: opts.report, what: '--report' },
  ]);
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
    .option('--objective <module>', `tune your own objective: an ES or CommonJS module whose default export is the objective (params => value, may be async) and which exports \`space\` (or \`pbounds\`) and optionally \`direction\` ('maximize' or 'minimize'); --budget defaults to 20 (${TIME_BUDGET_CAP} with --time-budget, but for grid search, whose grid it lays out)`)
    .option('--journal <file|url>', 'with --objective: append every trial to this JSON-lines journal (Optuna\'s format), or to a study on Redis given by a redis:// URL; rerunning resumes it and finishes the budget')
    .option('--study-name <name>', 'with --journal: the study within it (Optuna\'s study_name; see `studies`), created if new (default: default)')
    .option('--trial-timeout <seconds>', 'with --objective: a trial still running after this long fails (its ctx.signal aborts) and the run goes on (default: none)', intArg)
    .action(async (p: ParsedOptions, cmd: Command) => {
      if (p.objective !== undefined) return tuneObjective(p, cmd, io);
      if (p.trialTimeout !== undefined) throw new InvalidOptionError('option "trialTimeout": needs --objective', 'trialTimeout');
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
    .description('write a self-contained HTML report of a study: history, parallel coordinates, importance, slices, contour, trial table')
    .argument('<journal>', 'the study\'s storage: a journal file (JSON lines, e.g. from `tune --journal`) or a redis:// URL')
    .option('--out <file>', 'where to write the report', 'report.html')
    .option('--title <text>', 'page title (default: "Study " and the journal\'s path or URL)')
    .option('--study-name <name>', 'the study within the journal (see `studies`)', 'default')
    .option('--csv <file>', "also write the trials as CSV, in the columns of Optuna's trials_dataframe()")
    .action(async (journal: string, p: { out: string; title?: string; studyName: string; csv?: string }) => {
      checkOutputPath('out', p.out);
      if (p.csv !== undefined) checkOutputPath('csv', p.csv);
      // an empty title wrote an empty <title> and <h1> (an empty --study-name is refused too)
      if (p.title !== undefined && p.title.trim() === '') throw new InvalidOptionError('option "title": must not be empty (leave it out for the journal\'s name)', 'title');
      checkJournalExists(journal);
      checkDistinctFiles([
        { option: '', path: journal, what: 'the journal' },
        { option: 'out', path: p.out, what: '--out' },
        { option: 'csv', path: p.csv, what: '--csv' },
      ]);
      const study = await readStudy(journal, { studyName: p.studyName });
      if (study.skipped?.length) io.stderr.write(`journal: ${damagedLinesNote(study.skipped)}\n`);
      // `--csv /dev/stdout | ...` (pandas' read_csv) read the line saying where the report went as a CSV row
      const notes = isStdout(p.out) || isStdout(p.csv) ? io.stderr : io.stdout;
      await writeOutput('out', p.out, () => writeStudyReport(p.out, { ...study, title: p.title ?? `Study ${study.source ?? journal}` }));
      notes.write(`report: ${p.out} (${plural(study.trials.length, 'trial')})\n`);
      if (p.csv !== undefined) {
        const csv = p.csv;
        await writeOutput('csv', csv, () => writeTrialsCsv(csv, study));
        notes.write(`trials: ${csv}\n`);
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
    // commander lets the later of --report PATH and --no-report win silently: asking for both is a usage error
    const args = argv.slice(2);
    if (args.includes('--no-report') && args.some((a) => a === '--report' || a.startsWith('--report='))) {
      throw new InvalidOptionError('option "report": --report and --no-report both given; choose one', 'report');
    }
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
