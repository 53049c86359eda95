/**
 * Asynchronous successive halving (ASHA, Li et al. 2018, arXiv:1810.05934),
 * with Optuna's rules: rung k ends at step r * eta^(s + k); a trial reaching
 * it continues only if its value there is in the top 1/eta of every value any
 * trial (on any worker, running or ended) recorded at that rung.
 */
import { firstIndexAtOrAfter, lastStep } from './curve';
import { intOption } from './median';
import type { PruneInput, Pruner, PrunerDirection, PrunerTrial } from './types';

/** Options of {@link SuccessiveHalvingPruner}. Defaults in brackets. */
export interface SuccessiveHalvingOptions {
  /** r: the steps of the first rung [1] */
  minResource?: number;
  /** eta: about 1/eta of a rung's trials go on to the next [4] */
  reductionFactor?: number;
  /** s: rung k ends at step minResource * reductionFactor^(s + k) [0] */
  minEarlyStoppingRate?: number;
  /** a rung promotes nobody until more than this many trials reached it [0] */
  bootstrapCount?: number;
}

/**
 * ASHA. A trial's value at rung k is the value it reported at its first step
 * >= r * eta^(s + k). When a report reaches one or more new rungs, each is
 * judged in turn against the values of every other trial at that rung: with
 * n values (this one included) it must rank in the best max(1, floor(n / eta)).
 * ASHA never pauses a trial, so the first trials at a rung are kept only
 * when they are the best so far there.
 *
 * @example
 * new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 4 }); // rungs at epochs 1, 4, 16, 64
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly name: string = 'asha';
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly bootstrapCount: number;

  constructor(opts: SuccessiveHalvingOptions = {}) {
    this.minResource = intOption('minResource', opts.minResource ?? 1, 1);
    this.reductionFactor = intOption('reductionFactor', opts.reductionFactor ?? 4, 2);
    this.minEarlyStoppingRate = intOption('minEarlyStoppingRate', opts.minEarlyStoppingRate ?? 0, 0);
    this.bootstrapCount = intOption('bootstrapCount', opts.bootstrapCount ?? 0, 0);
  }

  /** The step at which rung `k` ends. */
  rungStep(k: number): number {
    return this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + k);
  }

  prune({ direction, trial, trials }: PruneInput): boolean {
    return this.pruneAmong(direction, trial, trials);
  }

  /** ASHA over `trials` (Hyperband passes one bracket's trials). */
  pruneAmong(direction: PrunerDirection, trial: PrunerTrial, trials: Iterable<PrunerTrial>): boolean {
    const step = lastStep(trial);
    if (step === undefined) return false;
    const n = trial.steps.length;
    const previous = n > 1 ? trial.steps[n - 2] : -1;
    const value = trial.values[n - 1];
    // rungs passed before this report were judged then
    let k = 0;
    while (this.rungStep(k) <= previous) k++;
    let others: PrunerTrial[] | null = null;
    for (; this.rungStep(k) <= step; k++) {
      if (others === null) others = [...trials].filter((t) => t.id !== trial.id);
      const rungStep = this.rungStep(k);
      const competing = [value];
      for (const t of others) {
        const i = firstIndexAtOrAfter(t, rungStep);
        if (i >= 0) competing.push(t.values[i]);
      }
      if (competing.length <= this.bootstrapCount) return true;
      if (!promotable(value, competing, this.reductionFactor, direction)) return true;
    }
    return false;
  }
}

/** Whether `value` ranks in the best max(1, floor(n / eta)) of `competing` (which holds it). */
export function promotable(value: number, competing: number[], eta: number, direction: PrunerDirection): boolean {
  const keep = Math.max(1, Math.floor(competing.length / eta));
  // count strictly better values: promotable when fewer than `keep` beat it
  let better = 0;
  for (const v of competing) if (direction === 'maximize' ? v > value : v < value) better++;
  return better < keep;
}
