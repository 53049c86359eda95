/**
 * In-page code of the browser bounding-pool check and benchmark
 * (bench/browser-pool.ts, test/demo/pool-workers.test.ts), bundled for the
 * page as `window.poolBench`: a seeded GP (fixed hyperparameters, so the
 * fit is one factorization) and one CPU-engine proposal with the bounding
 * pass on the calling thread alone (`workers: 0`) and split over Web Workers.
 */
import { BoundingPool } from '../src/acquisition/bounding-pool';
import { createCpuEngine } from '../src/acquisition/cpu-engine';
import type { ProposeRequest, ProposeResult } from '../src/acquisition/engine';
import { GaussianProcess } from '../src/gp';
import { Rng } from '../src/util/rng';
import type { WorkersOption } from '../src/util/workers';

export interface PoolPageArgs {
  seed: number;
  /** observations */
  n: number;
  d: number;
  /** candidates per proposal */
  m: number;
  /** the pooled engine's `workers` */
  workers: WorkersOption;
  /** timed proposals per engine, after one warm-up call each */
  reps: number;
}

/** One proposal's result in plain numbers (float64 values exactly, NaN as a string). */
export interface PlainProposal {
  x: (number | string)[];
  score: number | string;
  scored: number;
  exact: number | undefined;
  work: unknown;
}

export interface PoolPageResult {
  hardwareConcurrency: number;
  /** Web Workers the pooled engine started (0 where none) */
  poolSize: number;
  /** whether the pool's workers are Web Workers (the page has no worker_threads) */
  webWorkers: boolean;
  /** the first (warm-up) proposal of each engine */
  serial: PlainProposal;
  pooled: PlainProposal;
  /** wall ms of each timed proposal */
  serialMs: number[];
  pooledMs: number[];
  /** candidates bounded by the workers and by the page's thread in the first pooled proposal */
  boundedFirst: { workers: number; here: number };
  /** the same over the timed pooled proposals */
  bounded: { workers: number; here: number };
  fitMs: number;
}

const plain = (v: number) => (Number.isNaN(v) ? 'NaN' : v);

function toPlain(r: ProposeResult): PlainProposal {
  return { x: Array.from(r.x, plain), score: plain(r.score), scored: r.scored, exact: r.exact, work: r.work };
}

/** A fitted GP on seeded data, y = -|x - 0.3|^2 + 0.1 sin(10 x0), and a proposal request over it. */
function request(a: PoolPageArgs): ProposeRequest {
  const rng = new Rng(a.seed);
  const X = Float64Array.from({ length: a.n * a.d }, () => rng.uniform(0, 1));
  const y = Float64Array.from({ length: a.n }, (_, i) => {
    let s = 0;
    for (let k = 0; k < a.d; k++) s += (X[i * a.d + k] - 0.3) ** 2;
    return -s + 0.1 * Math.sin(10 * X[i * a.d]);
  });
  const gp = new GaussianProcess({
    rng: new Rng(a.seed),
    fixedHyperparameters: { lengthscales: new Float64Array(a.d).fill(0.3), signalVariance: 1, noiseVariance: 1e-4 },
  });
  gp.fit(X, y, a.d);
  const mean = gp.trainingMean({ standardized: true });
  const order = [...mean.keys()].sort((i, j) => mean[j] - mean[i]).slice(0, 3);
  const incumbents = new Float64Array(order.length * a.d);
  order.forEach((i, r) => incumbents.set(X.subarray(i * a.d, (i + 1) * a.d), r * a.d));
  return {
    factors: gp.factors(), acquisition: { kind: 'ei', xi: 0.01, kappa: 2.576 }, best: Math.max(...mean),
    candidates: a.m, incumbents, nIncumbents: order.length, seed: a.seed + 1,
    layout: Array.from({ length: a.d }, (_, k) => ({ kind: 'continuous' as const, name: `x${k}`, dim: k, low: 0, high: 1, log: false })),
  };
}

export async function runPoolPage(a: PoolPageArgs): Promise<PoolPageResult> {
  const t0 = performance.now();
  const req = request(a);
  const fitMs = performance.now() - t0;
  // the pool the engine starts, caught on its way out
  let pool: BoundingPool | null = null;
  const create = BoundingPool.create;
  BoundingPool.create = async (w) => (pool = await create.call(BoundingPool, w));
  const serialEngine = createCpuEngine({ workers: 0 });
  const pooledEngine = createCpuEngine({ workers: a.workers });
  try {
    const serial = toPlain(await serialEngine.propose(req));
    const pooled = toPlain(await pooledEngine.propose(req));
    const p = pool as BoundingPool | null;
    const before = { ...(p?.bounded ?? { workers: 0, here: 0 }) };
    const serialMs: number[] = [];
    const pooledMs: number[] = [];
    for (let r = 0; r < a.reps; r++) {
      for (const [engine, out] of [[serialEngine, serialMs], [pooledEngine, pooledMs]] as const) {
        const t = performance.now();
        await engine.propose(req);
        out.push(performance.now() - t);
      }
    }
    const after = p?.bounded ?? { workers: 0, here: 0 };
    return {
      hardwareConcurrency: navigator.hardwareConcurrency,
      poolSize: p?.size ?? 0,
      webWorkers: typeof (globalThis as { process?: unknown }).process === 'undefined' && typeof Worker === 'function',
      serial, pooled, serialMs, pooledMs, fitMs, boundedFirst: before,
      bounded: { workers: after.workers - before.workers, here: after.here - before.here },
    };
  } finally {
    BoundingPool.create = create;
    serialEngine.dispose();
    pooledEngine.dispose();
  }
}

(globalThis as { poolBench?: unknown }).poolBench = { runPoolPage };
