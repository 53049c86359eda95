/**
 * Space-filling initial designs in the unit cube [0, 1)^d. Each returns `n`
 * points of length `d` and draws all randomness from the given `Rng`, so a
 * seed reproduces a design bit for bit.
 */
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { checkRng, type Rng } from '../util/rng';
import { SobolSequence } from './sobol';

export type DesignMethod = 'random' | 'lhs' | 'sobol';

/**
 * The checks of every design's arguments, O(1): `rng` an Rng, `n` and `d`
 * whole numbers (a negative `d` was a RangeError, a negative `n` an empty design).
 * @throws InvalidOptionError naming `rng`, `n` or `d`, after `who`
 */
function checkDesignArgs(who: string, rng: unknown, n: unknown, d: unknown): void {
  checkRng(rng, { who });
  for (const [k, v] of [['n', n], ['d', d]] as const) {
    if (!(Number.isSafeInteger(v) && (v as number) >= 0)) throw new InvalidOptionError(`${who}: ${k}: expected a non-negative integer, got ${show(v)}`, k);
  }
}

/**
 * `n` independent uniform points (drawn point by point, coordinate by coordinate).
 * @throws InvalidOptionError naming `rng` (not an Rng), `n` or `d` (not a non-negative integer)
 */
export function uniformDesign(rng: Rng, n: number, d: number): Float64Array[] {
  checkDesignArgs('uniformDesign', rng, n, d);
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const x = new Float64Array(d);
    for (let j = 0; j < d; j++) x[j] = rng.random();
    out.push(x);
  }
  return out;
}

/**
 * Latin hypercube: in every dimension each stratum [k/n, (k+1)/n) holds
 * exactly one point, placed uniformly inside it; strata are paired across
 * dimensions by independent random permutations (drawn dimension by dimension).
 * @throws InvalidOptionError naming `rng` (not an Rng), `n` or `d` (not a non-negative integer)
 */
export function latinHypercube(rng: Rng, n: number, d: number): Float64Array[] {
  checkDesignArgs('latinHypercube', rng, n, d);
  const out = Array.from({ length: n }, () => new Float64Array(d));
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let j = 0; j < d; j++) {
    rng.shuffle(perm);
    for (let i = 0; i < n; i++) {
      const k = perm[i];
      let t = (k + rng.random()) / n;
      // k + r can round up to k + 1; fall back to the stratum centre so
      // floor(t * n) === k always holds.
      if (Math.floor(t * n) !== k) t = (k + 0.5) / n;
      out[i][j] = t;
    }
  }
  return out;
}

/**
 * The first `n` points of a scrambled Sobol sequence (LMS + digital shift, see
 * `SobolSequence`). Balanced when `n` is a power of two: each dyadic interval
 * of length 1/n in each dimension then holds exactly one point.
 * @param d 1..SOBOL_MAX_DIM
 * @throws InvalidOptionError naming `rng` (not an Rng), `n` (not a non-negative integer) or `dim` (`d` outside 1..SOBOL_MAX_DIM)
 */
export function sobolDesign(rng: Rng, n: number, d: number): Float64Array[] {
  checkDesignArgs('sobolDesign', rng, n, d);
  return new SobolSequence(d, rng).take(n);
}

/**
 * Dispatch on `method`.
 * @throws InvalidOptionError naming `method` (not 'random', 'lhs' or 'sobol'), or as the design's function
 */
export function unitDesign(method: DesignMethod, rng: Rng, n: number, d: number): Float64Array[] {
  if (method === 'lhs') return latinHypercube(rng, n, d);
  if (method === 'sobol') return sobolDesign(rng, n, d);
  if (method === 'random') return uniformDesign(rng, n, d);
  // anything else drew a uniform design, in silence
  throw new InvalidOptionError(`unitDesign: method: unknown design ${show(method)} (expected "random", "lhs" or "sobol")`, 'method');
}
