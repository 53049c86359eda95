// A fast exp of two f64 lanes for the bounding pass's kernel entries, whose
// arguments are at most 0: no division, no branches, no lane selects. It is
// not Math.exp's float: the pass carries a proven margin for the difference
// (src/acquisition/bounding-kernel.ts, FAST_EXP_ERROR), and every value that
// must be exact (the variance bounds' entries, the exact stage) still goes
// through ./exp.ts. The JavaScript twin (bounding-kernel.ts expFast) does
// the same operations in the same order, so both give the same floats.
//
// Cody-Waite: k = round(x / ln 2) by the 1.5 * 2^52 shift, r = (x - k ln2_hi)
// - k ln2_lo (k ln2_hi and the first subtraction are exact: ln2_hi has 32
// significant bits, |k| <= 1021, Sterbenz), |r| <= 0.3466; exp(r) by its
// Taylor polynomial of degree 12 in a form after Estrin's (truncation below
// 1.6 eps relative): pairs c_i + c_{i+1} r and the powers r^2, r^4 build
// exp(r) - 1 = r + r^2 q1 + r^4 (s1 + r^4 t1), the small parts added first
// and 1 last, so one rounding near 1 as in Horner's form; the dependency
// chain is about 5 products and 5 sums long instead of Horner's 12 and 12,
// which the pass's loop was waiting on. Times 2^k built in the exponent bits (exact: arguments
// are clamped at -708, so 2^k stays normal). Error against Math.exp, measured
// over dense seeded sweeps of [-708, 0]: below 3 eps (test/acquisition/
// fast-exp.test.ts); the pass assumes 8 eps = 2^-50.

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;
const SHIFT: f64 = 6755399441055744.0; // 1.5 * 2^52: x + SHIFT - SHIFT rounds x to an integer
const FLOOR: f64 = -708.0;
const C2: f64 = 0.5;
const C3: f64 = 0.16666666666666666;
const C4: f64 = 0.041666666666666664;
const C5: f64 = 0.008333333333333333;
const C6: f64 = 0.001388888888888889;
const C7: f64 = 0.0001984126984126984;
const C8: f64 = 0.0000248015873015873;
const C9: f64 = 0.0000027557319223985893;
const C10: f64 = 2.755731922398589e-7;
const C11: f64 = 2.505210838544172e-8;
const C12: f64 = 2.08767569878681e-9;

/**
 * exp of both lanes for arguments in [-Infinity, 0] (NaN stays NaN):
 * below -708 the result is exp(-708) (about 3.3e-308) instead of a smaller
 * number or 0, which the pass's absolute margin covers.
 */
// @ts-ignore: decorator
@inline
export function expFastv(x: v128): v128 {
  return expFastk(
    x, f64x2.splat(FLOOR), f64x2.splat(INV_LN2), f64x2.splat(SHIFT), f64x2.splat(LN2_HI), f64x2.splat(LN2_LO),
    f64x2.splat(C12), f64x2.splat(C11), f64x2.splat(C10), f64x2.splat(C9), f64x2.splat(C8), f64x2.splat(C7),
    f64x2.splat(C6), f64x2.splat(C5), f64x2.splat(C4), f64x2.splat(C3), f64x2.splat(C2), f64x2.splat(1.0),
    f64x2.splat(1023.0 + 4503599627370496.0),
  );
}

/** expFastv of `count` doubles at `src` into `dst` (even count; for the tests). */
export function expFastArray(src: usize, dst: usize, count: i32): void {
  for (let i = 0; i < count; i += 2) v128.store(dst + (<usize>i << 3), expFastv(v128.load(src + (<usize>i << 3))));
}

/**
 * The constants of expFastv in linear memory, as f64x2 pairs: V8 materializes
 * a v128.const at every use inside a loop (several instructions each), while
 * values loaded once before the loop stay in registers (or one load from the
 * stack): about a third off the exp's cost. FAST_* are their byte offsets.
 */
export const FAST_K = memory.data<f64>([
  FLOOR, FLOOR, INV_LN2, INV_LN2, SHIFT, SHIFT, LN2_HI, LN2_HI, LN2_LO, LN2_LO,
  C12, C12, C11, C11, C10, C10, C9, C9, C8, C8, C7, C7, C6, C6, C5, C5, C4, C4, C3, C3, C2, C2, 1.0, 1.0,
  1023.0 + 4503599627370496.0, 1023.0 + 4503599627370496.0,
], 16);

/** expFastv with its constants passed in (loaded from FAST_K before a loop): the same operations, so the same floats. */
// @ts-ignore: decorator
@inline
export function expFastk(
  x: v128, fl: v128, il: v128, sh: v128, hi: v128, lo: v128, c12: v128, c11: v128, c10: v128, c9: v128,
  c8: v128, c7: v128, c6: v128, c5: v128, c4: v128, c3: v128, c2: v128, one: v128, bias: v128,
): v128 {
  const xc = f64x2.pmax(x, fl);
  const kf = f64x2.sub(f64x2.add(f64x2.mul(xc, il), sh), sh);
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(kf, hi)), f64x2.mul(kf, lo));
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const q1 = f64x2.add(c2, f64x2.mul(c3, r));
  const s1 = f64x2.add(f64x2.add(c4, f64x2.mul(c5, r)), f64x2.mul(r2, f64x2.add(c6, f64x2.mul(c7, r))));
  const t1 = f64x2.add(f64x2.add(f64x2.add(c8, f64x2.mul(c9, r)), f64x2.mul(r2, f64x2.add(c10, f64x2.mul(c11, r)))), f64x2.mul(r4, c12));
  const u = f64x2.mul(r4, f64x2.add(s1, f64x2.mul(r4, t1)));
  const p = f64x2.add(one, f64x2.add(r, f64x2.add(f64x2.mul(r2, q1), u)));
  return f64x2.mul(p, i64x2.shl(f64x2.add(kf, bias), 52));
}
