/**
 * What training a trial and retraining a configuration share: the data and
 * compile arguments, the fit options and their checks, tensors converted
 * from the inputs and freed by their owner, and one epoch of fitting (with
 * a seeded order and abort between and within epochs).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors';
import { Rng } from '../util/rng';
import { checkOptionKeys } from '../util/option-keys';
import { yieldToEventLoop } from '../util/timer';
import { asTensor, checkMetric, type MetricName, type TensorInput } from './metrics';
import { show } from '../util/format-value';

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

export interface FitOptions {
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

/** `patience`: a positive integer or Infinity. @throws InvalidOptionError naming it */
export function checkPatience(p: number | undefined): void {
  if (p !== undefined && !(p === Infinity || (Number.isInteger(p) && p >= 1))) {
    throw new InvalidOptionError(`option "patience": must be a positive integer or Infinity (got ${p})`, 'patience');
  }
}

function positiveInt(value: number | undefined, name: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(`option "${name}": must be a positive integer (got ${value})`, name);
  }
}

export function checkFitOptions(
  o: FitOptions & { patience?: number; minDelta?: number; reportsPerEpoch?: number }, what: string, own: readonly string[],
): void {
  // a misspelt key (`epoch`) trained with the default in silence
  checkOptionKeys(o, what, [...FIT_KEYS, ...own]);
  checkMetric(o.metric);
  if (o.epochs === undefined) throw new InvalidOptionError('option "epochs": is required', 'epochs');
  positiveInt(o.epochs, 'epochs');
  positiveInt(o.batchSize, 'batchSize');
  positiveInt(o.reportsPerEpoch, 'reportsPerEpoch');
  checkPatience(o.patience);
  // a number: the string '0.001' passed >= 0 and then joined the best value as text (no epoch improved)
  if (o.minDelta !== undefined && !(typeof o.minDelta === 'number' && o.minDelta >= 0 && Number.isFinite(o.minDelta))) {
    throw new InvalidOptionError(`option "minDelta": must be a finite number >= 0 (got ${show(o.minDelta)})`, 'minDelta');
  }
  if (o.targetStd !== undefined && !(o.targetStd > 0 && Number.isFinite(o.targetStd))) {
    throw new InvalidOptionError(`option "targetStd": must be a positive finite number (got ${o.targetStd})`, 'targetStd');
  }
  if (o.seed !== undefined && !(typeof o.seed === 'number' && Number.isFinite(o.seed))) {
    throw new InvalidOptionError(`option "seed": must be a finite number (got ${typeof o.seed === 'string' ? JSON.stringify(o.seed) : String(o.seed)})`, 'seed');
  }
  if (o.signal !== undefined && !(typeof o.signal === 'object' && o.signal !== null && typeof o.signal.aborted === 'boolean')) {
    throw new InvalidOptionError('option "signal": must be an AbortSignal', 'signal');
  }
  for (const k of ['onEpoch', 'build', 'augment'] as const) {
    const f = (o as unknown as Record<string, unknown>)[k];
    if (f !== undefined && typeof f !== 'function') throw new InvalidOptionError(`option "${k}": must be a function (got ${typeof f})`, k);
  }
}

/** The keys of FitOptions. */
const FIT_KEYS = ['metric', 'epochs', 'batchSize', 'targetStd', 'seed', 'signal', 'onEpoch'] as const;

/** Converts inputs to tensors, remembering which ones this call made (and must free). */
export class TensorScope {
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

/**
 * With a signal, lets the event loop turn before an epoch: each epoch is its
 * own `model.fit`, whose yield timer (~125 ms) restarts with it, so epochs
 * shorter than that never let a timer abort the signal (a 20 ms
 * `setTimeout(() => ctl.abort())` fired only after 300 epochs).
 */
async function turnForSignal(signal: AbortSignal | undefined): Promise<void> {
  if (signal !== undefined && !signal.aborted) await yieldToEventLoop();
}

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * One epoch of fitting; returns the mean training loss. Rejects with
 * `signal.reason` when aborted before the epoch or during it.
 */
export async function fitEpoch(
  model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, o: FitOptions, rng: Rng | null,
): Promise<number> {
  await turnForSignal(o.signal);
  if (o.signal?.aborted) throw abortError(o.signal);
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
    throwLossFailure(model);
    if (signal?.aborted) throw abortError(signal);
    return Number(h.history.loss?.[0] ?? NaN);
  } finally {
    if (xs !== x) tf.dispose([xs, ys]);
  }
}

/**
 * One epoch fitted in `parts` consecutive parts of whole batches (the same
 * batches, in the same order, as {@link fitEpoch}: the parts only pause the
 * epoch), calling `after(j)` after each part j but the last; when it resolves
 * to true the epoch stops there. `parts` is at most the epoch's batches.
 * Returns the mean training loss over the rows fitted and the parts run.
 */
export async function fitEpochInParts(
  model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, o: FitOptions, rng: Rng | null,
  parts: number, after: (part: number) => Promise<boolean>,
): Promise<{ loss: number; parts: number }> {
  await turnForSignal(o.signal);
  if (o.signal?.aborted) throw abortError(o.signal);
  const n = x.shape[0]!;
  const batchSize = o.batchSize ?? 32;
  const batches = Math.ceil(n / batchSize);
  // unseeded: an order of our own, since tfjs would shuffle each part apart
  const order = (rng ?? new Rng(Math.floor(Math.random() * 2 ** 32))).shuffle(Array.from({ length: n }, (_, i) => i));
  const [xs, ys] = tf.tidy(() => {
    const idx = tf.tensor1d(order, 'int32');
    return [tf.gather(x, idx), tf.gather(y, idx)];
  });
  const signal = o.signal;
  const callbacks = signal === undefined ? undefined : {
    onYield: () => { if (signal.aborted) model.stopTraining = true; },
  };
  let lossSum = 0;
  let rows = 0;
  let run = 0;
  try {
    for (let j = 0; j < parts; j++) {
      // tfjs yields (and onYield sees an abort) only 125 ms into a fit, timed anew for each part: parts
      // shorter than that, with the validation between them, never let a timer fire (an abort or a trial's
      // timeout waited for the epoch's end), so each part starts with a turn of the loop
      if (j > 0) {
        await turnForSignal(signal);
        if (signal?.aborted) throw abortError(signal);
      }
      const start = Math.min(n, Math.floor((j * batches) / parts) * batchSize);
      const end = Math.min(n, Math.floor(((j + 1) * batches) / parts) * batchSize);
      const [xp, yp] = [xs.slice(start, end - start), ys.slice(start, end - start)];
      try {
        const h = await model.fit(xp, yp, { epochs: 1, batchSize, shuffle: false, verbose: 0, callbacks });
        throwLossFailure(model);
        if (signal?.aborted) throw abortError(signal);
        lossSum += Number(h.history.loss?.[0] ?? NaN) * (end - start);
        rows += end - start;
      } finally {
        tf.dispose([xp, yp]);
      }
      run = j + 1;
      // a diverged part ends the epoch unreported (its NaN weights still classify, all as class 0);
      // the caller sees the non-finite loss and stops the training
      if (!Number.isFinite(lossSum)) break;
      if (j + 1 < parts && await after(j)) break;
    }
    return { loss: lossSum / rows, parts: run };
  } finally {
    tf.dispose([xs, ys]);
  }
}

/**
 * The parts an epoch is reported in: `perEpoch`, but never more than the
 * epoch has batches (a part is at least one batch), so a record can say what
 * a curve's steps are.
 */
export function reportParts(perEpoch: number, trainRows: number, batchSize: number): number {
  return Math.max(1, Math.min(perEpoch, Math.ceil(trainRows / batchSize)));
}

/** How a model is scored after fitting: batches of at least 256, RMSE in target units. */
export function evaluateOptions(o: FitOptions): { batchSize: number; targetStd?: number } {
  return { batchSize: Math.max(256, o.batchSize ?? 32), targetStd: o.targetStd };
}

/** What a loss function given as a function threw, by model (see guardedLoss). */
const lossFailures = new WeakMap<tf.LayersModel, { error: unknown } | null>();

/**
 * A loss function that throws inside model.fit leaves tfjs's gradient tape
 * behind with the batch's saved tensors (13 for a two-layer network), one
 * leak per failed trial. So the caller's function is called through this
 * guard: when it throws, the batch ends with a loss of 0 instead (the tape
 * then frees what it saved), training stops after that batch, and
 * {@link throwLossFailure} rethrows the caller's error once fit returns.
 */
function guardedLoss(model: tf.LayersModel, loss: CompileArgs['loss']): CompileArgs['loss'] {
  if (typeof loss !== 'function') return loss;
  lossFailures.set(model, null);
  return (yTrue, yPred) => {
    if (lossFailures.get(model) === null) {
      try {
        return loss(yTrue, yPred);
      } catch (error) {
        lossFailures.set(model, { error });
      }
    }
    model.stopTraining = true;
    // a loss of 0: zero gradients, so the weights stay finite (a NaN loss made them all NaN); the error is rethrown after fit
    return tf.mul(tf.sum(yPred), 0);
  };
}

/** Throws what the model's loss function threw during the last fit (see guardedLoss). */
export function throwLossFailure(model: tf.LayersModel): void {
  const failure = lossFailures.get(model);
  if (!failure) return;
  lossFailures.set(model, null); // said once: a later fit of the model calls the loss again
  throw failure.error;
}

/**
 * Compiles `model`; returns the optimizer a factory made (the caller's to
 * dispose), or null for one named (the model's).
 * @throws InvalidOptionError naming `compile` where tfjs refuses it (an unknown loss or optimizer), nothing left allocated
 */
export function compileModel(model: tf.LayersModel, compile: CompileArgs): tf.Optimizer | null {
  const optimizer = typeof compile.optimizer === 'function' ? compile.optimizer() : null;
  // a factory that made no optimizer: said as such (a cleanup's TypeError hid tfjs's own error)
  // (duck-typed: a second copy of tfjs-core makes instanceof fail for a real one)
  const opt = optimizer as { minimize?: unknown; dispose?: unknown } | null | undefined;
  if (optimizer !== null && !(typeof opt === 'object' && opt !== null && typeof opt.minimize === 'function' && typeof opt.dispose === 'function')) {
    throw new InvalidOptionError(`compile: the optimizer factory returned ${optimizer === undefined ? 'undefined' : typeof optimizer === 'object' ? 'an object without minimize and dispose' : typeof optimizer}, not a tf.Optimizer`, 'compile');
  }
  try {
    model.compile({ optimizer: optimizer ?? (compile.optimizer as string), loss: guardedLoss(model, compile.loss) });
  } catch (err) {
    // a failed compile (an unknown loss) must not leak tensors: the factory's optimizer, or the one tfjs made
    // from a name before it read the loss (Adam's two scalars), which the model keeps but never frees
    optimizer?.dispose();
    if (optimizer === null) (model as { optimizer?: tf.Optimizer }).optimizer?.dispose();
    throw new InvalidOptionError(`compile: ${(err as Error).message}`, 'compile');
  }
  return optimizer;
}
