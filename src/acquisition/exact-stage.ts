/**
 * The exact stage of screened scoring (screening.ts) for one block of up to
 * LANES candidates: the forward substitution through the subset factor L_S
 * from its `head` rows on, then through the posterior's factor L, each
 * range of rows' kernel entries computed as the substitution reaches it,
 * both checked every so many rows and a candidate dropped once its variance
 * bound can no longer reach the cut.
 *
 * A drop is decided by the candidate's own floats alone: the round computes,
 * per candidate, the standard deviation its bound must exceed
 * (sigmaNeeded in ./sigma-needed.ts), and a lane is kept while `sigmaBound(v) > that`.
 * So a block's results do not depend on which thread solves it, nor on the
 * other candidates in it, and the round's blocks can go to the calling
 * thread and a worker thread alike with the same results, bit for bit.
 *
 * `exactLanes` and `wasmExactStage` are self-contained (they import nothing
 * and read no module-level binding): the bounding pool's workers run them
 * from their source text, as they do the bounding pass.
 */
import { exp } from '../util/math';
import { ColumnBlock, forwardRowsBlock } from '../gp/forward-block';
import type { ScaledInputs } from '../gp/posterior';
import type { BoundingWasmExports } from './bounding-wasm';
import type { ExactConfig, ExactRequest, ExactResult, FillRows, LaneArrays, ExactSolver } from './exact-types';

export type { ExactConfig, ExactRequest, ExactResult, FillRows, LaneArrays, ExactSolver } from './exact-types';

/** Candidates whose variances are computed together (a multiple of 4). */
export const LANES = 16;

/**
 * The checked solves of `cnt` lanes: the head rows of S, then on through S
 * (`blkS`, rows s) and L (`blk`, rows n); `fill` computes the kernel entries
 * of a range of rows just before `forward(subset, from, to, quads)` solves
 * it, so a lane dropped on the way never pays for the rest of its kernel
 * row (nor for its mean). Lanes dropped on the way are replaced by the last
 * live one (their solved rows, sum of squares and mean so far move; entries
 * already solved are not needed again).
 */
export function exactLanes(
  cfg: { n: number; s: number; head: number; step: number; s2: number; sSlack: number; slack: number },
  cnt: number, blk: LaneArrays, blkS: LaneArrays,
  forward: (subset: boolean, from: number, to: number, quads: number) => void, fill: FillRows,
  sigma: Float64Array, prune: boolean, out: ExactResult,
): void {
  const { n, s, head, step, s2, sSlack, slack } = cfg;
  const id = new Int32Array(cnt);
  for (let c = 0; c < cnt; c++) id[c] = c;
  // screening-bounds.ts's sigmaBound, compared with the lane's threshold
  const keep = (v: number, lane: number): boolean => {
    const vb = Math.max(0, v) * (1 + slack) + slack * s2;
    return Math.sqrt(Math.min(vb, s2)) > sigma[lane];
  };
  const move = (b: LaneArrays, rows: number, from: number, to: number, vRows: number): void => {
    let x = (((from >> 2) * rows) << 2) + (from & 3);
    let y = (((to >> 2) * rows) << 2) + (to & 3);
    for (let i = 0; i < vRows; i++, x += 4, y += 4) b.V[y] = b.V[x];
    b.q[to] = b.q[from];
    if (b.mu) b.mu[to] = b.mu[from];
  };
  let live = cnt;
  blkS.q.fill(0);
  fill(true, 0, head, id, live);
  forward(true, 0, head, (live + 3) >> 2);
  let sDone = head;
  for (let done = head; prune && done < s && live > 0;) {
    const check = Math.min(done + Math.max(step, done >> 2), s);
    fill(true, done, check, id, live);
    forward(true, done, check, (live + 3) >> 2);
    done = sDone = check;
    for (let c = live - 1; c >= 0; c--) {
      if (keep(s2 - blkS.q[c] + sSlack, id[c])) continue;
      out.q[id[c]] = NaN;
      out.sDone[id[c]] = done;
      out.done[id[c]] = 0;
      live--;
      if (c !== live) {
        move(blkS, s, live, c, done);
        id[c] = id[live];
      }
    }
  }
  for (let c = 0; c < live; c++) out.sDone[id[c]] = sDone;
  // s2 - (the sum over the first r rows of L) is the variance given the first
  // r observations, in the very floats the exact variance adds to: no slack
  blk.q.fill(0);
  blk.mu!.fill(0);
  let done = 0;
  while (done < n && live > 0) {
    const check = prune ? Math.min(done + Math.max(step, done >> 2), n) : n;
    fill(false, done, check, id, live);
    forward(false, done, check, (live + 3) >> 2);
    done = check;
    if (done === n) break;
    for (let c = live - 1; c >= 0; c--) {
      if (keep(s2 - blk.q[c], id[c])) continue;
      out.q[id[c]] = NaN;
      out.done[id[c]] = done;
      live--;
      if (c !== live) {
        move(blk, n, live, c, done);
        id[c] = id[live];
      }
    }
  }
  for (let c = 0; c < live; c++) {
    out.q[id[c]] = blk.q[c];
    out.mean[id[c]] = blk.mu![c];
    out.done[id[c]] = n;
  }
}

/** An empty result for `cnt` candidates. */
export function exactResult(cnt: number): ExactResult {
  return { mean: new Float64Array(cnt), q: new Float64Array(cnt), sDone: new Int32Array(cnt), done: new Int32Array(cnt) };
}

/**
 * A block solver through the WebAssembly module: the training inputs, L and
 * L_S are copied into its memory once (again where a bounding pass or another
 * exact stage on this thread used that memory since), kernel rows and forward substitutions run
 * there (the floats of the JavaScript path, bit for bit). `lanes` is
 * {@link exactLanes}, passed in so that this function reads no outer name.
 */
export function wasmExactStage(
  ex: BoundingWasmExports, cfg: ExactConfig, lanes: typeof exactLanes, maxLanes: number,
): ExactSolver {
  const { kernel, n, d, s2, s } = cfg;
  const matern = kernel === 'rbf' ? 0 : 1;
  const al = (b: number): number => (b + 15) & ~15;
  let at = al(ex.heapBase());
  const take = (bytes: number): number => { const o = at; at = al(at + bytes); return o; };
  const cols = ((maxLanes + 3) >> 2) << 2;
  const oZ = take(8 * d * n);
  const oInv = take(8 * d);
  const oAlpha = take(8 * n);
  const oSIdx = take(4 * s);
  const oPts = take(8 * cols * d);
  const oLid = take(4 * cols);
  const oMu = take(8 * cols);
  const oZs = take(16 * d);
  const oL = take(8 * n * n);
  const oSL = take(8 * s * s);
  const oK = take(8 * cols * n);
  const oV = take(8 * cols * n);
  const oQ = take(8 * cols);
  const oSK = take(8 * cols * s);
  const oSV = take(8 * cols * s);
  const oSQ = take(8 * cols);
  const mem = ex.memory;
  // The inputs stay in the module's memory from block to block. A bounding
  // pass or another exact stage on this thread in between (a screening of
  // another study while this one awaits its worker) writes over them: each
  // claims the memory (claimLayout) first, and a block that finds another
  // claim than this stage's lays the inputs out again (as memory growth
  // detaches the views, so does a new buffer).
  let mine = 0;
  let buf: ArrayBuffer = new ArrayBuffer(0);
  let blk: LaneArrays = { K: new Float64Array(0), V: new Float64Array(0), q: new Float64Array(0) };
  let blkS: LaneArrays = blk;
  let pts = new Float64Array(0);
  let lid = new Int32Array(0);
  const layout = (): void => {
    if (mine !== 0 && ex.layoutOwner() === mine && mem.buffer === buf) return;
    if (mem.buffer.byteLength < at) mem.grow(Math.ceil((at - mem.buffer.byteLength) / 65536));
    mine = ex.claimLayout();
    buf = mem.buffer as ArrayBuffer;
    new Float64Array(buf, oZ, d * n).set(cfg.Z.subarray(0, d * n));
    new Float64Array(buf, oInv, d).set(cfg.inv.subarray(0, d));
    new Float64Array(buf, oAlpha, n).set(cfg.alpha.subarray(0, n));
    new Int32Array(buf, oSIdx, s).set(cfg.sIdx.subarray(0, s));
    new Float64Array(buf, oL, n * n).set(cfg.L.subarray(0, n * n));
    new Float64Array(buf, oSL, s * s).set(cfg.sL.subarray(0, s * s));
    blk = {
      K: new Float64Array(buf, oK, cols * n), V: new Float64Array(buf, oV, cols * n), q: new Float64Array(buf, oQ, cols), mu: new Float64Array(buf, oMu, cols),
    };
    blkS = { K: new Float64Array(buf, oSK, cols * s), V: new Float64Array(buf, oSV, cols * s), q: new Float64Array(buf, oSQ, cols) };
    pts = new Float64Array(buf, oPts, cols * d);
    lid = new Int32Array(buf, oLid, cols);
  };
  layout();
  const forward = (subset: boolean, from: number, to: number, quads: number): void => {
    if (subset) ex.forwardBlock(oSL, s, oSK, oSV, oSQ, from, to, quads);
    else ex.forwardBlock(oL, n, oK, oV, oQ, from, to, quads);
  };
  const fill = (subset: boolean, from: number, to: number, id: Int32Array, live: number): void => {
    if (from >= to || live === 0) return;
    lid.set(id.subarray(0, live));
    if (subset) ex.kernelEntries(matern, n, d, oZ, oInv, s2, oPts, oLid, live, oSIdx, from, to, s, oSK, 0, 0, oZs);
    else ex.kernelEntries(matern, n, d, oZ, oInv, s2, oPts, oLid, live, 0, from, to, n, oK, oAlpha, oMu, oZs);
  };
  // 16 columns at a time through the block's memory; each column's floats do not depend on the others
  const columns = (b: LaneArrays, quads: number): void => {
    layout();
    const per = cols >> 2;
    for (let g = 0; g < quads; g += per) {
      const qn = Math.min(per, quads - g);
      blk.K.set(b.K.subarray(g * 4 * n, (g + qn) * 4 * n));
      blk.q.fill(0, 0, qn * 4);
      ex.forwardBlock(oL, n, oK, oV, oQ, 0, n, qn);
      b.V.set(blk.V.subarray(0, qn * 4 * n), g * 4 * n);
      b.q.set(blk.q.subarray(0, qn * 4), g * 4);
    }
  };
  const solve = (req: ExactRequest): ExactResult => {
    const { cnt } = req;
    const out = { mean: new Float64Array(cnt), q: new Float64Array(cnt), sDone: new Int32Array(cnt), done: new Int32Array(cnt) };
    if (cnt === 0) return out;
    if (cnt > cols) throw new RangeError(`a block holds at most ${cols} candidates, got ${cnt}`);
    layout();
    pts.set(req.points.subarray(0, cnt * d));
    lanes(cfg, cnt, blk, blkS, forward, fill, req.sigma, req.prune, out);
    return out;
  };
  return Object.assign(solve, { columns });
}

/** The same block solver in JavaScript (gp/posterior.ts's kernel rows, forwardRowsBlock): the same floats. */
export function jsExactStage(cfg: ExactConfig, sc: ScaledInputs, maxLanes: number): ExactSolver {
  const { n, d, s, sIdx, alpha } = cfg;
  const { Z, inv, signalVariance: s2 } = sc;
  const quads = (maxLanes + 3) >> 2;
  const blk = new ColumnBlock(n, quads);
  const blkS = new ColumnBlock(s, quads);
  const lanes = { K: blk.K, V: blk.V, q: blk.q, mu: new Float64Array(quads * 4) };
  let pts: Float64Array = new Float64Array(0);
  const forward = (subset: boolean, from: number, to: number, q: number): void => {
    if (subset) forwardRowsBlock(cfg.sL, s, blkS, from, to, q);
    else forwardRowsBlock(cfg.L, n, blk, from, to, q);
  };
  // gp/posterior.ts kernelRow's floats, entry by entry; the mean as dotSeq adds it
  const fill = (subset: boolean, from: number, to: number, id: Int32Array, live: number): void => {
    const b = subset ? blkS : blk;
    for (let c = 0; c < live; c++) {
      const p = id[c];
      let o = b.at(c, from);
      let mu = lanes.mu[c];
      for (let i = from; i < to; i++, o += 4) {
        const j = subset ? sIdx[i] : i;
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const t = pts[p * d + k] * inv[k] - Z[k * n + j];
          r2 += t * t;
        }
        let v: number;
        if (sc.kernel === 'rbf') v = s2 * exp(-0.5 * r2);
        else {
          const r = Math.sqrt(5 * r2);
          v = s2 * ((1 + r + (r * r) / 3) * exp(-r));
        }
        b.K[o] = v;
        if (!subset) mu += v * alpha[i];
      }
      if (!subset) lanes.mu[c] = mu;
    }
  };
  const columns = (b: LaneArrays, quads: number): void => {
    b.q.fill(0, 0, 4 * quads);
    forwardRowsBlock(cfg.L, n, b as ColumnBlock, 0, n, quads);
  };
  const solve = (req: ExactRequest): ExactResult => {
    const out = exactResult(req.cnt);
    if (req.cnt === 0) return out;
    pts = req.points;
    exactLanes(cfg, req.cnt, lanes, blkS, forward, fill, req.sigma, req.prune, out);
    return out;
  };
  return Object.assign(solve, { columns });
}
