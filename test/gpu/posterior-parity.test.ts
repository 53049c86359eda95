/**
 * Parity of the covariance and posterior kernels with the float64 reference
 * on seeded random problems: d in {1, 2, 6, 20}, n in {1, 7, 64, 500}, both
 * kernels, m = 1000 points (not a multiple of any workgroup size).
 *
 * Tolerances are relative to forward-error scales (see referencePosterior):
 * f32 rounds every input and every partial sum with unit roundoff
 * u = 2^-24 ~ 6e-8, so |error| <= c u (sum of |terms|) with c growing at most
 * like n in the worst case and like sqrt(n) for random rounding. 32 u covers
 * the kernel evaluation (distances, exp) and the sums here with margin (the
 * largest measured values are 2u to 10u).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { acquisitionScore, type AcquisitionSpec } from '../../src/acquisition/functions';
import { crossCovariance } from '../../src/gp/kernels';
import { crossCovarianceGpu, gramMatrixGpu, topKGpu, WebGpuEngine } from '../../src/gpu';
import {
  F32_EPS, makePoints, makeProblem, maxScaledError, openTestDevice, referencePosterior, validationErrorOf,
} from './helpers';

/** Covariance entries: |K_gpu - K_ref| <= TOL_K * signalVariance. */
const TOL_K = 32 * F32_EPS;
/** Mean: |mu_gpu - mu_ref| <= TOL_MEAN * s2 (||alpha||_1 + 1). */
const TOL_MEAN = 32 * F32_EPS;
/** Variance: |var_gpu - var_ref| <= TOL_VAR * (s2 + 2 sum_i |v_i| s2 R_i). */
const TOL_VAR = 32 * F32_EPS;
/**
 * Argmax: the float64 score of the GPU's winner is within TOL_ARGMAX (log EI
 * units, relative to 1 + |best score|) of the float64 best score.
 */
const TOL_ARGMAX = 1e-3;

const M = 1000;
const device = await openTestDevice();
const engine = device ? await WebGpuEngine.create(device, { log: () => {} }) : null;

afterAll(() => {
  engine?.dispose();
  device?.destroy();
});

describe.skipIf(device === null)('posterior kernels match the float64 reference', () => {
  const acq: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2 };
  for (const kernel of ['matern52', 'rbf'] as const) {
    for (const d of [1, 2, 6, 20]) {
      for (const n of [1, 7, 64, 500]) {
        it(`${kernel}, d = ${d}, n = ${n}`, async () => {
          const f = makeProblem({ seed: 101 + 7 * n + d, n, d, kernel });
          const P = makePoints(11 + n + d, M, f);
          const ref = referencePosterior(f, P, M);
          const { value, error } = await validationErrorOf(device!, async () => ({
            K: await crossCovarianceGpu(device!, kernel, P, M, f.X, n, d, f.lengthscales, f.signalVariance),
            post: await engine!.evaluate(f, P, M, acq, 0.3),
          }));
          expect(error).toBeNull();
          expect(maxScaledError(value.K, ref.K, f.signalVariance)).toBeLessThanOrEqual(TOL_K);
          expect(maxScaledError(value.post.mean, ref.mean, ref.meanScale)).toBeLessThanOrEqual(TOL_MEAN);
          expect(maxScaledError(value.post.variance, ref.variance, ref.varScale)).toBeLessThanOrEqual(TOL_VAR);

          // The GPU's own argmax over its scores lands on a near-best candidate by the reference.
          const refScore = Array.from({ length: M }, (_, i) => acquisitionScore(acq, ref.mean[i], Math.sqrt(ref.variance[i]), 0.3));
          const [win] = await topKGpu(device!, value.post.score, 1);
          const best = Math.max(...refScore);
          expect(best - refScore[win.index]).toBeLessThanOrEqual(TOL_ARGMAX * (1 + Math.abs(best)));
        });
      }
    }
  }

  it('Gram matrix K(X, X) + noise I matches and is exactly symmetric', async () => {
    for (const [n, d, kernel] of [[7, 3, 'matern52'], [100, 6, 'rbf'], [33, 20, 'matern52']] as const) {
      const f = makeProblem({ seed: n + d, n, d, kernel });
      const { value: G, error } = await validationErrorOf(device!, () =>
        gramMatrixGpu(device!, kernel, f.X, n, d, f.lengthscales, f.signalVariance, f.noiseVariance));
      expect(error).toBeNull();
      const ref = crossCovariance(kernel, f.X, n, f.X, n, d, f.lengthscales, f.signalVariance);
      for (let i = 0; i < n; i++) ref[i * n + i] += f.noiseVariance;
      expect(maxScaledError(G, ref, f.signalVariance)).toBeLessThanOrEqual(TOL_K);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(G[i * n + j]).toBe(G[j * n + i]);
    }
  });

  it('with no observations the posterior is the prior (mean 0, variance s2)', async () => {
    const f = makeProblem({ seed: 3, n: 5, d: 2, kernel: 'rbf' });
    const empty = { ...f, n: 0, X: new Float64Array(0), alpha: new Float64Array(0), L: new Float64Array(0), Linv: new Float64Array(0) };
    const P = makePoints(1, 77, f);
    const r = await engine!.evaluate(empty, P, 77, acq, 0);
    for (let i = 0; i < 77; i++) {
      expect(r.mean[i]).toBe(0);
      expect(r.variance[i]).toBeCloseTo(f.signalVariance, 6);
    }
  });
});
