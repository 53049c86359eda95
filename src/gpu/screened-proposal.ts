/**
 * One acquisition maximization with screening (screening.wgsl): the rounds of
 * propose.ts, where only candidates whose score bound can reach the round's
 * k best get an exact variance. Each round, in one submission:
 *
 * 1. all its points are generated and bounded at once; each top-k workgroup
 *    keeps its PILOT_K best bounds, so the pilot is the best-bounded 1/256 of
 *    the round, spread over all of it;
 * 2. the pilot is scored exactly; the threshold is its k-th best score (or
 *    the floor's, if higher: round 2 only matters where it beats round 1);
 * 3. the points whose bound reaches the threshold are listed, and the
 *    list's length read back,
 *
 * then, in the next submission, the listed points are scored exactly in
 * chunks and their (score, round index) pairs reduced as an exhaustive
 * round's. A skipped point scores below the threshold, so below the k-th
 * best: the top k, ties to the lower index, are exhaustive scoring's, with
 * the same f32 scores (a point's score does not depend on its place in the
 * list). Three submissions in all; the reads between them are a few bytes.
 */
import { REFINE_TOP, roundSizes } from '../acquisition/candidates';
import type { ProposeRequest } from '../acquisition/engine';
import type { BufferPool, PooledBuffer } from './buffer-pool';
import { READBACK_USAGE, STORAGE_USAGE } from './constants';
import {
  GATHER_CENTRES, GATHER_ROUND_TWO, GATHER_SURVIVORS, PILOT_PAIRS, ROUND_ONE, ROUND_TWO, screenBounds,
  SCREEN_COMPACT, SURVIVOR_PAIRS, TILE, TOPK_PAIRS, TOPK_SCORES, type PosteriorShape,
} from './programs';
import {
  INVALID_INDEX, keptPairs, parseReadback, proposalBuffers, readStaging, recordReadback, type GpuProposal,
} from './propose';
import { captureErrors, preparePrograms, Recorder, type BindingResource } from './runner';
import { recordScoring, recordTopKReduce, topkGroups } from './scoring';
import { PILOT_K, screeningFactors } from './screening';
import { uploadArray } from './factors';

type Buffers = ReturnType<typeof proposalBuffers>;

/** A round: its size, top-k, floor pair, and how its points are generated and gathered. */
interface Round {
  m: number;
  k: number;
  /** counter slot */
  slot: number;
  floor: PooledBuffer;
  /** points with exact variances known (round 1's winners, for round 2), or none */
  anchors: { points: PooledBuffer; variance: PooledBuffer; count: number } | null;
  /** records generating all m points into `out` */
  generate(rec: Recorder, out: PooledBuffer): void;
  /** records gathering the points of `count` pairs' round indices into `out` */
  gather(rec: Recorder, pairs: BindingResource, count: number, out: PooledBuffer): void;
}

/**
 * Runs one screened proposal, or returns null where screening cannot run it
 * (a round's points exceed a buffer or dispatch limit; or fewer points than
 * the pilot's k best survived, which the bounds' margins should make
 * impossible): the caller then runs the exhaustive proposal.
 */
export async function runScreenedProposal(
  device: GPUDevice, pool: BufferPool, req: ProposeRequest, chunkBytes: number, posteriorShape: PosteriorShape,
): Promise<GpuProposal | null> {
  const f = req.factors;
  const d = f.d;
  const { m1, m2 } = roundSizes(Math.max(1, Math.floor(req.candidates)));
  const mMax = Math.max(m1, m2);
  const lim = device.limits;
  if (mMax * d * 4 > Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize)
    || Math.ceil(mMax / 64) > lim.maxComputeWorkgroupsPerDimension) return null;
  const { k1, k2 } = keptPairs(m1, m2);
  await preparePrograms(device, [screenBounds(d)]);
  const temps: PooledBuffer[] = [];
  const take = (b: PooledBuffer): PooledBuffer => (temps.push(b), b);
  try {
    void f.Linv; // built lazily by the GP: before the clock starts
    const tStart = performance.now();
    let b!: Buffers;
    let s!: ReturnType<typeof screenBuffers>;
    const rounds: Round[] = [];
    // Submission 1: round 1 bounded, its pilot scored, its survivors listed.
    const counters = () => s.counters;
    const live1 = await submitAndCount(device, pool, take, counters, 0, (rec) => {
      b = proposalBuffers(device, pool, req, chunkBytes, posteriorShape, take);
      s = screenBuffers(device, pool, req, mMax, take);
      rounds.push({
        m: m1, k: k1, slot: 0, floor: s.noFloor, anchors: null,
        generate: (r, out) => r.dispatch(ROUND_ONE, { ...b.base, count: m1, offset: 0 },
          { 1: b.kron, 2: b.inc, 3: b.specs, 6: out }, [Math.ceil(m1 / TILE.CANDIDATES), 1, 1]),
        gather: (r, pairs, count, out) => r.dispatch(GATHER_CENTRES, { ...b.base, k: count, count, offset: 0 },
          { 1: b.kron, 2: b.inc, 3: b.specs, 4: pairs, 5: out }, [Math.ceil(count / TILE.CANDIDATES), 1, 1]),
      }, {
        m: m2, k: k2, slot: 1, floor: b.top1, anchors: { points: b.centres, variance: s.anchorVariance, count: k1 },
        generate: (r, out) => r.dispatch(ROUND_TWO, { ...b.base, count: m2, offset: 0 },
          { 3: b.specs, 4: b.top1, 5: b.centres, 6: out }, [Math.ceil(m2 / TILE.CANDIDATES), 1, 1]),
        gather: (r, pairs, count, out) => r.dispatch(GATHER_ROUND_TWO, { ...b.base, count, offset: 0 },
          { 3: b.specs, 4: b.top1, 5: b.centres, 6: out, 7: pairs }, [Math.ceil(count / TILE.CANDIDATES), 1, 1]),
      });
      recordBounded(rec, pool, b, s, rounds[0], take);
    });
    if (live1 < k1) return null;
    // Submission 2: round 1's survivors scored; round 2 bounded, piloted, listed.
    const live2 = m2 === 0 ? 0 : await submitAndCount(device, pool, take, counters, 1, (rec) => {
      recordSurvivors(rec, pool, b, s, rounds[0], live1, b.top1, take, temps);
      rec.dispatch(GATHER_CENTRES, { ...b.base, count: k1, offset: 0 },
        { 1: b.kron, 2: b.inc, 3: b.specs, 4: b.top1, 5: b.centres }, [1, 1, 1]);
      // the winners' exact variances anchor round 2's bounds
      recordScoring(rec, b.fx, b.work, k1, { ...b.targets, points: b.centres }, b.acq);
      rec.copy(b.targets.variance.buffer, 0, s.anchorVariance.buffer, 0, k1 * 4);
      recordBounded(rec, pool, b, s, rounds[1], take);
    });
    // Submission 3: round 2's survivors scored; the results read back.
    const { value: rb, errors } = captureErrors(device, () => {
      const rec = new Recorder(device, pool);
      if (m2 === 0) {
        recordSurvivors(rec, pool, b, s, rounds[0], live1, b.top1, take, temps);
        rec.dispatch(GATHER_CENTRES, { ...b.base, count: k1, offset: 0 },
          { 1: b.kron, 2: b.inc, 3: b.specs, 4: b.top1, 5: b.centres }, [1, 1, 1]);
      } else if (live2 > 0) {
        recordSurvivors(rec, pool, b, s, rounds[1], live2, b.top2, take, temps);
        rec.dispatch(GATHER_ROUND_TWO, { ...b.base, count: k2, offset: 0 },
          { 3: b.specs, 4: b.top1, 5: b.centres, 6: b.winner2, 7: b.top2 }, [1, 1, 1]);
      }
      const out = recordReadback(rec, pool, b, k1, k2, d, take);
      const uniforms = rec.submit('screened propose');
      if (uniforms !== null) temps.push(uniforms);
      return out;
    });
    const tWait = performance.now();
    const bytes = await readStaging(rb.staging, rb.total, errors);
    // a round of fewer than PILOT_K candidates per workgroup pads its pilot with empty slots: not candidates
    const pilots: [number, number] = [Math.min(m1, topkGroups(m1) * PILOT_K), Math.min(m2, topkGroups(m2) * PILOT_K)];
    // pilots and survivors overlap (the pilot's best survive), so a round's distinct count is at most its size
    const exact = Math.min(m1, pilots[0] + live1) + Math.min(m2, pilots[1] + live2);
    return {
      ...parseReadback(bytes, rb.offs, k1, k2, d, m2), m1, m2, exact,
      screened: { pilots, survivors: [live1, live2] },
      uploadMs: b.uploadMs, scoringMs: tWait - tStart - b.uploadMs, readbackMs: performance.now() - tWait,
    };
  } finally {
    pool.release(...temps);
  }
}

/** The screening buffers of one proposal (rounds share them: one round is done before the next is bounded). */
function screenBuffers(device: GPUDevice, pool: BufferPool, req: ProposeRequest, mMax: number,
  take: (b: PooledBuffer) => PooledBuffer) {
  const sf = screeningFactors(req.factors);
  return {
    margins: { varianceMargin: sf.varianceMargin, meanMargin: sf.meanMargin },
    diag: take(uploadArray(device, pool, sf.diag, 'factor diagonal')),
    roundPoints: take(pool.acquire(mMax * req.factors.d * 4, STORAGE_USAGE, 'round points')),
    bound: take(pool.acquire(mMax * 4, STORAGE_USAGE, 'bounds')),
    list: take(pool.acquire(mMax * 4, STORAGE_USAGE, 'survivor list')),
    counters: take(uploadArray(device, pool, new Uint32Array(4), 'survivor counts')),
    noFloor: take(uploadArray(device, pool, new Uint32Array([0, INVALID_INDEX]), 'no floor')),
    anchorVariance: take(pool.acquire(REFINE_TOP * 4, STORAGE_USAGE, 'anchor variances')),
  };
}

/** Records `fill`, then a read of counter `slot`; submits and resolves to the count. */
async function submitAndCount(
  device: GPUDevice, pool: BufferPool, take: (b: PooledBuffer) => PooledBuffer, counters: () => PooledBuffer,
  slot: number, fill: (rec: Recorder) => void,
): Promise<number> {
  let staging!: PooledBuffer;
  const { errors } = captureErrors(device, () => {
    const rec = new Recorder(device, pool);
    fill(rec);
    staging = take(pool.acquire(4, READBACK_USAGE, 'survivor count'));
    rec.copy(counters().buffer, slot * 4, staging.buffer, 0, 4);
    const uniforms = rec.submit('screen');
    if (uniforms !== null) take(uniforms);
  });
  return new Uint32Array(await readStaging(staging, 4, errors))[0];
}

function screenParams(b: Buffers, s: ReturnType<typeof screenBuffers>, k: number) {
  const sh = b.fx.shape;
  return {
    n: sh.n, nPad: sh.nPad, d: sh.d, kernel: b.fx.kernelCode, kind: b.acq.code, k, anchors: 0,
    signalVariance: b.fx.signalVariance, best: b.acq.best, xi: b.acq.xi, kappa: b.acq.kappa, ...s.margins,
  };
}

/** Steps 1-3 of a round (file comment). */
function recordBounded(
  rec: Recorder, pool: BufferPool, b: Buffers, s: ReturnType<typeof screenBuffers>, round: Round,
  take: (b: PooledBuffer) => PooledBuffer,
): void {
  const { m, k } = round;
  const p = screenParams(b, s, k);
  const groups = (count: number): [number, number, number] => [Math.ceil(count / 64), 1, 1];
  round.generate(rec, s.roundPoints);
  const a = round.anchors;
  rec.dispatch(screenBounds(b.fx.shape.d), { ...p, count: m, offset: 0, slot: round.slot, anchors: a?.count ?? 0 }, {
    1: s.roundPoints, 2: b.fx.xs, 3: b.fx.invLs, 4: b.fx.alpha, 5: s.diag, 6: s.bound,
    16: a?.points ?? s.diag, 17: a?.variance ?? s.diag,
  }, groups(m));
  const pilotCount = topkGroups(m) * PILOT_K;
  const pilot = take(pool.acquire(pilotCount * 8, STORAGE_USAGE, 'pilot'));
  rec.dispatch(TOPK_SCORES, { count: m, base: 0, k: PILOT_K, outBase: 0 }, { 1: s.bound, 3: pilot }, [topkGroups(m), 1, 1]);
  const scored = take(pool.acquire(pilotCount * 8, STORAGE_USAGE, 'pilot scored'));
  for (let offset = 0; offset < pilotCount; offset += b.chunk) {
    const count = Math.min(b.chunk, pilotCount - offset);
    round.gather(rec, { buffer: pilot.buffer, offset: offset * 8, size: count * 8 }, count, b.points);
    recordScoring(rec, b.fx, b.work, count, b.targets, b.acq);
    rec.dispatch(PILOT_PAIRS, { ...p, count, offset, slot: 0 }, { 13: b.score, 14: scored, 15: pilot }, groups(count));
  }
  const pilotTop = take(pool.acquire(k * 8, STORAGE_USAGE, 'pilot top'));
  const temps: PooledBuffer[] = [];
  recordTopKReduce(rec, pool, scored, pilotCount, k, pilotTop, temps);
  temps.forEach(take);
  rec.dispatch(SCREEN_COMPACT, { ...p, count: m, offset: 0, slot: round.slot },
    { 6: s.bound, 7: pilotTop, 8: round.floor, 10: s.list, 11: s.counters }, groups(m));
}

/** Scores a round's `live` listed points exactly and reduces them to its top k in `top`. */
function recordSurvivors(
  rec: Recorder, pool: BufferPool, b: Buffers, s: ReturnType<typeof screenBuffers>, round: Round, live: number,
  top: PooledBuffer, take: (b: PooledBuffer) => PooledBuffer, temps: PooledBuffer[],
): void {
  const { k } = round;
  const p = screenParams(b, s, k);
  const groups = (count: number): [number, number, number] => [Math.ceil(count / 64), 1, 1];
  const slices = Math.ceil(live / b.chunk);
  const pairs = take(pool.acquire(Math.max(1, slices * b.gpc * k) * 8, STORAGE_USAGE, 'survivor top'));
  const survivorPairs = take(pool.acquire(b.chunk * 8, STORAGE_USAGE, 'survivor pairs'));
  let written = 0;
  for (let offset = 0; offset < live; offset += b.chunk) {
    const count = Math.min(b.chunk, live - offset);
    rec.dispatch(GATHER_SURVIVORS, { ...p, count, offset, slot: 0 }, { 1: s.roundPoints, 9: b.points, 10: s.list },
      groups(count));
    recordScoring(rec, b.fx, b.work, count, b.targets, b.acq);
    rec.dispatch(SURVIVOR_PAIRS, { ...p, count, offset, slot: 0 }, { 10: s.list, 13: b.score, 14: survivorPairs },
      groups(count));
    rec.dispatch(TOPK_PAIRS, { count, base: 0, k, outBase: written }, { 2: survivorPairs, 3: pairs },
      [topkGroups(count), 1, 1]);
    written += topkGroups(count) * k;
  }
  recordTopKReduce(rec, pool, pairs, written, k, top, temps);
}
