/**
 * Learning-rate schedules for a training of known length. A rate picked by a
 * search of short trainings is its best *starting* rate; held for a long
 * retraining it keeps the weights bouncing at the end. Decaying it to zero
 * over the run lets the last steps settle (the usual cure; see the digits
 * study's README section for what it measured).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors';

/** `'constant'`: the rate throughout; `'linear'`: from the rate down to 0 at the last step. */
export type LrSchedule = 'constant' | 'linear';

export const LR_SCHEDULES: readonly LrSchedule[] = ['constant', 'linear'];

/** Throws unless `value` names a schedule; `name` is the option reported. */
export function checkLrSchedule(value: unknown, name: string): asserts value is LrSchedule {
  if (!(LR_SCHEDULES as readonly unknown[]).includes(value)) {
    throw new InvalidOptionError(`option "${name}": must be one of ${LR_SCHEDULES.join(', ')} (got ${String(value)})`, name);
  }
}

/**
 * The rate of step `step` (0-based) of `totalSteps` under `schedule`, for a
 * peak rate `lr`: linear gives lr * (1 - step / totalSteps), so the first step
 * takes lr and the last lr / totalSteps.
 */
export function scheduledRate(schedule: LrSchedule, lr: number, step: number, totalSteps: number): number {
  if (schedule === 'constant') return lr;
  return lr * Math.max(0, 1 - step / totalSteps);
}

/**
 * RMSprop (tfjs defaults: decay 0.9, epsilon 1e-7) whose rate follows
 * `schedule` over `totalSteps` optimizer steps. tfjs's RMSprop reads its
 * `learningRate` at every step, so setting it before each step is the whole
 * schedule; steps beyond `totalSteps` keep the last rate's rule (0 for linear).
 *
 * @example
 *   const opt = new ScheduledRmsprop(3e-3, 'linear', epochs * Math.ceil(n / batch));
 */
export class ScheduledRmsprop extends tf.RMSPropOptimizer {
  private stepsTaken = 0;

  constructor(readonly peakRate: number, readonly schedule: LrSchedule, readonly totalSteps: number) {
    super(peakRate);
    if (!(Number.isInteger(totalSteps) && totalSteps >= 1)) {
      throw new InvalidOptionError(`option "totalSteps": must be a positive integer (got ${totalSteps})`, 'totalSteps');
    }
    checkLrSchedule(schedule, 'schedule');
  }

  /** The rate the next step will take. */
  get currentRate(): number {
    return scheduledRate(this.schedule, this.peakRate, this.stepsTaken, this.totalSteps);
  }

  override applyGradients(variableGradients: Parameters<tf.RMSPropOptimizer['applyGradients']>[0]): void {
    this.learningRate = this.currentRate;
    this.stepsTaken++;
    super.applyGradients(variableGradients);
  }
}
