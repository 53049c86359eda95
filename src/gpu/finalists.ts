/**
 * The float64 decision among a GPU proposal's finalists: f32 scores rank tens of thousands of
 * candidates, float64 picks among the few read back.
 */
import { snapRow } from '../acquisition/candidates';
import { scorePoints } from '../acquisition/cpu-engine';
import type { ProposeRequest } from '../acquisition/engine';
import type { PosteriorFactors } from '../gp/types';
import { INVALID_INDEX, type GpuProposal } from './propose';

/**
 * Relative error of the f32 best's score (|f32 - float64| / (1 + |float64|)) past which the GPU's
 * ranking is not trusted and the proposal is made in float64 on the CPU.
 */
export const F32_TRUST = 0.02;

/**
 * Bound past which the f32 posterior mean is not trusted anywhere (see f32MeanErrorBound): the
 * proposal is made in float64 on the CPU before any GPU work.
 */
export const F32_MEAN_BOUND = 0.05;

/**
 * A bound on the rounding error of the f32 posterior mean, in standardized units: 2^-24 s2
 * sum |alpha_i| (mean = sum alpha_i k(x, x_i), |k| <= s2, each term rounded in f32). Ordinary fits
 * stay below 2e-3 (Branin, Hartmann6, Rosenbrock-4, Ackley-5 to 128 observations, the defaults);
 * near-duplicate observations with little noise make alpha huge (1e8 with points 5e-10 apart,
 * lengthscales 1e-3 and noise 1e-10: a bound of 440), and f32 means are then noise near those
 * points while the GPU's own best is scored right, which the check at the best cannot see (its
 * pick had log EI -4.1 where float64's had -1.05). O(n).
 */
export function f32MeanErrorBound(f: PosteriorFactors): number {
  let s = 0;
  for (let i = 0; i < f.n; i++) s += Math.abs(f.alpha[i]);
  return 2 ** -24 * f.signalVariance * s;
}

/** Whether the f32 mean is not to be trusted anywhere: {@link f32MeanErrorBound} past F32_MEAN_BOUND. */
export function f32MeanUntrusted(f: PosteriorFactors): boolean {
  return f32MeanErrorBound(f) > F32_MEAN_BOUND;
}

/** The engine's one line when it proposes in float64 for `why`: the f32 best's own error, or the mean's bound. */
export function exactLine(why: 'best' | 'mean'): string {
  return why === 'best'
    ? `engine: f32 scores are off by more than ${F32_TRUST} of the float64 ones at the GPU's best (a posterior variance lost to cancellation: very long lengthscales with little noise), so such suggestions are made on the CPU in float64`
    : `engine: the f32 posterior mean could be off by more than ${F32_MEAN_BOUND} (near-duplicate observations with little noise: K^-1 y is huge), so such suggestions are made on the CPU in float64`;
}

/**
 * The winner among the finalists read back (the round-1 top-k and the round-2 top-k), in
 * float64. The f32 best is snapped and rescored first; the gap between its two scores sizes
 * f32's error here, and every finalist whose f32 score lies within 4 such errors of the best is
 * rescored too, the best float64 score winning. Where f32 is accurate that is the f32 best alone
 * (or its near ties); where it loses the posterior variance to cancellation (a large signal
 * variance, near-duplicate observations) close finalists are ranked again in float64. Where
 * the f32 best's own error exceeds F32_TRUST, `trusted` is false: the caller proposes in float64.
 */
export function rescoreFinalists(g: GpuProposal, req: ProposeRequest): { x: Float64Array; score: number; trusted: boolean } {
  const { factors, layout } = req;
  const d = factors.d;
  const rows: { score: number; from: Float32Array; at: number }[] = [];
  g.top1.forEach((p, i) => { if (p.index !== INVALID_INDEX) rows.push({ score: p.score, from: g.centres, at: i * d }); });
  g.top2?.forEach((p, i) => { if (p.index !== INVALID_INDEX) rows.push({ score: p.score, from: g.winner2, at: i * d }); });
  // best first (top-k never keeps a NaN score; the sort is stable, so ties keep round 1 first)
  rows.sort((a, b) => (b.score > a.score ? 1 : b.score < a.score ? -1 : 0));
  const row = (r: (typeof rows)[number]) => {
    const x = Float64Array.from(r.from.subarray(r.at, r.at + d));
    snapRow(x, 0, d, layout);
    return x;
  };
  let x = row(rows[0]);
  let score = scorePoints(factors, x, 1, req.acquisition, req.best).score[0];
  const err = Math.abs(score - rows[0].score);
  if (!Number.isFinite(err)) return { x, score, trusted: true };
  // f32 this far off at its own best ranked round 1's centres by noise (a posterior variance lost
  // to cancellation: lengthscales ten times the box with noise at the floor, where it was 0.24-0.59;
  // at 0.033, lengthscales at their bound of 100 with near-duplicate points, no finalist was near
  // float64's best, 2.6% above the pick); ordinary fits stay below 0.01 (Hartmann6 to 150
  // observations), which the finalists cover
  if (err > F32_TRUST * (1 + Math.abs(score))) return { x, score, trusted: false };
  const floor = rows[0].score - 4 * err - 1e-6 * (1 + Math.abs(rows[0].score));
  const close = rows.slice(1).filter((r) => r.score >= floor);
  if (close.length === 0) return { x, score, trusted: true };
  const X = new Float64Array(close.length * d);
  close.forEach((r, i) => X.set(row(r), i * d));
  const s = scorePoints(factors, X, close.length, req.acquisition, req.best).score;
  for (let i = 0; i < close.length; i++) {
    if (s[i] > score) {
      score = s[i];
      x = X.slice(i * d, i * d + d);
    }
  }
  return { x, score, trusted: true };
}
