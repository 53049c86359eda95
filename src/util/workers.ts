/**
 * How many helper threads a `workers` option asks for. Shared by the GP
 * fit's restarts (gp/fit-pool.ts) and the CPU engine's bounding pass
 * (acquisition/bounding-pool.ts).
 */
import { InvalidOptionError } from '../errors';
import { given } from './option-keys';

/** `workers` option: helper threads, or 'auto'. */
export type WorkersOption = number | 'auto';

/** Most helper threads 'auto' starts. */
export const AUTO_WORKERS_MAX = 3;

/**
 * Helper threads for a `workers` value on a machine with `cores` logical
 * cores. 'auto' is min(AUTO_WORKERS_MAX, cores - 1): the calling thread
 * works too, so cores - 1 helpers fill the machine; the cap keeps start-up
 * and the per-worker copies of the data small.
 * @throws InvalidOptionError unless `workers` is 'auto' or an integer in [0, 64]
 */
export function resolveWorkers(workers: WorkersOption | undefined, cores: number): number {
  const w = given(workers, 'auto'); // null is refused, not taken as 'auto'
  if (w === 'auto') return Math.max(0, Math.min(AUTO_WORKERS_MAX, Math.floor(cores) - 1));
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 64) {
    throw new InvalidOptionError(`workers must be 'auto' or an integer from 0 to 64, got ${typeof w === 'string' ? `'${w}'` : String(w)}`, 'workers');
  }
  return w;
}
