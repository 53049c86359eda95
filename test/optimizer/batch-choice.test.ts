/**
 * suggestBatch(q) with `batchSelection: 'joint'`: the greedy batch improved
 * by qEI swaps (src/optimizer/batch-choice.ts), on the CPU engine and on
 * WebGPU; the study view with a batch pending; the option's checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { baseSamples, jointPosterior, qEiFromSetFactors, setFactors } from '../../src/acquisition/q-batch';
import { InvalidOptionError } from '../../src/errors';
import { GaussianProcess } from '../../src/gp';
import { AutoEngine, createEngine, isSoftwareDevice, WebGpuEngine } from '../../src/gpu';
import { BayesianOptimization, pointKey } from '../../src/optimizer';
import { chooseJointBatch, JOINT_BATCH, withPendingPoints } from '../../src/optimizer/batch-choice';
import { Space } from '../../src/space';
import type { Params } from '../../src/space/types';
import { Journal, MemoryJournalBackend } from '../../src/storage';
import { Rng } from '../../src/util/rng';
import { openTestDevice } from '../gpu/helpers';

const EI: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2.576 };
const PB = { x: [0, 1], y: [0, 1] } as const;
const quad = ({ x, y }: Params): number => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;
const FAST = { engine: 'cpu', candidates: 300, gp: { restarts: 1 }, log: () => undefined } as const;

/** With CI=true a missing adapter fails here (openTestDevice); elsewhere the WebGPU case skips. */
const device = await openTestDevice();
afterAll(() => device?.destroy());

/** A GP on a 2-D bumpy function, and its incumbent (standardized). */
function model(seed: number) {
  const rng = new Rng(seed);
  const n = 10;
  const X = Float64Array.from({ length: n * 2 }, () => rng.random());
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * X[2 * i]) * Math.cos(4 * X[2 * i + 1]));
  const gp = new GaussianProcess({ restarts: 1, rng: new Rng(seed) }).fit(X, y, 2);
  const best = Math.max(...gp.trainingMean({ standardized: true }));
  return { factors: gp.factors(), best };
}

/** qEI of `points` (q x 2) on the base samples chooseJointBatch uses for `seed`. */
function qeiOf(factors: ReturnType<typeof model>['factors'], best: number, points: Float64Array, q: number, seed: number): number {
  const post = jointPosterior(factors, points, q);
  const { mus, Ls } = setFactors(post, Array.from({ length: q }, (_, i) => i), 1, q);
  return qEiFromSetFactors(mus, Ls, 1, q, best + EI.xi, baseSamples(new Rng(seed), JOINT_BATCH.samples, q), JOINT_BATCH.samples)[0];
}

describe('chooseJointBatch', () => {
  const space = Space.fromOptions({ pbounds: PB });
  const cpu = createCpuEngine();

  it('a batch of 4 near-copies of one point is spread out: qEI rises, recomputed from the points it returns', async () => {
    for (const seed of [1, 2, 3]) {
      const { factors, best } = model(seed);
      const greedy = Float64Array.of(0.5, 0.5, 0.5001, 0.5, 0.5, 0.5001, 0.5001, 0.5001);
      const r = await chooseJointBatch({ factors, best, acquisition: EI, engine: cpu, greedy, q: 4, layout: space.layout, seed: 9 });
      expect(r.scoredOn).toBe('cpu');
      expect(r.swaps).toBeGreaterThanOrEqual(3);
      expect(r.value).toBeGreaterThan(r.start);
      expect(r.start).toBeCloseTo(qeiOf(factors, best, greedy, 4, 9), 12);
      expect(r.value).toBeCloseTo(qeiOf(factors, best, r.points, 4, 9), 12);
      const keys = new Set(Array.from({ length: 4 }, (_, j) => `${r.points[2 * j]},${r.points[2 * j + 1]}`));
      expect(keys.size).toBe(4);
    }
  });

  it('never returns a batch worse than the greedy one, and returns the greedy one when no swap helps', async () => {
    const { factors, best } = model(4);
    const rng = new Rng(5);
    for (let trial = 0; trial < 3; trial++) {
      const greedy = Float64Array.from({ length: 6 }, () => rng.random());
      const r = await chooseJointBatch({ factors, best, acquisition: EI, engine: cpu, greedy, q: 3, layout: space.layout, seed: trial });
      expect(r.value).toBeGreaterThanOrEqual(r.start);
      if (r.swaps === 0) expect(Array.from(r.points)).toEqual(Array.from(greedy));
    }
  });

  describe.skipIf(device === null)('on WebGPU', () => {
    let gpu: WebGpuEngine;
    beforeAll(async () => {
      gpu = await WebGpuEngine.create(device!, { log: () => {} });
    });
    afterAll(() => gpu?.dispose());

    it('scores the swaps on the GPU and ends within 1e-3 (relative) of the float64 search', async () => {
      const { factors, best } = model(1);
      const greedy = Float64Array.of(0.5, 0.5, 0.5001, 0.5, 0.5, 0.5001, 0.5001, 0.5001);
      device!.pushErrorScope('validation');
      const onGpu = await chooseJointBatch({ factors, best, acquisition: EI, engine: gpu, greedy, q: 4, layout: space.layout, seed: 9 });
      expect(await device!.popErrorScope()).toBeNull();
      expect(onGpu.scoredOn).toBe('webgpu');
      // the pool's single-point scores come from the engine too (f32), so the pools may differ slightly
      const onCpu = await chooseJointBatch({ factors, best, acquisition: EI, engine: cpu, greedy, q: 4, layout: space.layout, seed: 9 });
      expect(onGpu.value).toBeGreaterThan(onGpu.start);
      expect(Math.abs(onGpu.value - onCpu.value)).toBeLessThanOrEqual(1e-3 * onCpu.value);
    });

    it.runIf(device !== null && isSoftwareDevice(device))("a seeded 'auto' engine (repeatable) scores the swaps in float64, as the CPU engine does, and makes no device", async () => {
      const { factors, best } = model(1);
      const greedy = Float64Array.of(0.5, 0.5, 0.5001, 0.5, 0.5, 0.5001, 0.5001, 0.5001);
      const auto = await createEngine({ prefer: 'auto', measure: true, repeatable: true, log: () => {} });
      expect(auto).toBeInstanceOf(AutoEngine);
      try {
        const r = await chooseJointBatch({ factors, best, acquisition: EI, engine: auto, greedy, q: 4, layout: space.layout, seed: 9 });
        const onCpu = await chooseJointBatch({ factors, best, acquisition: EI, engine: createCpuEngine(), greedy, q: 4, layout: space.layout, seed: 9 });
        expect(r.scoredOn).toBe('cpu');
        expect(Array.from(r.points)).toEqual(Array.from(onCpu.points));
        expect(r.value).toBe(onCpu.value);
        expect(() => (auto as AutoEngine).device).toThrow('engine: the WebGPU device is not made yet');
      } finally {
        auto.dispose();
      }
    });
  });
});

describe('withPendingPoints', () => {
  it('adds the points as pending trials with negative ids, leaving the study alone', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 1 });
    await opt.register({ x: 0.1, y: 0.2 }, 1);
    const study = (opt as unknown as { study: Parameters<typeof withPendingPoints>[0] }).study;
    const view = withPendingPoints(study, [{ x: 0.5, y: 0.5 }, { x: 0.6, y: 0.6 }]);
    expect(view.trials.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [-1, 'pending'], [-2, 'pending']]);
    expect(view.pending().map((t) => t.params)).toEqual([{ x: 0.5, y: 0.5 }, { x: 0.6, y: 0.6 }]);
    expect(view.completed()).toHaveLength(1);
    expect(opt.trials).toHaveLength(1);
  });
});

describe("suggestBatch with batchSelection: 'joint' (the default)", () => {
  it('design first, then q distinct model points, all pending until registered; 3 rounds on a shared journal with another worker', async () => {
    const backend = new MemoryJournalBackend();
    const a = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 4, initPoints: 4, batchSelection: 'joint', journal: backend });
    const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 5, initPoints: 4, batchSelection: 'joint', journal: backend });
    await a.ready();
    await b.ready();
    const first = await a.suggestBatch(4);
    for (const p of first) await a.register(p, quad(p));
    for (let round = 0; round < 3; round++) {
      // b's batch is pending while a proposes its own
      const [pa, pb] = await Promise.all([a.suggestBatch(4), b.suggestBatch(3)]);
      expect(new Set([...pa, ...pb].map(pointKey)).size).toBe(7);
      for (const p of pa) await a.register(p, quad(p));
      for (const p of pb) await b.register(p, quad(p));
    }
    const s = await (await Journal.open(backend)).load();
    expect(s.trials).toHaveLength(25);
    expect(s.trials.slice(0, 4).map((t) => t.source)).toEqual(Array(4).fill('init'));
    expect(s.trials.slice(4).every((t) => t.source === 'suggest' && t.status === 'complete')).toBe(true);
    expect(new Set(s.trials.map((t) => pointKey(t.params))).size).toBe(25);
    a.dispose();
    b.dispose();
  });

  it("batchSelection: 'greedy': the points of q suggest() calls in turn", async () => {
    const mk = (o: object) => new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 8, initPoints: 4, ...o });
    const greedy = mk({ batchSelection: 'greedy' });
    const single = mk({});
    for (const o of [greedy, single]) for (const [x, y] of [[0.1, 0.2], [0.8, 0.3], [0.4, 0.9], [0.6, 0.6]]) await o.register({ x, y }, quad({ x, y }));
    const batch = await greedy.suggestBatch(3);
    const one = [await single.suggest(), await single.suggest(), await single.suggest()];
    expect(batch).toEqual(one);
    greedy.dispose();
    single.dispose();
  });

  it('on a 4 x 4 grid of integers (pool points coincide once snapped): 4 batches of 4, the 16 points of the space each once', async () => {
    const space = { x: { type: 'int', low: 0, high: 3 }, y: { type: 'int', low: 0, high: 3 } } as const;
    const g = ({ x, y }: Params) => -(((x as number) - 2) ** 2) - ((y as number) - 1) ** 2;
    const opt = new BayesianOptimization({ ...FAST, space, randomState: 2, initPoints: 4 });
    for (let round = 0; round < 4; round++) {
      const batch = await opt.suggestBatch(4);
      for (const p of batch) await opt.register(p, g(p));
    }
    expect(new Set(opt.res.map((r) => pointKey(r.params))).size).toBe(16);
    opt.dispose();
  });

  it('rejects a bad batchSelection with the option named', () => {
    expect(() => new BayesianOptimization({ pbounds: PB, batchSelection: 'both' as 'joint' })).toThrow(InvalidOptionError);
    expect(() => new BayesianOptimization({ pbounds: PB, batchSelection: 'both' as 'joint' })).toThrow('option "batchSelection": expected "greedy" or "joint", got "both"');
  });
});
