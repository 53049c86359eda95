/**
 * `suggestBatch(q)`'s model-guided points, chosen without asking them first:
 *
 * 1. greedy: q proposals in turn, each made with the earlier ones pending
 *    (a view of the study with them added, `withPendingPoints`), as q
 *    `suggest()` calls would make them;
 * 2. 'joint' (option `batchSelection`, the default): a pool of the greedy points, the
 *    best candidates around each and the best over the space (single-point
 *    acquisition), their joint posterior under the model with only the
 *    other pending trials; then points of the batch are swapped for pool
 *    points while the batch's Monte-Carlo qEI rises
 *    (src/acquisition/q-batch.ts), every swap of a pass scored at once, on
 *    the GPU (shaders/q-expected-improvement.wgsl) with the WebGPU engine.
 *
 * @example
 * ```ts
 * const r = await chooseJointBatch({ factors, best, acquisition, engine, greedy, q: 4, layout, seed });
 * r.points; // q x d encoded
 * ```
 */
import { roundOneCandidates, snapRow } from '../acquisition/candidates';
import { scorePoints } from '../acquisition/cpu-engine';
import type { Engine } from '../acquisition/engine';
import type { AcquisitionSpec } from '../acquisition/functions';
import { baseSamples, jointPosterior, qEiFromSetFactors, refineBySwaps, type SetScorer } from '../acquisition/q-batch';
import type { PosteriorFactors } from '../gp/types';
import type { DimLayout, Params } from '../space/types';
import type { Trial } from '../study/types';
import { Rng } from '../util/rng';
import { engineDevice } from './engine-choice';
import type { StudyTrials } from './proposal';

/** Pool and search sizes of the joint choice. */
export const JOINT_BATCH = {
  /** candidates scored by the single-point acquisition to fill the pool */
  candidates: 2048,
  /** pool points kept around each greedy point (the candidates nearest it) */
  local: 8,
  /** pool points kept over the space (the best of the rest) */
  global: 32,
  /** Monte-Carlo base samples */
  samples: 512,
  /** swap passes at most */
  passes: 8,
  /** a swap must gain this many standard errors of the paired per-sample differences */
  z: 2,
} as const;

/**
 * `study` with `points` added as pending trials (ids below 0, never
 * recorded), for proposals that must account for a batch not yet asked.
 */
export function withPendingPoints(study: StudyTrials, points: readonly Params[]): StudyTrials {
  const extra: Trial[] = points.map((params, i) => ({ id: -1 - i, params, target: null, status: 'pending', source: 'suggest' }));
  return {
    sign: study.sign,
    completed: () => study.completed(),
    finished: () => study.finished(),
    pending: () => [...study.pending(), ...extra.map((t) => ({ ...t }))],
    get trials() {
      return [...study.trials, ...extra.map((t) => ({ ...t }))];
    },
  };
}

export interface JointBatchRequest {
  /** the model with the other pending trials only (not the batch) */
  factors: PosteriorFactors;
  /** its incumbent (standardized) */
  best: number;
  acquisition: AcquisitionSpec;
  engine: Engine;
  /** `q x d` encoded greedy points */
  greedy: Float64Array;
  q: number;
  layout: readonly DimLayout[];
  seed: number;
}

export interface JointBatch {
  /** `q x d` encoded */
  points: Float64Array;
  /** qEI (standardized) of the greedy batch and of the chosen one, on the same base samples */
  start: number;
  value: number;
  swaps: number;
  scoredOn: 'webgpu' | 'cpu';
}

/** The joint choice (see the module comment); the greedy batch itself when no swap raises qEI. */
export async function chooseJointBatch(o: JointBatchRequest): Promise<JointBatch> {
  const { q, factors } = o;
  const d = factors.d;
  const pool = await buildPool(o);
  const P = pool.length / d;
  const post = jointPosterior(factors, pool, P);
  const Z = baseSamples(new Rng(o.seed), JOINT_BATCH.samples, q);
  const target = o.best + o.acquisition.xi;
  const N = JOINT_BATCH.samples;
  // The GPU module is loaded only when a WebGPU engine is at hand (as in ./fantasy-choice).
  const device = await engineDevice(o.engine);
  const gpu = device ? await import('../gpu/q-batch') : null;
  let scoredOn: 'webgpu' | 'cpu' = gpu && q <= gpu.MAX_Q_GPU ? 'webgpu' : 'cpu';
  const cpu = (mus: Float64Array, Ls: Float64Array, S: number) => {
    scoredOn = 'cpu';
    return qEiFromSetFactors(mus, Ls, S, q, target, Z, N);
  };
  // the float64 twin is also the fallback when the device fails (lost, out of memory)
  const score: SetScorer = (mus, Ls, S) => (gpu && device && q <= gpu.MAX_Q_GPU
    ? gpu.qEiGpu(device, mus, Ls, S, q, target, Z, N).catch(() => cpu(mus, Ls, S))
    : Promise.resolve(cpu(mus, Ls, S)));
  const start = Array.from({ length: q }, (_, i) => i);
  const r = await refineBySwaps(post, start, target, Z, N, score, JOINT_BATCH.passes, JOINT_BATCH.z);
  const points = new Float64Array(q * d);
  r.set.forEach((i, j) => points.set(pool.subarray(i * d, i * d + d), j * d));
  return { points, start: r.start, value: r.value, swaps: r.swaps, scoredOn };
}

/** The pool: the greedy points first, then per greedy point the best candidates nearest it, then the best of the rest. */
async function buildPool(o: JointBatchRequest): Promise<Float64Array> {
  const { q, factors } = o;
  const d = factors.d;
  const m = JOINT_BATCH.candidates;
  const C = roundOneCandidates(o.seed, m, d, o.greedy, q);
  for (let i = 0; i < m; i++) snapRow(C, i, d, o.layout);
  // a repeatable engine's scores are all float64 (see engineDevice)
  const { score } = o.engine.repeatable === true ? scorePoints(factors, C, m, o.acquisition, o.best)
    : await o.engine.evaluate(factors, C, m, o.acquisition, o.best);
  const nearest = new Int32Array(m);
  for (let c = 0; c < m; c++) {
    let bestD = Infinity;
    for (let j = 0; j < q; j++) {
      let r2 = 0;
      for (let t = 0; t < d; t++) r2 += (C[c * d + t] - o.greedy[j * d + t]) ** 2;
      if (r2 < bestD) {
        bestD = r2;
        nearest[c] = j;
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).filter((i) => Number.isFinite(score[i])).sort((a, b) => score[b] - score[a]);
  const taken = new Set<number>();
  const perCentre = new Int32Array(q);
  for (const c of order) {
    if (perCentre[nearest[c]] < JOINT_BATCH.local) {
      perCentre[nearest[c]]++;
      taken.add(c);
    }
  }
  let global = 0;
  for (const c of order) {
    if (global >= JOINT_BATCH.global) break;
    if (!taken.has(c)) {
      taken.add(c);
      global++;
    }
  }
  const rows = [...taken];
  const pool = new Float64Array((q + rows.length) * d);
  pool.set(o.greedy.subarray(0, q * d));
  rows.forEach((c, r) => pool.set(C.subarray(c * d, c * d + d), (q + r) * d));
  return pool;
}
