import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { boundingPass, type BoundingTask } from '../../src/acquisition/bounding-kernel';
import { BoundingPool, CHUNKS_PER_THREAD, guidedCuts, headOnly, MIN_SLICE_WORK, resolveWorkers, workerSource } from '../../src/acquisition/bounding-pool';
import { runBoundingPass } from '../../src/acquisition/bounding-wasm';
import { roundOneCandidates } from '../../src/acquisition/candidates';
import { createCpuEngine, proposeOnCpu } from '../../src/acquisition/cpu-engine';
import type { ProposeRequest } from '../../src/acquisition/engine';
import { screenedScores, screenedScoresParallel } from '../../src/acquisition/screening';
import { InvalidOptionError } from '../../src/errors';
import { GaussianProcess } from '../../src/gp';
import type { PosteriorFactors } from '../../src/gp/types';
import { BayesianOptimization } from '../../src/optimizer';
import { Rng } from '../../src/util/rng';

/** A fitted GP on seeded data; `dups` rows copied onto others, noise at the floor when `noise` is given. */
function fitted(seed: number, n: number, d: number, opts: { dups?: number; noise?: number } = {}) {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(0, 1));
  for (let r = 0; r < (opts.dups ?? 0); r++) X.copyWithin(rng.int(n) * d, rng.int(n) * d, rng.int(n) * d + d);
  const y = Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += (X[i * d + k] - 0.3) ** 2;
    return -s + 0.1 * Math.sin(10 * X[i * d]);
  });
  const gp = new GaussianProcess({
    rng: new Rng(seed),
    ...(opts.noise !== undefined ? {
      noiseFloor: opts.noise,
      fixedHyperparameters: { lengthscales: new Float64Array(d).fill(0.3), signalVariance: 1, noiseVariance: opts.noise },
    } : {}),
  });
  gp.fit(X, y, d);
  return { f: gp.factors(), best: Math.max(...gp.trainingMean({ standardized: true })), X };
}

const bits = (a: Float64Array) => Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : v));

/**
 * A bounding task for the fitted `f` over `points` (`count x d`), its subset
 * S on observations `sIdx` with a random, well-conditioned factor drawn from
 * `rng` (none where `sIdx` is empty), head rows kept.
 */
function passTask(f: PosteriorFactors, points: Float64Array, count: number, sIdx: Int32Array, head: number, rng: Rng): BoundingTask {
  const { n, d } = f;
  const s = sIdx.length;
  const sL = new Float64Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j <= i; j++) sL[i * s + j] = i === j ? rng.uniform(1, 2) : rng.uniform(-0.2, 0.2);
  const inv = Float64Array.from(f.lengthscales, (l) => 1 / l);
  const Z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) Z[k * n + i] = f.X[i * d + k] * inv[k];
  return {
    kernel: f.kernel, n, d, s2: f.signalVariance, noise: f.noiseVariance, Z, inv, alpha: f.alpha,
    points, count, sIdx, sL, sSize: s, sSlack: s > 0 ? 1e-12 : 0, head, keepHead: true,
  };
}

describe('resolveWorkers', () => {
  it("'auto' (the default) is min(3, cores - 1); integers pass through", () => {
    expect(resolveWorkers(undefined, 2)).toBe(1);
    expect(resolveWorkers('auto', 1)).toBe(0);
    expect(resolveWorkers('auto', 16)).toBe(3);
    expect(resolveWorkers(0, 16)).toBe(0);
    expect(resolveWorkers(5, 2)).toBe(5);
  });
  it('bad values are InvalidOptionErrors naming the option', () => {
    const cases: [unknown, string][] = [
      [-1, "workers must be 'auto' or an integer from 0 to 64, got -1"],
      [1.5, "workers must be 'auto' or an integer from 0 to 64, got 1.5"],
      [65, "workers must be 'auto' or an integer from 0 to 64, got 65"],
      [Number.NaN, "workers must be 'auto' or an integer from 0 to 64, got NaN"],
      ['many', "workers must be 'auto' or an integer from 0 to 64, got 'many'"],
    ];
    for (const [v, msg] of cases) {
      expect(() => resolveWorkers(v as number, 2)).toThrow(msg);
      expect(() => createCpuEngine({ workers: v as number })).toThrow(InvalidOptionError);
      try {
        createCpuEngine({ workers: v as number });
      } catch (e) {
        expect((e as InvalidOptionError).option).toBe('workers');
      }
    }
  });
});

describe('guidedCuts', () => {
  it('cover 0..count in shrinking chunks of at least the minimum, the first 1/(CHUNKS_PER_THREAD x threads) of the pass', () => {
    for (const [count, threads, min] of [[10000, 2, 131.072], [65536, 4, 32], [1000, 2, 400], [500, 3, 200], [7, 2, 1], [300, 2, 300]] as const) {
      const cuts = guidedCuts(count, threads, min);
      expect(cuts[0]).toBe(0);
      expect(cuts[cuts.length - 1]).toBe(count);
      const sizes = cuts.slice(1).map((c, i) => c - cuts[i]);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(Math.min(count, Math.ceil(min)));
      expect(sizes[0]).toBe(Math.min(count, Math.max(Math.ceil(min), Math.ceil(count / (CHUNKS_PER_THREAD * threads)))));
      // shrinking, but for the last chunk, which takes the remainder below twice the minimum
      for (let i = 1; i < sizes.length - 1; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]);
      if (sizes.length > 1) expect(sizes[sizes.length - 1]).toBeLessThan(2 * Math.ceil(min));
    }
    // the worked case: 10,000 candidates at n = 1,000 over 2 threads end in chunks of 132, not 1,250
    const c = guidedCuts(10000, 2, MIN_SLICE_WORK / 1000);
    expect(c[1]).toBe(1250);
    expect(c[c.length - 2] - c[c.length - 3]).toBe(132);
  });
});

describe('bounding pool', () => {
  it('the worker script is only the kernel and a message loop (no module bindings)', () => {
    const src = workerSource();
    expect(src).not.toMatch(/\bimport\b|__vite|__vi_import/);
    expect(src).toContain("require('node:worker_threads')");
  });

  it('a pass split over 2 workers and this thread equals the pass on this thread, bit for bit', async () => {
    const { f } = fitted(5, 200, 6);
    const rng = new Rng(9);
    const count = 3 * Math.ceil((3 * MIN_SLICE_WORK) / 200); // at least 3 slices of MIN_SLICE_WORK
    const points = Float64Array.from({ length: count * 6 }, () => rng.uniform(0, 1));
    const task = passTask(f, points, count, Int32Array.from({ length: 50 }, (_, i) => i * 3), 32, rng);
    const pool = await BoundingPool.create(2);
    expect(pool?.size).toBe(2);
    const sent = vi.spyOn(BoundingPool.prototype as unknown as { send: () => Promise<unknown> }, 'send');
    const par = await pool!.run(task);
    expect(sent.mock.calls.length).toBeGreaterThanOrEqual(2); // each worker took a chunk
    expect(sent.mock.calls.length).toBeLessThan(guidedCuts(count, 3, MIN_SLICE_WORK / 200).length - 1); // this thread took some
    sent.mockRestore();
    const seq = boundingPass(task);
    for (const key of ['mean', 'varianceBound', 'wHead', 'qHead'] as const) expect(bits(par[key])).toEqual(bits(seq[key]));
    pool!.dispose();
    pool!.dispose(); // idempotent
    // after dispose the pass runs on this thread
    expect(bits((await pool!.run(task)).mean)).toEqual(bits(seq.mean));
  });

  it('a pool whose worker exited is not used again: the pass runs on this thread', async () => {
    const { f } = fitted(6, 150, 3);
    const count = Math.ceil((4 * MIN_SLICE_WORK) / 150);
    const rng = new Rng(10);
    const task = passTask(f, Float64Array.from({ length: count * 3 }, () => rng.uniform(0, 1)), count, new Int32Array(0), 0, rng);
    const pool = (await BoundingPool.create(1))!;
    const exited = new Promise((r) => (pool['workers'][0] as unknown as { once(e: string, f: () => void): void }).once('exit', () => r(null)));
    await pool['workers'][0].terminate();
    await exited;
    const sent = vi.spyOn(BoundingPool.prototype as unknown as { send: () => Promise<unknown> }, 'send');
    expect(bits((await pool.run(task)).mean)).toEqual(bits(boundingPass(task).mean));
    expect(sent).not.toHaveBeenCalled();
    sent.mockRestore();
    pool.dispose();
  });

  it('no pool without workers: 0', async () => {
    expect(await BoundingPool.create(0)).toBeNull();
  });

  const cases = [
    { name: 'n = 300, d = 8', seed: 11, n: 300, d: 8 },
    { name: 'duplicates, noise at the floor 1e-6', seed: 12, n: 200, d: 3, dups: 40, noise: 1e-6 },
  ];
  for (const c of cases) {
    it(`${c.name}: screened scoring with the pass in workers equals it on one thread, bit for bit`, async () => {
      const { f, best, X } = fitted(c.seed, c.n, c.d, c);
      const m = 6000;
      const pts = roundOneCandidates(c.seed, m, c.d, X.slice(0, 3 * c.d), 3);
      const acq = { kind: 'ei' as const, xi: 0.01, kappa: 2.576 };
      const pool = (await BoundingPool.create(2))!;
      const par = await screenedScoresParallel(pool, f, pts, m, acq, best, 16);
      const seq = screenedScores(f, pts, m, acq, best, 16);
      pool.dispose();
      expect(bits(par.score)).toEqual(bits(seq.score));
      expect(bits(par.mean)).toEqual(bits(seq.mean));
      expect([par.exact, par.rows, par.work]).toEqual([seq.exact, seq.rows, seq.work]);
    });
  }

  it('one shared factor buffer (and one for S\'s factor): different factors in turn, a factor again and two screenings at once each equal one thread, bit for bit', async () => {
    // factors in ordinary memory (as the pending points' extended factors are): the pool copies them to its buffer
    const plain = (g: ReturnType<typeof fitted>): ReturnType<typeof fitted> => ({ ...g, f: { ...g.f, L: new Float64Array(g.f.L) } });
    const gpA = fitted(51, 230, 5);
    expect(gpA.f.L.buffer).toBeInstanceOf(SharedArrayBuffer); // a GP's own factor is shared already
    const a = plain(gpA);
    const b = plain(fitted(52, 250, 5)); // n >= EXACT_SPLIT_MIN_N: the worker solves exact blocks from the shared factor
    const m = 6000;
    const acq = { kind: 'logei' as const, xi: 0.01, kappa: 2.576 };
    const args = (g: typeof a) => [g.f, roundOneCandidates(7, m, 5, g.X.slice(0, 10), 2), m, acq, g.best, 16, { centres: g.X.slice(0, 10), nCentres: 2 }] as const;
    const seqA = screenedScores(...args(a));
    const seqB = screenedScores(...args(b));
    const same = (par: typeof seqA, seq: typeof seqA) => {
      expect(bits(par.score)).toEqual(bits(seq.score));
      expect([par.exact, par.rows, par.subsetRows, par.work]).toEqual([seq.exact, seq.rows, seq.subsetRows, seq.work]);
    };
    const pool = (await BoundingPool.create(1))!;
    const shared = () => (pool as unknown as { shared: SharedArrayBuffer | null }).shared;
    // S's factor goes to the worker through a shared buffer of its own, rewritten per screening
    const sharedS = () => (pool as unknown as { sharedS: SharedArrayBuffer | null }).sharedS;
    try {
      same(await screenedScoresParallel(pool, ...args(a)), seqA);
      const first = shared();
      expect(first).not.toBeNull();
      same(await screenedScoresParallel(pool, ...args(b)), seqB); // b is larger: the buffer grows once
      same(await screenedScoresParallel(pool, ...args(a)), seqA); // a again, copied over b
      const grown = shared();
      const subsetBuffer = sharedS();
      expect(subsetBuffer).not.toBeNull();
      same(await screenedScoresParallel(pool, ...args(b)), seqB);
      expect(shared()).toBe(grown); // reused, not allocated per screening
      expect(sharedS()).toBe(subsetBuffer);
      // screenings take turns (the thread's WebAssembly memory holds one exact stage's inputs)
      const order: string[] = [];
      const run = pool.run.bind(pool);
      pool.run = (t) => { order.push(`pass ${t.n}`); return run(t); };
      const [pa, pb] = await Promise.all([
        screenedScoresParallel(pool, ...args(a)).then((r) => { order.push('a done'); return r; }),
        screenedScoresParallel(pool, ...args(b)).then((r) => { order.push('b done'); return r; }),
      ]);
      expect(order).toEqual(['pass 230', 'a done', 'pass 250', 'b done']);
      same(pa, seqA);
      same(pb, seqB);
      same(await screenedScoresParallel(pool, ...args(a)), seqA); // every solver was released: the buffer is lent again
      expect(shared()).toBe(grown);
      // the GP's own factor goes to the worker as it is: nothing copied to the pool's buffer
      const view = new Float64Array(grown!, 0, 230 * 230);
      view.fill(0);
      same(await screenedScoresParallel(pool, ...args(gpA)), seqA);
      expect(view.every((v) => v === 0)).toBe(true);
    } finally {
      pool.dispose();
    }
  });

  it('headOnly: the pass reads only the leading head x head block of S, so it gives the same floats with that block alone', () => {
    const { f } = fitted(53, 150, 4);
    const rng = new Rng(3);
    const s = 40;
    const points = Float64Array.from({ length: 300 * 4 }, () => rng.uniform(0, 1));
    const task = passTask(f, points, 300, Int32Array.from({ length: s }, (_, i) => 149 - 3 * i), 24, rng);
    const h = headOnly(task);
    expect([h.sSize, h.sL.length, h.sIdx.length]).toEqual([24, 24 * 24, 24]);
    for (const backend of ['js', 'wasm'] as const) {
      const full = runBoundingPass({ ...task, backend });
      const head = runBoundingPass({ ...h, backend });
      for (const key of ['mean', 'varianceBound', 'wHead', 'qHead'] as const) expect(bits(head[key])).toEqual(bits(full[key]));
    }
    expect(headOnly({ ...task, head: s })).toEqual({ ...task, head: s }); // nothing to cut
  });

  it('the engine with workers proposes what workers: 0 and proposeOnCpu do', async () => {
    const { f, best, X } = fitted(21, 250, 5);
    const req: ProposeRequest = {
      factors: f, acquisition: { kind: 'ei', xi: 0.01, kappa: 2.576 }, best, candidates: 10_000,
      incumbents: X.slice(0, 10), nIncumbents: 2, layout: Array.from({ length: 5 }, (_, k) => ({ kind: 'continuous' as const, name: `x${k}`, dim: k, low: 0, high: 1, log: false })), seed: 77,
    };
    const par = createCpuEngine({ workers: 2 });
    const seq = createCpuEngine({ workers: 0 });
    const a = await par.propose(req);
    const b = await seq.propose(req);
    const c = proposeOnCpu(req);
    par.dispose();
    par.dispose();
    seq.dispose();
    for (const r of [b, c]) {
      expect(Array.from(a.x)).toEqual(Array.from(r.x));
      expect([a.score, a.scored, a.exact, a.work]).toEqual([r.score, r.scored, r.exact, r.work]);
    }
  });

  it('a slice that fails in a worker rejects the pass; the engine then scores on this thread', async () => {
    const { f, best, X } = fitted(31, 120, 4);
    const pool = (await BoundingPool.create(1))!;
    const count = Math.ceil((2 * MIN_SLICE_WORK) / 120) + 2;
    const bad = {
      kernel: f.kernel, n: 120, d: 4, s2: 1, noise: 1e-3, Z: new Float64Array(480), inv: new Float64Array(4), alpha: f.alpha,
      points: new Float64Array(count * 4), count, sIdx: null, sL: new Float64Array(0), sSize: 0, sSlack: 0, head: 1,
    } as unknown as BoundingTask;
    // this thread's slice throws; the worker's is awaited, not left behind
    await expect(pool.run(bad)).rejects.toThrow('Cannot read properties of null');
    // a worker's error comes back as a rejection naming it
    const worker = pool['workers'][0];
    await expect(pool['send'](worker, { task: bad })).rejects.toThrow(/^bounding worker failed: TypeError: Cannot read properties of null/);
    pool.dispose();

    const req: ProposeRequest = {
      factors: f, acquisition: { kind: 'ucb', xi: 0, kappa: 2.576 }, best, candidates: 10_000,
      incumbents: X.slice(0, 4), nIncumbents: 1, layout: Array.from({ length: 4 }, (_, k) => ({ kind: 'continuous' as const, name: `x${k}`, dim: k, low: 0, high: 1, log: false })), seed: 5,
    };
    const spy = vi.spyOn(BoundingPool.prototype, 'run').mockRejectedValueOnce(new Error('lost'));
    const engine = createCpuEngine({ workers: 1 });
    const a = await engine.propose(req);
    const b = await engine.propose(req); // the pool was given up: no second call to it
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    engine.dispose();
    const c = proposeOnCpu(req);
    for (const r of [a, b]) expect([Array.from(r.x), r.score, r.exact]).toEqual([Array.from(c.x), c.score, c.exact]);
  });

  it('with randomState, optimizers with 1 worker and with none suggest the same points', async () => {
    const run = async (workers: number) => {
      const pbounds = Object.fromEntries(Array.from({ length: 4 }, (_, k) => [`x${k}`, [0, 1] as [number, number]]));
      const engine = createCpuEngine({ workers });
      const opt = new BayesianOptimization({ pbounds, randomState: 3, engine, verbose: 0, log: () => {} });
      const rng = new Rng(4);
      for (let i = 0; i < 60; i++) {
        const x = [0, 1, 2, 3].map(() => rng.uniform(0, 1));
        await opt.register(Object.fromEntries(x.map((v, k) => [`x${k}`, v])), -x.reduce((s, v) => s + (v - 0.4) ** 2, 0));
      }
      const out: number[][] = [];
      for (let r = 0; r < 3; r++) {
        const p = await opt.suggest();
        const x = [0, 1, 2, 3].map((k) => p[`x${k}`] as number);
        out.push(x);
        await opt.register(p, -x.reduce((s, v) => s + (v - 0.4) ** 2, 0));
      }
      opt.dispose();
      engine.dispose();
      return out;
    };
    expect(await run(1)).toEqual(await run(0));
  });

  it('a process that never disposes its engine still exits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bounding-pool-'));
    const file = join(dir, 'exit.mts');
    const src = resolve('src/acquisition/cpu-engine.ts');
    writeFileSync(file, `import { createCpuEngine } from ${JSON.stringify(src)};
const d = 4; const n = 200;
const X = Float64Array.from({ length: n * d }, (_, i) => (i * 0.618) % 1);
const L = new Float64Array(n * n); for (let i = 0; i < n; i++) L[i * n + i] = 1;
const e = createCpuEngine({ workers: 1 });
const r = await e.propose({ factors: { n, d, X, L, Linv: L, alpha: new Float64Array(n), kernel: 'rbf', lengthscales: new Float64Array(d).fill(0.3), signalVariance: 1, noiseVariance: 1e-3 } as never,
  acquisition: { kind: 'ucb', xi: 0, kappa: 2 }, best: 0, candidates: 8000, incumbents: X.slice(0, d), nIncumbents: 1,
  layout: Array.from({ length: d }, (_, k) => ({ kind: 'continuous', name: 'x' + k, dim: k, low: 0, high: 1, log: false })) as never, seed: 1 });
console.log('scored', r.scored);
`);
    const res = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 90_000 });
    expect(res.error).toBeUndefined();
    expect(res.stdout).toContain('scored 8000');
    expect(res.status).toBe(0);
  });
});
