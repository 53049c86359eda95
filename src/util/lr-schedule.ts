/**
 * Learning-rate schedules for a training of known length. A rate picked by a
 * search of short trainings is its best *starting* rate; held for a long
 * retraining it keeps the weights bouncing at the end. Decaying it to zero
 * over the run lets the last steps settle (the usual cure; see the digits
 * study's README section for what it measured). Free of tfjs, so the
 * command line can check the option without loading it; the optimizers that
 * follow a schedule are in src/tfjs/scheduled-optimizer.ts.
 */
import { InvalidOptionError } from '../errors';
import { show } from './format-value';

/**
 * `'constant'`: the rate throughout; `'linear'`: from the rate down to 0 at
 * the last step; `'warmup-linear'`: up from rate / w to the rate over the
 * first w = {@link warmupSteps} steps, then linearly down to 0 at the last.
 */
export type LrSchedule = 'constant' | 'linear' | 'warmup-linear';

export const LR_SCHEDULES: readonly LrSchedule[] = ['constant', 'linear', 'warmup-linear'];

/** Share of the steps `'warmup-linear'` spends rising to the peak rate. */
export const WARMUP_FRACTION = 0.05;

/**
 * Warm-up steps of `'warmup-linear'` over `totalSteps`: 5% of them, at least 1.
 * RMSprop's first steps are the largest (its running mean of squared
 * gradients starts at 0, so a first step moves each weight by about
 * rate / sqrt(1 - decay) = 3.2 x rate), which is what a warm-up tames.
 */
export function warmupSteps(totalSteps: number): number {
  return Math.max(1, Math.round(WARMUP_FRACTION * totalSteps));
}

/** Throws unless `value` names a schedule; `name` is the option reported. */
export function checkLrSchedule(value: unknown, name: string): asserts value is LrSchedule {
  if (!(LR_SCHEDULES as readonly unknown[]).includes(value)) {
    throw new InvalidOptionError(`option "${name}": must be one of ${LR_SCHEDULES.join(', ')} (got ${show(value)})`, name);
  }
}

/**
 * The rate of step `step` (0-based) of `totalSteps` under `schedule`, for a
 * peak rate `lr`: linear gives lr * (1 - step / totalSteps), so the first step
 * takes lr and the last lr / totalSteps; warmup-linear gives
 * lr * (step + 1) / w for the first w steps, then
 * lr * (1 - (step - w + 1) / (totalSteps - w + 1)), so step w - 1 takes lr
 * and the last step lr / (totalSteps - w + 1).
 */
export function scheduledRate(schedule: LrSchedule, lr: number, step: number, totalSteps: number): number {
  if (schedule === 'constant') return lr;
  if (schedule === 'linear') return lr * Math.max(0, 1 - step / totalSteps);
  const w = warmupSteps(totalSteps);
  if (step < w) return (lr * (step + 1)) / w;
  return lr * Math.max(0, 1 - (step - w + 1) / (totalSteps - w + 1));
}

/** Optimizer steps of `epochs` epochs over `rows` rows at `batchSize` (the last batch of an epoch may be short). */
export function trainingSteps(rows: number, epochs: number, batchSize: number): number {
  return epochs * Math.ceil(rows / batchSize);
}

/**
 * The rates of a training's steps in turn: `current` is the next step's
 * rate, `next()` returns it and moves on. Steps beyond `totalSteps` keep
 * the last rate's rule (0 for linear).
 *
 * @example
 *   const rates = new RateSchedule(1e-3, 'linear', 4); // next(): 1e-3, 7.5e-4, 5e-4, 2.5e-4, 0, ...
 */
export class RateSchedule {
  private step = 0;

  constructor(readonly peakRate: number, readonly schedule: LrSchedule, readonly totalSteps: number) {
    if (!(Number.isInteger(totalSteps) && totalSteps >= 1)) {
      throw new InvalidOptionError(`option "totalSteps": must be a positive integer (got ${show(totalSteps)})`, 'totalSteps');
    }
    checkLrSchedule(schedule, 'schedule');
  }

  get current(): number {
    return scheduledRate(this.schedule, this.peakRate, this.step, this.totalSteps);
  }

  next(): number {
    const rate = this.current;
    this.step++;
    return rate;
  }
}
