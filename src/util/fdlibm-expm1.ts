/**
 * e^x - 1 that gives the same floats in every JavaScript runtime: fdlibm's
 * s_expm1.c, ported step for step like ./fdlibm.ts's functions (see there
 * for why), so each result is Node 20's `Math.expm1` bit for bit.
 */
import { fromWords, highWord, INV_LN2, LN2_HI, LN2_LO, lowWord, O_THRESHOLD } from './fdlibm';

// expm1's polynomial, scaled: Qn = 2^n times the unscaled coefficient
const Q1 = -3.33333333333331316428e-2;
const Q2 = 1.58730158725481460165e-3;
const Q3 = -7.93650757867487942473e-5;
const Q4 = 4.00821782732936239552e-6;
const Q5 = -2.01099218183624371326e-7;
const TINY = 1.0e-300;

/**
 * e^x - 1, accurate for small x: fdlibm's s_expm1.c.
 *
 * @example fdlibmExpm1(1e-20) === 1e-20
 */
export function fdlibmExpm1(x: number): number {
  const hw = highWord(x);
  const neg = hw < 0;
  const hx = hw & 0x7fffffff;
  if (hx >= 0x4043687a) {
    // |x| >= 56 ln2
    if (hx >= 0x40862e42) {
      if (hx >= 0x7ff00000) {
        if (((hx & 0xfffff) | lowWord(x)) !== 0) return x + x; // NaN
        return neg ? -1 : x;
      }
      if (x > O_THRESHOLD) return Infinity;
    }
    if (neg && x + TINY < 0) return TINY - 1; // -1
  }
  let k = 0;
  let c = 0;
  if (hx > 0x3fd62e42) {
    // |x| > ln2 / 2
    let hi: number;
    let lo: number;
    if (hx < 0x3ff0a2b2) {
      hi = neg ? x + LN2_HI : x - LN2_HI;
      lo = neg ? -LN2_LO : LN2_LO;
      k = neg ? -1 : 1;
    } else {
      k = Math.trunc(INV_LN2 * x + (neg ? -0.5 : 0.5));
      hi = x - k * LN2_HI; // exact
      lo = k * LN2_LO;
    }
    x = hi - lo;
    c = hi - x - lo;
  } else if (hx < 0x3c900000) {
    return x; // |x| < 2^-54
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  let t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2.0 * (e - (x + 0.5)) : 1 + 2.0 * (x - e);
  if (k <= -2 || k > 56) {
    let y = 1 - (e - x);
    y = k === 1024 ? y * 2.0 * 8.98846567431158e307 : y * fromWords((0x3ff + k) << 20, 0);
    return y - 1;
  }
  const twopk = fromWords((0x3ff + k) << 20, 0);
  if (k < 20) {
    t = fromWords(0x3ff00000 - (0x200000 >> k), 0); // 1 - 2^-k
    return (t - (e - x)) * twopk;
  }
  t = fromWords((0x3ff - k) << 20, 0); // 2^-k
  return (x - (e + t) + 1) * twopk;
}
