/**
 * prunedTrials 'fidelity' on the WebGPU engine: the model's inputs end with
 * the training progress, and the candidates are asked at progress 1 through a
 * one-choice categorical coordinate (src/optimizer/fidelity.ts). Both engines
 * must keep that coordinate at 1 and agree on the winner (the tolerance of
 * test/gpu/engine.test.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { WebGpuEngine } from '../../src/gpu';
import { observations } from '../../src/optimizer';
import { modelSpace } from '../../src/optimizer/fidelity';
import { Space } from '../../src/space';
import type { Trial } from '../../src/study/types';
import { Rng } from '../../src/util/rng';
import { openTestDevice, validationErrorOf } from './helpers';

const TOL_PROPOSE = 1e-3;
const device = await openTestDevice();
afterAll(() => device?.destroy());

describe.skipIf(device === null)('the fidelity model on the WebGPU engine', () => {
  it('proposes at progress 1, as the CPU engine does', async () => {
    const space = new Space({ a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 1e-3, high: 1, log: true } });
    const rng = new Rng(11);
    const loss = (a: number, b: number, e: number) => (a - 0.6) ** 2 + 0.1 * b + (0.2 + a) / Math.sqrt(e);
    const trials: Trial[] = Array.from({ length: 16 }, (_, id) => {
      const a = rng.random();
      const b = 10 ** (-3 * rng.random());
      const steps = id < 4 ? 9 : 1 + (id % 3);
      const values = Array.from({ length: steps }, (_, e) => loss(a, b, e + 1));
      const done = steps === 9;
      return {
        id, params: { a, b }, source: 'random', status: done ? 'complete' : 'pruned', target: values[steps - 1],
        intermediate: Object.fromEntries(values.map((v, e) => [e + 1, v])), ...(done ? {} : { step: steps }),
      };
    });
    const o = observations(space, -1, trials, 0, 'power', 'worst', 'fidelity');
    const ms = modelSpace(space, true);
    const gp = new GaussianProcess({ kernel: 'matern52', lengthscales: 'ard', rng: new Rng(1) }).fit(o.X, o.y, ms.dim);
    const fitted = gp.trainingMean({ standardized: true });
    let best = -Infinity;
    for (let i = 0; i < o.nComplete; i++) best = Math.max(best, fitted[i]);
    const req = {
      factors: gp.factors(), acquisition: { kind: 'ei' as const, xi: 0, kappa: 0 }, best, candidates: 2000, layout: ms.layout, seed: 99,
      incumbents: o.X.slice(0, 2 * ms.dim), nIncumbents: 2,
    };
    const engine = await WebGpuEngine.create(device!, { log: () => {} });
    const { value: g, error } = await validationErrorOf(device!, () => engine.propose(req));
    expect(error).toBeNull();
    const c = await createCpuEngine().propose(req);
    expect(g.engine).toBe('webgpu');
    expect(g.x.length).toBe(ms.dim);
    expect(g.x[ms.dim - 1]).toBe(1);
    expect(c.x[ms.dim - 1]).toBe(1);
    expect(g.score).toBeGreaterThanOrEqual(c.score - TOL_PROPOSE * (1 + Math.abs(c.score)));
    engine.dispose();
  });
});
