// Rows p..n-1 of L^{-1} (src/gp/linalg-blocked.ts's inverseRowsAppend) in the
// JavaScript floats: four rows at a time, each subtraction c * v of a row k
// of L^{-1} from a target row done elementwise in f64x2 lanes (a multiply,
// then a subtraction, as JavaScript does it), entries of L that are exactly
// zero skipped row by row as the JavaScript skips them, then each row's
// remaining terms and its scaling in order.

import { at, pairAt, put } from './memory';

/** target[0..len) -= c * src[0..len), two entries per vector. */
// @ts-ignore: decorator
@inline
function subScaled(target: usize, src: usize, c: f64, len: i32): void {
  const vc = f64x2.splat(c);
  let q = 0;
  for (; q + 1 < len; q += 2) {
    v128.store(target + (<usize>q << 3), f64x2.sub(pairAt(target, q), f64x2.mul(vc, pairAt(src, q))));
  }
  for (; q < len; q++) put(target, q, at(target, q) - c * at(src, q));
}

/** Row i: the terms of rows from..i-1 (those before `from` already subtracted), then its scaling. */
function finishRow(L: usize, inv: usize, n: i32, i: i32, from: i32): void {
  const ri = i * n;
  const target = inv + (<usize>ri << 3);
  for (let k = from; k < i; k++) {
    const c = at(L, ri + k);
    if (c == 0) continue;
    subScaled(target, inv + (<usize>(k * n) << 3), c, k + 1);
  }
  const s = 1 / at(L, ri + i);
  const vs = f64x2.splat(s);
  let q = 0;
  for (; q + 1 < i; q += 2) v128.store(target + (<usize>q << 3), f64x2.mul(pairAt(target, q), vs));
  for (; q < i; q++) put(target, q, at(target, q) * s);
  put(target, i, s);
}

/**
 * Rows p..n-1 of the inverse of the lower-triangular `L` into `inv` (both
 * `n x n`, row-major, byte addresses), rows 0..p-1 of it given; the upper
 * triangle of the rows computed is zeroed.
 */
export function inverseRows(n: i32, L: usize, inv: usize, p: i32): void {
  let i0 = p;
  for (; i0 + 4 <= n; i0 += 4) {
    const r0 = i0 * n;
    const t0 = inv + (<usize>r0 << 3);
    const t1 = t0 + (<usize>n << 3);
    const t2 = t1 + (<usize>n << 3);
    const t3 = t2 + (<usize>n << 3);
    memory.fill(t0, 0, <usize>(4 * n) << 3);
    for (let k = 0; k < i0; k++) {
      const c0 = at(L, r0 + k);
      const c1 = at(L, r0 + n + k);
      const c2 = at(L, r0 + 2 * n + k);
      const c3 = at(L, r0 + 3 * n + k);
      const src = inv + (<usize>(k * n) << 3);
      const len = k + 1;
      if (c0 != 0 && c1 != 0 && c2 != 0 && c3 != 0) {
        const v0 = f64x2.splat(c0);
        const v1 = f64x2.splat(c1);
        const v2 = f64x2.splat(c2);
        const v3 = f64x2.splat(c3);
        let q = 0;
        for (; q + 1 < len; q += 2) {
          const off = <usize>q << 3;
          const v = v128.load(src + off);
          v128.store(t0 + off, f64x2.sub(v128.load(t0 + off), f64x2.mul(v0, v)));
          v128.store(t1 + off, f64x2.sub(v128.load(t1 + off), f64x2.mul(v1, v)));
          v128.store(t2 + off, f64x2.sub(v128.load(t2 + off), f64x2.mul(v2, v)));
          v128.store(t3 + off, f64x2.sub(v128.load(t3 + off), f64x2.mul(v3, v)));
        }
        for (; q < len; q++) {
          const v = at(src, q);
          put(t0, q, at(t0, q) - c0 * v);
          put(t1, q, at(t1, q) - c1 * v);
          put(t2, q, at(t2, q) - c2 * v);
          put(t3, q, at(t3, q) - c3 * v);
        }
      } else {
        if (c0 != 0) subScaled(t0, src, c0, len);
        if (c1 != 0) subScaled(t1, src, c1, len);
        if (c2 != 0) subScaled(t2, src, c2, len);
        if (c3 != 0) subScaled(t3, src, c3, len);
      }
    }
    for (let i = i0; i < i0 + 4; i++) finishRow(L, inv, n, i, i0);
  }
  for (let i = i0; i < n; i++) {
    memory.fill(inv + (<usize>(i * n) << 3), 0, <usize>n << 3);
    finishRow(L, inv, n, i, 0);
  }
}
