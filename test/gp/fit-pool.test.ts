import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import { InvalidOptionError } from '../../src/errors';
import { FitPool, sharedFitPool } from '../../src/gp/fit-pool';
import { runFitTask, type FitJob, type FitTask } from '../../src/gp/fit-tasks';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { hyperparameterBounds } from '../../src/gp/priors';
import { BayesianOptimization } from '../../src/optimizer';
import { Rng } from '../../src/util/rng';

/** Seeded data; `dups` rows repeat earlier ones exactly (an ill-conditioned K at a tiny noise floor). */
function data(seed: number, n: number, d: number, dups = 0): { X: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(0, 1));
  for (let i = 0; i < dups; i++) X.copyWithin((n - 1 - i) * d, i * d, i * d + d);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * X[i * d]) + (X[i * d + 1] - 0.4) ** 2);
  return { X, y };
}

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => v.toString(16));

const hyper = (gp: GaussianProcess) => {
  const h = gp.hyperparameters;
  return [...bits(h.lengthscales), ...bits([h.signalVariance, h.noiseVariance]), gp.fitStats.evaluations, gp.fitStats.lengthscales];
};

describe('fit worker script', () => {
  it('src/gp/fit-worker-source.ts is up to date with src/gp/fit-tasks.ts and its imports', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-fit-worker.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('fit pool', () => {
  it('probes and final runs answered by 2 workers equal those run here, bit for bit', () => {
    const { X, y } = data(3, 80, 5, 10);
    const d = 5;
    const job: FitJob = { kernel: 'matern52', X, y, n: 80, d, usePriors: true, noiseFloor: 1e-6 };
    const { lower, upper } = hyperparameterBounds(d, 1e-6);
    const rng = new Rng(5);
    const start = () => Float64Array.from({ length: d + 2 }, (_, k) => lower[k] + (upper[k] - lower[k]) * rng.uniform(0.2, 0.8));
    const tasks: FitTask[] = [
      ...Array.from({ length: 4 }, (): FitTask => ({ kind: 'probe', model: 'ard', start: start() })),
      { kind: 'probe', model: 'shared', start: Float64Array.from([-0.5, 0, -5]) },
      { kind: 'final', model: 'ard', start: start(), f: Infinity, converged: false, evidence: true },
      { kind: 'final', model: 'shared', start: Float64Array.from([-0.3, 0.1, -6]), f: Infinity, converged: false, evidence: true },
    ];
    const pool = FitPool.create(2)!;
    try {
      const remote = pool.run(job, tasks, { callerClaims: false }); // the workers do every task
      expect(pool.answered).toBe(tasks.length);
      const here = tasks.map((t) => runFitTask(job, t));
      const flat = (rs: typeof here) => rs.map((r) => [bits(r.x), bits([r.f]), r.converged, r.evaluations, r.evidence]);
      expect(flat(remote)).toEqual(flat(here));
      expect(here[5].evidence).toBeTypeOf('number');
    } finally {
      pool.dispose();
    }
  });

  it('a dead worker: its tasks run on the calling thread, same results, and the pool is not used again', async () => {
    const { X, y } = data(4, 70, 3);
    const job: FitJob = { kernel: 'rbf', X, y, n: 70, d: 3, usePriors: true, noiseFloor: 1e-6 };
    const tasks: FitTask[] = [0.1, 0.3, 0.5].map((l): FitTask => ({ kind: 'probe', model: 'ard', start: Float64Array.from([l, l, l, 0, -4]) }));
    const pool = FitPool.create(1)!;
    const w = (pool as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }).workers[0].worker;
    await w.terminate();
    await new Promise((r) => setTimeout(r, 20)); // the exit event
    expect(pool.usable).toBe(false);
    const out = pool.run(job, tasks);
    expect(out.map((r) => bits(r.x))).toEqual(tasks.map((t) => bits(runFitTask(job, t).x)));
    expect(pool.answered).toBe(0);
    pool.dispose();
  });

  it('a worker that does not answer in time: its tasks run on the calling thread, same results, and the pool is given up', () => {
    const { X, y } = data(6, 70, 3);
    const job: FitJob = { kernel: 'rbf', X, y, n: 70, d: 3, usePriors: true, noiseFloor: 1e-6 };
    const tasks: FitTask[] = [0.1, 0.3].map((l): FitTask => ({ kind: 'probe', model: 'ard', start: Float64Array.from([l, l, l, 0, -4]) }));
    const pool = FitPool.create(1)!;
    try {
      // keep the worker busy with a long job (a final run on 900 points) posted behind the pool's back
      const big = data(7, 900, 3);
      const busy: FitJob = { kernel: 'rbf', X: big.X, y: big.y, n: 900, d: 3, usePriors: true, noiseFloor: 1e-6 };
      const worker = (pool as unknown as { workers: { worker: { postMessage(v: unknown): void } }[] }).workers[0].worker;
      worker.postMessage({ id: -1, job: busy, tasks: [{ kind: 'final', model: 'ard', start: Float64Array.from([0, 0, 0, 0, -4]), f: Infinity, converged: false, evidence: true }], ctl: new SharedArrayBuffer(8) });
      const out = pool.run(job, tasks, { callerClaims: false, waitLimitMs: 50 });
      expect(out.map((r) => bits(r.x))).toEqual(tasks.map((t) => bits(runFitTask(job, t).x)));
      expect(pool.answered).toBe(0);
      expect(pool.usable).toBe(false);
    } finally {
      pool.dispose();
    }
  });

  it('one pool for the process: a smaller workers value uses its first threads, a larger one replaces it', () => {
    const first = sharedFitPool(1)!;
    const big = first.pool.size + 1;
    const a = sharedFitPool(big)!;
    expect([a.pool.size, a.helpers]).toEqual([big, big]);
    if (a.pool !== first.pool) expect(first.pool.usable).toBe(false); // its threads ended
    const b = sharedFitPool(big - 1)!;
    expect(b.pool).toBe(a.pool); // a pool per count held the sum of every count's threads
    expect(b.helpers).toBe(big - 1);
    // a job of b is posted to its first big - 1 workers only, and runs as it would here
    const workers = (a.pool as unknown as { workers: { worker: { postMessage: (v: unknown) => void } }[] }).workers;
    const posted = workers.map((w) => vi.spyOn(w.worker, 'postMessage'));
    const { X, y } = data(4, 70, 3);
    const job: FitJob = { kernel: 'matern52', X, y, n: 70, d: 3, usePriors: true, noiseFloor: 1e-6 };
    const tasks: FitTask[] = Array.from({ length: 4 }, (_, k): FitTask => ({ kind: 'probe', model: 'shared', start: Float64Array.from([-0.5 + 0.1 * k, 0, -5]) }));
    expect(b.pool.run(job, tasks, { helpers: b.helpers })).toEqual(tasks.map((t) => runFitTask(job, t)));
    expect(posted.map((p) => p.mock.calls.length)).toEqual(workers.map((_, i) => (i < big - 1 ? 1 : 0)));
    for (const p of posted) p.mockRestore();
  });

  it('no pool for workers: 0; a bad workers value is an InvalidOptionError naming it', () => {
    expect(sharedFitPool(0)).toBeNull();
    for (const v of [-1, 2.5, 'many']) {
      expect(() => new GaussianProcess({ workers: v as number })).toThrow(InvalidOptionError);
      expect(() => new GaussianProcess({ workers: v as number })).toThrow(/^workers must be 'auto' or an integer from 0 to 64/);
    }
  });
});

describe('GP fits with worker threads', () => {
  // Tolerance 0: the same tasks run the same float64 code wherever they run.
  const cases = [
    { name: 'n = 120, d = 6, ARD/shared chosen by evidence', seed: 11, n: 120, d: 6, dups: 0, opts: { lengthscales: 'auto' as const } },
    { name: 'duplicates, noise at the floor 1e-6', seed: 12, n: 100, d: 3, dups: 30, opts: { lengthscales: 'auto' as const, noiseFloor: 1e-6 } },
    { name: 'n = 300 (fit on a 250-point subset), ARD', seed: 13, n: 300, d: 4, dups: 20, opts: {} },
  ];
  for (const c of cases) {
    it(`${c.name}: restarts in 2 workers give the hyperparameters of sequential ones for the same seed, bit for bit`, () => {
      const { X, y } = data(c.seed, c.n, c.d, c.dups);
      const fits = (workers: number) => {
        const gp = new GaussianProcess({ ...c.opts, refit: 'always', rng: new Rng(c.seed), workers });
        const out = [hyper(gp.fit(X, y, c.d))];
        // a warm refit on one point less: warm start, default start and the best random one
        out.push(hyper(gp.fit(X.subarray(0, (c.n - 1) * c.d), y.subarray(0, c.n - 1), c.d)));
        return out;
      };
      const ran = vi.spyOn(FitPool.prototype, 'run');
      const seq = fits(0);
      expect(ran).not.toHaveBeenCalled();
      const par = fits(2);
      expect(ran).toHaveBeenCalled(); // (which thread took which task depends on load)
      ran.mockRestore();
      expect(par).toEqual(seq);
    });
  }

  it('with randomState, optimizers with fit workers and with none suggest the same points', async () => {
    const run = async (workers: number) => {
      const pbounds = Object.fromEntries(Array.from({ length: 3 }, (_, k) => [`x${k}`, [0, 1] as [number, number]]));
      const opt = new BayesianOptimization({ pbounds, randomState: 3, verbose: 0, log: () => {}, gp: { workers, refit: 'always' }, candidates: 2000,
        engine: createCpuEngine({ workers: 0 }), // the 'auto' engine's choice is timed, hence not repeatable
      });
      const rng = new Rng(4);
      const f = (x: number[]) => -x.reduce((s, v) => s + (v - 0.4) ** 2, 0);
      for (let i = 0; i < 66; i++) {
        const x = [0, 1, 2].map(() => rng.uniform(0, 1));
        await opt.register(Object.fromEntries(x.map((v, k) => [`x${k}`, v])), f(x));
      }
      const out: number[][] = [];
      for (let r = 0; r < 2; r++) {
        const p = await opt.suggest();
        const x = [0, 1, 2].map((k) => p[`x${k}`] as number);
        out.push(x);
        await opt.register(p, f(x));
      }
      opt.dispose();
      return out;
    };
    expect(await run(1)).toEqual(await run(0));
  });

  it('a process whose GP fitted with workers still exits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fit-pool-'));
    const file = join(dir, 'exit.mts');
    writeFileSync(file, `import { GaussianProcess } from ${JSON.stringify(resolve('src/gp/gaussian-process.ts'))};
const n = 80, d = 2;
const X = Float64Array.from({ length: n * d }, (_, i) => (i * 0.618) % 1);
const y = Float64Array.from({ length: n }, (_, i) => Math.sin(7 * X[i * d]));
new GaussianProcess({ workers: 1 }).fit(X, y, d);
console.log('fitted');
`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 90_000 });
    expect(r.stdout.trim()).toBe('fitted');
    expect(r.status).toBe(0);
  });
});
