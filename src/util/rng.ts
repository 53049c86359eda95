/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna), 32-bit state
 * words so every step is exact integer arithmetic in JS and a run is
 * reproducible bit for bit on any engine. State can be saved and restored so a
 * resumed study continues the same stream.
 */
import { cos, log } from './math';
import { InvalidOptionError } from '../errors';
import { show, showBrief } from './format-value';

/** A generator's state: 4 unsigned 32-bit words, not all 0 (see {@link Rng.state}). */
export type RngState = [number, number, number, number];

/**
 * Whether `s` is a state a generator can continue from: 4 unsigned 32-bit
 * integers, not all 0 (xoshiro's all-zero state stays zero for good: every
 * draw 0). The one check of that shape, for `Rng.fromState`, a GP's saved
 * state and a journal's.
 * @example isRngState(new Rng(1).state()); // true; [0, 0, 0, 0] and [1, 2] are not
 */
export function isRngState(s: unknown): s is RngState {
  return Array.isArray(s) && s.length === 4 && s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) && s.some((w) => w !== 0);
}

/** @throws InvalidOptionError naming `state` unless it is an RngState */
function checkState(state: unknown): RngState {
  if (!isRngState(state)) {
    throw new InvalidOptionError(`state: expected 4 unsigned 32-bit integers, not all 0 (what Rng.state() gives), got ${show(state)}`, 'state');
  }
  return state;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seeded xoshiro128** generator: the same seed gives the same numbers in
 * every runtime. Save {@link state} to continue the stream later.
 * @example
 * const rng = new Rng(42);
 * rng.uniform(0, 1); // the same value on every run
 */
export class Rng {
  private s: Uint32Array;

  /**
   * @param seed any finite number; non-integers are hashed via their bits.
   * @throws InvalidOptionError naming `seed` when it is not a finite number ('1' and NaN drew as seed 0 did)
   */
  constructor(seed: number = 0) {
    if (!(typeof seed === 'number' && Number.isFinite(seed))) throw new InvalidOptionError(`option "seed": expected a finite number, got ${show(seed)}`, 'seed');
    const mix = splitmix32(hashSeed(seed));
    this.s = new Uint32Array([mix(), mix(), mix(), mix()]);
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /**
   * A generator continuing from a saved {@link state}.
   * @throws InvalidOptionError naming `state` unless it is 4 unsigned 32-bit integers, not all 0 (see isRngState)
   * @example Rng.fromState(rng.state()).random() === rng.random(); // true
   */
  static fromState(state: readonly number[]): Rng {
    const r = new Rng(0);
    r.s = new Uint32Array(checkState(state));
    return r;
  }

  /**
   * Continues from a saved {@link state}.
   * @throws InvalidOptionError naming `state` as fromState does (nothing is changed then)
   */
  setState(state: readonly number[]): void {
    this.s = new Uint32Array(checkState(state));
  }

  /** A copy of the generator state, for saving and resuming. */
  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Standard normal deviate (Box-Muller; no cached spare, so `state()` captures everything). */
  normal(): number {
    const u = 1 - this.random(); // (0, 1]
    const v = this.random();
    return Math.sqrt(-2 * log(u)) * cos(2 * Math.PI * v);
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A new independent generator derived from this one (advances this one). */
  fork(): Rng {
    return new Rng(this.nextUint32() * 4294967296 + this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function hashSeed(seed: number): number {
  const f = new Float64Array([seed]);
  const u = new Uint32Array(f.buffer);
  return (Math.imul(u[0] ^ 0x5bd1e995, 0x27d4eb2d) ^ u[1]) >>> 0;
}

/**
 * Refuses `rng` unless it has the draws of an {@link Rng} (a duck check, so
 * a generator of another copy of the library passes): `'x'` or undefined was
 * a TypeError such as `rng.nextUint32 is not a function`.
 * @throws InvalidOptionError naming `param` ('rng'), prefixed by the function `who` when given
 * @example checkRng('x', { who: 'latinHypercube' }) // latinHypercube: rng: expected an Rng (new Rng(seed)), got "x"
 */
export function checkRng(rng: unknown, opts: { who?: string; param?: string } = {}): asserts rng is Rng {
  const { who, param = 'rng' } = opts;
  const r = rng as Partial<Record<keyof Rng, unknown>> | null;
  if (typeof r !== 'object' || r === null || typeof r.nextUint32 !== 'function' || typeof r.random !== 'function' ||
    typeof r.int !== 'function' || typeof r.uniform !== 'function' || typeof r.normal !== 'function' || typeof r.shuffle !== 'function') {
    throw new InvalidOptionError(`${who === undefined ? '' : `${who}: `}${param}: expected an Rng (new Rng(seed)), got ${showBrief(rng)}`, param);
  }
}
