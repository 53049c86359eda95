/**
 * Both engines finish on the same float64 optimum: the WebGPU engine's
 * winner (f32, 65,536 candidates) and the CPU engine's (float64, 10,000
 * candidates), each refined by gradient ascent of the acquisition on the CPU,
 * land on the same point when the acquisition has one interior maximum.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { refineFromWinner } from '../../src/acquisition/refine';
import { acquisitionScoreGradient } from '../../src/acquisition/score-gradient';
import { GaussianProcess } from '../../src/gp';
import { WebGpuEngine } from '../../src/gpu';
import type { DimLayout } from '../../src/space/types';
import { Rng } from '../../src/util/rng';
import { openTestDevice, validationErrorOf } from './helpers';

const device = await openTestDevice();
afterAll(() => device?.destroy());

/** Refined points agree to this max-norm distance (unit cube): the ascent's own stopping precision. */
const TOL_X = 2e-3;

describe.skipIf(device === null)('refinement after either engine', () => {
  it('CPU and WebGPU winners refine to the same point and float64 score', async () => {
    const d = 3;
    const layout: DimLayout[] = Array.from({ length: d }, (_, j) => ({ kind: 'continuous', name: `x${j}`, dim: j, low: 0, high: 1, log: false }));
    const rng = new Rng(31);
    const n = 20;
    const X = Float64Array.from({ length: n * d }, () => rng.random());
    const y = Float64Array.from({ length: n }, (_, i) =>
      -((X[i * d] - 0.35) ** 2 + (X[i * d + 1] - 0.6) ** 2 + 0.5 * (X[i * d + 2] - 0.45) ** 2));
    const factors = new GaussianProcess({ rng: new Rng(2) }).fit(X, y, d).factors();
    let bestIdx = 0;
    for (let i = 1; i < n; i++) if (y[i] > y[bestIdx]) bestIdx = i;
    const best = (y[bestIdx] - factors.yMean) / factors.yStd;
    const acquisition: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2.576 };
    const incumbents = X.slice(bestIdx * d, bestIdx * d + d);
    const base = { factors, acquisition, best, incumbents, nIncumbents: 1, layout, seed: 77 };
    const gpu = await WebGpuEngine.create(device!, { log: () => {} });
    const cpu = createCpuEngine();
    try {
      const { value: rg, error } = await validationErrorOf(device!, () => gpu.propose({ ...base, candidates: 65_536 }));
      expect(error).toBeNull();
      const rc = await cpu.propose({ ...base, candidates: 10_000 });
      const req = { factors, acquisition, best, layout };
      const xg = refineFromWinner(req, Float64Array.from(rg.x), incumbents, 1, rg.score);
      const xc = refineFromWinner(req, Float64Array.from(rc.x), incumbents, 1, rc.score);
      const g = new Float64Array(d);
      // the engines' own winners differ (different candidate sets, f32 vs float64)
      expect(Math.max(...Array.from(rg.x, (v, j) => Math.abs(v - rc.x[j])))).toBeGreaterThan(TOL_X / 10);
      const sg = acquisitionScoreGradient(factors, acquisition, best, xg, g);
      const sc = acquisitionScoreGradient(factors, acquisition, best, xc, g);
      for (let j = 0; j < d; j++) expect(Math.abs(xg[j] - xc[j])).toBeLessThan(TOL_X);
      expect(Math.abs(sg - sc)).toBeLessThan(1e-6 * (1 + Math.abs(sc)));
      // and refinement did not lower either engine's own winner's float64 score
      const s0 = acquisitionScoreGradient(factors, acquisition, best, Float64Array.from(rg.x), g);
      expect(sg).toBeGreaterThanOrEqual(s0);
    } finally {
      gpu.dispose();
    }
  });
});
