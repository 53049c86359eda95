/**
 * Training one trial: build, compile, fit with early stopping on the
 * validation metric, restore the best weights, report, and free every tensor
 * the trial made (model, optimizer state, data copies, weight snapshots), so
 * `tf.memory().numTensors` is the same before and after.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors';
import type { Reporter } from '../pruners';
import { Rng } from '../util/rng';
import { asTensor, checkMetric, evaluateModel, metricDirection, type MetricName, type TensorInput } from './metrics';

/** How the model is compiled. */
export interface CompileArgs {
  /** A tfjs optimizer name, or a factory called once per trial (the trial disposes what it returns). */
  optimizer: string | (() => tf.Optimizer);
  /** A tfjs loss name (`'meanSquaredError'`, `'categoricalCrossentropy'`, ...) or function. */
  loss: string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor);
}

/** Training and validation data; each a tensor (left undisposed) or a typed array with its shape. */
export interface TrialData {
  /** `n x ...inputShape` */
  xTrain: TensorInput;
  /** `n` or `n x outputs` */
  yTrain: TensorInput;
  xVal: TensorInput;
  yVal: TensorInput;
}

/** One epoch of the training log. */
export interface EpochLogs {
  /** mean training loss over the epoch */
  loss: number;
  /** validation metric after the epoch; `null` when training without validation (retraining) */
  valMetric: number | null;
  /** wall time of the epoch including validation, ms */
  ms: number;
}

interface FitOptions {
  metric: MetricName;
  /** Epochs at most. */
  epochs: number;
  /** Default 32. */
  batchSize?: number;
  /**
   * RMSE only: the targets were standardized as (y - mean) / targetStd, so
   * reported RMSE is multiplied back by it. Default 1.
   */
  targetStd?: number;
  /**
   * When given, each epoch's order comes from a generator seeded with it
   * (reproducible runs given seeded initializers); default: tfjs's own shuffle.
   */
  seed?: number;
  /** Aborts between epochs and, within an epoch, at tfjs's yield points (~every 125 ms). */
  signal?: AbortSignal;
  onEpoch?: (epoch: number, logs: EpochLogs) => void;
}

/** Options of {@link trainTrial}. */
export interface TrainTrialOptions extends FitOptions {
  /** Builds a fresh, uncompiled model; the trial disposes it. */
  build: () => tf.LayersModel;
  compile: CompileArgs;
  data: TrialData;
  /** Stop after this many epochs without improvement of the validation metric. Default: never. */
  patience?: number;
  /** Smallest change that counts as improvement. Default 0. */
  minDelta?: number;
  /**
   * The objective's context: the validation metric is reported after every
   * epoch as step epoch + 1, and training stops when the pruner says so.
   * Default: none.
   */
  context?: Reporter;
}

export interface TrainTrialResult {
  /** Best validation metric (the weights restored at the end are the ones that gave it); NaN if no epoch gave a finite value. */
  valMetric: number;
  /** 0-based epoch of `valMetric`; -1 when none was finite */
  bestEpoch: number;
  epochsRun: number;
  /** whether patience ran out (or the loss went non-finite) before `epochs` */
  stoppedEarly: boolean;
  /** whether the pruner stopped it (see `context`) */
  pruned: boolean;
  /** wall time of fitting and validation, ms (excludes building and compiling) */
  trainMs: number;
  history: EpochLogs[];
}

function positiveInt(value: number | undefined, name: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(`option "${name}": must be a positive integer (got ${value})`, name);
  }
}

function checkFitOptions(o: FitOptions & { patience?: number; minDelta?: number }): void {
  checkMetric(o.metric);
  if (o.epochs === undefined) throw new InvalidOptionError('option "epochs": is required', 'epochs');
  positiveInt(o.epochs, 'epochs');
  positiveInt(o.batchSize, 'batchSize');
  if (o.patience !== undefined && !(o.patience === Infinity || (Number.isInteger(o.patience) && o.patience >= 1))) {
    throw new InvalidOptionError(`option "patience": must be a positive integer or Infinity (got ${o.patience})`, 'patience');
  }
  if (o.minDelta !== undefined && !(o.minDelta >= 0)) {
    throw new InvalidOptionError(`option "minDelta": must be >= 0 (got ${o.minDelta})`, 'minDelta');
  }
  if (o.targetStd !== undefined && !(o.targetStd > 0 && Number.isFinite(o.targetStd))) {
    throw new InvalidOptionError(`option "targetStd": must be a positive finite number (got ${o.targetStd})`, 'targetStd');
  }
}

function sameRows(x: tf.Tensor, y: tf.Tensor, what: string): void {
  if (x.shape[0] !== y.shape[0]) {
    throw new InvalidOptionError(
      `option "data": ${what} x has ${x.shape[0]} rows but y has ${y.shape[0]}`, 'data');
  }
}

/** Converts inputs to tensors, remembering which ones this call made (and must free). */
class TensorScope {
  private owned: tf.Tensor[] = [];
  take(input: TensorInput, name: string): tf.Tensor {
    const t = asTensor(input, name);
    if (t.owned) this.owned.push(t.tensor);
    return t.tensor;
  }
  own<T extends tf.Tensor>(t: T): T {
    this.owned.push(t);
    return t;
  }
  dispose(): void {
    tf.dispose(this.owned);
    this.owned = [];
  }
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** One epoch of fitting; returns the mean training loss. */
async function fitEpoch(
  model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, o: FitOptions, rng: Rng | null,
): Promise<number> {
  let xs = x;
  let ys = y;
  if (rng !== null) {
    const order = rng.shuffle(Array.from({ length: x.shape[0]! }, (_, i) => i));
    [xs, ys] = tf.tidy(() => {
      const idx = tf.tensor1d(order, 'int32');
      return [tf.gather(x, idx), tf.gather(y, idx)];
    });
  }
  const signal = o.signal;
  const callbacks = signal === undefined ? undefined : {
    onYield: () => { if (signal.aborted) model.stopTraining = true; },
  };
  try {
    const h = await model.fit(xs, ys, {
      epochs: 1, batchSize: o.batchSize ?? 32, shuffle: rng === null, verbose: 0, callbacks,
    });
    return Number(h.history.loss?.[0] ?? NaN);
  } finally {
    if (xs !== x) tf.dispose([xs, ys]);
  }
}

function compileModel(model: tf.LayersModel, compile: CompileArgs): tf.Optimizer | null {
  const optimizer = typeof compile.optimizer === 'function' ? compile.optimizer() : null;
  model.compile({ optimizer: optimizer ?? (compile.optimizer as string), loss: compile.loss });
  return optimizer;
}

/**
 * Builds, compiles and fits one model, stopping early when the validation
 * metric has not improved for `patience` epochs and restoring the best
 * weights; returns the best validation metric. Training also stops when the
 * loss becomes non-finite. All tensors created here are disposed, whether the
 * trial finishes, throws or is aborted (then it rejects with `signal.reason`).
 */
export async function trainTrial(opts: TrainTrialOptions): Promise<TrainTrialResult> {
  checkFitOptions(opts);
  const scope = new TensorScope();
  let model: tf.LayersModel | null = null;
  let optimizer: tf.Optimizer | null = null;
  let best: tf.Tensor[] | null = null;
  try {
    const xTrain = scope.take(opts.data.xTrain, 'xTrain');
    const yTrain = scope.take(opts.data.yTrain, 'yTrain');
    const xVal = scope.take(opts.data.xVal, 'xVal');
    const yVal = scope.take(opts.data.yVal, 'yVal');
    sameRows(xTrain, yTrain, 'training');
    sameRows(xVal, yVal, 'validation');

    model = opts.build();
    optimizer = compileModel(model, opts.compile);
    const m = model;
    const minimize = metricDirection(opts.metric) === 'minimize';
    const minDelta = opts.minDelta ?? 0;
    const improves = (v: number, ref: number) =>
      Number.isFinite(v) && (!Number.isFinite(ref) || (minimize ? v < ref - minDelta : v > ref + minDelta));
    const patience = opts.patience ?? Infinity;
    const rng = opts.seed === undefined ? null : new Rng(opts.seed);

    const history: EpochLogs[] = [];
    let bestValue = NaN;
    let bestEpoch = -1;
    let stoppedEarly = false;
    let pruned = false;
    const start = performance.now();
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const t0 = performance.now();
      const loss = await fitEpoch(m, xTrain, yTrain, opts, rng);
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const valMetric = await evaluateModel(m, xVal, yVal, opts.metric, {
        batchSize: Math.max(256, opts.batchSize ?? 32), targetStd: opts.targetStd,
      });
      const logs: EpochLogs = { loss, valMetric, ms: performance.now() - t0 };
      history.push(logs);
      opts.onEpoch?.(epoch, logs);
      if (improves(valMetric, bestValue)) {
        bestValue = valMetric;
        bestEpoch = epoch;
        tf.dispose(best ?? []);
        best = m.getWeights().map((w) => w.clone());
      }
      // a non-finite metric is not reported (a report must be finite); a diverged loss ends the trial below.
      // The last epoch (or the one where patience runs out) is reported as final: the pruner is
      // not asked, since stopping there saves nothing and would discard a finished training.
      const final = epoch + 1 === opts.epochs || !Number.isFinite(loss) || epoch - bestEpoch >= patience;
      if (opts.context && Number.isFinite(valMetric)
        && (await opts.context.report(epoch + 1, valMetric, final ? { final } : undefined))) {
        pruned = true;
        break;
      }
      if (!Number.isFinite(loss) || epoch - bestEpoch >= patience) {
        stoppedEarly = epoch + 1 < opts.epochs;
        break;
      }
    }
    const trainMs = performance.now() - start;
    // The weights that gave the reported metric (unchanged if the last epoch was best).
    if (best !== null && bestEpoch !== history.length - 1) m.setWeights(best);
    return { valMetric: bestValue, bestEpoch, epochsRun: history.length, stoppedEarly, pruned, trainMs, history };
  } finally {
    tf.dispose(best ?? []);
    model?.dispose();
    optimizer?.dispose();
    scope.dispose();
  }
}

/** Options of {@link retrainAndTest}. */
export interface RetrainOptions extends FitOptions {
  build: () => tf.LayersModel;
  compile: CompileArgs;
  data: TrialData & { xTest: TensorInput; yTest: TensorInput };
  /**
   * Data augmentation: called before each epoch with the training rows
   * (train + val) and the 0-based epoch, returns the rows to train on
   * (a new tensor, which the retraining disposes after the epoch; the labels
   * are unchanged). Default: none.
   */
  augment?: (x: tf.Tensor, epoch: number) => tf.Tensor;
}

export interface RetrainResult {
  /** metric of the retrained model on the test split */
  testMetric: number;
  epochsRun: number;
  /** wall time of fitting, ms */
  trainMs: number;
  /** per-epoch training loss (`valMetric` is null: nothing is held out) */
  history: EpochLogs[];
}

/**
 * Retrains a configuration for exactly `epochs` epochs on train + validation
 * (concatenated along rows) and reports its metric on the test split: the
 * final, unbiased number for the configuration a study selected. Frees every
 * tensor it created.
 */
export async function retrainAndTest(opts: RetrainOptions): Promise<RetrainResult> {
  checkFitOptions(opts);
  const scope = new TensorScope();
  let model: tf.LayersModel | null = null;
  let optimizer: tf.Optimizer | null = null;
  try {
    const parts = {
      xTrain: scope.take(opts.data.xTrain, 'xTrain'), yTrain: scope.take(opts.data.yTrain, 'yTrain'),
      xVal: scope.take(opts.data.xVal, 'xVal'), yVal: scope.take(opts.data.yVal, 'yVal'),
      xTest: scope.take(opts.data.xTest, 'xTest'), yTest: scope.take(opts.data.yTest, 'yTest'),
    };
    sameRows(parts.xTrain, parts.yTrain, 'training');
    sameRows(parts.xVal, parts.yVal, 'validation');
    sameRows(parts.xTest, parts.yTest, 'test');
    const x = scope.own(tf.concat([parts.xTrain, parts.xVal], 0));
    const y = scope.own(tf.concat([parts.yTrain, parts.yVal], 0));

    model = opts.build();
    optimizer = compileModel(model, opts.compile);
    const rng = opts.seed === undefined ? null : new Rng(opts.seed);
    const history: EpochLogs[] = [];
    const start = performance.now();
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const t0 = performance.now();
      const xe = opts.augment ? opts.augment(x, epoch) : x;
      let loss: number;
      try {
        loss = await fitEpoch(model, xe, y, opts, rng);
      } finally {
        if (xe !== x) xe.dispose();
      }
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const logs: EpochLogs = { loss, valMetric: null, ms: performance.now() - t0 };
      history.push(logs);
      opts.onEpoch?.(epoch, logs);
      if (!Number.isFinite(loss)) break;
    }
    const trainMs = performance.now() - start;
    const testMetric = await evaluateModel(model, parts.xTest, parts.yTest, opts.metric, {
      batchSize: Math.max(256, opts.batchSize ?? 32), targetStd: opts.targetStd,
    });
    return { testMetric, epochsRun: history.length, trainMs, history };
  } finally {
    model?.dispose();
    optimizer?.dispose();
    scope.dispose();
  }
}
