/**
 * Validation/test metrics computed with tfjs ops on whatever backend is
 * active, and the conversion of plain arrays into tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors';

export type MetricName = 'rmse' | 'accuracy';

/** A tensor, or a typed array with its shape (row-major). */
export type TensorInput = tf.Tensor | { values: Float32Array | Int32Array; shape: readonly number[] };

/** Whether larger values of the metric are better. */
export function metricDirection(metric: MetricName): 'minimize' | 'maximize' {
  return metric === 'accuracy' ? 'maximize' : 'minimize';
}

export function checkMetric(metric: unknown): asserts metric is MetricName {
  if (metric !== 'rmse' && metric !== 'accuracy') {
    throw new InvalidOptionError(
      `option "metric": must be "rmse" or "accuracy" (got ${JSON.stringify(metric)})`, 'metric');
  }
}

/**
 * A tensor for `input`, and whether the caller of this function owns it (and
 * must dispose it): tensors passed in stay their owner's.
 * @throws InvalidOptionError naming `name` for a disposed tensor or values that do not fill the shape
 */
export function asTensor(input: TensorInput, name: string): { tensor: tf.Tensor; owned: boolean } {
  if (input instanceof tf.Tensor) {
    // a disposed tensor failed deep in tfjs's fit with a TypeError, after the model and optimizer were made
    if (input.isDisposed) throw new InvalidOptionError(`option "${name}": the tensor has been disposed`, name);
    return { tensor: input, owned: false };
  }
  const size = input.shape.reduce((a, b) => a * b, 1);
  if (input.values.length !== size) {
    throw new InvalidOptionError(
      `option "${name}": ${input.values.length} values do not fill shape [${input.shape.join(', ')}] (${size})`, name);
  }
  const dtype = input.values instanceof Int32Array ? 'int32' : 'float32';
  return { tensor: tf.tensor(input.values, [...input.shape], dtype), owned: true };
}

/**
 * The metric of predictions against targets, as a scalar tensor.
 * - rmse: `pred` and `y` hold `n` values each (shape `n` or `n x 1`);
 *   result is sqrt(mean((pred - y)^2)) * `targetStd`.
 * - accuracy: `pred` is `n x k` class scores; `y` is `n` integer labels or
 *   `n x k` one-hot rows; result is the fraction with argmax(pred) = label.
 */
export function metricTensor(metric: MetricName, pred: tf.Tensor, y: tf.Tensor, targetStd = 1): tf.Scalar {
  return tf.tidy(() => {
    if (metric === 'rmse') {
      const d = tf.sub(pred.reshape([-1]), y.reshape([-1]).toFloat());
      return tf.sqrt(tf.mean(tf.square(d))).mul(targetStd) as tf.Scalar;
    }
    const predicted = tf.argMax(pred, -1);
    const labels = y.rank >= 2 && y.shape[y.rank - 1]! > 1 ? tf.argMax(y, -1) : y.reshape([-1]).toInt();
    return tf.mean(tf.equal(predicted, labels).toFloat()) as tf.Scalar;
  });
}

/** Options of {@link evaluateModel}. */
export interface EvaluateOptions {
  /** Rows per `predict` batch; default 256. */
  batchSize?: number;
  /** RMSE only: targets were divided by this for training, so RMSE is scaled back by it. Default 1. */
  targetStd?: number;
}

/**
 * The metric of `model` on `x` (`n x ...features`) against `y` (see
 * {@link metricTensor}); no tensors are left behind. Inference mode (dropout off).
 */
export async function evaluateModel(
  model: tf.LayersModel, x: TensorInput, y: TensorInput, metric: MetricName, opts: EvaluateOptions = {},
): Promise<number> {
  checkMetric(metric);
  const xs = asTensor(x, 'x');
  let ys: { tensor: tf.Tensor; owned: boolean } | null = null;
  try {
    ys = asTensor(y, 'y');
    const yt = ys.tensor;
    const value = tf.tidy(() => {
      const pred = model.predict(xs.tensor, { batchSize: opts.batchSize ?? 256 }) as tf.Tensor;
      return metricTensor(metric, pred, yt, opts.targetStd ?? 1);
    });
    try {
      return (await value.data())[0];
    } finally {
      value.dispose();
    }
  } finally {
    if (xs.owned) xs.tensor.dispose();
    if (ys?.owned) ys.tensor.dispose();
  }
}
