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
export function percentileOf(xs: readonly number[], q: number): number {
  // numpy's 'linear' method, float for float: the index (n - 1) * (q / 100), and the
  // interpolation taken from the nearer end, so a value equal to the median is not
  // an ulp above or below it (Optuna's nanpercentile)
  const pos = (xs.length - 1) * (q / 100);
  const lo = Math.floor(pos);
  const t = pos - lo;
  // the two order statistics by selection, O(n), not a sort: the median pruner takes
  // one per report over every complete trial (a sort was two thirds of a report's cost at 16k trials)
  const a = Float64Array.from(xs);
  const sLo = selectInPlace(a, lo);
  let sHi = sLo;
  if (lo + 1 < a.length) {
    sHi = a[lo + 1];
    for (let i = lo + 2; i < a.length; i++) if (a[i] < sHi) sHi = a[i];
  }
  const diff = sHi - sLo;
  // values of opposite sign near ±1.7e308: their difference overflows, a weighted sum does not;
  // an infinite value (another worker's report) goes through numpy's own arithmetic, NaN where
  // numpy's is (the median of [2, inf]), so the bar is none where Optuna's is none
  if (!Number.isFinite(diff) && Number.isFinite(sLo) && Number.isFinite(sHi)) return sLo * (1 - t) + sHi * t;
  return t >= 0.5 ? sHi - diff * (1 - t) : sLo + diff * t;
}

/**
 * Rearranges `a` (no NaN) so that `a[k]` holds its `k`-th smallest value, every
 * value before it no larger and every value after it no smaller (Hoare's
 * selection, median-of-three pivots); returns `a[k]`.
 */
function selectInPlace(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const mid = (left + right) >>> 1;
    // the median of a[left], a[mid], a[right] as the pivot: sorted data stays O(n)
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    // now a[left..j] <= pivot <= a[i..right], and a[j+1..i-1] equal the pivot
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const x = a[i];
  a[i] = a[j];
  a[j] = x;
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
