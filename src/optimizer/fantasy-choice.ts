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
import type { Engine } from '../acquisition/engine';
import { fantasyScores, type Fantasies } from '../acquisition/fantasy';
import type { AcquisitionSpec } from '../acquisition/functions';
import type { PosteriorFactors } from '../gp/types';
import { engineDevice } from './engine-choice';
import { searchTwoRounds, type TwoRoundStart } from './two-round-search';

/** Fantasy models the 'fantasies' strategy averages over. */
export const FANTASY_COUNT = 16;
/** Candidates of the first and second round. */
const ROUND_ONE = 2048;
const ROUND_TWO = 1024;
/** Centres of the second round. */
const CENTRES = 8;

export interface FantasyChoice extends TwoRoundStart {
  factors: PosteriorFactors;
  fantasies: Fantasies;
  acquisition: AcquisitionSpec;
  engine: Engine;
}

/** The candidate with the best averaged score, that score, and where the scores were computed. */
export async function chooseByFantasies(o: FantasyChoice): Promise<{ x: Float64Array; score: number; scoredOn: 'webgpu' | 'cpu' }> {
  const d = o.factors.d;
  // The GPU module is loaded only when a WebGPU engine is at hand (CPU-only users never touch it, as in ./engine-choice).
  const device = await engineDevice(o.engine);
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
  const { x, score: best } = await searchTwoRounds(o, d, { one: ROUND_ONE, two: ROUND_TWO, centres: CENTRES }, score);
  return { x, score: best, scoredOn };
}
