/**
 * cos and sin that give the same floats in every JavaScript runtime, for
 * arguments below 2^19 π/2 in magnitude (about 823,550): fdlibm's s_cos.c,
 * s_sin.c, k_cos.c, k_sin.c and the medium-size branch of e_rem_pio2.c,
 * ported step for step, so each result is Node 20's `Math.cos` / `Math.sin`
 * bit for bit (see ./fdlibm.ts for why). Larger arguments, which nothing in
 * this library produces (its angles are 2π times a uniform draw), go to the
 * runtime's `Math`, whose reduction needs fdlibm's 1,200-bit table of 2/π.
 */
import { fromWords, highWord } from './fdlibm';

const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.0875723212981748279e-9;
const C6 = -1.13596475577881948265e-11;

/** cos(x + y) for |x| <= π/4, y the tail of x. */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  // 1 - qx and 0.5 z - qx are exact, qx a quarter of |x| cut to its high word
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0);
  return 1 - qx - (0.5 * z - qx - (z * r - x * y));
}

const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;

/** sin(x + y) for |x| <= π/4, y the tail of x (0 when `tail` is false). */
function kernelSin(x: number, y: number, tail: boolean): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return x; // |x| < 2^-27
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (!tail) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

const INV_PIO2 = 6.36619772367581382433e-1; // 53 bits of 2/π
const PIO2_1 = 1.57079632673412561417; // the first 33 bits of π/2
const PIO2_1T = 6.07710050650619224932e-11; // π/2 - PIO2_1
const PIO2_2 = 6.0771005063039659766e-11; // the second 33 bits
const PIO2_2T = 2.02226624879595063154e-21; // π/2 - (PIO2_1 + PIO2_2)
const PIO2_3 = 2.0222662487111664558e-21; // the third 33 bits
const PIO2_3T = 8.47842766036889956997e-32; // π/2 - (PIO2_1 + PIO2_2 + PIO2_3)
/** High words of n π/2 for n = 1..32: where the first reduction cancels. */
const NPIO2_HW = [
  0x3ff921fb, 0x400921fb, 0x4012d97c, 0x401921fb, 0x401f6a7a, 0x4022d97c, 0x4025fdbb, 0x402921fb, 0x402c463a,
  0x402f6a7a, 0x4031475c, 0x4032d97c, 0x40346b9c, 0x4035fdbb, 0x40378fdb, 0x403921fb, 0x403ab41b, 0x403c463a,
  0x403dd85a, 0x403f6a7a, 0x40407e4c, 0x4041475c, 0x4042106c, 0x4042d97c, 0x4043a28c, 0x40446b9c, 0x404534ac,
  0x4045fdbb, 0x4046c6cb, 0x40478fdb, 0x404858eb, 0x404921fb,
];

/** x - n π/2 as head + tail, for π/4 < |x| <= 2^19 π/2; n comes back. */
const reduced = { head: 0, tail: 0 };

function remPio2(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix < 0x4002d97c) {
    // |x| < 3π/4: n = +-1
    const s = hx > 0 ? 1 : -1;
    let z = x - s * PIO2_1;
    if (ix !== 0x3ff921fb) {
      reduced.head = z - s * PIO2_1T;
      reduced.tail = z - reduced.head - s * PIO2_1T;
    } else {
      // near π/2: 33 + 33 + 53 bits of π
      z -= s * PIO2_2;
      reduced.head = z - s * PIO2_2T;
      reduced.tail = z - reduced.head - s * PIO2_2T;
    }
    return s;
  }
  let t = Math.abs(x);
  const n = Math.trunc(t * INV_PIO2 + 0.5);
  let r = t - n * PIO2_1;
  let w = n * PIO2_1T; // good to 85 bits
  let head = r - w;
  if (!(n < 32 && ix !== NPIO2_HW[n - 1])) {
    const j = ix >> 20;
    if (j - ((highWord(head) >> 20) & 0x7ff) > 16) {
      // a second round, good to 118 bits
      t = r;
      w = n * PIO2_2;
      r = t - w;
      w = n * PIO2_2T - (t - r - w);
      head = r - w;
      if (j - ((highWord(head) >> 20) & 0x7ff) > 49) {
        // a third, 151 bits
        t = r;
        w = n * PIO2_3;
        r = t - w;
        w = n * PIO2_3T - (t - r - w);
        head = r - w;
      }
    }
  }
  const tail = r - head - w;
  reduced.head = hx < 0 ? -head : head;
  reduced.tail = hx < 0 ? -tail : tail;
  return hx < 0 ? -n : n;
}

/** Above this high word (2^19 π/2) the medium reduction no longer holds. */
const MEDIUM_LIMIT = 0x413921fb;

/**
 * cos(x) from x - n pi/2 = head + tail, n's quadrant `q` (n & 3): the
 * kernels as fdlibm's s_cos.c picks them. sin takes quadrant n + 3
 * (sin x = cos(x - pi/2)), which is s_sin.c's choice of kernel and sign.
 */
function fromQuadrant(q: number, head: number, tail: number): number {
  switch (q & 3) {
    case 0:
      return kernelCos(head, tail);
    case 1:
      return -kernelSin(head, tail, true);
    case 2:
      return -kernelCos(head, tail);
    default:
      return kernelSin(head, tail, true);
  }
}

/**
 * The cosine, the same floats in every runtime for |x| <= 2^19 pi/2.
 *
 * @example fdlibmCos(0) === 1
 */
export function fdlibmCos(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0);
  if (ix >= 0x7ff00000) return x - x; // NaN
  if (ix > MEDIUM_LIMIT) return Math.cos(x);
  const n = remPio2(x);
  return fromQuadrant(n, reduced.head, reduced.tail);
}

/**
 * The sine, the same floats in every runtime for |x| <= 2^19 pi/2.
 *
 * @example fdlibmSin(0) === 0
 */
export function fdlibmSin(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0, false);
  if (ix >= 0x7ff00000) return x - x;
  if (ix > MEDIUM_LIMIT) return Math.sin(x);
  const n = remPio2(x);
  return fromQuadrant(n + 3, reduced.head, reduced.tail);
}
