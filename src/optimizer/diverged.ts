/**
 * Diverged targets: a training that blew up to a loss of 1e9 (or an
 * objective's penalty of 1e308) beside losses near 1. Clipping them after
 * the output warp (winsorizeLowerTail) came too late: the warp's exponent
 * and its evidence against the raw targets were fitted with them, so their
 * gaps, a billion times the others', forced a pure log warp whose cusp at
 * the incumbent flattened everything else (Hartmann-3 minimized as 1 - f
 * with 3 of 30 trials at 1e9: median regret 0.77 over 10 seeds, random
 * search 0.83; the same trials failed instead: 0.11).
 */
import { log } from '../util/math';

/**
 * A gap below the best target this many times the median gap is diverged:
 * far beyond the spread of an ordinary objective's values, however heavy its
 * tail (Rosenbrock-4's worst points are within a few hundred times its
 * median gap). Once a search has gathered at a flat optimum the median gap
 * falls (1e-9 against 0.1 for -(x - 0.3)^6 at 65 trials) and far ordinary
 * values are pulled in too: they then tie with the worst value within the
 * fence, still worse than every value near the optimum. A jump between
 * neighbouring gaps was tried instead and is worse there: the gathered
 * points' gaps sit a millionfold below the far ones, so the far values were
 * set to the worst of the gathered ones, nearly the best.
 */
export const DIVERGED_RATIO = 1e6;

/**
 * Sets each diverged value among the first `n` of `y` (maximization sense)
 * to the worst of the others, as a failed trial is imputed ('worst'), and
 * returns how many it set. A value is diverged when its gap below the best,
 * max(y) - y, exceeds {@link DIVERGED_RATIO} times the median of the positive
 * gaps (3 or more of them needed; a gap that overflows, a -1e308 beside a
 * positive best, is diverged).
 * @param y `n` (or longer) targets, changed in place
 * @example
 * const y = Float64Array.of(-1, -0.5, -0.8, -0.2, -1e9, -0.9);
 * pullInDiverged(y, 6); // 1: y[4] is now -1, the worst of the others
 */
export function pullInDiverged(y: Float64Array, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, y[i]);
  const gaps: number[] = [];
  for (let i = 0; i < n; i++) if (max - y[i] > 0) gaps.push(max - y[i]);
  if (gaps.length < 3) return 0;
  gaps.sort((a, b) => a - b);
  const h = (gaps.length - 1) / 2;
  const median = (gaps[Math.floor(h)] + gaps[Math.ceil(h)]) / 2;
  // compared in logs: the median times the ratio may overflow where the gap does too
  const fence = log(median) + log(DIVERGED_RATIO);
  if (!Number.isFinite(fence)) return 0;
  const diverged = (v: number) => max - v > 0 && log(max - v) > fence;
  let worst = Infinity;
  for (let i = 0; i < n; i++) if (!diverged(y[i])) worst = Math.min(worst, y[i]);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (diverged(y[i])) {
      y[i] = worst;
      count++;
    }
  }
  return count;
}
