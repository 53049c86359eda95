/**
 * Retraining the configuration a study selected: on train + validation for a
 * fixed number of epochs, then its metric on the test split.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { evaluateModel, type TensorInput } from './metrics';
import {
  checkFitOptions, compileModel, evaluateOptions, fitEpoch, TensorScope, type CompileArgs, type EpochLogs, type FitOptions, type TrialData,
} from './fit';
import { builtModel, checkCompile, checkDataParts, fitsInput, sameRows } from './data-checks';

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
  /** metric of the retrained model on the test split; NaN when the training diverged (a non-finite loss) */
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
  checkFitOptions(opts, 'retrainAndTest', ['build', 'compile', 'data', 'augment']);
  checkDataParts(opts.data, ['xTrain', 'yTrain', 'xVal', 'yVal', 'xTest', 'yTest']);
  checkCompile(opts.compile);
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
    sameRows(parts.xVal, parts.yVal, 'validation', true); // merged into training here
    sameRows(parts.xTest, parts.yTest, 'test');
    const x = scope.own(tf.concat([parts.xTrain, parts.xVal], 0));
    const y = scope.own(tf.concat([parts.yTrain, parts.yVal], 0));

    model = builtModel(opts.build);
    fitsInput(model, parts.xTrain, 'training');
    if (parts.xVal.shape[0] !== 0) fitsInput(model, parts.xVal, 'validation');
    fitsInput(model, parts.xTest, 'test');
    optimizer = compileModel(model, opts.compile);
    const rng = opts.seed === undefined ? null : new Rng(opts.seed);
    const history: EpochLogs[] = [];
    const start = performance.now();
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const t0 = performance.now();
      const xe = opts.augment ? opts.augment(x, epoch) : x;
      let loss: number;
      try {
        loss = await fitEpoch(model, xe, y, opts, rng);
      } finally {
        if (xe !== x) xe.dispose();
      }
      const logs: EpochLogs = { loss, valMetric: null, ms: performance.now() - t0 };
      history.push(logs);
      opts.onEpoch?.(epoch, logs);
      if (!Number.isFinite(loss)) break;
    }
    const trainMs = performance.now() - start;
    // a diverged training has no test score: its NaN weights would still classify (all as class 0)
    const diverged = history.length > 0 && !Number.isFinite(history[history.length - 1].loss);
    const testMetric = diverged ? NaN : await evaluateModel(model, parts.xTest, parts.yTest, opts.metric, evaluateOptions(opts));
    return { testMetric, epochsRun: history.length, trainMs, history };
  } finally {
    model?.dispose();
    optimizer?.dispose();
    scope.dispose();
  }
}
