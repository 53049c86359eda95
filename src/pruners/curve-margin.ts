/**
 * A second chance for trials that ASHA's rank rule would stop, read from the
 * completed learning curves (SuccessiveHalvingOptions.margin). In a small
 * study a rung holds a handful of values, and one lucky value there (a noisy
 * epoch) stops every trial after it; the completed curves say how far a
 * value at the rung is from where a training ends, and that is the margin
 * within which a trial behind at the rung may still end ahead.
 */
import { bestValue, firstIndexAtOrAfter } from './curve';
import { percentileOf } from './median';
import type { PrunerDirection, PrunerTrial } from './types';

/**
 * How the margin is read from the completed curves:
 * - 'none': no margin (Optuna's ASHA).
 * - 'improvement': a trial goes on if, improving after the rung as much as
 *   the most-improving completed trial did (its value at the rung minus its
 *   best value from there on), it would beat the incumbent (the best value
 *   of any completed trial).
 * - 'range': a trial goes on if its value at the rung is worse than the
 *   incumbent's value there by at most the widest range of values a
 *   completed curve spanned from the rung to its end (noise and trend after
 *   the rung).
 * - 'median-range': as 'range' with the median of the completed curves'
 *   ranges (a typical curve's spread, so one wild curve does not widen it).
 */
export type CurveMargin = 'none' | 'improvement' | 'range' | 'median-range';

export const CURVE_MARGINS: readonly CurveMargin[] = ['none', 'improvement', 'range', 'median-range'];

/**
 * Whether `value`, reported by a trial at rung step `rungStep`, is within
 * the curves' margin of the incumbent. Only completed trials that reported
 * at or after `rungStep` count; with none, false (no evidence: the rank rule
 * decides alone).
 *
 * @param trials every trial of the study but the judged one
 * @example
 * // completed: 2.40 at the rung, ending 2.30 (improved 0.10): 2.38 - 0.10 <= 2.30 goes on, 2.45 - 0.10 does not
 * const done = [{ id: 0, state: 'complete', steps: [4, 8], values: [2.4, 2.3] }] as const;
 * withinCurveMargin('improvement', 2.38, 4, done, 'minimize'); // true
 * withinCurveMargin('improvement', 2.45, 4, done, 'minimize'); // false
 */
export function withinCurveMargin(
  margin: CurveMargin, value: number, rungStep: number, trials: readonly PrunerTrial[], direction: PrunerDirection,
): boolean {
  if (margin === 'none') return false;
  const s = direction === 'maximize' ? -1 : 1; // work with losses: smaller is better
  let incBest = Infinity; // the incumbent's best value (as a loss)
  let incAtRung = Infinity; // its value at the rung
  let widest = 0;
  const ranges: number[] = [];
  for (const t of trials) {
    if (t.state !== 'complete') continue;
    const i = firstIndexAtOrAfter(t, rungStep);
    if (i < 0) continue;
    const atRung = s * t.values[i];
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = i; j < t.values.length; j++) {
      const x = s * t.values[j];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    // a curve with an infinite report (another worker's diverged training) has no margin to give:
    // its infinite range made every trial fall within it
    if (!Number.isFinite(hi - lo) || !Number.isFinite(atRung)) continue;
    // the trial's best over its whole curve: the value its training keeps
    const best = s * bestValue(t, direction)!;
    if (best < incBest) {
      incBest = best;
      incAtRung = atRung;
    }
    widest = Math.max(widest, margin === 'improvement' ? atRung - lo : hi - lo);
    ranges.push(hi - lo);
  }
  if (ranges.length === 0) return false;
  const x = s * value;
  if (margin === 'improvement') return x - widest <= incBest;
  return x - incAtRung <= (margin === 'range' ? widest : percentileOf(ranges, 50));
}
