// exp of two f64 lanes, bit for bit V8's Math.exp: fdlibm's e_exp.c as V8's
// base::ieee754::exp has it, with the branches turned into lane selects.
// Imported by the bounding pass (./bounding-pass.ts), which re-exports
// expArray for the tests.

// fdlibm e_exp.c constants
const O_THRESHOLD: f64 = 7.09782712893383973096e+02; // 0x40862E42 FEFA39EF
const U_THRESHOLD: f64 = -7.45133219101941108420e+02; // 0xC0874910 D52D3051
const LN2_HI: f64 = 6.93147180369123816490e-01; // 0x3FE62E42 FEE00000
const LN2_LO: f64 = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2: f64 = 1.44269504088896338700e+00; // 0x3FF71547 652B82FE
const P1: f64 = 1.66666666666666019037e-01;
const P2: f64 = -2.77777777770155933842e-03;
const P3: f64 = 6.61375632143793436117e-05;
const P4: f64 = -1.65339022054652515390e-06;
const P5: f64 = 4.13813679705723846039e-08;
const E: f64 = 2.718281828459045;
const TWOM1000: f64 = 9.33263618503218878990e-302; // 2^-1000
const TWO1023: f64 = 8.988465674311579539e307; // 2^1023

/** 2^k for integral k in [-1022, 1023], per lane: k + 1023 + 2^52 holds the biased exponent in its low bits. */
// @ts-ignore: decorator
@inline
function pow2(k: v128): v128 {
  return i64x2.shl(f64x2.add(k, f64x2.splat(1023.0 + 4503599627370496.0)), 52);
}

/**
 * exp of both lanes: each lane takes the branch fdlibm's exp takes for its
 * argument, and gets that branch's floats. The argument reduction and the
 * polynomial are the same for every lane; lanes with |x| < 2^-28,
 * |x| >= 707 (scaling through 2^-1000, overflow, underflow), x = 1 or NaN
 * are rare in the kernels, and only when one is present does expSpecial
 * choose, lane by lane, among the other branches' results.
 */
// @ts-ignore: decorator
@inline
export function expv(x: v128): v128 {
  const one = f64x2.splat(1.0);
  const hx = v128.and(i64x2.shr_u(x, 32), i64x2.splat(0x7fffffff)); // high word of |x|
  const special = v128.or(
    v128.or(i64x2.lt_s(hx, i64x2.splat(0x3e300000)), f64x2.ge(f64x2.abs(x), f64x2.splat(707.0))),
    v128.or(f64x2.ne(x, x), f64x2.eq(x, one)),
  );
  const neg = i64x2.shr_s(x, 63); // all ones where the sign bit is set (xsb = 1)
  // |x| > 0.5 ln2: reduce. 0.5 ln2 < |x| < 1.5 ln2: k = +-1, else k = (int)(x / ln2 +- 0.5)
  const reduce = i64x2.gt_s(hx, i64x2.splat(0x3fd62e42));
  const near = i64x2.lt_s(hx, i64x2.splat(0x3ff0a2b2));
  const kFar = f64x2.trunc(f64x2.add(f64x2.mul(f64x2.splat(INV_LN2), x), v128.bitselect(f64x2.splat(-0.5), f64x2.splat(0.5), neg)));
  const hiNear = f64x2.sub(x, v128.bitselect(f64x2.splat(-LN2_HI), f64x2.splat(LN2_HI), neg));
  const loNear = v128.bitselect(f64x2.splat(-LN2_LO), f64x2.splat(LN2_LO), neg);
  const hi = v128.bitselect(hiNear, f64x2.sub(x, f64x2.mul(kFar, f64x2.splat(LN2_HI))), near);
  const lo = v128.bitselect(loNear, f64x2.mul(kFar, f64x2.splat(LN2_LO)), near);
  const k = v128.and(v128.bitselect(v128.bitselect(f64x2.splat(-1.0), one, neg), kFar, near), reduce); // 0 where not reduced
  const r = v128.bitselect(f64x2.sub(hi, lo), x, reduce);
  // the primary range
  const t = f64x2.mul(r, r);
  const c = f64x2.sub(r, f64x2.mul(t, f64x2.add(f64x2.splat(P1), f64x2.mul(t, f64x2.add(f64x2.splat(P2),
    f64x2.mul(t, f64x2.add(f64x2.splat(P3), f64x2.mul(t, f64x2.add(f64x2.splat(P4), f64x2.mul(t, f64x2.splat(P5)))))))))));
  // one division for both forms: (x * c) / (c - 2.0) is exactly -((x * c) / (2.0 - c)),
  // a correctly rounded quotient being odd in its divisor
  const qt = f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2.0), c));
  // k == 0: one - ((x * c) / (c - 2.0) - x)
  const y0 = f64x2.sub(one, f64x2.sub(f64x2.neg(qt), r));
  // otherwise y = one - ((lo - (x * c) / (2.0 - c)) - hi), times 2^k (|k| <= 1020 here)
  const y = f64x2.sub(one, f64x2.sub(f64x2.sub(lo, qt), hi));
  if (v128.any_true(special)) return expSpecial(x, hx, k, y0, y);
  return v128.bitselect(y0, f64x2.mul(y, pow2(k)), v128.not(reduce));
}

/**
 * expv's result where some lane is special: from the reduction's k, y0 and
 * y (and |x|'s high word hx), every branch of fdlibm's exp, lane by lane
 * through selects.
 */
function expSpecial(x: v128, hx: v128, k: v128, y0: v128, y: v128): v128 {
  const one = f64x2.splat(1.0);
  // k < -1021: y * 2^(k + 1000) * 2^-1000; k = 1024: y * 2 * 2^1023
  const low = f64x2.lt(k, f64x2.splat(-1021.0));
  let out = f64x2.mul(y, pow2(v128.bitselect(f64x2.add(k, f64x2.splat(1000.0)), k, low)));
  out = v128.bitselect(f64x2.mul(out, f64x2.splat(TWOM1000)), out, low);
  out = v128.bitselect(f64x2.mul(f64x2.mul(y, f64x2.splat(2.0)), f64x2.splat(TWO1023)), out, f64x2.eq(k, f64x2.splat(1024.0)));
  out = v128.bitselect(y0, out, f64x2.eq(k, f64x2.splat(0.0)));
  // |x| < 2^-28: one + x
  out = v128.bitselect(f64x2.add(one, x), out, i64x2.lt_s(hx, i64x2.splat(0x3e300000)));
  // V8's special case exp(1) = E
  out = v128.bitselect(f64x2.splat(E), out, f64x2.eq(x, one));
  // |x| >= 709.78: overflow, underflow, infinities, NaN
  out = v128.bitselect(f64x2.splat(Infinity), out, f64x2.gt(x, f64x2.splat(O_THRESHOLD)));
  out = v128.bitselect(f64x2.splat(0.0), out, f64x2.lt(x, f64x2.splat(U_THRESHOLD)));
  out = v128.bitselect(f64x2.add(x, x), out, f64x2.ne(x, x));
  return out;
}

/** exp of `count` doubles at `src` into `dst` (even count; the tests compare it with Math.exp). */
export function expArray(src: usize, dst: usize, count: i32): void {
  for (let i = 0; i < count; i += 2) v128.store(dst + (<usize>i << 3), expv(v128.load(src + (<usize>i << 3))));
}
