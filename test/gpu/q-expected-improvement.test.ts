/**
 * q-expected-improvement.wgsl (through qEiGpu) against its float64 twin
 * qEiFromSetFactors, on the sets a swap search scores: the joint posterior
 * of a pool under a seeded GP problem, every single swap of a starting set,
 * q in {1, 4, 7}, N = 300 samples (not a multiple of the workgroup size).
 * One pool holds points 1e-7 apart (nearly singular set covariances, the
 * float64 factor jittered), one has targets scaled by 1e4.
 *
 * Tolerance per set, from f32 rounding of the inputs and the sums (u = 2^-24):
 * each sample's value mu_j - target + sum_t L_jt z_t moves by at most
 * (q + 3) u (|mu_j| + |target| + sum_t |L_jt z_t|); the sum over the samples
 * (N / WG per invocation, then a tree of log2 WG = 6 levels) adds
 * (N / WG + 7) u times the sum of the (non-negative) values. The test allows
 * twice that.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { baseSamples, jointPosterior, qEiFromSetFactors, setFactors, singleSwaps } from '../../src/acquisition/q-batch';
import { qEiGpu } from '../../src/gpu';
import { Rng } from '../../src/util/rng';
import { F32_EPS, makePoints, makeProblem, openTestDevice, validationErrorOf } from './helpers';

const device = await openTestDevice();
afterAll(() => device?.destroy());

const WG = 64;

describe.skipIf(device === null)('qEI kernel parity', () => {
  const N = 300;
  const cases = [
    { name: 'd 2, n 9, q 1', d: 2, n: 9, q: 1, P: 20, near: false, scale: 1 },
    { name: 'd 3, n 30, q 4', d: 3, n: 30, q: 4, P: 40, near: false, scale: 1 },
    { name: 'd 6, n 60, q 7, near-duplicate pool points', d: 6, n: 60, q: 7, P: 30, near: true, scale: 1 },
    { name: 'd 2, n 12, q 4, targets x 1e4', d: 2, n: 12, q: 4, P: 24, near: false, scale: 1e4 },
  ];
  for (const c of cases) {
    it(`${c.name}: matches qEiFromSetFactors within the stated bound`, async () => {
      const f = makeProblem({ seed: c.n + c.d, n: c.n, d: c.d, kernel: 'matern52' });
      const pool = makePoints(c.P, c.P, f);
      if (c.near) for (let i = 1; i < c.P; i += 2) for (let j = 0; j < c.d; j++) pool[i * c.d + j] = pool[(i - 1) * c.d + j] + 1e-7;
      const post = jointPosterior(f, pool, c.P);
      post.mean.forEach((v, i) => (post.mean[i] = v * c.scale));
      post.cov.forEach((v, i) => (post.cov[i] = v * c.scale ** 2));
      let target = -Infinity;
      for (let i = 0; i < c.P; i++) target = Math.max(target, post.mean[i]);
      target -= 0.1 * c.scale; // some sets improve on it, some hardly
      const start = Array.from({ length: c.q }, (_, i) => (c.near ? 2 * i : i));
      const sets = singleSwaps(start, c.q, c.P);
      const S = sets.length / c.q;
      const { mus, Ls } = setFactors(post, sets, S, c.q);
      const Z = baseSamples(new Rng(c.P), N, c.q);
      const { value: got, error } = await validationErrorOf(device!, () => qEiGpu(device!, mus, Ls, S, c.q, target, Z, N));
      expect(error).toBeNull();
      const want = qEiFromSetFactors(mus, Ls, S, c.q, target, Z, N);
      const u = F32_EPS;
      let worst = 0;
      let positive = 0;
      for (let s = 0; s < S; s++) {
        let moved = 0;
        for (let k = 0; k < N; k++) {
          let m = 0;
          for (let j = 0; j < c.q; j++) {
            let a = Math.abs(mus[s * c.q + j]) + Math.abs(target);
            for (let t = 0; t <= j; t++) a += Math.abs(Ls[(s * c.q + j) * c.q + t] * Z[k * c.q + t]);
            m = Math.max(m, (c.q + 3) * u * a);
          }
          moved += m;
        }
        const tol = 2 * (moved / N + (N / WG + 7) * u * want[s]);
        expect(Math.abs(got[s] - want[s]), `set ${s}`).toBeLessThanOrEqual(tol);
        worst = Math.max(worst, Math.abs(got[s] - want[s]) / tol);
        if (want[s] > 0) positive++;
      }
      expect(positive).toBeGreaterThan(S / 2); // the sets do improve: the sums are not all zero
      expect(worst).toBeGreaterThan(0); // the kernel ran in f32, not a copy of the reference
    });
  }

  it('more sets than one dispatch dimension holds are split over two (rowGroups)', async () => {
    const S = device!.limits.maxComputeWorkgroupsPerDimension + 5;
    const q = 1;
    const mus = Float64Array.from({ length: S }, (_, i) => (i % 7) / 7);
    const Ls = new Float64Array(S).fill(0.5);
    const Z = baseSamples(new Rng(3), 64, q);
    const { value: got, error } = await validationErrorOf(device!, () => qEiGpu(device!, mus, Ls, S, q, 0.2, Z, 64));
    expect(error).toBeNull();
    const want = qEiFromSetFactors(mus, Ls, S, q, 0.2, Z, 64);
    for (const s of [0, 1, 6, S - 6, S - 1]) expect(got[s]).toBeCloseTo(want[s], 5);
  });
});
