// Dot products for the likelihood module (./likelihood.ts) on byte
// addresses: linalg.ts's `dot` (four accumulators as two f64x2, the tail in
// the first, then (s0 + s1) + (s2 + s3)) and linalg-blocked.ts's in-order
// `seqDot`, bit for bit the JavaScript floats.

import { at, pairAt } from './memory';

/** linalg.ts's `dot` over `len` doubles at byte addresses a and b, bit for bit. */
// @ts-ignore: decorator
@inline
export function dot(a: usize, b: usize, len: i32): f64 {
  let v01 = f64x2.splat(0.0);
  let v23 = f64x2.splat(0.0);
  let k = 0;
  for (; k + 3 < len; k += 4) {
    v01 = f64x2.add(v01, f64x2.mul(pairAt(a, k), pairAt(b, k)));
    v23 = f64x2.add(v23, f64x2.mul(pairAt(a, k + 2), pairAt(b, k + 2)));
  }
  let s0 = f64x2.extract_lane(v01, 0);
  for (; k < len; k++) s0 += at(a, k) * at(b, k);
  return (s0 + f64x2.extract_lane(v01, 1)) + (f64x2.extract_lane(v23, 0) + f64x2.extract_lane(v23, 1));
}

/** sum_{k < len} a[k] b[k], strictly in order (linalg-blocked.ts's seqDot). */
// @ts-ignore: decorator
@inline
export function seqDot(a: usize, b: usize, len: i32): f64 {
  let s = 0.0;
  for (let k = 0; k < len; k++) s += at(a, k) * at(b, k);
  return s;
}

