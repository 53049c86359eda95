/**
 * Training one trial: build, compile, fit with early stopping on the
 * validation metric, restore the best weights, report, and free every tensor
 * the trial made (model, optimizer state, data copies, weight snapshots), so
 * `tf.memory().numTensors` is the same before and after.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineError, InvalidOptionError } from '../errors';
import type { Reporter } from '../pruners';
import { Rng } from '../util/rng';
import { evaluateModel, metricDirection } from './metrics';
import {
  checkFitOptions, compileModel, evaluateOptions, fitEpoch, fitEpochInParts, reportParts, TensorScope,
  type CompileArgs, type EpochLogs, type FitOptions, type TrialData,
} from './fit';
import { builtModel, checkCompile, checkDataParts, fitsInput, sameRows } from './data-checks';

// Kept importable from here, where they were first defined.
export type { CompileArgs, EpochLogs, TrialData } from './fit';
export { retrainAndTest, type RetrainOptions, type RetrainResult } from './retrain';

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
  /**
   * With a context: the validation metric is also reported within each
   * epoch, after each of this many parts of whole batches (the same batches
   * as one pass), as steps epoch * R + 1 .. (epoch + 1) * R, so a pruner can
   * stop a training of few epochs (one) early. The epoch's last part is the
   * epoch's value: early stopping and the best weights still go by epochs.
   * At most the epoch's batches (fewer are used when it has fewer). [1]
   */
  reportsPerEpoch?: number;
}

export interface TrainTrialResult {
  /** Best validation metric (the weights restored at the end are the ones that gave it); NaN if no epoch gave a finite value. */
  valMetric: number;
  /** 0-based epoch of `valMetric`; -1 when none was finite */
  bestEpoch: number;
  /** epochs trained: a fraction (e.g. 0.25) when a pruner stopped it within an epoch (see `reportsPerEpoch`) */
  epochsRun: number;
  /** whether patience ran out (or the loss went non-finite) before `epochs` */
  stoppedEarly: boolean;
  /** whether the pruner stopped it (see `context`) */
  pruned: boolean;
  /** wall time of fitting and validation, ms (excludes building and compiling) */
  trainMs: number;
  history: EpochLogs[];
}

/**
 * Builds, compiles and fits one model, stopping early when the validation
 * metric has not improved for `patience` epochs and restoring the best
 * weights; returns the best validation metric. Training also stops when the
 * loss becomes non-finite. All tensors created here are disposed, whether the
 * trial finishes, throws or is aborted (then it rejects with `signal.reason`).
 */
export async function trainTrial(opts: TrainTrialOptions): Promise<TrainTrialResult> {
  checkFitOptions(opts, 'trainTrial', ['build', 'compile', 'data', 'patience', 'minDelta', 'context', 'reportsPerEpoch']);
  checkDataParts(opts.data, ['xTrain', 'yTrain', 'xVal', 'yVal']);
  checkCompile(opts.compile);
  const ctx = opts.context as unknown;
  if (ctx !== undefined && ctx !== null && !(typeof ctx === 'object' && typeof (ctx as { report?: unknown }).report === 'function')) {
    // found only after the first epoch before (`opts.context.report is not a function`)
    throw new InvalidOptionError('option "context": must be the objective\'s context, with report(step, value)', 'context');
  }
  const scope = new TensorScope();
  let model: tf.LayersModel | null = null;
  let optimizer: tf.Optimizer | null = null;
  let best: tf.Tensor[] | null = null;
  const backend = activeBackend();
  try {
    const xTrain = scope.take(opts.data.xTrain, 'xTrain');
    const yTrain = scope.take(opts.data.yTrain, 'yTrain');
    const xVal = scope.take(opts.data.xVal, 'xVal');
    const yVal = scope.take(opts.data.yVal, 'yVal');
    sameRows(xTrain, yTrain, 'training');
    sameRows(xVal, yVal, 'validation');

    model = builtModel(opts.build);
    fitsInput(model, xTrain, 'training');
    fitsInput(model, xVal, 'validation');
    optimizer = compileModel(model, opts.compile);
    const m = model;
    const minimize = metricDirection(opts.metric) === 'minimize';
    const minDelta = opts.minDelta ?? 0;
    const improves = (v: number, ref: number) =>
      Number.isFinite(v) && (!Number.isFinite(ref) || (minimize ? v < ref - minDelta : v > ref + minDelta));
    const patience = opts.patience ?? Infinity;
    const rng = opts.seed === undefined ? null : new Rng(opts.seed);
    const perEpoch = opts.reportsPerEpoch ?? 1;
    // parts of an epoch, each reported as a step (only with a context: reports are what they are for)
    const parts = opts.context ? reportParts(perEpoch, xTrain.shape[0]!, opts.batchSize ?? 32) : 1;

    const history: EpochLogs[] = [];
    let bestValue = NaN;
    let bestEpoch = -1;
    let stoppedEarly = false;
    let pruned = false;
    let epochsRun = 0;
    const start = performance.now();
    const validate = () => evaluateModel(m, xVal, yVal, opts.metric, evaluateOptions(opts));
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const t0 = performance.now();
      let partValue = NaN;
      const fitted = parts === 1 ? { loss: await fitEpoch(m, xTrain, yTrain, opts, rng), parts: 1 }
        : await fitEpochInParts(m, xTrain, yTrain, opts, rng, parts, async (j) => {
          partValue = await validate();
          return Number.isFinite(partValue) && opts.context!.report(epoch * parts + j + 1, partValue);
        });
      if (fitted.parts < parts && Number.isFinite(fitted.loss)) {
        // stopped within the epoch by the pruner (a diverged part stops it too, and goes on below as a
        // diverged epoch): its partial record, and the fraction of the epoch it trained
        history.push({ loss: fitted.loss, valMetric: partValue, ms: performance.now() - t0 });
        epochsRun = epoch + fitted.parts / parts;
        pruned = true;
        break;
      }
      const loss = fitted.loss;
      const valMetric = await validate();
      const logs: EpochLogs = { loss, valMetric, ms: performance.now() - t0 };
      history.push(logs);
      epochsRun = epoch + 1;
      opts.onEpoch?.(epoch, logs);
      // a diverged epoch is no result, whatever its metric: NaN weights still classify (every
      // input as class 0), so an accuracy stays finite where an error would be NaN
      if (Number.isFinite(loss) && improves(valMetric, bestValue)) {
        bestValue = valMetric;
        bestEpoch = epoch;
        tf.dispose(best ?? []);
        best = m.getWeights().map((w) => w.clone());
      }
      // a non-finite metric, or any of a diverged epoch, is not reported (a report must be finite,
      // and mean something); a diverged loss ends the trial below.
      // The last epoch (or the one where patience runs out) is reported as final: the pruner is
      // not asked, since stopping there saves nothing and would discard a finished training.
      const final = epoch + 1 === opts.epochs || !Number.isFinite(loss) || epoch - bestEpoch >= patience;
      if (opts.context && Number.isFinite(valMetric) && Number.isFinite(loss)
        && (await opts.context.report((epoch + 1) * parts, valMetric, final ? { final } : undefined))) {
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
    // a browser reads the old backend's tensors back as zeros rather than failing: no result from them
    if (activeBackend() !== backend) throw new Error('the backend changed');
    return { valMetric: bestValue, bestEpoch, epochsRun, stoppedEarly, pruned, trainMs, history };
  } catch (e) {
    // tfjs left its backend mid-training (setupTfjsBackend on a lost WebGPU device): the tensors were
    // on the old one, and what failed (a read through a missing OffscreenCanvas in Node) said nothing
    if (activeBackend() !== backend) {
      throw new EngineError('trainTrial: TensorFlow.js changed backend during the training (its WebGPU device was lost?); the trial\'s tensors were on the old one', { cause: e });
    }
    throw e;
  } finally {
    tf.dispose(best ?? []);
    model?.dispose();
    optimizer?.dispose();
    scope.dispose();
  }
}

/**
 * The backend tfjs runs on now, read without side effects: `tf.backend()` starts the best registered
 * backend where none is active, and throws while one is still initializing (setupTfjsBackend moving
 * off a lost device), which hid this training's EngineError behind tfjs's own message.
 */
function activeBackend(): unknown {
  try {
    return (tf.engine() as unknown as { backendInstance?: unknown }).backendInstance ?? null;
  } catch {
    return null;
  }
}
