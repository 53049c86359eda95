/**
 * Exploration when the incumbent stalls. EI with a pessimistic prior mean
 * finishes the basin it is in; when that basin is a local one it can spend
 * the rest of the budget a few thousandths apart around the same point
 * (six-hump camel, seed 1002: 25 suggestions within 0.03 of the local
 * minimum while a point near the global basin was already observed). So once
 * `every` completed trials in a row have not improved the best target by
 * more than `tolerance` standard deviations of the targets, the next
 * suggestion maximizes UCB (mu + kappa sigma) instead, and again after every
 * further `every` trials without such an improvement. The count is read from
 * the study alone (completed trials in ask order, the initial design
 * included), so it needs no state and a resumed study explores exactly as
 * the uninterrupted one.
 *
 * That step's GP is fitted without the 'power' output warp (BayesSampler):
 * the warp is close to a log of the gap below the best target, so the
 * incumbent's neighbourhood becomes a narrow spike, the fitted lengthscales
 * shrink and even UCB, or the largest posterior variance, stays next to the
 * incumbent (six-hump camel, seed 1004). Measured on six-hump camel, seeds
 * 1000-1009: UCB on the warped GP left the local minimum in 6 of 10 runs,
 * on the unwarped one in 10 of 10. Where the main GP's targets carry no warp
 * (the evidence chose the identity), the unwarped GP would fit the same
 * targets: from REFIT_ALWAYS_BELOW trials on the step then uses the main GP
 * (BayesSampler.context), whose hyperparameters are kept between refits,
 * instead of a cold fit of a GP of its own.
 *
 * @example
 * ```ts
 * trialsSinceImprovement([1, 3, 3, 3.0001, 3], 1e-3); // 3 (3.0001 is not an improvement)
 * exploreNow([1, 3, 3, 3, 3, 3], STALL_DEFAULTS); // true: 4 trials since the 3
 * ```
 */

export interface StallExploration {
  /** trials without improvement before (and between) exploration steps */
  every: number;
  /** UCB's exploration weight for those steps */
  kappa: number;
  /** smallest improvement that counts, in standard deviations of the targets */
  tolerance: number;
  /** `every` for batches of 2 or more (suggestBatch; see exploreInBatch) */
  batchEvery: number;
}

export const STALL_DEFAULTS: StallExploration = { every: 4, kappa: 2.576, tolerance: 1e-3, batchEvery: 2 };

/**
 * How many of `values` (targets in ask order, larger is better) came after
 * the last one that raised the best so far by more than `tolerance` standard
 * deviations of all `values`; the first value always counts as an improvement.
 * NaN or infinite values are skipped. 0 for an empty list.
 */
export function trialsSinceImprovement(values: readonly number[], tolerance: number): number {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return 0;
  // Measured in units of a power of two near the largest |value|: squares of targets near 1e200 overflowed
  // (no later trial counted as an improvement) and near 1e-200 underflowed (the tolerance did nothing).
  // Dividing by a power of two is exact, so ordinary targets get the very margin they got before.
  let big = 0;
  for (const x of v) big = Math.max(big, Math.abs(x));
  const unit = big > 0 ? 2 ** Math.min(1023, Math.floor(Math.log2(big))) : 1;
  let mean = 0;
  for (const x of v) mean += x / unit;
  mean /= v.length;
  let ss = 0;
  for (const x of v) ss += (x / unit - mean) ** 2;
  const margin = tolerance * unit * Math.sqrt(ss / v.length);
  let best = v[0];
  let last = 0;
  for (let i = 1; i < v.length; i++) {
    if (v[i] > best + margin) last = i;
    if (v[i] > best) best = v[i];
  }
  return v.length - 1 - last;
}

/** Whether the next suggestion is an exploration step: a positive multiple of `every` trials since the last improvement. */
export function exploreNow(values: readonly number[], s: StallExploration): boolean {
  const n = trialsSinceImprovement(values, s.tolerance);
  return n > 0 && n % s.every === 0;
}

/**
 * Whether a batch of `q` points chosen together (suggestBatch) holds an
 * exploration step: a positive multiple of `batchEvery` among the counts
 * n - q + 1 .. n of trials since the last improvement, n counted now. The
 * batch's q points share one model, so a sequential run's rule (explore at
 * each multiple) is kept per batch; with q = 1 it is exploreNow (`every`).
 *
 * Why batches count to 2 rather than 4: a batch's results arrive together,
 * and with `every` 4 and q = 4 a batch explores only once a whole batch
 * has failed to improve, while one that improved with its first point
 * (after which its other three rarely do) leaves the next batch without an
 * exploration step. Counting to 2 makes the next batch explore once the
 * last two trials did not improve: batches explore at the same rate while
 * stalled (one point in 4), but sooner. Measured with bench:parallel
 * (`batch-4`, budget 40, 8 initial points; docs/benchmarks/parallel.md):
 * batchEvery 2 against 4 lowers the median on 4 of 7 problems over seeds
 * 1000-1019 (Hartmann6 0.0419 against 0.0811, Ackley-5 3.54 against 3.92;
 * higher on Branin, Rosenbrock-4 and the noisy Hartmann6, within the
 * goal) and on 7 of 7 (or equal) over seeds 1020-1039 (Hartmann6 0.0566
 * against 0.0845, Ackley-5 2.35 against 3.26), and makes `batch-4` meet
 * the parallel goal on every problem over the 40 seeds.
 */
export function exploreInBatch(values: readonly number[], s: StallExploration, q: number): boolean {
  if (q <= 1) return exploreNow(values, s);
  const n = trialsSinceImprovement(values, s.tolerance);
  const e = s.batchEvery;
  return n >= e && Math.floor(n / e) > Math.floor(Math.max(n - q, 0) / e);
}
