/** The 'fantasies' pending strategy: fantasy models (pending.ts) and the choice over them (fantasy-choice.ts), CPU and WebGPU. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import { fantasyScores } from '../../src/acquisition/fantasy';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { GaussianProcess } from '../../src/gp';
import { crossCovariance } from '../../src/gp/kernels';
import { WebGpuEngine } from '../../src/gpu';
import { chooseByFantasies } from '../../src/optimizer/fantasy-choice';
import { fantasyModels, PENDING_NOISE } from '../../src/optimizer/pending';
import { Space } from '../../src/space';
import { Rng } from '../../src/util/rng';
import { openTestDevice } from '../gpu/helpers';

const EI: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2.576 };
const g = (x: number[]) => Math.sin(3 * x[0]) + Math.cos(2 * x[1]) - x[2] ** 2;

function problem(n: number, m: number, seed: number) {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * 3 }, () => rng.random());
  const y = Float64Array.from({ length: n }, (_, i) => g([X[3 * i], X[3 * i + 1], X[3 * i + 2]]));
  const gp = new GaussianProcess({ rng: new Rng(seed) }).fit(X, y, 3);
  const Xp = Float64Array.from({ length: m * 3 }, () => rng.random());
  const fitted = gp.trainingMean({ standardized: true });
  const best = Math.max(...fitted);
  return { gp, X, Xp, best };
}

describe('fantasyModels', () => {
  it('each fantasy fits the real data and its own draw at the pending points; its incumbent counts the draw', () => {
    const n = 12;
    const m = 4;
    const F = 6;
    const { gp, Xp, best } = problem(n, m, 3);
    const { factors, fantasies } = fantasyModels(gp, Xp, m, F, best, new Rng(7));
    const N = n + m;
    expect(factors.n).toBe(N);
    const K = crossCovariance(factors.kernel, factors.X, N, factors.X, N, 3, factors.lengthscales, factors.signalVariance);
    const f0 = gp.factors();
    const ys = gp.trainingMean({ standardized: true }).map((v, i) => v + f0.noiseVariance * f0.alpha[i]);
    const draws: number[][] = [];
    for (let f = 0; f < F; f++) {
      // targets of fantasy f: (K + diag(noise, ..., pending noise, ...)) alpha_f (pending rows: no observation noise)
      const pendingNoise = Math.min(f0.noiseVariance, PENDING_NOISE * factors.signalVariance);
      const t = Array.from({ length: N }, (_, i) => {
        let s = (i < n ? factors.noiseVariance : pendingNoise) * fantasies.alphas[f * N + i];
        for (let j = 0; j < N; j++) s += K[i * N + j] * fantasies.alphas[f * N + j];
        return s;
      });
      for (let i = 0; i < n; i++) expect(t[i]).toBeCloseTo(ys[i], 7);
      draws.push(t.slice(n));
      expect(fantasies.bests[f]).toBeCloseTo(Math.max(best, ...t.slice(n)), 7);
    }
    // the draws differ between fantasies, and are seeded
    expect(draws[0][0]).not.toBeCloseTo(draws[1][0], 3);
    const again = fantasyModels(gp, Xp, m, F, best, new Rng(7));
    expect(Array.from(again.fantasies.alphas)).toEqual(Array.from(fantasies.alphas));
  });
});

describe('chooseByFantasies', () => {
  let device: GPUDevice | null = null;
  let gpu: WebGpuEngine | null = null;
  beforeAll(async () => {
    device = await openTestDevice();
    if (device) gpu = await WebGpuEngine.create(device, { log: () => {} });
  });
  afterAll(() => {
    gpu?.dispose();
    device?.destroy();
  });

  const space = Space.fromOptions({ pbounds: { a: [0, 1], b: [0, 1], c: [0, 1] } });
  const { gp, X, Xp, best } = problem(15, 5, 11);
  const { factors, fantasies } = fantasyModels(gp, Xp, 5, 16, best, new Rng(2));
  const base = {
    factors, fantasies, acquisition: EI, winner: Xp.slice(0, 3), incumbents: X.slice(0, 9), nIncumbents: 3,
    layout: space.layout, seed: 99,
  };

  it('CPU: the chosen point beats the engine\'s point (a pending point here) on the averaged score, and reports its score', async () => {
    const r = await chooseByFantasies({ ...base, engine: createCpuEngine() });
    const [atWinner] = fantasyScores(factors, fantasies, base.winner, 1, EI);
    const [atChoice] = fantasyScores(factors, fantasies, r.x, 1, EI);
    expect(atChoice).toBeCloseTo(r.score, 10);
    expect(r.score).toBeGreaterThan(atWinner); // the winner here is a pending point: it scores low
  });

  it('WebGPU: the point chosen from f32 scores is within 1e-3 (log units) of the CPU choice', async (ctx) => {
    if (!gpu) ctx.skip();
    const cpu = await chooseByFantasies({ ...base, engine: createCpuEngine() });
    const onGpu = await chooseByFantasies({ ...base, engine: gpu! });
    expect([cpu.scoredOn, onGpu.scoredOn]).toEqual(['cpu', 'webgpu']);
    const [s] = fantasyScores(factors, fantasies, onGpu.x, 1, EI);
    expect(cpu.score - s).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(cpu.score)));
  });
});
