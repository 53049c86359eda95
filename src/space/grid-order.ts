/**
 * A grid's points in an order whose every prefix is spread over the space,
 * for a walk whose length is not known in advance (ask/tell's `suggest()` on
 * a GridSearch): the lexicographic order of ./grid covers one end of the
 * first parameter before it moves (9 asks of a 5 x 6 grid stay on two of
 * its five columns). Greedy maximin: the point nearest the centre first,
 * then each time the point farthest (in the unit encoding, categoricals
 * one-hot) from those already taken, ties to the earlier in grid order.
 */
import { encodeInto, encodedDim } from './encode';
import { gridPointAt, gridPoints } from './grid';
import type { DimLayout, Params } from './types';

/** Above this many points the O(N^2 d) ordering gives way to a scrambled order (see gridWalk). */
export const SPREAD_ORDER_MAX = 4096;

/**
 * The points of `gridPoints(layout, budget)`, reordered so that any prefix
 * is spread out (see the module comment); grids of more than
 * SPREAD_ORDER_MAX points keep their lexicographic order.
 * @example
 * gridSpreadOrder(layout2d, 9) // the 3 x 3 grid: centre, then corners, then edges
 */
export function gridSpreadOrder(layout: readonly DimLayout[], budget: number): Params[] {
  const pts = gridPoints(layout, budget);
  const n = pts.length;
  if (n <= 2 || n > SPREAD_ORDER_MAX) return pts;
  const d = encodedDim(layout);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) encodeInto(layout, pts[i], X.subarray(i * d, (i + 1) * d));
  // nearest (squared distance) to anything taken so far; the first pick is the one nearest the centre
  const near = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (X[i * d + j] - 0.5) ** 2;
    near[i] = -s; // the largest value is taken: minus the distance to the centre
  }
  const taken = new Uint8Array(n);
  const out: Params[] = [];
  for (let k = 0; k < n; k++) {
    let best = -1;
    for (let i = 0; i < n; i++) if (!taken[i] && (best < 0 || near[i] > near[best])) best = i;
    taken[best] = 1;
    out.push(pts[best]);
    if (k === 0) near.fill(Infinity);
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += (X[i * d + j] - X[best * d + j]) ** 2;
      if (s < near[i]) near[i] = s;
    }
  }
  return out;
}

/**
 * Every point of the grid of `budget` once, in an order whose prefixes are
 * spread: gridSpreadOrder's up to SPREAD_ORDER_MAX points; above, a fixed
 * pseudo-random permutation of the grid's indices (as Optuna's GridSampler
 * takes unvisited points at random), made one index at a time, so a grid of
 * millions is never listed (its lexicographic order stayed on one column,
 * and listing it took 250 MB at 1e6 points).
 */
export function* gridWalk(layout: readonly DimLayout[], budget: number): Generator<Params, void, undefined> {
  const { size, at } = gridPointAt(layout, budget);
  if (size <= SPREAD_ORDER_MAX) {
    yield* gridSpreadOrder(layout, budget);
    return;
  }
  const permute = indexPermutation(size);
  for (let i = 0; i < size; i++) yield at(permute(i));
}

/**
 * A fixed bijection of [0, n) (n < 2^52): a four-round Feistel network on
 * the smallest even number of bits that holds n, walked in cycles until it
 * lands below n (fewer than 4 steps on average).
 */
function indexPermutation(n: number): (i: number) => number {
  let bits = Math.max(2, Math.ceil(Math.log2(n)));
  if (bits % 2) bits++;
  const half = bits / 2;
  const mask = 2 ** half;
  const round = (r: number, x: number): number => {
    // a 32-bit mix of (round, half), reduced to `half` bits
    let h = Math.imul(x ^ Math.imul(r + 1, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (h >>> 0) % mask;
  };
  const once = (i: number): number => {
    let l = Math.floor(i / mask);
    let r = i % mask;
    for (let k = 0; k < 4; k++) [l, r] = [r, (l + round(k, r)) % mask];
    return l * mask + r;
  };
  return (i) => {
    let x = once(i);
    while (x >= n) x = once(x);
    return x;
  };
}
