/**
 * Dropout with reproducible masks (SeededDropout), so that a seeded
 * training run repeats.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors';
import { Rng } from '../util/rng';

export interface SeededDropoutArgs {
  /** fraction of units dropped while training, in [0, 1) */
  rate: number;
  /** seed of the mask stream */
  seed: number;
  name?: string;
}

/**
 * A dropout layer with reproducible masks. tfjs's dropout layer either draws
 * from an unseeded generator or, given a `seed`, reuses the same mask for
 * every batch (each call reseeds). This layer draws a fresh seed per
 * training call from its own stream, so masks differ between batches and
 * repeat between runs that share the seed. Outside training it passes its
 * input through.
 * @throws InvalidOptionError naming `rate` when it is not in [0, 1)
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [4], units: 16, activation: 'relu' }),
 *   new SeededDropout({ rate: 0.2, seed: 1 }), // batch x 16 in and out
 *   tf.layers.dense({ units: 1 }),
 * ] });
 * ```
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'SeededDropout';
  readonly rate: number;
  private readonly rng: Rng;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new InvalidOptionError(`option "rate": must be in [0, 1) (got ${args.rate})`, 'rate');
    }
    this.rate = args.rate;
    this.rng = new Rng(args.seed >>> 0);
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs.training !== true || this.rate === 0) return x; // as tfjs's own layer: the input itself
    // tf.dropout scales kept units by 1 / (1 - rate), as tfjs's own layer does.
    return tf.dropout(x, this.rate, undefined, this.rng.nextUint32());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}

/**
 * A dropout layer: seeded ({@link SeededDropout}) when `seed` is given,
 * else tfjs's own.
 */
export function dropout(rate: number, seed: number | undefined): tf.layers.Layer {
  return seed === undefined ? tf.layers.dropout({ rate }) : new SeededDropout({ rate, seed });
}
