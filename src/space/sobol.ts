/**
 * Sobol low-discrepancy sequence (base 2, 32-bit digits) with the Joe & Kuo
 * (2008) direction numbers, optionally randomized by a random linear matrix
 * scramble plus a digital shift (Matoušek 1998; see also Owen 2003, "Variance
 * with alternative scramblings of digital nets"). LMS multiplies each
 * dimension's generator matrix by a random nonsingular lower-triangular binary
 * matrix and the shift XORs a random 32-bit vector; both keep the (t, m, s)-net
 * property, so each block of 2^m points stays balanced, while the points
 * become uniformly distributed and never sit on 0 systematically.
 *
 * Points come in Gray-code order (Antonov & Saleev), as in Joe & Kuo's own
 * generator: the first 2^m points are the same set as in natural order.
 */
import { InvalidOptionError, StateError } from '../errors';
import { show } from '../util/format-value';
import { checkRng, type Rng } from '../util/rng';
import { SOBOL_MAX_DIM, sobolPolys } from './sobol-directions';

const BITS = 32;
const TWO_POW_32 = 4294967296;

/** The 32 direction numbers of dimension `j` (0-based), V[k] for digit k+1, as uint32 with the first digit in bit 31. */
function directionNumbers(j: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (j === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const { s, a, m } = sobolPolys()[j - 1];
  for (let k = 0; k < s; k++) v[k] = m[k] * 2 ** (BITS - 1 - k);
  // Recurrence from the primitive polynomial (Bratley & Fox 1988, Joe & Kuo 2008).
  for (let k = s; k < BITS; k++) {
    let x = v[k - s] ^ (v[k - s] >>> s);
    for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x ^= v[k - i];
    v[k] = x >>> 0;
  }
  return v;
}

function parity32(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/** Multiply every direction number (a column of the generator matrix) by a random lower-triangular matrix with unit diagonal. */
function scrambleInPlace(v: Uint32Array, rng: Rng): void {
  const rows = new Uint32Array(BITS);
  for (let i = 0; i < BITS; i++) {
    // Row i may combine digits 0..i-1 (bits 31..32-i) at random and keeps digit i.
    const above = i === 0 ? 0 : (0xffffffff << (BITS - i)) >>> 0;
    rows[i] = ((rng.nextUint32() & above) | (1 << (BITS - 1 - i))) >>> 0;
  }
  for (let k = 0; k < BITS; k++) {
    let out = 0;
    for (let i = 0; i < BITS; i++) if (parity32(v[k] & rows[i])) out |= 1 << (BITS - 1 - i);
    v[k] = out >>> 0;
  }
}

/**
 * A stateful Sobol generator over `dim` dimensions (1..SOBOL_MAX_DIM).
 * Without `scramble` it yields the plain sequence starting at the origin;
 * with an `Rng` it draws one LMS matrix and shift per dimension from it (in
 * dimension order, 33 uint32 draws each), so the same seed gives the same points.
 */
export class SobolSequence {
  readonly dim: number;
  private readonly v: Uint32Array[];
  private readonly x: Uint32Array;
  private n = 0;

  /**
   * @throws InvalidOptionError naming `dim` (not an integer from 1 to SOBOL_MAX_DIM) or `scramble` (given, and
   *   not an Rng: a string was a TypeError calling nextUint32)
   */
  constructor(dim: number, scramble?: Rng) {
    if (!Number.isInteger(dim) || dim < 1 || dim > SOBOL_MAX_DIM) {
      throw new InvalidOptionError(`dim: Sobol supports 1 to ${SOBOL_MAX_DIM} dimensions, got ${dim}`, 'dim');
    }
    if (scramble !== undefined) checkRng(scramble, { param: 'scramble' });
    this.dim = dim;
    this.v = [];
    this.x = new Uint32Array(dim);
    for (let j = 0; j < dim; j++) {
      const v = directionNumbers(j);
      if (scramble) {
        scrambleInPlace(v, scramble);
        this.x[j] = scramble.nextUint32();
      }
      this.v.push(v);
    }
  }

  /** Number of points produced so far. */
  get index(): number {
    return this.n;
  }

  /** The next point, each coordinate a multiple of 2^-32 in [0, 1). */
  next(): Float64Array {
    if (this.n >= TWO_POW_32 - 1) throw new StateError('sobol: sequence exhausted (2^32 - 1 points)');
    const out = new Float64Array(this.dim);
    for (let j = 0; j < this.dim; j++) out[j] = this.x[j] / TWO_POW_32;
    // Gray code: point n+1 differs from point n in the digit of n's lowest zero bit.
    const c = 31 - Math.clz32(~this.n & (this.n + 1));
    for (let j = 0; j < this.dim; j++) this.x[j] ^= this.v[j][c];
    this.n++;
    return out;
  }

  /**
   * The next `n` points.
   * @throws InvalidOptionError naming `n` unless it is a non-negative integer (2.5 took 3 points)
   */
  take(n: number): Float64Array[] {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new InvalidOptionError(`n: expected a non-negative integer, got ${show(n)}`, 'n');
    const out: Float64Array[] = [];
    for (let i = 0; i < n; i++) out.push(this.next());
    return out;
  }
}
