// Kernel rows of the bounding pass (./bounding-pass.ts), two candidates per
// f64x2 vector: squared distances, exact entries (./exp.ts, Math.exp's
// floats) and the fast entries with their sums (./fast-exp.ts), each the
// operations of src/acquisition/bounding-kernel.ts in the same order.

import { expv } from './exp';
import { expFastk, FAST_K } from './fast-exp';
import { at, put, vat, vput } from './memory';

const THIRD_F: f64 = 0.3333333333333333;



/**
 * Squared scaled distances of candidates p and p + 1 to every observation
 * into kx (n pairs): four dimensions at a time, added in order, as
 * boundR2Row (bounding-kernel.ts) and gp/posterior.ts's kernelRow.
 */
export function r2Rows(n: i32, d: i32, Z: usize, inv: usize, pts: usize, p: i32, kx: usize): void {
  if (d <= 8) {
    r2Fused(n, d, Z, inv, pts, p, kx);
    return;
  }
  const zero = f64x2.splat(0.0);
  for (let i = 0; i < n; i++) vput(kx, i, zero);
  const b0 = p * d;
  const b1 = b0 + d;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    const z0 = f64x2(at(pts, b0 + k) * at(inv, k), at(pts, b1 + k) * at(inv, k));
    const z1 = f64x2(at(pts, b0 + k + 1) * at(inv, k + 1), at(pts, b1 + k + 1) * at(inv, k + 1));
    const z2 = f64x2(at(pts, b0 + k + 2) * at(inv, k + 2), at(pts, b1 + k + 2) * at(inv, k + 2));
    const z3 = f64x2(at(pts, b0 + k + 3) * at(inv, k + 3), at(pts, b1 + k + 3) * at(inv, k + 3));
    const o0 = k * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    for (let i = 0; i < n; i++) {
      const t0 = f64x2.sub(z0, f64x2.splat(at(Z, o0 + i)));
      const t1 = f64x2.sub(z1, f64x2.splat(at(Z, o1 + i)));
      const t2 = f64x2.sub(z2, f64x2.splat(at(Z, o2 + i)));
      const t3 = f64x2.sub(z3, f64x2.splat(at(Z, o3 + i)));
      let acc = f64x2.add(vat(kx, i), f64x2.mul(t0, t0));
      acc = f64x2.add(acc, f64x2.mul(t1, t1));
      acc = f64x2.add(acc, f64x2.mul(t2, t2));
      acc = f64x2.add(acc, f64x2.mul(t3, t3));
      vput(kx, i, acc);
    }
  }
  // the last d mod 4 dimensions in one sweep (added in dimension order, as one at a time)
  const rem = d - k;
  if (rem === 0) return;
  const z0 = f64x2(at(pts, b0 + k) * at(inv, k), at(pts, b1 + k) * at(inv, k));
  const o0 = k * n;
  if (rem === 1) {
    for (let i = 0; i < n; i++) {
      const t0 = f64x2.sub(z0, f64x2.splat(at(Z, o0 + i)));
      vput(kx, i, f64x2.add(vat(kx, i), f64x2.mul(t0, t0)));
    }
    return;
  }
  const z1 = f64x2(at(pts, b0 + k + 1) * at(inv, k + 1), at(pts, b1 + k + 1) * at(inv, k + 1));
  const o1 = o0 + n;
  if (rem === 2) {
    for (let i = 0; i < n; i++) {
      const t0 = f64x2.sub(z0, f64x2.splat(at(Z, o0 + i)));
      const t1 = f64x2.sub(z1, f64x2.splat(at(Z, o1 + i)));
      vput(kx, i, f64x2.add(f64x2.add(vat(kx, i), f64x2.mul(t0, t0)), f64x2.mul(t1, t1)));
    }
    return;
  }
  const z2 = f64x2(at(pts, b0 + k + 2) * at(inv, k + 2), at(pts, b1 + k + 2) * at(inv, k + 2));
  const o2 = o1 + n;
  for (let i = 0; i < n; i++) {
    const t0 = f64x2.sub(z0, f64x2.splat(at(Z, o0 + i)));
    const t1 = f64x2.sub(z1, f64x2.splat(at(Z, o1 + i)));
    const t2 = f64x2.sub(z2, f64x2.splat(at(Z, o2 + i)));
    vput(kx, i, f64x2.add(f64x2.add(f64x2.add(vat(kx, i), f64x2.mul(t0, t0)), f64x2.mul(t1, t1)), f64x2.mul(t2, t2)));
  }
}

/** (z - Z[o + i])^2 for both lanes: one dimension's term of a squared distance. */
// @ts-ignore: decorator
@inline
function sq(z: v128, Z: usize, o: i32, i: i32): v128 {
  const t = f64x2.sub(z, f64x2.splat(at(Z, o + i)));
  return f64x2.mul(t, t);
}

/** The first four dimensions' terms of observation i, added in order (t0^2 + t1^2 + t2^2 + t3^2, left to right). */
// @ts-ignore: decorator
@inline
function first4(z0: v128, z1: v128, z2: v128, z3: v128, Z: usize, n: i32, i: i32): v128 {
  return f64x2.add(f64x2.add(f64x2.add(sq(z0, Z, 0, i), sq(z1, Z, n, i)), sq(z2, Z, 2 * n, i)), sq(z3, Z, 3 * n, i));
}

/** Candidates p and p + 1, dimension k, scaled by its inverse lengthscale (zero past d). */
// @ts-ignore: decorator
@inline
function zOf(d: i32, inv: usize, pts: usize, b0: i32, b1: i32, k: i32): v128 {
  return k < d ? f64x2(at(pts, b0 + k) * at(inv, k), at(pts, b1 + k) * at(inv, k)) : f64x2.splat(0.0);
}

/**
 * r2Rows for d <= 8 in one sweep over the observations: the terms added in
 * dimension order as the grouped sweeps add them (their first, 0 + t0^2, is
 * t0^2 exactly), so the same floats, without a second read and write of kx
 * per observation for the dimensions past the fourth, nor the zeroing sweep.
 */
function r2Fused(n: i32, d: i32, Z: usize, inv: usize, pts: usize, p: i32, kx: usize): void {
  const b0 = p * d;
  const b1 = b0 + d;
  const z0 = zOf(d, inv, pts, b0, b1, 0);
  const z1 = zOf(d, inv, pts, b0, b1, 1);
  const z2 = zOf(d, inv, pts, b0, b1, 2);
  const z3 = zOf(d, inv, pts, b0, b1, 3);
  const z4 = zOf(d, inv, pts, b0, b1, 4);
  const z5 = zOf(d, inv, pts, b0, b1, 5);
  const z6 = zOf(d, inv, pts, b0, b1, 6);
  const z7 = zOf(d, inv, pts, b0, b1, 7);
  const o1 = n;
  const o2 = 2 * n;
  const o4 = 4 * n;
  const o5 = 5 * n;
  const o6 = 6 * n;
  const o7 = 7 * n;
  // each d its own loop (no branch in the sweep); the terms always left to right
  if (d === 6) {
    for (let i = 0; i < n; i++) vput(kx, i, f64x2.add(f64x2.add(first4(z0, z1, z2, z3, Z, n, i), sq(z4, Z, o4, i)), sq(z5, Z, o5, i)));
  } else if (d === 8) {
    for (let i = 0; i < n; i++) {
      const acc = f64x2.add(f64x2.add(first4(z0, z1, z2, z3, Z, n, i), sq(z4, Z, o4, i)), sq(z5, Z, o5, i));
      vput(kx, i, f64x2.add(f64x2.add(acc, sq(z6, Z, o6, i)), sq(z7, Z, o7, i)));
    }
  } else if (d === 7) {
    for (let i = 0; i < n; i++) {
      const acc = f64x2.add(f64x2.add(first4(z0, z1, z2, z3, Z, n, i), sq(z4, Z, o4, i)), sq(z5, Z, o5, i));
      vput(kx, i, f64x2.add(acc, sq(z6, Z, o6, i)));
    }
  } else if (d === 5) {
    for (let i = 0; i < n; i++) vput(kx, i, f64x2.add(first4(z0, z1, z2, z3, Z, n, i), sq(z4, Z, o4, i)));
  } else if (d === 4) {
    for (let i = 0; i < n; i++) vput(kx, i, first4(z0, z1, z2, z3, Z, n, i));
  } else if (d === 3) {
    for (let i = 0; i < n; i++) vput(kx, i, f64x2.add(f64x2.add(sq(z0, Z, 0, i), sq(z1, Z, o1, i)), sq(z2, Z, o2, i)));
  } else if (d === 2) {
    for (let i = 0; i < n; i++) vput(kx, i, f64x2.add(sq(z0, Z, 0, i), sq(z1, Z, o1, i)));
  } else if (d === 1) {
    for (let i = 0; i < n; i++) vput(kx, i, sq(z0, Z, 0, i));
  } else {
    const zero = f64x2.splat(0.0);
    for (let i = 0; i < n; i++) vput(kx, i, zero);
  }
}

/** The exact kernel value from a squared distance (both lanes): s2 exp(-r2 / 2), or the Matérn 5/2 form, with Math.exp's floats. */
// @ts-ignore: decorator
@inline
export function exactEntry(matern: bool, s2: f64, r2: v128): v128 {
  const vs2 = f64x2.splat(s2);
  if (!matern) return f64x2.mul(vs2, expv(f64x2.mul(f64x2.splat(-0.5), r2)));
  const r = f64x2.sqrt(f64x2.mul(f64x2.splat(5.0), r2));
  const poly = f64x2.add(f64x2.add(f64x2.splat(1.0), r), f64x2.div(f64x2.mul(r, r), f64x2.splat(3.0)));
  return f64x2.mul(vs2, f64x2.mul(poly, expv(f64x2.neg(r))));
}

/**
 * From the squared distances in kx, the kernel entries over s2 through the
 * fast exp into ka (exp(-r2 / 2), or the Matérn 5/2 form: the floats of
 * bounding-kernel.ts's fast loop), and their sum with `alphaS` (s2 times the
 * weights) in index order, per lane into `sums`. The pass's margin on this
 * mean is a constant (bounding-kernel.ts meanMargin), so no sum of |terms|.
 */
export function fastRows(matern: bool, n: i32, alphaS: usize, kx: usize, ka: usize, sums: usize): void {
  // expFastk's constants from memory, once (see FAST_K), and the kernels' own
  const K = FAST_K;
  const fl = v128.load(K); const il = v128.load(K, 16); const sh = v128.load(K, 32);
  const hi = v128.load(K, 48); const lo = v128.load(K, 64); const c12 = v128.load(K, 80);
  const c11 = v128.load(K, 96); const c10 = v128.load(K, 112); const c9 = v128.load(K, 128);
  const c8 = v128.load(K, 144); const c7 = v128.load(K, 160); const c6 = v128.load(K, 176);
  const c5 = v128.load(K, 192); const c4 = v128.load(K, 208); const c3 = v128.load(K, 224);
  const c2 = v128.load(K, 240); const one = v128.load(K, 256); const bias = v128.load(K, 272);
  let mu = f64x2.splat(0.0);
  if (!matern) {
    const mh = v128.load(KERNEL_K);
    for (let i = 0; i < n; i++) {
      const x = f64x2.mul(mh, vat(kx, i));
      const kv = expFastk(x, fl, il, sh, hi, lo, c12, c11, c10, c9, c8, c7, c6, c5, c4, c3, c2, one, bias);
      vput(ka, i, kv);
      mu = f64x2.add(mu, f64x2.mul(kv, v128.load64_splat(alphaS + (<usize>i << 3))));
    }
  } else {
    const five = v128.load(KERNEL_K, 16);
    const third = v128.load(KERNEL_K, 32);
    for (let i = 0; i < n; i++) {
      const r = f64x2.sqrt(f64x2.mul(five, vat(kx, i)));
      const poly = f64x2.add(f64x2.add(one, r), f64x2.mul(f64x2.mul(r, r), third));
      const e = expFastk(f64x2.neg(r), fl, il, sh, hi, lo, c12, c11, c10, c9, c8, c7, c6, c5, c4, c3, c2, one, bias);
      const kv = f64x2.mul(poly, e);
      vput(ka, i, kv);
      mu = f64x2.add(mu, f64x2.mul(kv, v128.load64_splat(alphaS + (<usize>i << 3))));
    }
  }
  vput(sums, 0, mu);
}

// -0.5, 5 and 1/3 as f64x2 pairs, loaded once per loop (see FAST_K)
const KERNEL_K = memory.data<f64>([-0.5, -0.5, 5.0, 5.0, THIRD_F, THIRD_F], 16);

/**
 * Exact kernel entries (boundKernelRow's floats) of an exact-stage block, rows
 * from..to-1 only: a block computes the rows of S, then of L, as its forward
 * substitution reaches them, so a candidate dropped early never pays for the
 * rest of its row. Lane c (of `lanes`, taken in pairs; an odd last lane is
 * paired with itself) is candidate lid[c] (`pts` is `count x d`); its row i
 * is k(candidate, observation j), j = idx[i] where `idx` is non-zero, else
 * i, stored at ((c >> 2) rows + i) 4 + (c & 3) of K (forward-block.ts's
 * layout: lanes c and c + 1 are adjacent there). With `mu` non-zero (one
 * double per lane), mu[c] += entry * alpha[j] row by row, in order: the
 * exact mean's sum, dotSeq's floats, carried over calls.
 * `zs` is scratch of 16 d bytes.
 */
export function kernelEntries(
  matern: bool, n: i32, d: i32, Z: usize, inv: usize, s2: f64, pts: usize, lid: usize, lanes: i32,
  idx: usize, from: i32, to: i32, rows: i32, K: usize, alpha: usize, mu: usize, zs: usize,
): void {
  for (let c = 0; c < lanes; c += 2) {
    const pa = load<i32>(lid + (<usize>c << 2));
    const pb = c + 1 < lanes ? load<i32>(lid + (<usize>(c + 1) << 2)) : pa;
    for (let k = 0; k < d; k++) vput(zs, k, f64x2(at(pts, pa * d + k) * at(inv, k), at(pts, pb * d + k) * at(inv, k)));
    const base = K + (<usize>((((c >> 2) * rows) << 2) + (c & 3)) << 3);
    const mc = mu + (<usize>c << 3);
    let m = mu !== 0 ? v128.load(mc) : f64x2.splat(0.0);
    for (let i = from; i < to; i++) {
      const j = idx !== 0 ? load<i32>(idx + (<usize>i << 2)) : i;
      let acc = f64x2.splat(0.0);
      for (let k = 0; k < d; k++) {
        const t = f64x2.sub(vat(zs, k), f64x2.splat(at(Z, k * n + j)));
        acc = f64x2.add(acc, f64x2.mul(t, t));
      }
      const v = exactEntry(matern, s2, acc);
      v128.store(base + (<usize>i << 5), v);
      if (mu !== 0) m = f64x2.add(m, f64x2.mul(v, v128.load64_splat(alpha + (<usize>j << 3))));
    }
    if (mu !== 0) v128.store(mc, m);
  }
}
