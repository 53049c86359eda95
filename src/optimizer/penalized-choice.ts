/**
 * The choice of the 'penalization' pending strategy (local penalization,
 * src/acquisition/local-penalization.ts): candidates around the engine's
 * point, around the best observations and over the whole space are scored
 * by the acquisition of the model of the completed trials only (no pending
 * rows, no made-up values), multiplied by a penalizer around each running
 * point whose radius follows from a Lipschitz constant of the posterior mean
 * and the running point's predicted value. Two rounds, as ./fantasy-choice.
 * The engine's point (found under the Kriging believer) is candidate 0, so
 * it competes under the penalized score too.
 *
 * @example
 * ```ts
 * const { x } = await chooseByPenalization({ factors, best, acquisition, pending, m, winner, incumbents, nIncumbents, layout, seed });
 * ```
 */
import type { AcquisitionSpec } from '../acquisition/functions';
import { lipschitzConstant, penalizedScores, penalizers } from '../acquisition/local-penalization';
import type { PosteriorFactors } from '../gp/types';
import { searchTwoRounds, type TwoRoundStart } from './two-round-search';

/** Candidates of the first and second round, centres of the second. */
const ROUND_ONE = 2048;
const ROUND_TWO = 1024;
const CENTRES = 8;

export interface PenalizedChoice extends TwoRoundStart {
  /** the model of the completed trials (no pending rows) */
  factors: PosteriorFactors;
  /** the best completed value (standardized): the acquisition's incumbent and the penalizers' M */
  best: number;
  acquisition: AcquisitionSpec;
  /** `m x d` encoded running points */
  pending: Float64Array;
  m: number;
}

/** The candidate with the largest penalized score, that score (log), and the Lipschitz constant used. */
export async function chooseByPenalization(o: PenalizedChoice): Promise<{ x: Float64Array; score: number; lipschitz: number }> {
  const lipschitz = lipschitzConstant(o.factors, o.seed);
  const pen = penalizers(o.factors, o.pending, o.m, lipschitz, o.best);
  const score = async (C: Float64Array, c: number) => penalizedScores(o.factors, o.acquisition, o.best, pen, C, c);
  const { x, score: s } = await searchTwoRounds(o, o.factors.d, { one: ROUND_ONE, two: ROUND_TWO, centres: CENTRES }, score);
  return { x, score: s, lipschitz };
}
