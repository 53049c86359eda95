// The bounding pass of screened scoring (src/acquisition/bounding-kernel.ts)
// in WebAssembly SIMD, two candidates per f64x2 vector: lane 0 is candidate
// p, lane 1 candidate p + 1. Every lane performs, operation for operation,
// the scalar arithmetic of the JavaScript pass (the same sums in the same
// order, no fused multiply-add, no reassociation), so the floats are those
// of the JavaScript pass, bit for bit. A row's n entries go through the fast
// exp (./fast-exp.ts; the mean then carries a proven margin); the entries
// the variance bounds use, and the exact stage's entries (kernelEntries), go
// through ./exp.ts, fdlibm's e_exp.c as V8's base::ieee754::exp has it
// (Math.exp in V8) with the branches turned into lane selects. sqrt, min and
// the four arithmetic operations are correctly rounded IEEE operations in
// WebAssembly as in JavaScript.
//
// The module's entry file: compiled, with what it imports, by
// scripts/gen-bounding-wasm.mjs (AssemblyScript) into
// src/acquisition/bounding-wasm-source.ts. Memory is laid out by the caller
// (bounding-wasm.ts); nothing here allocates.

import { expv } from './exp';
import { exactEntry, fastRows, r2Rows } from './kernel-rows';

export { kernelEntries } from './kernel-rows';
import { at, put, vat, vput } from './memory';

export { expArray } from './exp';
export { expFastArray } from './fast-exp';

// scratch of nearVariance, per lane: indices (4 x i32), values (4), factor (16), w (4)
const NEAR_IDX: usize = 0; // i32 x 8 (lane-major: lane * 4 + j)
const NEAR_VAL: usize = 32; // f64 x 8
const NEAR_A: usize = 96; // f64 x 32
const NEAR_W: usize = 352; // f64 x 8
const NEAR_BYTES: usize = 416;

/** nearVariance's top-`r` scan for both lanes (the scalar insertion, lane by lane, where a lane's value beats its r-th). */
function topNear(n: i32, r: i32, kx: usize, sc: usize): void {
  for (let j = 0; j < 8; j++) {
    store<f64>(sc + NEAR_VAL + (<usize>j << 3), -Infinity);
    store<i32>(sc + NEAR_IDX + (<usize>j << 2), 0); // as the JavaScript pass: unfilled slots (NaN rows) read observation 0
  }
  // each lane's r-th largest so far, read again only after an insertion
  let thr = f64x2.splat(-Infinity);
  for (let i = 0; i < n; i++) {
    const v = vat(kx, i);
    if (!v128.any_true(f64x2.gt(v, thr))) continue;
    for (let lane = 0; lane < 2; lane++) {
      const k = lane === 0 ? f64x2.extract_lane(v, 0) : f64x2.extract_lane(v, 1);
      const val = sc + NEAR_VAL + (<usize>lane << 5);
      const idx = sc + NEAR_IDX + (<usize>lane << 4);
      if (!(k > load<f64>(val + (<usize>(r - 1) << 3)))) continue;
      let j = r - 1;
      while (j > 0 && load<f64>(val + (<usize>(j - 1) << 3)) < k) {
        store<f64>(val + (<usize>j << 3), load<f64>(val + (<usize>(j - 1) << 3)));
        store<i32>(idx + (<usize>j << 2), load<i32>(idx + (<usize>(j - 1) << 2)));
        j--;
      }
      store<f64>(val + (<usize>j << 3), k);
      store<i32>(idx + (<usize>j << 2), i);
    }
    thr = f64x2(load<f64>(sc + NEAR_VAL + (<usize>(r - 1) << 3)), load<f64>(sc + NEAR_VAL + (<usize>(4 + r - 1) << 3)));
  }
}

/**
 * nearVariance for both lanes: the kernel matrix of each lane's r nearest
 * observations (both lanes' entries through one vector exp), then each
 * lane's 4 x 4 Cholesky and solve as in bounding-kernel.ts.
 */
function nearVariance2(matern: bool, n: i32, d: i32, Z: usize, s2: f64, noise: f64, slack: f64, kx: usize, ka: usize, sc: usize): v128 {
  const r = n < 4 ? n : 4;
  if (r === 0) return f64x2.splat(s2);
  // chosen by the fast entries (any subset gives a bound), then their exact values
  topNear(n, r, ka, sc);
  for (let a = 0; a < r; a++) {
    const i0 = load<i32>(sc + NEAR_IDX + (<usize>a << 2));
    const i1 = load<i32>(sc + NEAR_IDX + 16 + (<usize>a << 2));
    const v = exactEntry(matern, s2, f64x2(load<f64>(kx + (<usize>i0 << 4)), load<f64>(kx + (<usize>i1 << 4) + 8)));
    store<f64>(sc + NEAR_VAL + (<usize>a << 3), f64x2.extract_lane(v, 0));
    store<f64>(sc + NEAR_VAL + 32 + (<usize>a << 3), f64x2.extract_lane(v, 1));
  }
  const sqrt5 = Math.sqrt(5.0);
  for (let a = 0; a < r; a++) {
    for (let b = 0; b < a; b++) {
      let r20: f64 = 0;
      let r21: f64 = 0;
      const ia0 = load<i32>(sc + NEAR_IDX + (<usize>a << 2));
      const ib0 = load<i32>(sc + NEAR_IDX + (<usize>b << 2));
      const ia1 = load<i32>(sc + NEAR_IDX + 16 + (<usize>a << 2));
      const ib1 = load<i32>(sc + NEAR_IDX + 16 + (<usize>b << 2));
      for (let q = 0; q < d; q++) {
        const t0 = at(Z, q * n + ia0) - at(Z, q * n + ib0);
        r20 += t0 * t0;
        const t1 = at(Z, q * n + ia1) - at(Z, q * n + ib1);
        r21 += t1 * t1;
      }
      const r2 = f64x2(r20, r21);
      let kv: v128;
      if (!matern) kv = expv(f64x2.mul(f64x2.splat(-0.5), r2));
      else {
        const rr = f64x2.sqrt(r2);
        const poly = f64x2.add(f64x2.add(f64x2.splat(1.0), f64x2.mul(f64x2.splat(sqrt5), rr)), f64x2.mul(f64x2.splat(5.0 / 3.0), r2));
        kv = f64x2.mul(poly, expv(f64x2.mul(f64x2.splat(-sqrt5), rr)));
      }
      kv = f64x2.mul(f64x2.splat(s2), kv);
      store<f64>(sc + NEAR_A + (<usize>(a * 4 + b) << 3), f64x2.extract_lane(kv, 0));
      store<f64>(sc + NEAR_A + 128 + (<usize>(a * 4 + b) << 3), f64x2.extract_lane(kv, 1));
    }
    store<f64>(sc + NEAR_A + (<usize>(a * 4 + a) << 3), s2 + noise);
    store<f64>(sc + NEAR_A + 128 + (<usize>(a * 4 + a) << 3), s2 + noise);
  }
  return f64x2(nearSolve(r, s2, slack, sc, 0), nearSolve(r, s2, slack, sc, 1));
}

/** One lane's Cholesky of its r x r matrix and s2 - |L^{-1} k|^2 + slack (s2 where it will not factor). */
function nearSolve(r: i32, s2: f64, slack: f64, sc: usize, lane: i32): f64 {
  const A = sc + NEAR_A + (<usize>lane << 7);
  const val = sc + NEAR_VAL + (<usize>lane << 5);
  const w = sc + NEAR_W + (<usize>lane << 5);
  let q: f64 = 0;
  for (let a = 0; a < r; a++) {
    for (let b = 0; b <= a; b++) {
      let t = at(A, a * 4 + b);
      for (let c = 0; c < b; c++) t -= at(A, a * 4 + c) * at(A, b * 4 + c);
      if (a === b) {
        if (!(t > 0)) return s2;
        put(A, a * 4 + a, Math.sqrt(t));
      } else {
        put(A, a * 4 + b, t / at(A, b * 4 + b));
      }
    }
    let t = at(val, a);
    for (let c = 0; c < a; c++) t -= at(A, a * 4 + c) * at(w, c);
    const wa = t / at(A, a * 4 + a);
    put(w, a, wa);
    q += wa * wa;
  }
  return s2 - q + slack;
}

/**
 * The pass over `count` candidates (even; `count x d` at `pts`). `alphaS`
 * holds s2 times the weights; `sL` is the leading `head x head` block of S's
 * factor (row-major, stride head). Writes mean (upper bounds: the fast mean
 * plus `margin`), varianceBound, qHead (count each) and wHead (count x head);
 * `scratch` holds 32 n + 16 head + 448 bytes.
 */
export function pass(
  matern: i32, n: i32, d: i32, s2: f64, noise: f64, nearSlack: f64, sSlack: f64, head: i32, count: i32,
  Z: usize, inv: usize, alphaS: usize, margin: f64, pts: usize, sIdx: usize, sL: usize,
  mean: usize, varianceBound: usize, wHead: usize, qHead: usize, scratch: usize,
): void {
  const kx = scratch;
  const ka = kx + (<usize>n << 4);
  const w = ka + (<usize>n << 4);
  const sums = w + (<usize>head << 4);
  const sc = sums + 32;
  const vs2 = f64x2.splat(s2);
  const vslack = f64x2.splat(sSlack);
  const vMargin = f64x2.splat(margin);
  const mat = matern !== 0;
  for (let p = 0; p < count; p += 2) {
    r2Rows(n, d, Z, inv, pts, p, kx);
    fastRows(mat, n, alphaS, kx, ka, sums);
    const mu = f64x2.add(vat(sums, 0), vMargin);
    put(mean, p, f64x2.extract_lane(mu, 0));
    put(mean, p + 1, f64x2.extract_lane(mu, 1));
    const nv = nearVariance2(mat, n, d, Z, s2, noise, nearSlack, kx, ka, sc);
    // the first `head` rows of L_S^{-1} k_S (exact entries), dot products with four accumulators
    let q = f64x2.splat(0.0);
    for (let i = 0; i < head; i++) {
      const ri = i * head;
      let a0 = f64x2.splat(0.0);
      let a1 = f64x2.splat(0.0);
      let a2 = f64x2.splat(0.0);
      let a3 = f64x2.splat(0.0);
      let j = 0;
      for (; j + 3 < i; j += 4) {
        a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(at(sL, ri + j)), vat(w, j)));
        a1 = f64x2.add(a1, f64x2.mul(f64x2.splat(at(sL, ri + j + 1)), vat(w, j + 1)));
        a2 = f64x2.add(a2, f64x2.mul(f64x2.splat(at(sL, ri + j + 2)), vat(w, j + 2)));
        a3 = f64x2.add(a3, f64x2.mul(f64x2.splat(at(sL, ri + j + 3)), vat(w, j + 3)));
      }
      for (; j < i; j++) a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(at(sL, ri + j)), vat(w, j)));
      const kS = exactEntry(mat, s2, vat(kx, load<i32>(sIdx + (<usize>i << 2))));
      const v = f64x2.div(f64x2.sub(kS, f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3))), f64x2.splat(at(sL, ri + i)));
      vput(w, i, v);
      q = f64x2.add(q, f64x2.mul(v, v));
    }
    const o = p * head;
    for (let i = 0; i < head; i++) {
      const v = vat(w, i);
      put(wHead, o + i, f64x2.extract_lane(v, 0));
      put(wHead, o + head + i, f64x2.extract_lane(v, 1));
    }
    put(qHead, p, f64x2.extract_lane(q, 0));
    put(qHead, p + 1, f64x2.extract_lane(q, 1));
    const vb = f64x2.min(nv, f64x2.add(f64x2.sub(vs2, q), vslack));
    put(varianceBound, p, f64x2.extract_lane(vb, 0));
    put(varianceBound, p + 1, f64x2.extract_lane(vb, 1));
  }
}

// Who laid out the caller's memory last: a pass or an exact stage claims it
// before writing there, and an exact stage that finds another claim since its
// own copies its inputs again (src/acquisition/exact-stage.ts).
let owner: i32 = 0;

/** A fresh claim on the caller's memory (see `owner`). */
export function claimLayout(): i32 {
  owner = owner + 1;
  return owner;
}

/** The latest claim on the caller's memory. */
export function layoutOwner(): i32 {
  return owner;
}

/** Where the caller's memory may start (16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

// the exact stage's forward substitution (assembly/forward-block.ts)
export { forwardBlock } from './forward-block';
