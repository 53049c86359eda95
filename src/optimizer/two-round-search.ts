/**
 * The two rounds the pending strategies' choices search with, as the engines
 * do: a round over the space and around the engine's point and the
 * incumbents, then a round around the best few. Shared by ./fantasy-choice
 * and ./pending-qei, which differ only in how a batch of candidates is
 * scored.
 *
 * @example
 * ```ts
 * const { x, score } = await searchTwoRounds({ winner, incumbents, nIncumbents, layout, seed }, d, { one: 2048, two: 1024, centres: 8 }, score);
 * ```
 */
import { roundOneCandidates, roundTwoCandidates, snapRow } from '../acquisition/candidates';
import { topK } from '../acquisition/cpu-engine';
import type { DimLayout } from '../space/types';

export interface TwoRoundStart {
  /** the engine's point, `d` encoded; candidate 0 of round one */
  winner: Float64Array;
  /** `nIncumbents x d` encoded best observations */
  incumbents: Float64Array;
  nIncumbents: number;
  layout: readonly DimLayout[];
  seed: number;
}

/** Candidates of round one and round two, and how many of round one's best centre round two. */
export interface TwoRoundSizes {
  one: number;
  two: number;
  centres: number;
}

/**
 * The best of `d`-dimensional candidates under `score` (larger is better; `c x d` encoded rows
 * in, `c` scores out) and its score; the winner with a NaN score when every
 * score of round one is NaN (the engine's point is kept).
 */
export async function searchTwoRounds(
  o: TwoRoundStart, d: number, sizes: TwoRoundSizes, score: (C: Float64Array, c: number) => Promise<ArrayLike<number>>,
): Promise<{ x: Float64Array; score: number }> {
  const centres = new Float64Array((o.nIncumbents + 1) * d);
  centres.set(o.winner.subarray(0, d));
  centres.set(o.incumbents.subarray(0, o.nIncumbents * d), d);
  const c1 = new Float64Array((sizes.one + 1) * d);
  c1.set(o.winner.subarray(0, d));
  c1.set(roundOneCandidates(o.seed, sizes.one, d, centres, o.nIncumbents + 1), d);
  for (let i = 1; i <= sizes.one; i++) snapRow(c1, i, d, o.layout);
  const s1 = await score(c1, sizes.one + 1);
  const top = topK(s1, sizes.centres);
  if (top.length === 0) return { x: o.winner.slice(0, d), score: NaN };
  let x = c1.slice(top[0] * d, top[0] * d + d);
  let best = s1[top[0]];
  const t = new Float64Array(top.length * d);
  top.forEach((i, r) => t.set(c1.subarray(i * d, i * d + d), r * d));
  const c2 = roundTwoCandidates(o.seed, sizes.two, d, t, top.length);
  for (let i = 0; i < sizes.two; i++) snapRow(c2, i, d, o.layout);
  const s2 = await score(c2, sizes.two);
  const [w] = topK(s2, 1);
  if (w !== undefined && s2[w] > best) {
    best = s2[w];
    x = c2.slice(w * d, w * d + d);
  }
  return { x, score: best };
}
