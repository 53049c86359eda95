/**
 * tfjs optimizers whose learning rate follows a schedule (../util/lr-schedule):
 * Adam for the taxi study, RMSprop for the digits study. Both read their
 * `learningRate` at every step, so setting it before each step from a
 * RateSchedule is the whole schedule. With `'constant'` each moves exactly as
 * its tfjs optimizer at `peakRate`.
 */
import * as tf from '@tensorflow/tfjs';
import { RateSchedule, type LrSchedule } from '../util/lr-schedule';

/**
 * Adam (tfjs defaults: beta1 0.9, beta2 0.999, epsilon 1e-7) whose rate
 * follows `schedule` over `totalSteps` optimizer steps.
 *
 * @example
 *   const opt = new ScheduledAdam(1e-3, 'linear', trainingSteps(n, epochs, batch));
 */
export class ScheduledAdam extends tf.AdamOptimizer {
  private readonly rates: RateSchedule;

  constructor(peakRate: number, schedule: LrSchedule, totalSteps: number) {
    super(peakRate, 0.9, 0.999);
    this.rates = new RateSchedule(peakRate, schedule, totalSteps);
  }

  /** The rate the next step will take. */
  get currentRate(): number { return this.rates.current; }

  override applyGradients(g: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    this.learningRate = this.rates.next();
    super.applyGradients(g);
  }
}

/**
 * RMSprop (tfjs defaults: decay 0.9, epsilon 1e-7) whose rate follows
 * `schedule` over `totalSteps` optimizer steps.
 *
 * @example
 *   const opt = new ScheduledRmsprop(3e-3, 'linear', trainingSteps(n, epochs, batch));
 */
export class ScheduledRmsprop extends tf.RMSPropOptimizer {
  private readonly rates: RateSchedule;

  constructor(peakRate: number, schedule: LrSchedule, totalSteps: number) {
    super(peakRate);
    this.rates = new RateSchedule(peakRate, schedule, totalSteps);
  }

  /** The rate the next step will take. */
  get currentRate(): number { return this.rates.current; }

  override applyGradients(g: Parameters<tf.RMSPropOptimizer['applyGradients']>[0]): void {
    this.learningRate = this.rates.next();
    super.applyGradients(g);
  }
}
