/**
 * Asynchronous successive halving (ASHA, Li et al. 2018, arXiv:1810.05934),
 * with Optuna's rules: rung k ends at step r * eta^(s + k); a trial reaching
 * it continues only if its value there is in the top 1/eta of every value any
 * trial (on any worker, running or ended) recorded at that rung.
 */
import { InvalidOptionError } from '../errors';
import { describe } from '../space/format';
import { firstIndexAtOrAfter, KEEP, lastStep, recordedAttr } from './curve';
import { CURVE_MARGINS, withinCurveMargin, type CurveMargin } from './curve-margin';
import { intOption, percentileOf, prunerOptions } from './median';
import { PRUNER_ATTR_PREFIX, type PruneInput, type Pruner, type PruneVerdict, type PrunerDirection, type PrunerTrial } from './types';
import { given } from '../util/option-keys';

/** The trial system attribute recording the r a successive-halving pruner estimated ('auto'), with the report it first judged by it. */
export const MIN_RESOURCE_ATTR = `${PRUNER_ATTR_PREFIX}asha_min_resource`;

/** Options of {@link SuccessiveHalvingPruner}. Defaults in brackets. */
export interface SuccessiveHalvingOptions {
  /**
   * r: the steps of the first rung [1]; 'auto' is Optuna's default: nothing
   * is judged until a trial completes, then r = max(1, floor(its last step /
   * 100)) (the largest over the completed trials then), kept from then on;
   * recorded with that decision's report (MIN_RESOURCE_ATTR), and taken from
   * there by a pruner that finds it (a resumed study, another worker), as
   * Hyperband's 'auto' R is
   */
  minResource?: number | 'auto';
  /** eta: about 1/eta of a rung's trials go on to the next [4] */
  reductionFactor?: number;
  /** s: rung k ends at step minResource * reductionFactor^(s + k) [0] */
  minEarlyStoppingRate?: number;
  /**
   * Optuna's bootstrap: while a rung holds at most this many values (the
   * judged trial's included) every trial reaching it is stopped [0]
   */
  bootstrapCount?: number;
  /**
   * how many of a rung's n values go on: 'floor' keeps the best
   * max(1, floor(n / eta)) (Optuna, the original never-pause rule), 'ceil'
   * the best ceil(n / eta), so at every n at least 1/eta of the values go on
   * ['floor']
   */
  keep?: 'floor' | 'ceil';
  /**
   * the first this-many trials to reach a rung go on whatever their value
   * (the rung's n, the judged trial's included, is at most this) [0]
   */
  keepFirst?: number;
  /**
   * a second chance from the completed learning curves (./curve-margin): a
   * trial the keep rule would stop goes on when it is within the margin the
   * completed curves show between the rung and their end ('improvement' or
   * 'range', 'median-range'); 'none' is Optuna's rule ['none']
   */
  margin?: CurveMargin;
  /**
   * a trial's value at a rung is the median of its last this-many reports
   * up to and including its first report at or after the rung step (fewer
   * when it has reported fewer), for the judged trial and every other: a
   * one-report dip (a lucky epoch) neither sets the bar nor passes it.
   * 1 is the value at the rung step (Optuna). On the taxi study a window of
   * 3 reached random search's best within a third of its epochs on 0 of
   * seeds 1 to 3 (the default: 1), since it also hides a training's real
   * minimum at the rung, so it is off [1]
   */
  rungWindow?: number;
}

/** The option names of SuccessiveHalvingOptions. */
const SUCCESSIVE_HALVING_KEYS = ['minResource', 'reductionFactor', 'minEarlyStoppingRate', 'bootstrapCount', 'keep', 'keepFirst', 'margin', 'rungWindow'];

/**
 * ASHA. A trial's value at rung k is the one recorded when it was judged
 * there (`rungs`, Optuna's `completed_rung_<k>`; for hand-made trials
 * without them, the value it reported at its first step >= r * eta^(s + k)).
 * When a report reaches one or more new rungs, each is
 * judged in turn against the values of every other trial at that rung: with
 * n values (this one included) it must rank in the best max(1, floor(n / eta))
 * (`keep: 'ceil'`: ceil(n / eta); with `keepFirst: k` the first k trials at
 * a rung go on unjudged). ASHA never pauses a trial, so with Optuna's rule the
 * first trials at a rung are kept only when they are the best so far there.
 * On the taxi study (20 evaluations) neither 'ceil' nor eta = 2 or 3 let
 * Bayesian search reach random search's best sooner on more seeds than the
 * default; they stay options. `margin` gives a trial the rank rule stops a
 * second chance from the completed learning curves (./curve-margin); on the
 * taxi study it did not beat the default either ('range': 1 of 3 seeds,
 * 'improvement': 0), so it is off by default.
 *
 * @example
 * new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 4 }); // rungs at epochs 1, 4, 16, 64
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly name: string = 'asha';
  readonly minResource: number | 'auto';
  /** r once 'auto' has estimated it (or found it recorded, see MIN_RESOURCE_ATTR) */
  private estimated: number | null = null;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly bootstrapCount: number;
  readonly keep: 'floor' | 'ceil';
  readonly keepFirst: number;
  readonly margin: CurveMargin;
  readonly rungWindow: number;

  constructor(options?: SuccessiveHalvingOptions) {
    const opts = prunerOptions(options, 'SuccessiveHalvingPruner', SUCCESSIVE_HALVING_KEYS);
    this.minResource = opts.minResource === 'auto' ? 'auto' : intOption('minResource', given(opts.minResource, 1), 1, ' or "auto"');
    this.reductionFactor = intOption('reductionFactor', given(opts.reductionFactor, 4), 2);
    this.minEarlyStoppingRate = intOption('minEarlyStoppingRate', given(opts.minEarlyStoppingRate, 0), 0);
    this.bootstrapCount = intOption('bootstrapCount', given(opts.bootstrapCount, 0), 0);
    const keep = given(opts.keep, 'floor');
    if (keep !== 'floor' && keep !== 'ceil') {
      throw new InvalidOptionError(`option "keep": expected "floor" or "ceil", got ${describe(keep)}`, 'keep');
    }
    this.keep = keep;
    this.keepFirst = intOption('keepFirst', given(opts.keepFirst, 0), 0);
    const margin = given(opts.margin, 'none');
    if (!CURVE_MARGINS.includes(margin)) {
      throw new InvalidOptionError(`option "margin": expected "none", "improvement", "range" or "median-range", got ${describe(margin)}`, 'margin');
    }
    this.margin = margin;
    this.rungWindow = intOption('rungWindow', given(opts.rungWindow, 1), 1);
    if (this.bootstrapCount > 0 && this.minResource === 'auto') {
      // Optuna refuses it too: before r is estimated no rung exists for the bootstrap to fill
      throw new InvalidOptionError('option "bootstrapCount": needs a numeric minResource, not "auto"', 'bootstrapCount');
    }
    if (this.keepFirst > 0 && this.bootstrapCount > 0) {
      // one stops every early arrival, the other keeps it: together they contradict
      throw new InvalidOptionError('option "keepFirst": cannot be combined with bootstrapCount > 0', 'keepFirst');
    }
  }

  /** The step at which rung `k` ends (NaN while an 'auto' r is not estimated yet). */
  rungStep(k: number): number {
    const r = this.minResource === 'auto' ? this.estimated ?? NaN : this.minResource;
    return r * this.reductionFactor ** (this.minEarlyStoppingRate + k);
  }

  /**
   * Resolves an 'auto' r: the one recorded in the study (MIN_RESOURCE_ATTR),
   * else estimated from the completed trials (Optuna's _estimate_min_resource)
   * and put in `noted` to record with this report; false while none has completed.
   */
  private resolved(trial: PrunerTrial, trials: Iterable<PrunerTrial>, noted: Record<string, number>): boolean {
    if (this.minResource !== 'auto' || this.estimated !== null) return true;
    const list = [trial, ...trials];
    const recorded = recordedAttr(list, MIN_RESOURCE_ATTR, (v) => Number.isSafeInteger(v) && v >= 1);
    if (recorded !== undefined) {
      this.estimated = recorded;
      return true;
    }
    let last = -1;
    for (const t of list) {
      const s = t.state === 'complete' ? lastStep(t) : undefined;
      if (s !== undefined && s > last) last = s;
    }
    if (last < 0) return false;
    this.estimated = Math.max(1, Math.floor(last / 100));
    noted[MIN_RESOURCE_ATTR] = this.estimated;
    return true;
  }

  prune(input: PruneInput): boolean {
    return this.judge(input).prune;
  }

  /** The verdict, with Optuna's `completed_rung_<k>` attribute for each rung this report reached (see PruneVerdict). */
  judge({ direction, trial, trials }: PruneInput): PruneVerdict {
    return this.judgeAmong(direction, trial, trials);
  }

  /**
   * ASHA over `trials` (Hyperband passes one bracket's trials), and the
   * rungs it judged at: as Optuna's pruner, the
   * value of each rung this report reached is recorded up to and including
   * the one that stops the trial. Where the trials carry their recorded
   * rungs (`rungs`, as a study passes them) the rules are Optuna's to the
   * letter: the trial is judged from the rung after its last recorded one,
   * against the values the others recorded there. Without them (hand-made
   * curves) each trial's value at a rung is the one it reported at the
   * rung's first step, every report counting as judged.
   */
  judgeAmong(direction: PrunerDirection, trial: PrunerTrial, trials: Iterable<PrunerTrial>): PruneVerdict {
    const step = lastStep(trial);
    const systemAttrs: Record<string, number> = {};
    if (step === undefined || !this.resolved(trial, trials, systemAttrs)) return KEEP;
    const n = trial.steps.length;
    const value = rungValue(trial.values, n - 1, this.rungWindow);
    const recorded = trial.rungs;
    let k = 0;
    if (recorded) {
      while (recorded[k] !== undefined) k++; // Optuna's current rung: the first the trial has not recorded
    } else {
      // rungs passed before this report were judged then
      const previous = n > 1 ? trial.steps[n - 2] : -1;
      while (this.rungStep(k) <= previous) k++;
    }
    let others: PrunerTrial[] | null = null;
    const verdict = (prune: boolean): PruneVerdict => (Object.keys(systemAttrs).length ? { prune, systemAttrs } : { prune });
    for (; this.rungStep(k) <= step; k++) {
      if (others === null) others = [...trials].filter((t) => t.id !== trial.id);
      systemAttrs[`completed_rung_${k}`] = value;
      const rungStep = this.rungStep(k);
      const competing = [value];
      for (const t of others) {
        if (recorded) {
          const v = t.rungs?.[k];
          if (v !== undefined) competing.push(v);
          continue;
        }
        const i = firstIndexAtOrAfter(t, rungStep);
        if (i >= 0) competing.push(rungValue(t.values, i, this.rungWindow));
      }
      if (competing.length <= this.bootstrapCount) return verdict(true);
      if (competing.length <= this.keepFirst) continue;
      if (!promotable(value, competing, this.reductionFactor, direction, this.keep)
        && !withinCurveMargin(this.margin, value, rungStep, others, direction)) return verdict(true);
    }
    return verdict(false);
  }
}

/**
 * A curve's value at a rung: the median of `values[i - k + 1 .. i]` (from
 * index 0 when there are fewer); `values[i]` itself when k = 1.
 *
 * @example
 * rungValue([2.97, 2.65, 2.37], 2, 3); // 2.65: the dip at index 2 is not the rung value
 */
export function rungValue(values: readonly number[], i: number, k: number): number {
  if (k === 1) return values[i];
  return percentileOf(values.slice(Math.max(0, i - k + 1), i + 1), 50);
}

/**
 * Whether `value` ranks in the best max(1, floor(n / eta)) ('floor') or
 * ceil(n / eta) ('ceil') of the n values in `competing` (which holds it).
 */
export function promotable(value: number, competing: number[], eta: number, direction: PrunerDirection, rule: 'floor' | 'ceil' = 'floor'): boolean {
  const n = competing.length;
  const keep = rule === 'ceil' ? Math.ceil(n / eta) : Math.max(1, Math.floor(n / eta));
  // count strictly better values: promotable when fewer than `keep` beat it
  let better = 0;
  for (const v of competing) if (direction === 'maximize' ? v > value : v < value) better++;
  return better < keep;
}
