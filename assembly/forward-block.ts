// Forward substitution V = L^{-1} K for a block of candidate columns
// (src/gp/forward-block.ts's forwardRowsBlock) in WebAssembly SIMD. A quad of
// columns c0..c3 sits interleaved (entry i of column c at i * 4 + c), so one
// f64x2 holds columns (c0, c1) and another (c2, c3). Every lane performs,
// operation for operation, the scalar arithmetic of forwardRowsBlock: the
// four accumulators over j mod 4 with the tail in the first, then
// (s0 + s1) + (s2 + s3), the subtraction from K and the division by L_ii, and
// q += x * x in row order; no fused multiply-add, no reassociation. So the
// floats are those of the JavaScript solve, bit for bit.

// @ts-ignore: decorator
@inline
function vld(base: usize, i: i32): v128 {
  return v128.load(base + (<usize>i << 3));
}

/**
 * Rows from..to-1 of V = L^{-1} K for the first `quads` quads of a column
 * block laid out as ColumnBlock (entry i of column 4 g + c at
 * ((g n) + i) 4 + c): `L` is `n x n` row-major (stride n), `K`, `V` hold
 * `quads x n x 4` doubles, `q` one running sum of squares per column. Rows
 * before `from` of V must already hold the solution.
 */
export function forwardBlock(L: usize, n: i32, K: usize, V: usize, q: usize, from: i32, to: i32, quads: i32): void {
  const zero = f64x2.splat(0.0);
  for (let i = from; i < to; i++) {
    const ri = L + (<usize>(i * n) << 3);
    const dd = f64x2.splat(load<f64>(ri + (<usize>i << 3)));
    for (let g = 0; g < quads; g++) {
      const base = g * n * 4;
      const Vg = V + (<usize>base << 3);
      let a0 = zero; let c0 = zero;
      let a1 = zero; let c1 = zero;
      let a2 = zero; let c2 = zero;
      let a3 = zero; let c3 = zero;
      let j = 0;
      for (; j + 3 < i; j += 4) {
        const l0 = f64x2.splat(load<f64>(ri + (<usize>j << 3)));
        const l1 = f64x2.splat(load<f64>(ri + (<usize>(j + 1) << 3)));
        const l2 = f64x2.splat(load<f64>(ri + (<usize>(j + 2) << 3)));
        const l3 = f64x2.splat(load<f64>(ri + (<usize>(j + 3) << 3)));
        const o = j * 4;
        a0 = f64x2.add(a0, f64x2.mul(l0, vld(Vg, o)));
        c0 = f64x2.add(c0, f64x2.mul(l0, vld(Vg, o + 2)));
        a1 = f64x2.add(a1, f64x2.mul(l1, vld(Vg, o + 4)));
        c1 = f64x2.add(c1, f64x2.mul(l1, vld(Vg, o + 6)));
        a2 = f64x2.add(a2, f64x2.mul(l2, vld(Vg, o + 8)));
        c2 = f64x2.add(c2, f64x2.mul(l2, vld(Vg, o + 10)));
        a3 = f64x2.add(a3, f64x2.mul(l3, vld(Vg, o + 12)));
        c3 = f64x2.add(c3, f64x2.mul(l3, vld(Vg, o + 14)));
      }
      for (; j < i; j++) {
        const l = f64x2.splat(load<f64>(ri + (<usize>j << 3)));
        const o = j * 4;
        a0 = f64x2.add(a0, f64x2.mul(l, vld(Vg, o)));
        c0 = f64x2.add(c0, f64x2.mul(l, vld(Vg, o + 2)));
      }
      const o = base + i * 4;
      const xa = f64x2.div(f64x2.sub(vld(K, o), f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3))), dd);
      const xc = f64x2.div(f64x2.sub(vld(K, o + 2), f64x2.add(f64x2.add(c0, c1), f64x2.add(c2, c3))), dd);
      v128.store(V + (<usize>o << 3), xa);
      v128.store(V + (<usize>(o + 2) << 3), xc);
      const qg = q + (<usize>(g * 4) << 3);
      v128.store(qg, f64x2.add(v128.load(qg), f64x2.mul(xa, xa)));
      v128.store(qg, f64x2.add(v128.load(qg, 16), f64x2.mul(xc, xc)), 16);
    }
  }
}
