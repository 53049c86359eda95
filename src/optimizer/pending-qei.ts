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
import type { Engine } from '../acquisition/engine';
import { baseSamples, pendingSetFactors, qEiFromSetFactors } from '../acquisition/q-batch';
import type { PosteriorFactors } from '../gp/types';
import { Rng } from '../util/rng';
import { engineDevice } from './engine-choice';
import { searchTwoRounds, type TwoRoundStart } from './two-round-search';

/** Candidates of the first and second round, centres of the second, base samples. */
const ROUND_ONE = 768;
const ROUND_TWO = 256;
const CENTRES = 8;
const SAMPLES = 512;

export interface PendingQeiChoice extends TwoRoundStart {
  /** the model of the completed trials (no pending rows) */
  factors: PosteriorFactors;
  /** the best completed value (standardized), and EI's margin */
  best: number;
  xi: number;
  /** `m x d` encoded running points */
  pending: Float64Array;
  m: number;
  engine: Engine;
}

/** The candidate with the largest qEI together with the running points, that qEI, and where it was summed. */
export async function chooseByPendingQei(o: PendingQeiChoice): Promise<{ x: Float64Array; score: number; scoredOn: 'webgpu' | 'cpu' }> {
  const d = o.factors.d;
  const q = o.m + 1;
  const Z = baseSamples(new Rng(o.seed), SAMPLES, q);
  const target = o.best + o.xi;
  const device = await engineDevice(o.engine);
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
  const { x, score: best } = await searchTwoRounds(o, d, { one: ROUND_ONE, two: ROUND_TWO, centres: CENTRES }, score);
  return { x, score: best, scoredOn };
}
