/** Number and parameter formatting shared by the printed tables and the HTML report. */
import type { Params } from '../space/types';
import { formatValue } from '../util/format-value';

export { formatValue };

/** `name=value, name=value` in the params' own order. */
export function formatParams(p: Params): string {
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

/** `n` and `word`, plural past one: "1 epoch", "3 epochs". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
