/** Number and parameter formatting shared by the printed tables and the HTML report. */
import type { Params } from '../space/types';
import type { ResolvedOptions } from './run-options';
import type { PruneCheck } from './types';
import { InvalidOptionError } from '../errors';
import { formatValue, plural, showBrief } from '../util/format-value';

export { formatValue, plural };

/**
 * `name=value, name=value` in the params' own order.
 * @throws InvalidOptionError naming `params` when it is not an object (null was a TypeError, a string listed its characters)
 */
export function formatParams(p: Params): string {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new InvalidOptionError(`params: expected an object of parameter values, got ${showBrief(p)}`, 'params');
  }
  return Object.entries(p).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ');
}

/**
 * The initial points a compare or tune record's strategies start from, as its
 * header says them: shared when random and Bayesian search both ran, none
 * for grid search alone.
 * @example initialPointsText(5, ['grid', 'random', 'bayes']) // '5 shared random initial points'
 */
export function initialPointsText(init: number, strategies: readonly string[]): string {
  const drawing = strategies.filter((n) => n !== 'grid').length;
  if (drawing === 0) return 'no random initial points (grid search)';
  return `${init} ${drawing > 1 ? 'shared ' : ''}random initial point${init === 1 ? '' : 's'}`;
}


/** The pruning goal's line (see PruneCheck). */
export function formatPruneCheck(g: PruneCheck, metric: string): string {
  const other = g.seeds - g.sharedBest;
  const parts = [`${g.strategy} vs random: random search's best was a shared initial point on ${g.sharedBest}/${g.seeds} seed(s) (not counted)`];
  if (other > 0) {
    parts.push(`on the other ${other}, ${g.strategy} reached it within a third of random search's wall time on ${g.thirdOfTime}, ` +
      `within a third of its epochs on ${g.thirdOfEpochs}` +
      (g.fewerEpochsThanBayes !== null ? `, in fewer epochs than plain bayes on ${g.fewerEpochsThanBayes}` : ''));
  }
  if (g.testNoWorse !== null) parts.push(`test ${metric} no worse than plain bayes on ${g.testNoWorse}/${g.seeds} seed(s)`);
  return parts.join('; ');
}

/**
 * A run's budget per strategy: its evaluations, or its wall time with the evaluations' cap, and
 * grid search's grid where it is laid out for fewer (a time budget without `--budget`).
 * @example budgetText({ budget: 1000, gridBudget: 20, timeBudget: 120, strategies: ['grid', 'bayes'] })
 * // '120 s of wall time (at most 1000 evaluations; grid search: its grid of 20) per strategy'
 */
export function budgetText(o: Pick<ResolvedOptions, 'budget' | 'gridBudget' | 'timeBudget' | 'strategies'>): string {
  if (o.timeBudget === null || o.timeBudget === undefined) return `${o.budget} evaluations per strategy`;
  const grid = o.strategies.includes('grid') && o.gridBudget !== undefined && o.gridBudget !== o.budget
    ? `; grid search: its grid of ${o.gridBudget}` : '';
  return `${o.timeBudget} s of wall time (at most ${o.budget} evaluations${grid}) per strategy`;
}
