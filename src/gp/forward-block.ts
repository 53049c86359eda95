/**
 * Forward substitution v = L^{-1} k for many right-hand sides at once (a
 * triangular solve with a block of columns), the bulk of exact posterior
 * variances. One column at a time reads every row of L once per candidate
 * and V8 cannot overlap the rows' dependent sums, about 0.3 GFLOP/s; here
 * the columns go in quads (16 accumulators in registers, each L value loaded
 * once for four columns) and all quads of a block take row i while it is in
 * cache, about 1-1.5 GFLOP/s on one core.
 *
 * Each column gets exactly the arithmetic of {@link forwardRows} (`dot`'s
 * four accumulators over j mod 4, the tail into the first, then
 * (s0 + s1) + (s2 + s3); q summed in row order), so every result equals the
 * one-column path bit for bit.
 */

/**
 * A block of `4 x quads` columns, stored by quad and interleaved within one:
 * entry i of column 4 g + c is at ((g n) + i) 4 + c. `K` holds the right-hand
 * sides, `V` the solution (rows before `from` must already hold it), `q` the
 * running sums of squares (one per column), updated in place.
 * @example
 *   const blk = new ColumnBlock(n, 2); // 8 columns
 *   blk.setColumn(5, kx); forwardRowsBlock(L, n, blk, 0, n); // blk.q[5] = ||L^{-1} kx||^2
 */
export class ColumnBlock {
  readonly K: Float64Array;
  readonly V: Float64Array;
  readonly q: Float64Array;
  /**
   * @param arrays K, V (`quads x 4 x n` each) and q (`4 quads`) to use, e.g.
   *   views into a WebAssembly memory that solves the block; fresh arrays by default
   */
  constructor(readonly n: number, readonly quads: number, arrays?: { K: Float64Array; V: Float64Array; q: Float64Array }) {
    this.K = arrays?.K ?? new Float64Array(quads * 4 * n);
    this.V = arrays?.V ?? new Float64Array(quads * 4 * n);
    this.q = arrays?.q ?? new Float64Array(quads * 4);
  }

  /** Index of entry i of column `col` in K and V. */
  at(col: number, i: number): number {
    return (((col >> 2) * this.n + i) << 2) + (col & 3);
  }

  /** Copies the first `rows` (default n) right-hand-side values into column `col`. */
  setColumn(col: number, k: Float64Array, rows = this.n): void {
    const { K } = this;
    let o = this.at(col, 0);
    for (let i = 0; i < rows; i++, o += 4) K[o] = k[i];
  }

  /** Sets rows 0..rows-1 of column `col`'s solution and its sum of squares. */
  setSolved(col: number, v: ArrayLike<number>, rows: number, q: number): void {
    let o = this.at(col, 0);
    for (let i = 0; i < rows; i++, o += 4) this.V[o] = v[i];
    this.q[col] = q;
  }

  /** Copies rows 0..rows-1 of column `col`'s solution into `out`. */
  solved(col: number, rows: number, out: Float64Array, outOffset = 0): void {
    let o = this.at(col, 0);
    for (let i = 0; i < rows; i++, o += 4) out[outOffset + i] = this.V[o];
  }

  /** Moves column `from` into column `to` (K in full, V for its first `rows` rows, q). */
  move(from: number, to: number, rows: number): void {
    const { n, K, V } = this;
    let a = this.at(from, 0);
    let b = this.at(to, 0);
    for (let i = 0; i < n; i++, a += 4, b += 4) {
      K[b] = K[a];
      if (i < rows) V[b] = V[a];
    }
    this.q[to] = this.q[from];
  }
}

/**
 * Rows from..to-1 of the forward substitution for the first `quads` quads of
 * `blk` (default all): V = L^{-1} K, q += the squares of the new entries.
 * @param L `n x n` row-major lower-triangular factor
 */
export function forwardRowsBlock(
  L: Float64Array, n: number, blk: ColumnBlock, from: number, to: number, quads = blk.quads,
): void {
  const { K, V, q } = blk;
  for (let i = from; i < to; i++) {
    const ri = i * n;
    const dd = L[ri + i];
    for (let g = 0; g < quads; g++) {
      const base = g * n * 4;
      let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;
      let b0 = 0; let b1 = 0; let b2 = 0; let b3 = 0;
      let c0 = 0; let c1 = 0; let c2 = 0; let c3 = 0;
      let d0 = 0; let d1 = 0; let d2 = 0; let d3 = 0;
      let j = 0;
      for (; j + 3 < i; j += 4) {
        const l0 = L[ri + j]; const l1 = L[ri + j + 1]; const l2 = L[ri + j + 2]; const l3 = L[ri + j + 3];
        const o = base + j * 4;
        a0 += l0 * V[o]; b0 += l0 * V[o + 1]; c0 += l0 * V[o + 2]; d0 += l0 * V[o + 3];
        a1 += l1 * V[o + 4]; b1 += l1 * V[o + 5]; c1 += l1 * V[o + 6]; d1 += l1 * V[o + 7];
        a2 += l2 * V[o + 8]; b2 += l2 * V[o + 9]; c2 += l2 * V[o + 10]; d2 += l2 * V[o + 11];
        a3 += l3 * V[o + 12]; b3 += l3 * V[o + 13]; c3 += l3 * V[o + 14]; d3 += l3 * V[o + 15];
      }
      for (; j < i; j++) {
        const l = L[ri + j];
        const o = base + j * 4;
        a0 += l * V[o]; b0 += l * V[o + 1]; c0 += l * V[o + 2]; d0 += l * V[o + 3];
      }
      const o = base + i * 4;
      const xa = (K[o] - ((a0 + a1) + (a2 + a3))) / dd;
      const xb = (K[o + 1] - ((b0 + b1) + (b2 + b3))) / dd;
      const xc = (K[o + 2] - ((c0 + c1) + (c2 + c3))) / dd;
      const xd = (K[o + 3] - ((d0 + d1) + (d2 + d3))) / dd;
      V[o] = xa; V[o + 1] = xb; V[o + 2] = xc; V[o + 3] = xd;
      const g4 = g * 4;
      q[g4] += xa * xa; q[g4 + 1] += xb * xb; q[g4 + 2] += xc * xc; q[g4 + 3] += xd * xd;
    }
  }
}
