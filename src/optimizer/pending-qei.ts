/**
 * The choice of the 'qei' pending strategy: the engine's point (found under
 * the Kriging believer) competes with candidates around it, around the best
 * observations and over the whole space, each scored by the Monte-Carlo qEI
 * of `{running points, candidate}` under the model of the completed trials
 * only (src/acquisition/q-batch.ts, `pendingSetFactors`): the expected
 * improvement of the best of the running points and the candidate, as
 * BoTorch scores a new point with pending ones (appended to the q-batch).
 * The running points enter through the joint posterior, never at a made-up
 * value; the incumbent is the best completed one. The sums run on the GPU
 * (shaders/q-expected-improvement.wgsl) with the WebGPU engine when the sets
 * fit its kernel (at most 16 points), else on the float64 twin. Two rounds,
 * as ./fantasy-choice.
 *
 * @example
 * ```ts
 * const { x } = await chooseByPendingQei({ factors, best, xi, pending, m, engine, winner, incumbents, nIncumbents, layout, seed });
 * ```
 */
import { roundOneCandidates, roundTwoCandidates, snapRow } from '../acquisition/candidates';
import { topK } from '../acquisition/cpu-engine';
import type { Engine } from '../acquisition/engine';
import { baseSamples, pendingSetFactors, qEiFromSetFactors } from '../acquisition/q-batch';
import type { PosteriorFactors } from '../gp/types';
import type { WebGpuEngine } from '../gpu/engine';
import type { DimLayout } from '../space/types';
import { Rng } from '../util/rng';

/** Candidates of the first and second round, centres of the second, base samples. */
const ROUND_ONE = 768;
const ROUND_TWO = 256;
const CENTRES = 8;
const SAMPLES = 512;

export interface PendingQeiChoice {
  /** the model of the completed trials (no pending rows) */
  factors: PosteriorFactors;
  /** the best completed value (standardized), and EI's margin */
  best: number;
  xi: number;
  /** `m x d` encoded running points */
  pending: Float64Array;
  m: number;
  engine: Engine;
  /** the engine's point, `d` encoded */
  winner: Float64Array;
  incumbents: Float64Array;
  nIncumbents: number;
  layout: readonly DimLayout[];
  seed: number;
}

/** The candidate with the largest qEI together with the running points, that qEI, and where it was summed. */
export async function chooseByPendingQei(o: PendingQeiChoice): Promise<{ x: Float64Array; score: number; scoredOn: 'webgpu' | 'cpu' }> {
  const d = o.factors.d;
  const q = o.m + 1;
  const Z = baseSamples(new Rng(o.seed), SAMPLES, q);
  const target = o.best + o.xi;
  const device = o.engine.kind === 'webgpu' && 'device' in o.engine ? (o.engine as WebGpuEngine).device : null;
  const gpu = device ? await import('../gpu/q-batch') : null;
  const onGpu = gpu !== null && device !== null && q <= gpu.MAX_Q_GPU;
  let scoredOn: 'webgpu' | 'cpu' = onGpu ? 'webgpu' : 'cpu';
  const score = async (C: Float64Array, c: number): Promise<ArrayLike<number>> => {
    const { mus, Ls } = pendingSetFactors(o.factors, o.pending, o.m, C, c);
    const cpu = () => {
      scoredOn = 'cpu';
      return qEiFromSetFactors(mus, Ls, c, q, target, Z, SAMPLES);
    };
    // the float64 twin is also the fallback when the device fails (lost, out of memory)
    return onGpu ? gpu!.qEiGpu(device!, mus, Ls, c, q, target, Z, SAMPLES).catch(cpu) : cpu();
  };
  const centres = new Float64Array((o.nIncumbents + 1) * d);
  centres.set(o.winner.subarray(0, d));
  centres.set(o.incumbents.subarray(0, o.nIncumbents * d), d);
  const c1 = new Float64Array((ROUND_ONE + 1) * d);
  c1.set(o.winner.subarray(0, d));
  c1.set(roundOneCandidates(o.seed, ROUND_ONE, d, centres, o.nIncumbents + 1), d);
  for (let i = 1; i <= ROUND_ONE; i++) snapRow(c1, i, d, o.layout);
  const s1 = await score(c1, ROUND_ONE + 1);
  const top = topK(s1, CENTRES);
  if (top.length === 0) return { x: o.winner.slice(0, d), score: NaN, scoredOn };
  let x = c1.slice(top[0] * d, top[0] * d + d);
  let best = s1[top[0]];
  const t = new Float64Array(top.length * d);
  top.forEach((i, r) => t.set(c1.subarray(i * d, i * d + d), r * d));
  const c2 = roundTwoCandidates(o.seed, ROUND_TWO, d, t, top.length);
  for (let i = 0; i < ROUND_TWO; i++) snapRow(c2, i, d, o.layout);
  const s2 = await score(c2, ROUND_TWO);
  const [w] = topK(s2, 1);
  if (w !== undefined && s2[w] > best) {
    best = s2[w];
    x = c2.slice(w * d, w * d + d);
  }
  return { x, score: best, scoredOn };
}
