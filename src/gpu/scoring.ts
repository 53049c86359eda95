/**
 * Recording the scoring chain of one chunk of candidates (cross-covariance,
 * posterior, variance, acquisition) and the top-k reduction over chunks.
 */
import type { AcquisitionSpec } from '../acquisition/functions';
import type { BufferPool, PooledBuffer } from './buffer-pool';
import { STORAGE_USAGE } from './constants';
import type { FactorShape, UploadedFactors } from './factors';
import {
  ACQ_CODE, ACQUISITION, CROSS_COVARIANCE, posteriorBlocking, posteriorPrograms, TILE, TOPK_PAIRS,
  type KernelProgram, type PosteriorShape,
} from './programs';
import type { BindingResource, Recorder } from './runner';

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Upper bound on candidates per chunk (keeps every dispatch far below the workgroup-count limit). */
export const MAX_CHUNK = 65536;

/**
 * Candidates per chunk: as many as fit `chunkBytes` of cross-covariance
 * (`chunk x nPad` f32) and the device's binding limit, a multiple of TM, at
 * least TM and no more than the work needs.
 */
export function chunkSize(rows: number, shape: FactorShape, limits: GPUSupportedLimits, chunkBytes: number): number {
  const maxBind = limits.maxStorageBufferBindingSize;
  let c = Math.floor(Math.min(chunkBytes, maxBind) / (shape.nPad * 4));
  c = Math.min(c, Math.floor(maxBind / (shape.d * 4)), MAX_CHUNK, Math.ceil(rows / TILE.TM) * TILE.TM);
  return Math.max(TILE.TM, Math.floor(c / TILE.TM) * TILE.TM);
}

/** Work buffers of the scoring chain for chunks of up to `chunk` candidates. */
export interface ScoringWork {
  chunk: number;
  /** cross-covariance, chunk x nPad */
  kmat: PooledBuffer;
  /** per-block sums of squares, blocks x chunk */
  partial: PooledBuffer;
  /** blocks of Linv rows (nA / rows per block of the posterior shape) */
  blocks: number;
  /** candidates per posterior workgroup */
  groupCandidates: number;
  posterior: { main: KernelProgram; finalize: KernelProgram };
}

export function acquireScoringWork(
  pool: BufferPool, chunk: number, shape: FactorShape, posteriorShape: PosteriorShape,
): ScoringWork {
  const { rowsPerBlock, candidatesPerGroup } = posteriorBlocking(posteriorShape);
  const blocks = shape.nA / rowsPerBlock;
  return {
    chunk, blocks, groupCandidates: candidatesPerGroup,
    posterior: posteriorPrograms(posteriorShape),
    kmat: pool.acquire(chunk * shape.nPad * 4, STORAGE_USAGE, 'cross-covariance'),
    partial: pool.acquire(blocks * chunk * 4, STORAGE_USAGE, 'partial sums'),
  };
}

/** How the acquisition kernel should score: ranking scores (log EI / log PI) or the acquisition's own value. */
export type ScoreMode = 'rank' | 'value';

export function acquisitionCode(spec: AcquisitionSpec, mode: ScoreMode): number {
  if (mode === 'rank') {
    if (spec.kind === 'ei') return ACQ_CODE.logei;
    if (spec.kind === 'pi') return ACQ_CODE.logpi;
  }
  return ACQ_CODE[spec.kind];
}

export interface ScoreTargets {
  /** `count x d` candidates */
  points: BindingResource;
  /** outputs, each at least roundUp(count, TM) floats */
  mean: BindingResource;
  variance: BindingResource;
  score: BindingResource;
}

/**
 * Records mean, variance and acquisition of `count` (<= work.chunk) points.
 */
export function recordScoring(
  rec: Recorder, fx: UploadedFactors, work: ScoringWork, count: number, t: ScoreTargets,
  acq: { code: number; best: number; xi: number; kappa: number },
): void {
  const s = fx.shape;
  rec.dispatch(CROSS_COVARIANCE,
    { count, n: s.n, nPad: s.nPad, d: s.d, kernel: fx.kernelCode, signalVariance: fx.signalVariance },
    { 1: t.points, 2: fx.xs, 3: fx.invLs, 4: work.kmat },
    [ceilDiv(s.nPad, TILE.CROSS), ceilDiv(count, TILE.CROSS), 1]);
  const post = { count, n: s.n, nPad: s.nPad, rows: work.chunk, nBlocks: work.blocks, signalVariance: fx.signalVariance };
  rec.dispatch(work.posterior.main, post,
    { 1: work.kmat, 2: fx.linv, 3: work.partial },
    [ceilDiv(count, work.groupCandidates), work.blocks, 1]);
  rec.dispatch(work.posterior.finalize, post,
    { 1: work.kmat, 3: work.partial, 4: fx.alpha, 5: t.mean, 6: t.variance },
    [ceilDiv(count, TILE.LINEAR), 1, 1]);
  rec.dispatch(ACQUISITION, { count, kind: acq.code, best: acq.best, xi: acq.xi, kappa: acq.kappa },
    { 1: t.mean, 2: t.variance, 3: t.score }, [ceilDiv(count, TILE.LINEAR), 1, 1]);
}

/** Top-k workgroups needed for `count` inputs. */
export function topkGroups(count: number): number {
  return Math.max(1, ceilDiv(count, TILE.TOPK_GROUP));
}

/**
 * Records passes of `from_pairs` until `count` pairs (in `input`) are reduced
 * to the k best, written to pairs 0..k-1 of `result`. Temporary buffers are
 * pushed to `temps` for the caller to release.
 */
export function recordTopKReduce(
  rec: Recorder, pool: BufferPool, input: PooledBuffer, count: number, k: number,
  result: PooledBuffer, temps: PooledBuffer[],
): void {
  let src = input;
  let n = count;
  for (;;) {
    const groups = topkGroups(n);
    const dst = groups === 1 ? result : pool.acquire(groups * k * 8, STORAGE_USAGE, 'top-k pairs');
    if (dst !== result) temps.push(dst);
    rec.dispatch(TOPK_PAIRS, { count: n, base: 0, k, outBase: 0 }, { 2: src, 3: dst }, [groups, 1, 1]);
    if (groups === 1) return;
    src = dst;
    n = groups * k;
  }
}
