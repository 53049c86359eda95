import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/acquisition/engine';
import { WebGpuEngine } from '../../src/gpu';
import { openTestDevice } from '../gpu/helpers';
import { BayesianOptimization } from '../../src/optimizer';
import { InvalidOptionError, InvalidPointError, StateError } from '../../src/errors';
import type { Params } from '../../src/space/types';
import { PB, quad, QUAD_MAX } from './fixtures/quad';

/**
 * The optimizer suite runs on both engines: the float64 CPU reference and the
 * WebGPU engine (any adapter Dawn finds; lavapipe on CPU-only machines).
 * With CI=true a missing adapter fails (openTestDevice), elsewhere it skips.
 */
let gpuDevice: GPUDevice | null = null;
let gpuEngine: Engine | null = null;
beforeAll(async () => {
  gpuDevice = await openTestDevice();
  if (gpuDevice) gpuEngine = await WebGpuEngine.create(gpuDevice);
});
afterAll(() => {
  gpuEngine?.dispose();
  gpuDevice?.destroy();
});

describe.each(['cpu', 'webgpu'] as const)('BayesianOptimization (%s engine)', (kind) => {
  const engineOpt = (): 'cpu' | Engine => (kind === 'cpu' ? 'cpu' : (gpuEngine as Engine));
  const maybe = (name: string, fn: () => Promise<void> | void) =>
    it(name, async (ctx) => {
      if (kind === 'webgpu' && !gpuEngine) ctx.skip();
      await fn();
    });

  maybe('finds the quick-start optimum within 30 evaluations', async () => {
    const opt = new BayesianOptimization({ f: quad, pbounds: PB, randomState: 1, engine: engineOpt(), candidates: 2000 });
    await opt.maximize({ initPoints: 5, nIter: 25 });
    expect(opt.res).toHaveLength(30);
    expect(opt.max!.target).toBeGreaterThan(QUAD_MAX - 0.02);
    expect(opt.max!.params.x).toBeCloseTo(2, 1);
    expect(opt.max!.params.y).toBeCloseTo(1, 1);
    expect(opt.res.slice(0, 5).every((r) => r.source === 'init')).toBe(true);
    expect(opt.res.slice(5).every((r) => r.source === 'suggest' && r.engine === kind)).toBe(true);
  });

  maybe('is reproducible bit for bit under the same randomState', async () => {
    const run = async (seed: number) => {
      const opt = new BayesianOptimization({ f: quad, pbounds: PB, randomState: seed, engine: engineOpt(), candidates: 500 });
      await opt.maximize({ initPoints: 3, nIter: 4 });
      return opt.res.map((r) => [r.params.x, r.params.y, r.target]);
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  maybe('records failing objectives as failed trials and keeps going', async () => {
    let calls = 0;
    const f = async ({ x, y }: Params) => {
      calls++;
      if (calls === 2) throw new Error('boom');
      if (calls === 3) return NaN;
      if (calls === 4) return Infinity;
      if (calls === 6) return 'abc' as unknown as number;
      if (calls === 7) return undefined as unknown as number;
      return quad({ x, y });
    };
    const opt = new BayesianOptimization({ f, pbounds: PB, randomState: 3, engine: engineOpt(), candidates: 300 });
    await opt.maximize({ initPoints: 4, nIter: 4 });
    const res = opt.res;
    expect(res).toHaveLength(8);
    expect(res.map((r) => r.status)).toEqual(['complete', 'failed', 'failed', 'failed', 'complete', 'failed', 'failed', 'complete']);
    expect(res[1].error).toBe('objective threw: boom');
    expect(res[2].error).toBe('objective returned NaN');
    expect(res[3].error).toBe('objective returned Infinity');
    expect(res[5].error).toBe('objective returned a string ("abc"), expected a finite number');
    expect(res[6].error).toBe('objective returned undefined, expected a finite number');
    expect(res[1].target).toBeNull();
    expect(Number.isFinite(opt.max!.target)).toBe(true);
  });

  maybe('minimizes with direction "minimize"', async () => {
    const opt = new BayesianOptimization({
      f: async ({ x, y }) => ((x as number) - 3) ** 2 + ((y as number) + 1) ** 2,
      pbounds: PB, direction: 'minimize', randomState: 2, engine: engineOpt(), candidates: 1000,
    });
    await opt.maximize({ initPoints: 5, nIter: 15 });
    expect(opt.max!.target).toBeLessThan(0.05);
    const targets = opt.res.map((r) => r.target as number);
    expect(opt.max!.target).toBe(Math.min(...targets));
  });

  maybe('handles int and categorical parameters', async () => {
    const opt = new BayesianOptimization({
      f: async ({ units, act, lr }) => -Math.abs((units as number) - 200) / 100 - (act === 'tanh' ? 0 : 1) - Math.abs(Math.log10(lr as number) + 2),
      space: {
        lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
        units: { type: 'int', low: 32, high: 512 },
        act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
      },
      randomState: 5, engine: engineOpt(), candidates: 1000,
    });
    await opt.maximize({ initPoints: 6, nIter: 14 });
    for (const r of opt.res) {
      expect(Number.isInteger(r.params.units)).toBe(true);
      expect(['relu', 'tanh', 'gelu']).toContain(r.params.act);
      expect(r.params.lr as number).toBeGreaterThanOrEqual(1e-4);
      expect(r.params.lr as number).toBeLessThanOrEqual(1e-1);
    }
    expect(opt.max!.params.act).toBe('tanh');
  });

  maybe('supports probe, register and suggest (ask/tell)', async () => {
    const opt = new BayesianOptimization({ pbounds: PB, randomState: 4, engine: engineOpt(), candidates: 300 });
    opt.register({ x: 2.5, y: 0 }, -6.25);
    opt.register({ x: 2.5, y: 0 }, -6.2); // duplicates are allowed
    const a = await opt.suggest();
    const b = await opt.suggest();
    expect(a).not.toEqual(b); // the first is pending and repels the second
    expect(opt.trials.filter((t) => t.status === 'pending')).toHaveLength(2);
    opt.register(a, await quad(a));
    expect(opt.trials.filter((t) => t.status === 'pending')).toHaveLength(1);
    expect(opt.res).toHaveLength(3);
    await expect(opt.register({ x: 9, y: 0 }, 1)).rejects.toThrow(InvalidPointError);
    await expect(opt.register({ x: 3, y: 0 }, '1' as never)).rejects.toThrow('target: expected a number, got "1"');
    await expect(opt.maximize()).rejects.toThrow('maximize: no objective; pass `f` to the constructor');
  });

  maybe('evaluates lazy probes first and eager probes at once', async () => {
    const seen: Params[] = [];
    const opt = new BayesianOptimization({
      f: async (p) => { seen.push(p); return quad(p); }, pbounds: PB, randomState: 1, engine: engineOpt(), candidates: 200,
    });
    await opt.probe({ x: 3, y: 1 }, { lazy: false });
    await opt.probe({ x: 2, y: 1 });
    expect(seen).toEqual([{ x: 3, y: 1 }]);
    await opt.maximize({ initPoints: 1, nIter: 1 });
    expect(seen[1]).toEqual({ x: 2, y: 1 });
    expect(opt.res.map((r) => r.source)).toEqual(['probe', 'probe', 'init', 'suggest']);
    expect(opt.max!.target).toBe(-3);
  });

  maybe('rejects unknown and malformed options with the option name', () => {
    expect(() => new BayesianOptimization({ pbounds: PB, foo: 1 } as never)).toThrow(InvalidOptionError);
    expect(() => new BayesianOptimization({ pbounds: PB, foo: 1 } as never)).toThrow(/^option "foo": unknown option \(known: f, pbounds, space/);
    expect(() => new BayesianOptimization({ pbounds: PB, acquisition: 'xx' as never })).toThrow(
      'option "acquisition": expected one of "ei", "logei", "pi", "ucb" or { kind, xi, kappa }, got "xx"');
    expect(() => new BayesianOptimization({ pbounds: PB, candidates: 0 })).toThrow('option "candidates": expected an integer from 1 to 16777216 (2^24), got 0');
    expect(() => new BayesianOptimization({ pbounds: PB, acquisition: { kind: 'ucb', kappa: -1 } })).toThrow(
      'option "acquisition.kappa": expected a finite number >= 0, got -1');
    // null is refused as every option with a default refuses it (it ran the default); an array is not options
    expect(() => new BayesianOptimization({ pbounds: PB, acquisition: { kind: 'ei', xi: null as never } })).toThrow(
      'option "acquisition.xi": expected a finite number >= 0, got null');
    expect(() => new BayesianOptimization({ pbounds: PB, acquisition: { kind: 'ucb', kappa: null as never } })).toThrow(
      'option "acquisition.kappa": expected a finite number >= 0, got null');
    expect(() => new BayesianOptimization({ pbounds: PB, acquisition: { kind: 'ucb', kappa: undefined } })).not.toThrow();
    expect(() => new BayesianOptimization({ pbounds: PB, stallExploration: [] as never })).toThrow(
      'option "stallExploration": expected a boolean or { every, kappa, tolerance, batchEvery }, got []');
    expect(() => new BayesianOptimization(Object.assign([], { pbounds: PB }) as never)).toThrow(new InvalidOptionError('options: expected an object, got []', 'options'));
    expect(() => new BayesianOptimization({ pbounds: PB, engine: 'gpu' as never })).toThrow(
      'option "engine": expected "auto", "webgpu", "cpu" or an Engine, got "gpu"');
    expect(() => new BayesianOptimization({ pbounds: PB, gp: { lengthscales: 'iso' as never } })).toThrow(
      'option "gp.lengthscales": expected "ard", "shared" or "auto", got "iso"');
    expect(() => new BayesianOptimization({ pbounds: PB, gp: { priorMean: 'low' as never } })).toThrow(
      'option "gp.priorMean": expected a finite number, got "low"');
    expect(() => new BayesianOptimization({ pbounds: PB, gp: { workers: -1 } })).toThrow(
      'option "gp.workers": expected \'auto\' or an integer from 0 to 64, got -1');
    expect(() => new BayesianOptimization({ pbounds: PB, gp: { lengthscaleGroups: [0, 0.5] } })).toThrow(
      'option "gp.lengthscaleGroups": expected a list of integers >= 0 (one per encoded column), got [0,0.5]');
    expect(() => new BayesianOptimization({ pbounds: PB, gp: { lengthscaleGroups: [0, 1, 1] } })).toThrow(
      `option "gp.lengthscaleGroups": expected ${Object.keys(PB).length} entries (one per encoded column of the space), got 3`);
    // refused before the storage opens: no journal is written
    const journal = join(tmpdir(), `groups-${process.pid}-${Date.now()}.jsonl`);
    expect(() => new BayesianOptimization({ pbounds: PB, journal, gp: { lengthscaleGroups: [0] } })).toThrow('option "gp.lengthscaleGroups"');
    // so are indices out of range and groups no column uses (the GP's own check, asked early)
    expect(() => new BayesianOptimization({ pbounds: PB, journal, gp: { lengthscaleGroups: [0, 5] } })).toThrow(
      'option "gp.lengthscaleGroups": entry 1 must be an integer from 0 to 1 (got 5)');
    expect(() => new BayesianOptimization({ pbounds: PB, journal, gp: { lengthscaleGroups: [1, 1] } })).toThrow(
      'option "gp.lengthscaleGroups": group 0 is used by no column (indices run 0 .. G - 1)');
    expect(existsSync(journal)).toBe(false);
  });

  maybe('refuses concurrent maximize and use after dispose', async () => {
    const opt = new BayesianOptimization({
      f: async (p) => { await new Promise((r) => setTimeout(r, 5)); return quad(p); },
      pbounds: PB, randomState: 1, engine: engineOpt(), candidates: 100,
    });
    const first = opt.maximize({ initPoints: 2, nIter: 0 });
    await expect(opt.maximize({ initPoints: 1, nIter: 0 })).rejects.toThrow(StateError);
    await first;
    expect(opt.res).toHaveLength(2);
    opt.dispose();
    opt.dispose();
    await expect(opt.maximize()).rejects.toThrow('optimizer has been disposed');
    await expect(opt.register({ x: 3, y: 0 }, 1)).rejects.toThrow('optimizer has been disposed');
  });

  maybe('fails a trial that outlives trialTimeoutMs and aborts its signal', async () => {
    let aborted = false;
    const opt = new BayesianOptimization({
      f: (p, { signal }) => new Promise((resolve) => {
        if (p.x as number > 3) { signal.addEventListener('abort', () => { aborted = true; }); return; }
        resolve(1);
      }),
      pbounds: { x: [0, 6] }, randomState: 1, engine: engineOpt(), trialTimeoutMs: 30,
    });
    await opt.probe({ x: 5 });
    await opt.probe({ x: 1 });
    await opt.maximize({ initPoints: 0, nIter: 0 });
    expect(opt.res.map((r) => r.status)).toEqual(['failed', 'complete']);
    expect(opt.res[0].error).toBe('objective timed out after 30 ms');
    expect(aborted).toBe(true);
  });

  maybe('prints the bayes_opt table at verbose 2 and only new bests at verbose 1', async () => {
    const lines2: string[] = [];
    const o2 = new BayesianOptimization({ f: quad, pbounds: PB, randomState: 1, engine: engineOpt(), verbose: 2, log: (l) => lines2.push(l), candidates: 100 });
    await o2.maximize({ initPoints: 3, nIter: 2 });
    expect(lines2[0]).toBe('|   iter    |  target   |     x     |     y     |');
    expect(lines2[1]).toBe('-'.repeat(lines2[0].length));
    expect(lines2).toHaveLength(2 + 5 + 1);
    expect(lines2.at(-1)).toBe('='.repeat(lines2[0].length));
    expect(lines2[2]).toMatch(/^\| 1 {9}\| -?\d/);
    const lines1: string[] = [];
    const o1 = new BayesianOptimization({ f: quad, pbounds: PB, randomState: 1, engine: engineOpt(), verbose: 1, log: (l) => lines1.push(l), candidates: 100 });
    await o1.maximize({ initPoints: 3, nIter: 2 });
    const newBests = o1.res.filter((r, i) => o1.res.slice(0, i).every((q) => (q.target as number) < (r.target as number))).length;
    expect(lines1).toHaveLength(2 + newBests + 1);
  });
});


describe('output warping', () => {
  it('winsorizes only the bad tail, at Q1 - 1.5 IQR', async () => {
    const { winsorizeLowerTail } = await import('../../src/optimizer/bayesian-optimization');
    // quartiles of [-100, 1, 2, 3, 4, 5, 6, 7, 8] (linear interpolation): Q1 = 2, Q3 = 6, cut = 2 - 6 = -4
    const y = Float64Array.from([3, -100, 1, 8, 2, 4, 5, 6, 7]);
    winsorizeLowerTail(y, y.length);
    expect(Array.from(y)).toEqual([3, -4, 1, 8, 2, 4, 5, 6, 7]);
    const few = Float64Array.from([1, -1e9, 2]);
    winsorizeLowerTail(few, 3);
    expect(few[1]).toBe(-1e9); // fewer than 4 values: untouched
    const flat = Float64Array.from([1, 1, 1, 1, -5]);
    winsorizeLowerTail(flat, 5);
    expect(flat[4]).toBe(-5); // zero IQR: untouched
  });

  it('keeps a diverged trial from flattening the model: the suggestion stays near the good region', async () => {
    // f has its optimum at x = 0.3; x > 0.9 "diverges" with a huge loss.
    const f = async ({ x }: Params) => ((x as number) > 0.9 ? -1e6 : -(((x as number) - 0.3) ** 2));
    const err: Record<string, number> = {};
    for (const outputWarping of ['winsorize', 'none'] as const) {
      // The warp alone: exploration steps (stallExploration) would make the two runs differ for another reason.
      const opt = new BayesianOptimization({ f, pbounds: { x: [0, 1] }, randomState: 2, engine: 'cpu', candidates: 500, outputWarping, stallExploration: false });
      await opt.probe({ x: 0.95 });
      await opt.maximize({ initPoints: 5, nIter: 6 });
      expect(opt.res).toHaveLength(12);
      err[outputWarping] = Math.abs((opt.max!.params.x as number) - 0.3);
    }
    expect(err.winsorize).toBeLessThan(0.005);
    expect(err.winsorize).toBeLessThan(err.none);
    expect(() => new BayesianOptimization({ pbounds: PB, outputWarping: 'log' as never })).toThrow(
      'option "outputWarping": expected "winsorize", "power" or "none", got "log"');
  });
});
