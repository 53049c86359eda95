/**
 * The shapes the exact stage (./exact-stage.ts) and its callers share: a
 * round's configuration, one block's request and result, the column-block
 * arrays of its lanes, and the block solver itself.
 */
/** What a block's solves need of the round (the same for every block of one screening). */
export interface ExactConfig {
  kernel: 'rbf' | 'matern52';
  n: number;
  d: number;
  s2: number;
  /** `d x n` scaled training inputs, `d` inverse lengthscales (gp/posterior.ts ScaledInputs) */
  Z: Float64Array;
  inv: Float64Array;
  /** `n x n` row-major posterior factor */
  L: Float64Array;
  /** `n` weights K^{-1} y, for the exact means (the bounding pass gives only upper bounds) */
  alpha: Float64Array;
  /** |S|, its `s x s` factor, its `s` observation indices, the slack on its bounds */
  s: number;
  sL: Float64Array;
  sIdx: Int32Array;
  sSlack: number;
  /** rows of S every candidate has from the bounding pass */
  head: number;
  /** the smallest step between checks (rows), and the relative slack of sigmaBound */
  step: number;
  slack: number;
}

/** One block of candidates to solve. */
export interface ExactRequest {
  cnt: number;
  /**
   * `cnt x d` candidate points. Their first `head` rows of S are solved again
   * here (the bounding pass's floats, forwardRowsBlock's arithmetic), not
   * carried over from the pass: m x head doubles per pass cost more to keep
   * and gather than these few candidates' rows to solve.
   */
  points: Float64Array;
  /** `cnt`: a candidate is kept while its sigma bound exceeds this; with `prune` false, no checks */
  sigma: Float64Array;
  prune: boolean;
}

/** Per candidate of a block: the exact mean k . alpha, the sum of squares of L^{-1} k (NaN where dropped) and the rows solved of S and of L. */
export interface ExactResult {
  mean: Float64Array;
  q: Float64Array;
  sDone: Int32Array;
  done: Int32Array;
}

/**
 * Column-block arrays (gp/forward-block.ts's layout: entry i of column c at
 * (((c >> 2) rows + i) << 2) + (c & 3)); `mu`, one per lane, the exact
 * mean's running sum (the block through L).
 */
export interface LaneArrays {
  K: Float64Array;
  V: Float64Array;
  q: Float64Array;
  mu?: Float64Array;
}

/**
 * Fills rows from..to-1 of K for lanes 0..live-1 (lane c is candidate id[c]
 * of the block): of the subset block (rows of S) or of the block through L,
 * adding entry times alpha to the lane's `mu` in row order there.
 */
export type FillRows = (subset: boolean, from: number, to: number, id: Int32Array, live: number) => void;

/**
 * A block solver, which also solves whole column blocks through L
 * (`columns`: all n rows of the first `quads` quads of `blk`, laid out as
 * gp/forward-block.ts's ColumnBlock; V and q are overwritten, q summed from
 * zero): the anchored bounds' d + 1 solves per anchor, in WebAssembly where
 * the solver runs there, with forwardRowsBlock's floats either way.
 */
export type ExactSolver = ((req: ExactRequest) => ExactResult) & {
  columns?: (blk: LaneArrays, quads: number) => void;
};
