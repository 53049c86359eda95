/**
 * The choice of the 'fantasies' pending strategy: the engine's point (found
 * under the Kriging believer) competes with candidates around it, around the
 * best observations and over the whole space, all scored by the acquisition
 * averaged over F fantasy models (src/acquisition/fantasy.ts), on the GPU
 * (shaders/fantasy-acquisition.wgsl) when the engine is the WebGPU one, else
 * by the float64 twin (also under the 'auto' engine of a software adapter,
 * where the CPU is the faster). Two rounds, as the engines search: a round over the
 * space and the incumbents, then a round around the best few.
 *
 * @example
 * ```ts
 * const { x } = await chooseByFantasies({ factors, fantasies, acquisition, engine, winner, incumbents, nIncumbents, layout, seed });
 * ```
 */
import { roundOneCandidates, roundTwoCandidates, snapRow } from '../acquisition/candidates';
import { topK } from '../acquisition/cpu-engine';
import type { Engine } from '../acquisition/engine';
import { fantasyScores, type Fantasies } from '../acquisition/fantasy';
import type { AcquisitionSpec } from '../acquisition/functions';
import type { PosteriorFactors } from '../gp/types';
import type { WebGpuEngine } from '../gpu/engine';
import type { DimLayout } from '../space/types';

/** Fantasy models the 'fantasies' strategy averages over. */
export const FANTASY_COUNT = 16;
/** Candidates of the first and second round. */
const ROUND_ONE = 2048;
const ROUND_TWO = 1024;
/** Centres of the second round. */
const CENTRES = 8;

export interface FantasyChoice {
  factors: PosteriorFactors;
  fantasies: Fantasies;
  acquisition: AcquisitionSpec;
  engine: Engine;
  /** the engine's point, `d` encoded */
  winner: Float64Array;
  /** `nIncumbents x d` encoded best observations */
  incumbents: Float64Array;
  nIncumbents: number;
  layout: readonly DimLayout[];
  seed: number;
}

/** The candidate with the best averaged score, that score, and where the scores were computed. */
export async function chooseByFantasies(o: FantasyChoice): Promise<{ x: Float64Array; score: number; scoredOn: 'webgpu' | 'cpu' }> {
  const d = o.factors.d;
  // The GPU module is loaded only when a WebGPU engine is at hand (CPU-only users never touch it, as in ./engine-choice).
  const device = o.engine.kind === 'webgpu' && 'device' in o.engine ? (o.engine as WebGpuEngine).device : null;
  const gpu = device ? await import('../gpu/fantasy') : null;
  let scoredOn: 'webgpu' | 'cpu' = gpu ? 'webgpu' : 'cpu';
  const cpu = (P: Float64Array, m: number) => {
    scoredOn = 'cpu';
    return fantasyScores(o.factors, o.fantasies, P, m, o.acquisition);
  };
  // the float64 twin is also the fallback when the device fails (lost, out of memory)
  const score = (P: Float64Array, m: number): Promise<ArrayLike<number>> => (gpu && device
    ? gpu.fantasyScoresGpu(device, o.factors, o.fantasies, P, m, o.acquisition).catch(() => cpu(P, m))
    : Promise.resolve(cpu(P, m)));
  const centres = new Float64Array((o.nIncumbents + 1) * d);
  centres.set(o.winner.subarray(0, d));
  centres.set(o.incumbents.subarray(0, o.nIncumbents * d), d);
  const c1 = new Float64Array((ROUND_ONE + 1) * d);
  c1.set(o.winner.subarray(0, d));
  c1.set(roundOneCandidates(o.seed, ROUND_ONE, d, centres, o.nIncumbents + 1), d);
  for (let i = 1; i <= ROUND_ONE; i++) snapRow(c1, i, d, o.layout);
  const s1 = await score(c1, ROUND_ONE + 1);
  const top = topK(s1, CENTRES);
  if (top.length === 0) return { x: o.winner.slice(0, d), score: NaN, scoredOn }; // every score NaN: keep the engine's point
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
