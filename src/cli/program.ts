/**
 * The `webgpu-bayesopt` command line: `compare` (grid vs random vs Bayesian
 * search on one study), `tune` (one strategy) and `studies` (what a storage holds). Built on commander; the
 * work itself is `runCompare` / `runTune`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BayesOptError } from '../errors';
import { runCompare, runTune, type RunCompareOptions } from './compare';
import { BACKENDS, ENGINES, STRATEGIES, STUDIES, STUDY_DEFAULTS, type CompareOptions } from './options';
import { listStudies } from '../storage/list-studies';
import { formatStudies } from './studies';
import { formatRecord } from './table';
import type { CompareRecord, StrategyName } from './types';

/** Default report file, in the working directory. */
export const DEFAULT_REPORT = 'webgpu-bayesopt-report.html';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

function intArg(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a non-negative integer.');
  return Number(value);
}

function seedList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0 || !parts.every((s) => /^\d+$/.test(s))) {
    throw new InvalidArgumentError('expected comma-separated non-negative integers, e.g. 1,2,3.');
  }
  return parts.map(Number);
}

const t = STUDY_DEFAULTS.taxi;
const dg = STUDY_DEFAULTS.digits;

/** The options `compare` and `tune` share. */
function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--study <name>', 'taxi (512-256 MLP, val RMSE) or digits (CNN, val accuracy)').choices(STUDIES).default('taxi'))
    .option('--budget <n>', `evaluations per strategy (default ${t.budget})`, intArg)
    .option('--init <k>', 'random initial points shared by random and Bayesian search (default: budget/4, 2 to 5)', intArg)
    .option('--epochs <e>', `epochs per evaluation (default taxi ${t.epochs}, digits ${dg.epochs})`, intArg)
    .option('--retrain-epochs <r>', `epochs to retrain each recommended configuration on train + val before testing; 0 skips (default taxi ${t.retrainEpochs}, digits ${dg.retrainEpochs})`, intArg)
    .option('--retrain-repeats <k>', `retrainings of each recommended configuration from different weight seeds; the test metric is their mean (default taxi ${t.retrainRepeats}, digits ${dg.retrainRepeats})`, intArg)
    .option('--batch-size <b>', `training batch size (default taxi ${t.batchSize}, digits ${dg.batchSize})`, intArg)
    .option('--seed <s>', 'seed of splits, initial points and weights (default 1)', intArg)
    .option('--seeds <list>', 'run once per seed and summarize, e.g. 1,2,3', seedList)
    .option('--rows <n>', `taxi: CSV rows read (default ${t.rows}); digits: train + val images (default ${dg.rows})`, intArg)
    .option('--data <path>', 'taxi: a CSV in Kaggle train.csv layout (default: the shipped 5,000-row sample); digits: an MNIST IDX directory (default: generated digits)')
    .option('--image-size <px>', `digits: resize images to px x px, 0 keeps 28 (default ${dg.imageSize})`, intArg)
    .addOption(new Option('--backend <name>', 'tfjs training backend (auto: WebGPU on a hardware adapter, else wasm)').choices(BACKENDS).default('auto'))
    .addOption(new Option('--engine <name>', 'acquisition engine (auto: WebGPU when an adapter exists)').choices(ENGINES).default('auto'))
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
};

function toRunOptions(p: ParsedOptions, io: CliIo): RunCompareOptions {
  const out: RunCompareOptions = {
    study: p.study,
    backend: p.backend,
    engine: p.engine,
    progress: p.quiet ? 'none' : 'auto',
    stream: io.stderr,
  };
  const copy = ['budget', 'init', 'epochs', 'retrainEpochs', 'retrainRepeats', 'batchSize', 'seed', 'seeds', 'rows', 'data', 'imageSize', 'json'] as const;
  for (const k of copy) if (p[k] !== undefined) (out as Record<string, unknown>)[k] = p[k];
  if (p.report !== false) out.report = p.report;
  return out;
}

function printResult(record: CompareRecord, opts: RunCompareOptions, io: CliIo): void {
  io.stdout.write(formatRecord(record) + '\n');
  if (opts.json !== undefined) io.stdout.write(`record: ${opts.json}\n`);
  if (opts.report !== undefined) io.stdout.write(`report: ${opts.report}\n`);
}

/** The commander program, writing to `io` (default the process's streams). */
export function buildProgram(io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Command {
  const program = new Command()
    .name('webgpu-bayesopt')
    .description('Hyperparameter search for TensorFlow.js networks: grid vs random vs Bayesian optimization (float64 GP, WebGPU acquisition).')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    // Throw instead of exiting (runCli turns errors into exit codes); subcommands inherit this.
    .exitOverride();

  addCommonOptions(program.command('compare'))
    .description('run grid, random and Bayesian search with the same budget and compare them')
    .action(async (p: ParsedOptions) => {
      const opts = toRunOptions(p, io);
      printResult(await runCompare(opts), opts, io);
    });

  addCommonOptions(program.command('tune'))
    .description('run one search strategy')
    .addOption(new Option('--strategy <name>', 'search strategy').choices(STRATEGIES).default('bayes'))
    .action(async (p: ParsedOptions) => {
      const opts = toRunOptions(p, io);
      printResult(await runTune({ ...opts, strategy: p.strategy }), opts, io);
    });
  program.command('studies')
    .description('list the studies in a storage: a journal file (Optuna\'s journal format) or a redis:// URL')
    .argument('<storage>', 'journal file path or redis://host:port/db')
    .action(async (storage: string) => {
      io.stdout.write(formatStudies(storage, await listStudies(storage)));
    });
  return program;
}

/** `--retrain-epochs` for the option name "retrainEpochs" in error messages. */
function flagName(option: string): string {
  return '--' + option.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/**
 * Runs the command line (`argv` as in `process.argv`) and resolves to the
 * exit code: 0 on success, 2 for bad options, 1 for other failures.
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
      const opt = (err as BayesOptError & { option?: string }).option;
      const msg = opt !== undefined ? err.message.replace(`option "${opt}"`, `option ${flagName(opt)}`) : err.message;
      streams.stderr.write(`error: ${msg}\n`);
      return err.name === 'InvalidOptionError' ? 2 : 1;
    }
    streams.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
