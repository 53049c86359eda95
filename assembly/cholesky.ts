// The likelihood module's Cholesky factorization (./likelihood.ts):
// linalg.ts's choleskyInPlace retry loop around linalg.ts's factorLower
// (n < 64) and linalg-blocked.ts's factorLowerBlocked, every entry the
// JavaScript float.
import { dot, seqDot } from './dot';
import { at, pairAt, put } from './memory';

/** Rows finished together by the blocked factorization (linalg-blocked.ts's BLOCK). */
const BLOCK: i32 = 48;
/** From this size on the blocked factorization runs (linalg.ts's BLOCKED_FROM). */
const BLOCKED_FROM: i32 = 64;

/** linalg.ts's factorLower (rows contiguous, `dot` per entry); false on a bad pivot. */
function factorLower(A: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const ai = A + (<usize>ri << 3);
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      put(A, ri + j, (at(A, ri + j) - dot(ai, A + (<usize>rj << 3), j)) / at(A, rj + j));
    }
    const s = at(A, ri + i) - dot(ai, ai, i);
    if (!(s > 0) || !isFinite(s)) return false;
    put(A, ri + i, Math.sqrt(s));
  }
  return true;
}

/**
 * linalg-blocked.ts's factorLowerBlocked (from = 0). Finished rows are also
 * copied in pairs into `P` (rows j, j + 1 interleaved: entry k of row j + c
 * at (j n + 2 k + c)), so a column pair's update reads both rows with one
 * vector load and takes four rows of the block at once: each entry still
 * gets updatePair's sums, in updatePair's order.
 */
function factorLowerBlocked(A: usize, n: i32, P: usize): bool {
  for (let ib = 0; ib < n; ib += BLOCK) {
    const ie = min(n, ib + BLOCK);
    let j = 0;
    for (; j + 1 < ib; j += 2) updatePair(A, n, ib, ie, j, P + (<usize>(j * n) << 3));
    for (; j < ib; j++) updateColumn(A, n, ib, ie, j);
    for (let c = ib; c < ie; c++) {
      const rc = c * n;
      const ac = A + (<usize>rc << 3);
      const s = at(A, rc + c) - seqDot(ac, ac, c);
      if (!(s > 0) || !isFinite(s)) return false;
      const lcc = Math.sqrt(s);
      put(A, rc + c, lcc);
      let i = c + 1;
      for (; i + 3 < ie; i += 4) {
        // four rows' sums side by side (independent chains)
        const ra = i * n;
        const rb = ra + n;
        const rc2 = rb + n;
        const rd = rc2 + n;
        let sa = 0.0;
        let sb = 0.0;
        let sc = 0.0;
        let sd = 0.0;
        for (let k = 0; k < c; k++) {
          const x = at(ac, k);
          sa += at(A, ra + k) * x;
          sb += at(A, rb + k) * x;
          sc += at(A, rc2 + k) * x;
          sd += at(A, rd + k) * x;
        }
        put(A, ra + c, (at(A, ra + c) - sa) / lcc);
        put(A, rb + c, (at(A, rb + c) - sb) / lcc);
        put(A, rc2 + c, (at(A, rc2 + c) - sc) / lcc);
        put(A, rd + c, (at(A, rd + c) - sd) / lcc);
      }
      for (; i < ie; i++) {
        const ri = i * n;
        put(A, ri + c, (at(A, ri + c) - seqDot(A + (<usize>ri << 3), ac, c)) / lcc);
      }
    }
    // the finished block's row pairs, interleaved, for the next blocks' updates
    for (let p = ib; p + 1 < ie; p += 2) {
      const dst = P + (<usize>(p * n) << 3);
      const r0 = A + (<usize>(p * n) << 3);
      const r1 = r0 + (<usize>n << 3);
      for (let k = 0; k < p; k++) {
        put(dst, 2 * k, at(r0, k));
        put(dst, 2 * k + 1, at(r1, k));
      }
    }
  }
  return true;
}

/** linalg-blocked.ts's updateColumn: L[i, j] for i in [ib, ie), one finished column j < ib. */
function updateColumn(A: usize, n: i32, ib: i32, ie: i32, j: i32): void {
  const rj = j * n;
  const ljj = at(A, rj + j);
  for (let i = ib; i < ie; i++) {
    const ri = i * n;
    put(A, ri + j, (at(A, ri + j) - seqDot(A + (<usize>ri << 3), A + (<usize>rj << 3), j)) / ljj);
  }
}

/** Entries (i, j), (i, j + 1) of one row from its sums (a0, a1) over k < j. */
// @ts-ignore: decorator
@inline
function finishPair(A: usize, ra: i32, j: i32, acc: v128, ljj: f64, lkj: f64, lkk: f64): void {
  const la = (at(A, ra + j) - f64x2.extract_lane(acc, 0)) / ljj;
  put(A, ra + j, la);
  put(A, ra + j + 1, (at(A, ra + j + 1) - (f64x2.extract_lane(acc, 1) + la * lkj)) / lkk);
}

/**
 * updatePair: L[i, j] and L[i, j + 1] for i in [ib, ie), j + 1 < ib. The
 * lanes of an accumulator are one row's sums against rows j and j + 1 (read
 * together from the interleaved pair `Pj`), four rows at a time.
 */
function updatePair(A: usize, n: i32, ib: i32, ie: i32, j: i32, Pj: usize): void {
  const rj = j * n;
  const rk = rj + n;
  const ljj = at(A, rj + j);
  const lkj = at(A, rk + j);
  const lkk = at(A, rk + j + 1);
  let i = ib;
  for (; i + 3 < ie; i += 4) {
    const r0 = A + (<usize>(i * n) << 3);
    const step = <usize>n << 3;
    const r1 = r0 + step;
    const r2 = r1 + step;
    const r3 = r2 + step;
    let a = f64x2.splat(0.0);
    let b = f64x2.splat(0.0);
    let c = f64x2.splat(0.0);
    let e = f64x2.splat(0.0);
    for (let k = 0; k < j; k++) {
      const x = pairAt(Pj, 2 * k);
      const o = <usize>k << 3;
      a = f64x2.add(a, f64x2.mul(v128.load64_splat(r0 + o), x));
      b = f64x2.add(b, f64x2.mul(v128.load64_splat(r1 + o), x));
      c = f64x2.add(c, f64x2.mul(v128.load64_splat(r2 + o), x));
      e = f64x2.add(e, f64x2.mul(v128.load64_splat(r3 + o), x));
    }
    finishPair(A, i * n, j, a, ljj, lkj, lkk);
    finishPair(A, (i + 1) * n, j, b, ljj, lkj, lkk);
    finishPair(A, (i + 2) * n, j, c, ljj, lkj, lkk);
    finishPair(A, (i + 3) * n, j, e, ljj, lkj, lkk);
  }
  for (; i < ie; i++) {
    const r0 = A + (<usize>(i * n) << 3);
    let a = f64x2.splat(0.0);
    for (let k = 0; k < j; k++) a = f64x2.add(a, f64x2.mul(v128.load64_splat(r0 + (<usize>k << 3)), pairAt(Pj, 2 * k)));
    finishPair(A, i * n, j, a, ljj, lkj, lkk);
  }
}

/**
 * linalg.ts's choleskyInPlace after its checks: the lower triangle of `A`
 * (`n x n`) is factored, with jitter `initial`, then times 10 while it stays
 * at most `cap`, after a failure. The original lower triangle is kept in the
 * upper one and the diagonal in `diag` (n doubles) to retry; `P` is n^2
 * doubles of scratch. Returns the jitter added, or -1 when every try failed.
 */
export function cholesky(n: i32, A: usize, diag: usize, P: usize, initial: f64, cap: f64): f64 {
  for (let i = 0; i < n; i++) {
    put(diag, i, at(A, i * n + i));
    for (let j = 0; j < i; j++) put(A, j * n + i, at(A, i * n + j));
  }
  let jitter = 0.0;
  while (!(n >= BLOCKED_FROM ? factorLowerBlocked(A, n, P) : factorLower(A, n))) {
    const next = jitter == 0 ? initial : jitter * 10;
    if (!(next <= cap)) return -1;
    jitter = next;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) put(A, i * n + j, at(A, j * n + i));
      put(A, i * n + i, at(diag, i) + jitter);
    }
  }
  return jitter;
}

