/**
 * exp, log and log1p that give the same floats in every JavaScript runtime
 * (expm1 in ./fdlibm-expm1.ts, cos and sin in ./fdlibm-trig.ts): fdlibm's algorithms (Sun Microsystems, 1993; the freely
 * distributable C library V8's `Math` functions were taken from), ported to
 * TypeScript step for step, so each result is the float V8 11's `Math.exp`,
 * `Math.log`, ... (Node 20) gives, bit for bit.
 *
 * Why not `Math`: ECMAScript leaves these functions' last bit to the engine,
 * and engines differ. Deno 2.9 and Chromium (V8 15) round differently from
 * Node 20 on about 10% of `Math.exp` arguments and 7% of `Math.log`'s, so a
 * seeded study parted between runtimes after a few trials, and the
 * WebAssembly modules (whose exp is fdlibm's) had to stay off there. With
 * these, the float64 numerics are the same floats everywhere.
 *
 * Each function reads and writes the two 32-bit words of a double through one
 * shared scratch buffer (fdlibm's GET_HIGH_WORD / INSERT_WORDS); none keeps
 * state between calls. Tested against Node 20's `Math` on millions of seeded
 * arguments and every branch's edges (test/util/fdlibm.test.ts).
 */

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);
/** Index of the high (sign and exponent) word: 1 on little-endian machines. */
const HI = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;
const LO = 1 - HI;

/** The high 32 bits of `x` as a signed integer. */
export function highWord(x: number): number {
  F64[0] = x;
  return I32[HI];
}

/** The low 32 bits of `x` as a signed integer. */
export function lowWord(x: number): number {
  F64[0] = x;
  return I32[LO];
}

/** The double whose words are `hi` and `lo`. */
export function fromWords(hi: number, lo: number): number {
  I32[HI] = hi;
  I32[LO] = lo;
  return F64[0];
}

/** `x` with its high word replaced by `hi`. */
function withHighWord(x: number, hi: number): number {
  F64[0] = x;
  I32[HI] = hi;
  return F64[0];
}

export const LN2_HI = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000
export const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
export const INV_LN2 = 1.442695040888963387; // 0x3FF71547 652B82FE
export const O_THRESHOLD = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const TWO54 = 1.8014398509481984e16; // 2^54

/**
 * e^x, fdlibm's e_exp.c (with V8's exp(1) = E): reduce x = k ln2 + r with
 * |r| <= ln2 / 2, a rational approximation of e^r, scale by 2^k.
 *
 * Self-contained (its constants inline, no module-level binding read), so
 * scripts/gen-kernel-exp.mjs copies it into ../acquisition/bounding-kernel.ts,
 * whose functions the bounding pool's workers run from their source text. fdlibm's tests of |x|'s
 * high word are comparisons of |x| with the double of that high word and a
 * zero low word (the same order), and its scaling by 2^k is done in exact
 * steps instead of by writing k into the exponent bits.
 *
 * @example fdlibmExp(1) === Math.E
 */
export function fdlibmExp(x: number): number {
  if (x !== x) return x + x; // NaN
  const neg = x < 0;
  const ax = neg ? -x : x;
  if (ax >= 709.7822265625) {
    // high word >= 0x40862E42
    if (ax === Infinity) return neg ? 0 : x;
    if (x > 7.09782712893383973096e2) return Infinity; // overflow
    if (x < -7.4513321910194110842e2) return 0; // underflow
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (ax >= 0.3465735912322998) {
    // |x| > ln2 / 2 (high word > 0x3FD62E42)
    if (ax < 1.0397205352783203) {
      // and |x| < 1.5 ln2 (high word < 0x3FF0A2B2)
      if (x === 1) return 2.718281828459045; // V8's exp(1), the correctly rounded E
      hi = neg ? x + 6.9314718036912381649e-1 : x - 6.9314718036912381649e-1;
      lo = neg ? -1.90821492927058770002e-10 : 1.90821492927058770002e-10;
      k = neg ? -1 : 1;
    } else {
      k = Math.trunc(1.442695040888963387 * x + (neg ? -0.5 : 0.5));
      hi = x - k * 6.9314718036912381649e-1; // exact
      lo = k * 1.90821492927058770002e-10;
    }
    x = hi - lo;
  } else if (ax < 3.725290298461914e-9) {
    return 1 + x; // |x| < 2^-28
  }
  const t = x * x;
  const c =
    x -
    t *
      (1.66666666666666019037e-1 +
        t * (-2.77777777770155933842e-3 + t * (6.61375632143793436117e-5 + t * (-1.6533902205465251539e-6 + t * 4.13813679705723846039e-8))));
  if (k === 0) return 1 - ((x * c) / (c - 2.0) - x);
  const y = 1 - (lo - (x * c) / (2.0 - c) - hi);
  if (k === 1024) return y * 2.0 * 8.988465674311579539e307; // y 2^1024
  // y 2^k, or y 2^(k + 1000) 2^-1000 where y 2^k is subnormal: the power of
  // two applied 2^30 at a time by multiplications, each exact (the values
  // stay normal), so only the final 2^-1000 rounds, as in fdlibm
  const tiny = k < -1021;
  let n = tiny ? k + 1000 : k;
  let v = y;
  for (; n > 30; n -= 30) v *= 1073741824; // 2^30
  for (; n < -30; n += 30) v *= 9.313225746154785e-10; // 2^-30
  v *= n >= 0 ? 1 << n : (1 << (n + 30)) * 9.313225746154785e-10;
  return tiny ? v * 9.3326361850321887899e-302 : v;
}

// log's and log1p's polynomial (the same coefficients under two names in fdlibm)
const LG1 = 6.66666666666673513e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/**
 * The natural logarithm, fdlibm's e_log.c: x = 2^k (1 + f) with
 * sqrt(2)/2 < 1 + f < sqrt(2), log(1 + f) from s = f / (2 + f).
 *
 * @example fdlibmLog(Math.E) === 1
 */
export function fdlibmLog(x: number): number {
  let hx = highWord(x);
  const lx = lowWord(x);
  let k = 0;
  if (hx < 0x00100000) {
    // x < 2^-1022: zero, negative or subnormal
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, hx | (i ^ 0x3ff00000)); // x or x/2 into [sqrt(2)/2, sqrt(2))
  k += i >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    // -2^-20 <= f < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k === 0) return f - R;
    return k * LN2_HI - (R - k * LN2_LO - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k === 0) return f - (hfsq - s * (hfsq + R));
    return k * LN2_HI - (hfsq - (s * (hfsq + R) + k * LN2_LO) - f);
  }
  if (k === 0) return f - s * (f - R);
  return k * LN2_HI - (s * (f - R) - k * LN2_LO - f);
}

/**
 * log(1 + x), accurate for small x: fdlibm's s_log1p.c (the reduction of
 * log with a correction term for the rounding of 1 + x).
 *
 * @example fdlibmLog1p(1e-20) === 1e-20
 */
export function fdlibmLog1p(x: number): number {
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  let k = 1;
  let f = 0;
  let hu = 0;
  let c = 0;
  if (hx < 0x3fda827a) {
    // 1 + x < sqrt(2)+
    if (ax >= 0x3ff00000) return x === -1 ? -Infinity : NaN; // x <= -1
    if (ax < 0x3e200000) {
      // |x| < 2^-29
      if (ax < 0x3c900000) return x; // |x| < 2^-54
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) {
      // sqrt(2)/2- <= 1 + x < sqrt(2)+
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1.0 + x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0); // the rounding of 1 + x
      c /= u;
    } else {
      u = x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = withHighWord(u, hu | 0x3ff00000); // u ~< sqrt(2)
    } else {
      k += 1;
      u = withHighWord(u, hu | 0x3fe00000); // u / 2
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1.0;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) {
    // |f| < 2^-20
    if (f === 0) {
      if (k === 0) return 0;
      c += k * LN2_LO;
      return k * LN2_HI + c;
    }
    const R = hfsq * (1.0 - 0.66666666666666666 * f);
    if (k === 0) return f - R;
    return k * LN2_HI - (R - (k * LN2_LO + c) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const R = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  if (k === 0) return f - (hfsq - s * (hfsq + R));
  return k * LN2_HI - (hfsq - (s * (hfsq + R) + (k * LN2_LO + c)) - f);
}
