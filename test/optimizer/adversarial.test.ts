/**
 * BayesianOptimization under adversarial data: all-equal targets, duplicates,
 * a single observation, targets near 1e12 and 1e-12 (and 1e200), 2,000
 * observations, 20 dimensions, an objective that always fails. Every
 * suggestion must be finite and inside the space.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/acquisition/engine';
import { WebGpuEngine } from '../../src/gpu';
import { openTestDevice } from '../gpu/helpers';
import { BayesianOptimization } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { Rng } from '../../src/util/rng';

const PB = { x: [2, 4], y: [-3, 3] } as const;
const quad = ({ x, y }: Params): number => -((x as number) ** 2) - ((y as number) - 1) ** 2 + 1;
const BASE = { candidates: 200, gp: { restarts: 1 }, log: () => undefined } as const;
/** Options of the engine group being run (the suite runs once per engine). */
let FAST: typeof BASE & { engine: 'cpu' | Engine } = { ...BASE, engine: 'cpu' };

let gpuDevice: GPUDevice | null = null;
let gpuEngine: Engine | null = null;
beforeAll(async () => {
  gpuDevice = await openTestDevice(); // with CI=true a missing adapter fails here
  if (gpuDevice) gpuEngine = await WebGpuEngine.create(gpuDevice);
});
afterAll(() => {
  gpuEngine?.dispose();
  gpuDevice?.destroy();
});
/** suggestions of runs whose targets differ by a positive scale factor: the same up to rounding */
const TOL_SCALE_INVARIANCE = 1e-6;

/** The point has exactly the space's parameters, each finite and inside its range. */
function expectInside(opt: BayesianOptimization, p: Params): void {
  expect(Object.keys(p).sort()).toEqual([...opt.space.names].sort());
  for (const v of Object.values(p)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
  expect(() => opt.space.validatePoint(p)).not.toThrow();
}

async function suggestions(opt: BayesianOptimization, k: number): Promise<Params[]> {
  const out: Params[] = [];
  for (let i = 0; i < k; i++) {
    const p = await opt.suggest();
    expectInside(opt, p);
    out.push(p);
  }
  return out;
}

describe.each(['cpu', 'webgpu'] as const)('%s engine', (kind) => {
  beforeAll(() => {
    FAST = { ...BASE, engine: kind === 'cpu' ? 'cpu' : (gpuEngine as Engine) };
  });
  beforeEach((ctx) => {
    if (kind === 'webgpu' && !gpuEngine) ctx.skip();
  });

  describe('suggestions from degenerate data', () => {
    it('all-equal targets', async () => {
      const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 1 });
      const rng = new Rng(1);
      for (let i = 0; i < 8; i++) opt.register({ x: 2 + 2 * rng.random(), y: -3 + 6 * rng.random() }, 5);
      await suggestions(opt, 3);
      const flat = new BayesianOptimization({ ...FAST, f: () => 0, pbounds: PB, randomState: 1 });
      await flat.maximize({ initPoints: 3, nIter: 5 });
      expect(flat.res.map((r) => r.status)).toEqual(Array(8).fill('complete'));
      for (const r of flat.res) expectInside(flat, r.params);
    });

    it('one point registered 30 times, with clashing targets', async () => {
      const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 2 });
      for (let i = 0; i < 30; i++) opt.register({ x: 3, y: 0 }, i % 2 ? 1 : -1);
      const got = await suggestions(opt, 3);
      expect(got.some((p) => p.x === 3 && p.y === 0)).toBe(false);
    });

    it('a single observation', async () => {
      const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3 });
      opt.register({ x: 2.5, y: 1 }, -5.25);
      const [p] = await suggestions(opt, 1);
      expect(p).not.toEqual({ x: 2.5, y: 1 });
    });

    it('int, log and categorical parameters with constant targets and duplicates', async () => {
      const opt = new BayesianOptimization({
        ...FAST, randomState: 4,
        space: {
          lr: { type: 'float', low: 1e-6, high: 1, log: true },
          units: { type: 'int', low: 1, high: 4 },
          act: { type: 'categorical', choices: ['relu', 'tanh'] },
        },
      });
      for (let i = 0; i < 12; i++) opt.register({ lr: 1e-3, units: 1 + (i % 2), act: 'relu' }, 0.5);
      const got = await suggestions(opt, 6);
      // the space has untried points, so none is repeated
      const seen = new Set(opt.trials.map((t) => JSON.stringify(t.params)));
      expect(seen.size).toBe(2 + got.length);
    });

    it('an objective that always fails: the study runs to the end on random points', async () => {
      const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 5, f: () => { throw new Error('no'); } });
      await opt.maximize({ initPoints: 2, nIter: 3 });
      expect(opt.res.map((r) => [r.status, r.source])).toEqual([
        ['failed', 'init'], ['failed', 'init'], ['failed', 'random'], ['failed', 'random'], ['failed', 'random'],
      ]);
      expect(opt.max).toBeUndefined();
      for (const r of opt.res) expectInside(opt, r.params);
    });
  });

  describe('targets at extreme scales', () => {
    const run = async (g: (p: Params) => number) => {
      const opt = new BayesianOptimization({ ...FAST, f: g, pbounds: PB, randomState: 6 });
      await opt.maximize({ initPoints: 4, nIter: 4 });
      for (const r of opt.res) {
        expect(r.status).toBe('complete');
        expectInside(opt, r.params);
      }
      return opt.res.map((r) => r.params);
    };

    it('scaling f by 1e12 or 1e-12 changes nothing (the GP standardizes targets)', async () => {
      const ref = await run(quad);
      for (const c of [1e12, 1e-12]) {
        const got = await run((p) => c * quad(p));
        // 4 initial points (same seed) and 4 model-guided ones
        for (let i = 0; i < 8; i++) {
          expect(Math.abs((got[i].x as number) - (ref[i].x as number))).toBeLessThan(TOL_SCALE_INVARIANCE);
          expect(Math.abs((got[i].y as number) - (ref[i].y as number))).toBeLessThan(TOL_SCALE_INVARIANCE);
        }
      }
    });

    it('targets near 1e12 (offset), mixed signs at 1e200, and near 1e-12', async () => {
      await run((p) => 1e12 + quad(p));
      await run((p) => (quad(p) > -10 ? 1e200 : -1e200));
      await run((p) => 1e-12 + 1e-15 * quad(p));
    });
  });

  describe('large and wide studies', () => {
    it('20 dimensions', async () => {
      const pbounds: Record<string, [number, number]> = {};
      for (let k = 0; k < 20; k++) pbounds[`x${k}`] = k % 2 ? [-1e3, 1e3] : [0, 1e-3];
      const opt = new BayesianOptimization({
        ...FAST, candidates: 100, pbounds, randomState: 7,
        f: (p) => -Object.values(p).reduce<number>((s, v, k) => s + ((v as number) / (k % 2 ? 1e3 : 1e-3) - 0.3) ** 2, 0),
      });
      await opt.maximize({ initPoints: 5, nIter: 5 });
      expect(opt.res).toHaveLength(10);
      for (const r of opt.res) expectInside(opt, r.params);
    });

    it('2,000 observations, then a suggestion (the GP fits its hyperparameters on a subset)', async () => {
      const pbounds = { a: [0, 1], b: [0, 1], c: [0, 1] } as Record<string, [number, number]>;
      const opt = new BayesianOptimization({ ...FAST, candidates: 64, pbounds, randomState: 8 });
      const rng = new Rng(8);
      for (let i = 0; i < 2000; i++) {
        const p = { a: rng.random(), b: rng.random(), c: rng.random() };
        opt.register(p, Math.sin(10 * p.a) + p.b * p.c);
      }
      const p = await opt.suggest();
      expectInside(opt, p);
      expect(opt.trials).toHaveLength(2001);
      // the hyperparameters come from a subset (maxFitPoints, 250 by default); the posterior uses all 2,000 points
      const stats = opt.gp.fitStats;
      expect(stats.fitPoints).toBeGreaterThan(0);
      expect(stats.fitPoints).toBeLessThanOrEqual(250);
      expect(opt.gp.n).toBe(2000);
    }, 300_000);
  });
});
