// Solves with a Cholesky factor L (the lower triangle of `n x n`, row-major,
// byte addresses) in the JavaScript floats: the forward substitution row by
// row with linalg.ts's `dot`, the back substitution along L's rows (x_i,
// then its share off the rows above, two at a time: elementwise, so the
// same floats as one at a time).

import { dot } from './dot';
import { at, pairAt, put } from './memory';

/** Back substitution L^T x = x in place (x holds the forward solution). */
// @ts-ignore: decorator
@inline
function backRows(n: i32, L: usize, x: usize): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = at(x, i) / at(L, ri + i);
    put(x, i, xi);
    const vx = f64x2.splat(xi);
    let k = 0;
    for (; k + 1 < i; k += 2) {
      v128.store(x + (<usize>k << 3), f64x2.sub(pairAt(x, k), f64x2.mul(pairAt(L, ri + k), vx)));
    }
    for (; k < i; k++) put(x, k, at(x, k) - at(L, ri + k) * xi);
  }
}

/** linalg.ts's choleskySolve: alpha = (L L^T)^{-1} y. */
export function solve(n: i32, L: usize, y: usize, x: usize): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    put(x, i, (at(y, i) - dot(L + (<usize>ri << 3), x, i)) / at(L, ri + i));
  }
  backRows(n, L, x);
}

/**
 * x = (L L^T)^{-1} y, returning v . v for v = L^{-1} y summed in row order:
 * the floats of src/acquisition/refine.ts's solves by rows (posterior.ts's
 * forwardRows, then the back substitution), the acquisition's variance and
 * its gradient's weights in one call.
 */
export function solveQ(n: i32, L: usize, y: usize, x: usize): f64 {
  let q = 0.0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const v = (at(y, i) - dot(L + (<usize>ri << 3), x, i)) / at(L, ri + i);
    put(x, i, v);
    q += v * v;
  }
  backRows(n, L, x);
  return q;
}
