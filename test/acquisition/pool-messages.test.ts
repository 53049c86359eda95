/**
 * What the bounding pool posts its worker for the exact stage: the factor's
 * shared buffer, never the factor's elements (a runtime may copy a view's
 * elements one by one even where it shares the buffer: Deno's
 * node:worker_threads took 60-250 ms per screening for 8 MB), and no exact
 * stage on the worker where there is no SharedArrayBuffer to share.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BoundingPool } from '../../src/acquisition/bounding-pool';
import { roundOneCandidates } from '../../src/acquisition/candidates';
import type { PoolWorker } from '../../src/acquisition/pool-worker';
import { screenedScores, screenedScoresParallel } from '../../src/acquisition/screening';
import { fittedGp } from './fixtures/fitted-gp';
import { bits } from './fixtures/wasm-bits';

/** Every typed array in a posted value, with the path that reaches it. */
function typedArrays(v: unknown, path = 'msg', out: { path: string; length: number }[] = []): { path: string; length: number }[] {
  if (ArrayBuffer.isView(v)) out.push({ path, length: (v as Float64Array).length });
  else if (Array.isArray(v)) v.forEach((x, i) => typedArrays(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === 'object' && !(v instanceof SharedArrayBuffer) && !(v instanceof ArrayBuffer)) {
    for (const [k, x] of Object.entries(v)) typedArrays(x, `${path}.${k}`, out);
  }
  return out;
}

/** The pool's workers, their posts recorded. */
function spy(pool: BoundingPool): unknown[] {
  const posted: unknown[] = [];
  for (const w of (pool as unknown as { workers: PoolWorker[] }).workers) {
    const post = w.postMessage.bind(w);
    w.postMessage = (v, transfer) => {
      posted.push(v);
      post(v, transfer);
    };
  }
  return posted;
}

const n = 260;
const d = 5;
const m = 8000;
const acq = { kind: 'logei' as const, xi: 0.01, kappa: 2.576 };

/** A fitted GP, its screening's candidates and options, and a one-worker pool whose posts are recorded. */
async function scene(seed: number) {
  const { f, best, X } = fittedGp({ seed, n, d });
  const pts = roundOneCandidates(seed, m, d, X.slice(0, 3 * d), 3);
  const opts = { centres: X.slice(0, d), nCentres: 1 };
  const pool = (await BoundingPool.create(1))!;
  return { f, best, pts, opts, pool, posted: spy(pool) };
}

describe('the bounding pool posts shared buffers for the exact stage', () => {
  const SAB = globalThis.SharedArrayBuffer;
  afterEach(() => {
    globalThis.SharedArrayBuffer = SAB;
  });

  it('the exact setup carries the factors as shared buffers and offsets; no message carries n x n elements', async () => {
    const { f, best, pts, opts, pool, posted } = await scene(41);
    try {
      const par = await screenedScoresParallel(pool, f, pts, m, acq, best, 16, opts);
      const seq = screenedScores(f, pts, m, acq, best, 16, opts);
      expect(bits(par.score)).toEqual(bits(seq.score));
      const setups = posted.filter((p): p is { exactSetup: { shared: unknown[]; L: unknown; sL: unknown } } => (p as object)?.hasOwnProperty('exactSetup'));
      expect(setups.length).toBeGreaterThan(0);
      expect(posted.some((p) => (p as object)?.hasOwnProperty('exact'))).toBe(true); // the worker solved blocks
      for (const { exactSetup: s } of setups) {
        expect([s.L, s.sL]).toEqual([null, null]);
        const [lb, lo, ll, sb, , sl] = s.shared as [SharedArrayBuffer, number, number, SharedArrayBuffer, number, number];
        expect([lb instanceof SharedArrayBuffer, sb instanceof SharedArrayBuffer]).toEqual([true, true]);
        // the views the worker rebuilds hold this thread's factor, float for float
        expect(bits(new Float64Array(lb, lo, ll))).toEqual(bits(f.L));
        expect(ll).toBe(n * n);
        expect(sl).toBeGreaterThan(0);
      }
      const biggest = Math.max(...posted.flatMap((p) => typedArrays(p)).map((a) => a.length));
      expect(biggest).toBeLessThan((n * n) / 4); // the largest is a chunk's points or Z (d x n), never L
    } finally {
      pool.dispose();
    }
  });

  it('without SharedArrayBuffer (a page that is not cross-origin isolated) every block is solved here, to the same scores', async () => {
    const { f, best, pts, opts, pool, posted } = await scene(42);
    try {
      const seq = screenedScores(f, pts, m, acq, best, 16, opts);
      (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer = undefined;
      const par = await screenedScoresParallel(pool, f, pts, m, acq, best, 16, opts);
      globalThis.SharedArrayBuffer = SAB;
      expect(bits(par.score)).toEqual(bits(seq.score));
      expect(pool.bounded.workers).toBeGreaterThan(0); // the pass still went to the worker
      expect(posted.filter((p) => (p as object)?.hasOwnProperty('exactSetup') || (p as object)?.hasOwnProperty('exact'))).toEqual([]);
    } finally {
      pool.dispose();
    }
  });
});
