/** Adam whose learning rate follows a schedule (see ../util/lr-schedule). */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors';
import { checkLrSchedule, scheduledRate, type LrSchedule } from '../util/lr-schedule';

/**
 * Adam (tfjs defaults: beta1 0.9, beta2 0.999, epsilon 1e-7) whose rate
 * follows `schedule` over `totalSteps` optimizer steps. tfjs's Adam reads its
 * `learningRate` at every step, so setting it before each step is the whole
 * schedule; steps beyond `totalSteps` keep the last rate's rule (0 for linear).
 * With `'constant'` it moves exactly as `tf.train.adam(peakRate)`.
 *
 * @example
 *   const opt = new ScheduledAdam(1e-3, 'linear', epochs * Math.ceil(n / batch));
 */
export class ScheduledAdam extends tf.AdamOptimizer {
  private stepsTaken = 0;

  constructor(readonly peakRate: number, readonly schedule: LrSchedule, readonly totalSteps: number) {
    super(peakRate, 0.9, 0.999);
    if (!(Number.isInteger(totalSteps) && totalSteps >= 1)) {
      throw new InvalidOptionError(`option "totalSteps": must be a positive integer (got ${totalSteps})`, 'totalSteps');
    }
    checkLrSchedule(schedule, 'schedule');
  }

  /** The rate the next step will take. */
  get currentRate(): number {
    return scheduledRate(this.schedule, this.peakRate, this.stepsTaken, this.totalSteps);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    this.learningRate = this.currentRate;
    this.stepsTaken++;
    super.applyGradients(variableGradients);
  }
}
