/**
 * The flags `compare` and `tune` share, and the parsers of flag values
 * (integers, row counts, seed and strategy lists) that turn bad values into
 * commander's argument errors.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { BACKENDS, ENGINES, PRUNED_TRIALS, PRUNERS, STRATEGIES, STUDIES, STUDY_DEFAULTS, DIGITS_RETRAIN_SCHEDULE_CLI, DIGITS_RETRAIN_SHIFT_CLI, TIME_BUDGET_CAP } from './options';
import type { StrategyName } from './types';

/** Default report file, in the working directory. */
export const DEFAULT_REPORT = 'webgpu-bayesopt-report.html';

export function intArg(value: string): number {
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
export function strategyList(value: string): StrategyName[] {
  // an empty item (`grid,,bayes`) is a typo, as in --seeds
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length === 0 || !parts.every((s) => (STRATEGIES as readonly string[]).includes(s))) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${STRATEGIES.join(', ')}, e.g. random,bayes.`);
  }
  return parts as StrategyName[];
}

const t = STUDY_DEFAULTS.taxi;
const dg = STUDY_DEFAULTS.digits;

/** What `--init` and `--pruner` do, which differs between `compare` (several rows) and `tune` (one strategy). */
const ROLE_TEXT = {
  compare: {
    init: 'random initial points shared by random and Bayesian search; not with grid search alone, which has none',
    pruner: 'also run random and Bayesian search with this pruner, as rows random+<name> and bayes+<name> (each epoch\'s validation metric is reported)',
    engine: 'acquisition engine (auto: WebGPU when an adapter exists, else the CPU engine)',
  },
  tune: {
    init: 'initial points before Bayesian search\'s model-guided ones (random on a built-in study; with --objective, maximize\'s Latin hypercube design); not with --strategy grid, which has none',
    pruner: 'stop bad trials early with this pruner, judging what the objective reports (ctx.report); on a built-in study (which reports each epoch\'s validation metric) it adds the row <strategy>+<name> beside the plain one, not with --strategy grid',
    engine: 'acquisition engine (auto: WebGPU when an adapter exists, else the CPU engine; with --objective, on a software adapter such as llvmpipe, the CPU engine: the run is seeded and repeats bit for bit)',
  },
} as const;

/** The options `compare` and `tune` share. */
export function addCommonOptions(cmd: Command, role: keyof typeof ROLE_TEXT): Command {
  return cmd
    .addOption(new Option('--study <name>', 'taxi (512-256 MLP, val RMSE) or digits (CNN, val accuracy)').choices(STUDIES).default('taxi'))
    .option('--budget <n>', `evaluations per strategy (default taxi ${t.budget}, digits ${dg.budget})`, intArg)
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
    .addOption(new Option('--engine <name>', ROLE_TEXT[role].engine).choices(ENGINES).default('auto'))
    .addOption(new Option('--pruner <name>', ROLE_TEXT[role].pruner).choices(PRUNERS).default('none'))
    .option('--grace <reports>', `validation reports every evaluation makes before the pruner may stop it: ASHA's and Hyperband's minimum resource, the median pruner's warm-up; taxi reports every epoch, digits every quarter epoch (default taxi ${t.pruning?.grace} when evaluations train ${t.pruning?.epochs} epochs or more, as with --pruner, else ${t.grace}; digits ${dg.grace}, a quarter epoch${role === 'tune' ? "; with --objective, the steps the objective reports, default the pruner's own: 1 for ASHA and Hyperband, no warm-up for median" : ''})`, intArg)
    .addOption(new Option('--pruned-trials <policy>', 'how Bayesian search\'s model reads the trials its pruner stopped: at their last value, extrapolated to the end of training by the completed learning curves, at the worst completed value, not at all, or as a learning curve of a GP over the parameters and training progress (default: last)').choices(PRUNED_TRIALS))
    .option('--time-budget <seconds>', `give each strategy this much wall time instead of a number of evaluations (--budget, if given, then caps the evaluations; without it at most ${TIME_BUDGET_CAP}, and grid search lays its grid out for the study's usual budget)`, intArg)
    .option('--concurrency <n>', 'trainings in flight at once per strategy, a new point asked as each finishes (default 1)', intArg)
    .option('--processes <n>', `worker processes running the strategies' searches and the retrainings side by side, one training each; the results do not depend on it (default taxi ${t.processes}; digits ${dg.processes}, at most the cores available)`, intArg)
    .option('--json <file>', `${role === 'tune' ? 'built-in studies: ' : ''}write the full record (every trial, timings, environment) as JSON${role === 'tune' ? ' (not with --objective)' : ''}`)
    .option('--report <file>', 'write the self-contained HTML report here', DEFAULT_REPORT)
    .option('--no-report', 'do not write the HTML report')
    .option('--quiet', 'no progress output (the table is still printed)');
}
