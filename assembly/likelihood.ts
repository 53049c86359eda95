// The GP's marginal likelihood (src/gp/likelihood.ts, MarginalLikelihood.evaluate)
// in WebAssembly SIMD: kernel matrix, Cholesky with jitter retries, solve,
// triangular inverse, K^{-1} by rows and the gradient's sums. Every float is
// the JavaScript one: a lane of an f64x2 performs, operation for operation,
// the scalar arithmetic of the TypeScript code (linalg.ts's `dot` as two
// f64x2 accumulators (s0, s1), (s2, s3) with the tail in s0, then
// (s0 + s1) + (s2 + s3); independent outputs side by side in the two lanes;
// sums that JavaScript adds in order are added in that order), with no fused
// multiply-add and no reassociation. The caller (src/gp/likelihood-wasm.ts)
// lays out the memory and keeps the log determinant (Math.log) and priors.
import { cholesky } from './cholesky';
import { dot } from './dot';
import { at, pairAt, put } from './memory';
import { expv } from './exp';

export { expArray } from './exp';

const SQRT5: f64 = 2.23606797749979; // Math.sqrt(5)
export { cholesky };
export { solve, solveQ } from './solve';
export { inverseRows } from './inverse';

/**
 * Lower triangle of K = s2 k(Z, Z) + noise I into `K` (`n x n`, stride n),
 * s2 k and s2 dk/d(r^2) of the strict lower triangle into `Kf` and `Dk`
 * (packed by rows: entry (i, j) at i (i - 1) / 2 + j). `ZT` is `d x n` (the
 * scaled inputs by dimension). Two columns j, j + 1 per vector. Returns 1
 * when an entry (diagonal included) is not finite, else 0.
 */
export function kernelMatrix(
  matern: i32, n: i32, d: i32, ZT: usize, s2: f64, noise: f64, K: usize, Kf: usize, Dk: usize,
): i32 {
  const vs2 = f64x2.splat(s2);
  let bad = f64x2.splat(0.0);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const pi = (i * (i - 1)) >> 1;
    for (let j = 0; j < i; j += 2) {
      let r2 = f64x2.splat(0.0);
      for (let k = 0; k < d; k++) {
        const t = f64x2.sub(f64x2.splat(at(ZT, k * n + i)), pairAt(ZT, k * n + j));
        r2 = f64x2.add(r2, f64x2.mul(t, t));
      }
      let kv: v128;
      let dk: v128;
      if (matern !== 0) {
        const r = f64x2.sqrt(r2);
        const e = expv(f64x2.mul(f64x2.splat(-SQRT5), r));
        const a = f64x2.add(f64x2.splat(1.0), f64x2.mul(f64x2.splat(SQRT5), r));
        kv = f64x2.mul(f64x2.add(a, f64x2.mul(f64x2.splat(5.0 / 3.0), r2)), e);
        dk = f64x2.mul(f64x2.mul(f64x2.splat(-(5.0 / 6.0)), a), e);
      } else {
        kv = expv(f64x2.mul(f64x2.splat(-0.5), r2));
        dk = f64x2.mul(f64x2.splat(-0.5), kv);
      }
      const kf = f64x2.mul(vs2, kv);
      const dd = f64x2.mul(vs2, dk);
      // x - x is NaN exactly when x is infinite or NaN
      const z = f64x2.sub(kf, kf);
      if (j + 1 < i) {
        v128.store(K + (<usize>(ri + j) << 3), kf);
        v128.store(Kf + (<usize>(pi + j) << 3), kf);
        v128.store(Dk + (<usize>(pi + j) << 3), dd);
        bad = v128.or(bad, f64x2.ne(z, z));
      } else {
        // j + 1 = i: the second lane is the diagonal's r^2 = 0, not stored
        const k0 = f64x2.extract_lane(kf, 0);
        put(K, ri + j, k0);
        put(Kf, pi + j, k0);
        put(Dk, pi + j, f64x2.extract_lane(dd, 0));
        const z0 = k0 - k0;
        if (z0 != z0) bad = v128.not(f64x2.splat(0.0));
      }
    }
    put(K, ri + i, s2 + noise);
  }
  const diag = s2 + noise;
  return v128.any_true(bad) || diag - diag != diag - diag ? 1 : 0;
}

/**
 * Four `dot`s of `a` with b, b + stride, b + 2 stride, b + 3 stride (byte
 * addresses), each with dot's accumulators and order, into out[0..4).
 */
function dot4(a: usize, b: usize, stride: usize, len: i32, out: usize): void {
  const b1 = b + stride;
  const b2 = b1 + stride;
  const b3 = b2 + stride;
  let p01 = f64x2.splat(0.0); let p23 = f64x2.splat(0.0);
  let q01 = f64x2.splat(0.0); let q23 = f64x2.splat(0.0);
  let r01 = f64x2.splat(0.0); let r23 = f64x2.splat(0.0);
  let t01 = f64x2.splat(0.0); let t23 = f64x2.splat(0.0);
  let k = 0;
  for (; k + 3 < len; k += 4) {
    const o = <usize>k << 3;
    const x = v128.load(a + o);
    const y = v128.load(a + o + 16);
    p01 = f64x2.add(p01, f64x2.mul(x, v128.load(b + o)));
    p23 = f64x2.add(p23, f64x2.mul(y, v128.load(b + o + 16)));
    q01 = f64x2.add(q01, f64x2.mul(x, v128.load(b1 + o)));
    q23 = f64x2.add(q23, f64x2.mul(y, v128.load(b1 + o + 16)));
    r01 = f64x2.add(r01, f64x2.mul(x, v128.load(b2 + o)));
    r23 = f64x2.add(r23, f64x2.mul(y, v128.load(b2 + o + 16)));
    t01 = f64x2.add(t01, f64x2.mul(x, v128.load(b3 + o)));
    t23 = f64x2.add(t23, f64x2.mul(y, v128.load(b3 + o + 16)));
  }
  let p = f64x2.extract_lane(p01, 0);
  let q = f64x2.extract_lane(q01, 0);
  let r = f64x2.extract_lane(r01, 0);
  let t = f64x2.extract_lane(t01, 0);
  for (; k < len; k++) {
    const o = <usize>k << 3;
    const x = load<f64>(a + o);
    p += x * load<f64>(b + o);
    q += x * load<f64>(b1 + o);
    r += x * load<f64>(b2 + o);
    t += x * load<f64>(b3 + o);
  }
  store<f64>(out, (p + f64x2.extract_lane(p01, 1)) + (f64x2.extract_lane(p23, 0) + f64x2.extract_lane(p23, 1)));
  store<f64>(out + 8, (q + f64x2.extract_lane(q01, 1)) + (f64x2.extract_lane(q23, 0) + f64x2.extract_lane(q23, 1)));
  store<f64>(out + 16, (r + f64x2.extract_lane(r01, 1)) + (f64x2.extract_lane(r23, 0) + f64x2.extract_lane(r23, 1)));
  store<f64>(out + 24, (t + f64x2.extract_lane(t01, 1)) + (f64x2.extract_lane(t23, 0) + f64x2.extract_lane(t23, 1)));
}

/**
 * Columns j and j + 1 of Linv (linalg.ts's inverseColumn) into rows j, j + 1
 * of `U`: entry i of each is -dot(L_i, x, i - j) / L_ii with dot's
 * accumulators, the two columns' dots in one loop (independent chains).
 */
function inverseColumnPair(L: usize, n: i32, j: i32, U: usize): void {
  const xa = U + (<usize>(j * n + j) << 3); // column j from entry j
  const xb = U + (<usize>((j + 1) * n + j + 1) << 3); // column j + 1 from entry j + 1
  store<f64>(xa, 1 / at(L, j * n + j));
  const l1 = L + (<usize>((j + 1) * n) << 3);
  store<f64>(xa, -dot(l1 + (<usize>j << 3), xa, 1) / load<f64>(l1 + (<usize>(j + 1) << 3)), 8);
  store<f64>(xb, 1 / at(L, (j + 1) * n + j + 1));
  for (let i = j + 2; i < n; i++) {
    const li = L + (<usize>(i * n) << 3);
    const la = li + (<usize>j << 3);
    const lb = la + 8;
    const lenA = i - j;
    const lenB = lenA - 1;
    let a01 = f64x2.splat(0.0); let a23 = f64x2.splat(0.0);
    let b01 = f64x2.splat(0.0); let b23 = f64x2.splat(0.0);
    let k = 0;
    for (; k + 3 < lenB; k += 4) {
      const o = <usize>k << 3;
      a01 = f64x2.add(a01, f64x2.mul(v128.load(la + o), v128.load(xa + o)));
      a23 = f64x2.add(a23, f64x2.mul(v128.load(la + o + 16), v128.load(xa + o + 16)));
      b01 = f64x2.add(b01, f64x2.mul(v128.load(lb + o), v128.load(xb + o)));
      b23 = f64x2.add(b23, f64x2.mul(v128.load(lb + o + 16), v128.load(xb + o + 16)));
    }
    let kb = k;
    // column j's dot is one longer: perhaps one more block of four
    if (k + 3 < lenA) {
      const o = <usize>k << 3;
      a01 = f64x2.add(a01, f64x2.mul(v128.load(la + o), v128.load(xa + o)));
      a23 = f64x2.add(a23, f64x2.mul(v128.load(la + o + 16), v128.load(xa + o + 16)));
      k += 4;
    }
    let sa = f64x2.extract_lane(a01, 0);
    for (; k < lenA; k++) sa += load<f64>(la + (<usize>k << 3)) * load<f64>(xa + (<usize>k << 3));
    let sb = f64x2.extract_lane(b01, 0);
    for (; kb < lenB; kb++) sb += load<f64>(lb + (<usize>kb << 3)) * load<f64>(xb + (<usize>kb << 3));
    const da = (sa + f64x2.extract_lane(a01, 1)) + (f64x2.extract_lane(a23, 0) + f64x2.extract_lane(a23, 1));
    const db = (sb + f64x2.extract_lane(b01, 1)) + (f64x2.extract_lane(b23, 0) + f64x2.extract_lane(b23, 1));
    const lii = load<f64>(li + (<usize>i << 3));
    store<f64>(xa + (<usize>lenA << 3), -da / lii);
    store<f64>(xb + (<usize>lenB << 3), -db / lii);
  }
}

/**
 * The likelihood's gradient sums from the factor `L` (`n x n`): U = Linv^T
 * (linalg.ts's triangularInverseTranspose, into `U`, `n x n`), then row by
 * row W_ij = (K^{-1})_ij = dot(U_i, U_j) over columns >= i and the sums of
 * likelihood.ts's gradient, in its order. `Z` is `n x dp` (the scaled
 * inputs, dp = d rounded up to even, zero padded), `Kf`, `Dk` packed as
 * {@link kernelMatrix} writes them, `w` n doubles of scratch. Writes the
 * lengthscale sums to g[0..dp), gs to g[dp] and trW to g[dp + 1].
 */
export function gradient(
  n: i32, dp: i32, L: usize, U: usize, Kf: usize, Dk: usize, Z: usize, alpha: usize, s2: f64, w: usize, g: usize,
): void {
  // triangularInverseTranspose: row j of U is column j of Linv; columns j, j + 1 side by side
  let j0 = 0;
  for (; j0 + 1 < n; j0 += 2) inverseColumnPair(L, n, j0, U);
  if (j0 < n) {
    const uj = U + (<usize>(j0 * n) << 3);
    put(uj, j0, 1 / at(L, j0 * n + j0));
  }
  const half = dp >> 1;
  for (let k = 0; k < half; k++) v128.store(g + (<usize>k << 4), f64x2.splat(0.0));
  let trW = 0.0;
  let gs = 0.0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const ui = U + (<usize>(ri + i) << 3);
    const len = n - i;
    let j = 0;
    for (; j + 3 <= i; j += 4) dot4(ui, U + (<usize>(j * n + i) << 3), <usize>n << 3, len, w + (<usize>j << 3));
    for (; j <= i; j++) put(w, j, dot(ui, U + (<usize>(j * n + i) << 3), len));
    const ai = at(alpha, i);
    const wii = at(w, i) - ai * ai;
    trW += wii;
    gs += wii * s2;
    const pi = (i * (i - 1)) >> 1;
    const zi = Z + (<usize>(i * dp) << 3);
    for (let j = 0; j < i; j++) {
      const wj = at(w, j) - ai * at(alpha, j);
      gs += 2 * wj * at(Kf, pi + j);
      const c = f64x2.splat(-2 * wj * at(Dk, pi + j));
      const zj = Z + (<usize>(j * dp) << 3);
      for (let k = 0; k < half; k++) {
        const o = <usize>k << 4;
        const t = f64x2.sub(v128.load(zi + o), v128.load(zj + o));
        v128.store(g + o, f64x2.add(v128.load(g + o), f64x2.mul(f64x2.mul(c, t), t)));
      }
    }
  }
  put(g, dp, gs);
  put(g, dp + 1, trW);
}

/**
 * The lower triangle of the GP's K = s2 k(X, X) + noise I into `K` (`n x n`,
 * stride n), as src/gp/covariance-factor.ts's fillRow computes it: r^2 =
 * sum_k ((x_ik - x_jk) inv_k)^2 in dimension order (`XT` is X by
 * dimension, `d x n`; `inv` the inverse lengthscales), then s2 times
 * kernels.ts's kernelFromR2. Two columns j, j + 1 per vector. The upper
 * triangle is not written. Returns 1 when an entry is not finite, else 0.
 */
export function kernelFill(matern: i32, n: i32, d: i32, XT: usize, inv: usize, s2: f64, noise: f64, K: usize): i32 {
  const vs2 = f64x2.splat(s2);
  let bad = f64x2.splat(0.0);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < i; j += 2) {
      let r2 = f64x2.splat(0.0);
      for (let k = 0; k < d; k++) {
        const t = f64x2.mul(f64x2.sub(f64x2.splat(at(XT, k * n + i)), pairAt(XT, k * n + j)), f64x2.splat(at(inv, k)));
        r2 = f64x2.add(r2, f64x2.mul(t, t));
      }
      let kv: v128;
      if (matern !== 0) {
        const r = f64x2.sqrt(r2);
        const a = f64x2.add(f64x2.splat(1.0), f64x2.mul(f64x2.splat(SQRT5), r));
        kv = f64x2.mul(f64x2.add(a, f64x2.mul(f64x2.splat(5.0 / 3.0), r2)), expv(f64x2.mul(f64x2.splat(-SQRT5), r)));
      } else {
        kv = expv(f64x2.mul(f64x2.splat(-0.5), r2));
      }
      const kf = f64x2.mul(vs2, kv);
      const z = f64x2.sub(kf, kf); // NaN exactly where kf is not finite
      if (j + 1 < i) {
        v128.store(K + (<usize>(ri + j) << 3), kf);
        bad = v128.or(bad, f64x2.ne(z, z));
      } else {
        // j + 1 = i: the second lane is the diagonal's, not stored
        const k0 = f64x2.extract_lane(kf, 0);
        put(K, ri + j, k0);
        const z0 = k0 - k0;
        if (z0 != z0) bad = v128.not(f64x2.splat(0.0));
      }
    }
    put(K, ri + i, s2 + noise);
  }
  const diag = s2 + noise;
  return v128.any_true(bad) || diag - diag != diag - diag ? 1 : 0;
}

/** Where the caller's memory may start (16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
