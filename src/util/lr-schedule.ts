/**
 * Learning-rate schedules for a training of known length. A rate picked by a
 * search of short trainings is its best *starting* rate; held for a long
 * retraining it keeps the weights bouncing at the end. Decaying it to zero
 * over the run lets the last steps settle (the usual cure; see the digits
 * study's README section for what it measured). Free of tfjs, so the
 * command line can check the option without loading it; the optimizer that
 * follows a schedule is `ScheduledRmsprop` in src/tfjs/scheduled-rmsprop.ts.
 */
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
