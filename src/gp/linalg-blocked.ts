/**
 * Cache- and register-blocked float64 kernels for the GP's factorizations,
 * and O(n^2)-per-row updates that append observations to an existing factor.
 * Matrices are `n x n` row-major Float64Arrays (lower triangles).
 *
 * The plain row-oriented Cholesky of linalg.ts reads one earlier row per dot
 * product, so at n = 4,000 every entry of L streams from memory n / 2 times.
 * Here a block of BLOCK rows is finished together: each earlier row is read
 * once per block and used for BLOCK dot products, and the innermost loop
 * computes a 2 x 2 block of dot products (four accumulators, half the loads
 * per multiply-add). Same operations per entry as the plain version up to
 * the order of the additions, so results agree to rounding (tested to 1e-12).
 * Every sum is added in index order whatever the blocking, so extending a
 * factor by rows (`from` > 0) gives exactly the entries a fresh factorization
 * of the larger matrix gives.
 */
/**
 * sum_{k < len} a[ai + k] b[bi + k], added strictly in order: every entry of
 * L is then the same float whatever the blocking, so a factor extended row by
 * row equals a fresh one bit for bit.
 */
function seqDot(a: Float64Array, ai: number, b: Float64Array, bi: number, len: number): number {
  let s = 0;
  for (let k = 0; k < len; k++) s += a[ai + k] * b[bi + k];
  return s;
}

/** Rows finished together: 48 rows of 4,000 doubles (1.5 MB) stay in cache. */
const BLOCK = 48;

/**
 * In-place Cholesky of the lower triangle of `A` (`n x n`, row-major) for rows
 * `from..n-1`, with rows `0..from-1` already holding L (their entries are not
 * touched). Returns false when a pivot is not positive or not finite; `A` is
 * then partly overwritten. Entries above the diagonal are neither read nor written.
 */
export function factorLowerBlocked(A: Float64Array, n: number, from = 0): boolean {
  for (let ib = from; ib < n; ib += BLOCK) {
    const ie = Math.min(n, ib + BLOCK);
    // Columns left of the block: only rows of earlier blocks (final) are read.
    let j = 0;
    for (; j + 1 < ib; j += 2) updatePair(A, n, ib, ie, j);
    for (; j < ib; j++) updateColumn(A, n, ib, ie, j);
    // The block's own triangle, column by column.
    for (let c = ib; c < ie; c++) {
      const rc = c * n;
      const s = A[rc + c] - seqDot(A, rc, A, rc, c);
      if (!(s > 0) || !Number.isFinite(s)) return false;
      const lcc = Math.sqrt(s);
      A[rc + c] = lcc;
      for (let i = c + 1; i < ie; i++) {
        const ri = i * n;
        A[ri + c] = (A[ri + c] - seqDot(A, ri, A, rc, c)) / lcc;
      }
    }
  }
  return true;
}

/** L[i, j] for i in [ib, ie), one finished column j < ib. */
function updateColumn(A: Float64Array, n: number, ib: number, ie: number, j: number): void {
  const rj = j * n;
  const ljj = A[rj + j];
  for (let i = ib; i < ie; i++) {
    const ri = i * n;
    A[ri + j] = (A[ri + j] - seqDot(A, ri, A, rj, j)) / ljj;
  }
}

/**
 * L[i, j] and L[i, j + 1] for i in [ib, ie), j + 1 < ib: rows i, i + 1 against
 * rows j, j + 1 (2 x 2 dot products over the common prefix 0..j-1, then the
 * one extra term of column j + 1).
 */
function updatePair(A: Float64Array, n: number, ib: number, ie: number, j: number): void {
  const rj = j * n;
  const rk = rj + n;
  const ljj = A[rj + j];
  const lkj = A[rk + j];
  const lkk = A[rk + j + 1];
  let i = ib;
  for (; i + 1 < ie; i += 2) {
    const ra = i * n;
    const rb = ra + n;
    let a0 = 0; let a1 = 0; let b0 = 0; let b1 = 0;
    for (let k = 0; k < j; k++) {
      const x0 = A[rj + k];
      const x1 = A[rk + k];
      const ya = A[ra + k];
      const yb = A[rb + k];
      a0 += ya * x0; a1 += ya * x1;
      b0 += yb * x0; b1 += yb * x1;
    }
    const la = (A[ra + j] - a0) / ljj;
    A[ra + j] = la;
    A[ra + j + 1] = (A[ra + j + 1] - (a1 + la * lkj)) / lkk;
    const lb = (A[rb + j] - b0) / ljj;
    A[rb + j] = lb;
    A[rb + j + 1] = (A[rb + j + 1] - (b1 + lb * lkj)) / lkk;
  }
  for (; i < ie; i++) {
    const ra = i * n;
    let a0 = 0; let a1 = 0;
    for (let k = 0; k < j; k++) {
      const ya = A[ra + k];
      a0 += ya * A[rj + k]; a1 += ya * A[rk + k];
    }
    const la = (A[ra + j] - a0) / ljj;
    A[ra + j] = la;
    A[ra + j + 1] = (A[ra + j + 1] - (a1 + la * lkj)) / lkk;
  }
}

/**
 * Rows `p..n-1` of the inverse of the lower-triangular `L`, given rows `0..p-1`
 * of it already in `inv` (both `n x n`, row-major). Row i of L^{-1} is
 * -(1 / L_ii) sum_{k < i} L_ik (row k of L^{-1}), plus 1 / L_ii on the
 * diagonal: O(i^2) per row, so appending r rows costs O(r n^2). With p = 0
 * this is the whole inverse (n^3 / 6 multiply-adds, rows of `inv` read
 * contiguously). The upper triangle of rows p..n-1 of `inv` is set to zero.
 */
export function inverseRowsAppend(L: Float64Array, inv: Float64Array, n: number, p: number): void {
  // Four rows at a time: each row k of inv read for the earlier rows serves all four (the
  // loop is bound by memory, not arithmetic), with every entry's terms in the order of
  // the one-row loop (k ascending), so the result is the same bit for bit.
  let i0 = p;
  for (; i0 + 4 <= n; i0 += 4) {
    const r0 = i0 * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    inv.fill(0, r0, r0 + 4 * n);
    for (let k = 0; k < i0; k++) {
      const c0 = L[r0 + k];
      const c1 = L[r1 + k];
      const c2 = L[r2 + k];
      const c3 = L[r3 + k];
      const rk = k * n;
      if (c0 !== 0 && c1 !== 0 && c2 !== 0 && c3 !== 0) {
        for (let q = 0; q <= k; q++) {
          const v = inv[rk + q];
          inv[r0 + q] -= c0 * v;
          inv[r1 + q] -= c1 * v;
          inv[r2 + q] -= c2 * v;
          inv[r3 + q] -= c3 * v;
        }
      } else {
        // a zero entry of L is skipped, as the one-row loop skips it
        if (c0 !== 0) for (let q = 0; q <= k; q++) inv[r0 + q] -= c0 * inv[rk + q];
        if (c1 !== 0) for (let q = 0; q <= k; q++) inv[r1 + q] -= c1 * inv[rk + q];
        if (c2 !== 0) for (let q = 0; q <= k; q++) inv[r2 + q] -= c2 * inv[rk + q];
        if (c3 !== 0) for (let q = 0; q <= k; q++) inv[r3 + q] -= c3 * inv[rk + q];
      }
    }
    for (let i = i0; i < i0 + 4; i++) finishRow(L, inv, n, i, i0);
  }
  for (let i = i0; i < n; i++) {
    inv.fill(0, i * n, i * n + n);
    finishRow(L, inv, n, i, 0);
  }
}

/** Row i of L^{-1}: the terms of rows k = from..i-1 (those before `from` already subtracted), then the scaling. */
function finishRow(L: Float64Array, inv: Float64Array, n: number, i: number, from: number): void {
  const ri = i * n;
  for (let k = from; k < i; k++) {
    const c = L[ri + k];
    if (c === 0) continue;
    const rk = k * n;
    // row k of L^{-1} is zero beyond column k
    for (let q = 0; q <= k; q++) inv[ri + q] -= c * inv[rk + q];
  }
  const s = 1 / L[ri + i];
  for (let q = 0; q < i; q++) inv[ri + q] *= s;
  inv[ri + i] = s;
}
