/**
 * Percentile and median pruning (Optuna's PercentilePruner / MedianPruner):
 * stop a trial whose best value so far is worse than the given percentile of
 * the values completed trials reported at the same step.
 */
import { InvalidOptionError } from '../errors';
import { describe } from '../space/format';
import { checkOptionKeys, given } from '../util/option-keys';
import { bestValue, lastStep, valueAt } from './curve';
import type { PruneInput, Pruner } from './types';

/** Options of {@link PercentilePruner}. Defaults in brackets. */
export interface PercentilePrunerOptions {
  /** no pruning until this many trials are complete [5] */
  startupTrials?: number;
  /** no pruning at steps below this [0] */
  warmupSteps?: number;
  /** judge only once per this many steps, counted from `warmupSteps` [1] */
  intervalSteps?: number;
  /** no pruning at a step fewer than this many complete trials reported [1] */
  minTrials?: number;
}

/**
 * Keeps the top `percentile` percent: at step `s`, a trial is pruned when its
 * best value over steps <= s is worse than the `percentile`-th best of the
 * complete trials' values at `s` (linear interpolation between ranks, as
 * numpy's percentile). Running and pruned trials never set the bar.
 *
 * @example
 * new PercentilePruner(25); // keep trials in the best quarter at each step
 */
export class PercentilePruner implements Pruner {
  readonly name: string = 'percentile';
  readonly percentile: number;
  readonly startupTrials: number;
  readonly warmupSteps: number;
  readonly intervalSteps: number;
  readonly minTrials: number;

  constructor(percentile: number, options?: PercentilePrunerOptions) {
    const opts = prunerOptions(options, new.target === PercentilePruner ? 'PercentilePruner' : 'MedianPruner', ['startupTrials', 'warmupSteps', 'intervalSteps', 'minTrials']);
    if (!(typeof percentile === 'number' && percentile >= 0 && percentile <= 100)) {
      throw new InvalidOptionError(`option "percentile": expected a number in [0, 100], got ${describe(percentile)}`, 'percentile');
    }
    this.percentile = percentile;
    this.startupTrials = intOption('startupTrials', given(opts.startupTrials, 5), 0);
    this.warmupSteps = intOption('warmupSteps', given(opts.warmupSteps, 0), 0);
    this.intervalSteps = intOption('intervalSteps', given(opts.intervalSteps, 1), 1);
    this.minTrials = intOption('minTrials', given(opts.minTrials, 1), 1);
  }

  prune({ direction, trial, trials }: PruneInput): boolean {
    const step = lastStep(trial);
    if (step === undefined || step < this.warmupSteps) return false;
    let nComplete = 0;
    for (const t of trials) if (t.state === 'complete' && t.id !== trial.id) nComplete++;
    if (nComplete === 0 || nComplete < this.startupTrials) return false;
    // with intervalSteps > 1, judge only at the first report in each interval
    const lowerCheck = Math.floor((step - this.warmupSteps) / this.intervalSteps) * this.intervalSteps + this.warmupSteps;
    const previous = trial.steps.length > 1 ? trial.steps[trial.steps.length - 2] : -1;
    if (previous >= lowerCheck) return false;

    // as Optuna: a trial that reported nothing but NaN is pruned; a NaN report of another trial counts
    // towards minTrials (it reported at the step) and is left out of the percentile (nanpercentile)
    const best = bestValue(trial, direction) as number;
    if (Number.isNaN(best)) return true;
    const others: number[] = [];
    let reported = 0;
    for (const t of trials) {
      if (t.state !== 'complete' || t.id === trial.id) continue;
      const v = valueAt(t, step);
      if (v === undefined) continue;
      reported++;
      if (!Number.isNaN(v)) others.push(v);
    }
    if (reported === 0 || reported < this.minTrials || others.length === 0) return false;
    const q = direction === 'maximize' ? 100 - this.percentile : this.percentile;
    const bar = percentileOf(others, q);
    return direction === 'maximize' ? best < bar : best > bar;
  }
}

/** Options of {@link MedianPruner}. */
export type MedianPrunerOptions = PercentilePrunerOptions;

/**
 * Optuna's default pruner: prune a trial whose best value so far is worse
 * than the median of the complete trials at the same step, after 5 complete
 * trials and 0 warm-up steps.
 *
 * @example
 * new MedianPruner({ startupTrials: 5, warmupSteps: 0 });
 */
export class MedianPruner extends PercentilePruner {
  override readonly name: string = 'median';
  constructor(opts?: MedianPrunerOptions) {
    super(50, opts);
  }
}

/** The `q`-th percentile (0..100) of `xs` with linear interpolation between ranks (numpy's default). */
export function percentileOf(xs: number[], q: number): number {
  const s = Float64Array.from(xs).sort();
  // numpy's 'linear' method, float for float: the index (n - 1) * (q / 100), and the
  // interpolation taken from the nearer end, so a value equal to the median is not
  // an ulp above or below it (Optuna's nanpercentile)
  const pos = (s.length - 1) * (q / 100);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  const t = pos - lo;
  const diff = s[hi] - s[lo];
  // values of opposite sign near ±1.7e308: their difference overflows, a weighted sum does not;
  // an infinite value (another worker's report) goes through numpy's own arithmetic, NaN where
  // numpy's is (the median of [2, inf]), so the bar is none where Optuna's is none
  if (!Number.isFinite(diff) && Number.isFinite(s[lo]) && Number.isFinite(s[hi])) return s[lo] * (1 - t) + s[hi] * t;
  return t >= 0.5 ? s[hi] - diff * (1 - t) : s[lo] + diff * t;
}

/**
 * A pruner's options object, checked: an object whose keys are all `known`.
 * @throws InvalidOptionError naming the unknown key (`what` names the pruner), or 'options'
 */
export function prunerOptions<T extends object>(opts: T | undefined, what: string, known: readonly string[]): T {
  if (opts === undefined) return {} as T;
  checkOptionKeys(opts, what, known);
  return opts;
}

export function intOption(name: string, v: unknown, min: number, alternatives = ''): number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) {
    throw new InvalidOptionError(`option "${name}": expected an integer >= ${min}${alternatives}, got ${describe(v)}`, name);
  }
  return v;
}
