/**
 * Joint q-point acquisition in float64 (src/acquisition/q-batch.ts): the
 * joint posterior against the GP's own predictions, Monte-Carlo qEI against
 * closed forms (q = 1: EI; two identical points: EI of one; two independent
 * points: E[max] by quadrature), the swap neighbourhood, and the swap search
 * on a pool where the greedy start is plainly bad.
 */
import { describe, expect, it } from 'vitest';
import { expectedImprovement } from '../../src/acquisition/functions';
import { baseSamples, jointPosterior, pendingSetFactors, qEiFromSetFactors, refineBySwaps, setFactors, singleSwaps, type JointPosterior } from '../../src/acquisition/q-batch';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { posteriorFromFactors } from '../../src/gp/posterior';
import { normCdf } from '../../src/acquisition/special';
import { Rng } from '../../src/util/rng';

function fitted(seed: number, n: number, d: number): GaussianProcess {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * X[i * d]) + (d > 1 ? Math.cos(3 * X[i * d + 1]) : 0));
  const gp = new GaussianProcess({ restarts: 1, rng: new Rng(seed) });
  gp.fit(X, y, d);
  return gp;
}

/** A pool posterior of P independent points with the given means and variances. */
const independent = (mean: number[], variance: number[]): JointPosterior => {
  const P = mean.length;
  const cov = new Float64Array(P * P);
  variance.forEach((v, i) => (cov[i * P + i] = v));
  return { count: P, mean: Float64Array.from(mean), cov };
};

const qei = (post: JointPosterior, set: number[], target: number, Z: Float64Array, N: number) => {
  const { mus, Ls } = setFactors(post, set, 1, set.length);
  return qEiFromSetFactors(mus, Ls, 1, set.length, target, Z, N)[0];
};

describe('jointPosterior', () => {
  it('matches the posterior mean and variance of the fitted GP, and its covariance is symmetric positive semi-definite', () => {
    const gp = fitted(3, 12, 2);
    const f = gp.factors();
    const rng = new Rng(9);
    const P = 9;
    const pts = Float64Array.from({ length: P * 2 }, () => rng.random());
    const post = jointPosterior(f, pts, P);
    const ref = posteriorFromFactors(f, pts, P);
    for (let i = 0; i < P; i++) {
      expect(post.mean[i]).toBeCloseTo(ref.mean[i], 10);
      expect(post.cov[i * P + i]).toBeCloseTo(ref.variance[i], 10);
      for (let j = 0; j < P; j++) expect(post.cov[i * P + j]).toBe(post.cov[j * P + i]);
    }
    // every 2 x 2 minor is PSD
    for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) {
      expect(post.cov[i * P + i] * post.cov[j * P + j] - post.cov[i * P + j] ** 2).toBeGreaterThan(-1e-12);
    }
  });
});

describe('Monte-Carlo qEI', () => {
  const N = 200_000;
  const Z1 = baseSamples(new Rng(1), N, 1);
  const Z2 = baseSamples(new Rng(2), N, 2);

  it('q = 1 is EI within 4 standard errors', () => {
    for (const [mu, v, target] of [[0.3, 0.5, 0.5], [-1, 2, 0.2], [1.2, 0.01, 1]]) {
      const post = independent([mu], [v]);
      const want = expectedImprovement(mu, Math.sqrt(v), target, 0);
      const got = qei(post, [0], target, Z1, N);
      // sd of max(0, f - target) is at most sqrt(E[(f - target)^2 ; f > target]) <= sqrt(v) + |mu - target|
      expect(Math.abs(got - want)).toBeLessThanOrEqual(4 * (Math.sqrt(v) + Math.abs(mu - target)) / Math.sqrt(N));
    }
  });

  it('two identical points are worth one (the jittered factor of a singular covariance)', () => {
    const P = 2;
    const post: JointPosterior = { count: P, mean: Float64Array.of(0.1, 0.1), cov: Float64Array.of(0.4, 0.4, 0.4, 0.4) };
    const one = qei(post, [0], 0.3, Z1, N);
    expect(Math.abs(qei(post, [0, 1], 0.3, Z2, N) - one)).toBeLessThan(0.01 * one + 4 * 0.7 / Math.sqrt(N));
    expect(one).toBeCloseTo(expectedImprovement(0.1, Math.sqrt(0.4), 0.3, 0), 2);
  });

  it('two independent points: E[max(0, f1 - t, f2 - t)] by quadrature', () => {
    const post = independent([0.2, -0.1], [0.3, 0.8]);
    const t = 0.4;
    // E[max(0, X, Y)] = integral over m of P(max > m) dm, P(max <= m) = Phi1 Phi2
    let want = 0;
    const h = 1e-3;
    for (let m = h / 2; m < 12; m += h) {
      const c1 = normCdf((m + t - 0.2) / Math.sqrt(0.3));
      const c2 = normCdf((m + t + 0.1) / Math.sqrt(0.8));
      want += (1 - c1 * c2) * h;
    }
    const got = qei(post, [0, 1], t, Z2, N);
    expect(Math.abs(got - want)).toBeLessThan(4 * 1.5 / Math.sqrt(N));
    // and more than either point alone
    expect(got).toBeGreaterThan(expectedImprovement(-0.1, Math.sqrt(0.8), t, 0));
    expect(got).toBeGreaterThan(expectedImprovement(0.2, Math.sqrt(0.3), t, 0));
  });
});

describe('singleSwaps', () => {
  it('every set with one point replaced by a pool point outside the set, q (P - q) of them', () => {
    const sets = singleSwaps([2, 5], 2, 6);
    expect(sets.length / 2).toBe(2 * 4);
    const rows = Array.from({ length: 8 }, (_, s) => [sets[2 * s], sets[2 * s + 1]]);
    expect(rows).toEqual([[0, 5], [1, 5], [3, 5], [4, 5], [2, 0], [2, 1], [2, 3], [2, 4]]);
  });
});

describe('refineBySwaps', () => {
  it('replaces a batch of copies of one point by independent points, and never ends below its start', async () => {
    // pool: 3 perfectly correlated copies of the best single point (mean 0.1), 9 independent points (mean 0)
    const P = 12;
    const mean = Float64Array.from({ length: P }, (_, i) => (i < 3 ? 0.1 : 0));
    const cov = new Float64Array(P * P);
    for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) cov[i * P + j] = i === j || (i < 3 && j < 3) ? 1 : 0;
    const post: JointPosterior = { count: P, mean, cov };
    const best = 0.5;
    const N = 4096;
    const Z = baseSamples(new Rng(7), N, 3);
    const cpu = async (mus: Float64Array, Ls: Float64Array, S: number) => qEiFromSetFactors(mus, Ls, S, 3, best, Z, N);
    const r = await refineBySwaps(post, [0, 1, 2], best, Z, N, cpu, 6);
    expect(r.start).toBeCloseTo(expectedImprovement(0.1, 1, best, 0), 1);
    expect(r.value).toBeGreaterThan(1.5 * r.start);
    expect(r.swaps).toBe(2); // one copy stays (the best single point), the others go
    expect(r.set.filter((i) => i < 3)).toHaveLength(1);
    expect(new Set(r.set).size).toBe(3);
    expect(r.value).toBeCloseTo(qei(post, r.set, best, Z, N), 12);
    // a local optimum of the swap neighbourhood: no single swap is better
    const sets = singleSwaps(r.set, 3, P);
    const { mus, Ls } = setFactors(post, sets, sets.length / 3, 3);
    for (const v of qEiFromSetFactors(mus, Ls, sets.length / 3, 3, best, Z, N)) expect(v).toBeLessThanOrEqual(r.value * (1 + 1e-9));
  });
});

describe('pendingSetFactors', () => {
  it('equals the factors of {pending, candidate} from the joint posterior, set by set (m = 0, 1, 3)', () => {
    const gp = fitted(8, 14, 3);
    const f = gp.factors();
    const rng = new Rng(21);
    for (const m of [0, 1, 3]) {
      const Xp = Float64Array.from({ length: m * 3 }, () => rng.random());
      const c = 6;
      const C = Float64Array.from({ length: c * 3 }, () => rng.random());
      const { mus, Ls, q } = pendingSetFactors(f, Xp, m, C, c);
      expect(q).toBe(m + 1);
      const all = new Float64Array((m + c) * 3);
      all.set(Xp);
      all.set(C, m * 3);
      const post = jointPosterior(f, all, m + c);
      const sets = Array.from({ length: c }, (_, i) => [...Array.from({ length: m }, (_, a) => a), m + i]).flat();
      const want = setFactors(post, sets, c, q);
      for (let i = 0; i < mus.length; i++) expect(mus[i]).toBeCloseTo(want.mus[i], 10);
      for (let i = 0; i < Ls.length; i++) expect(Ls[i]).toBeCloseTo(want.Ls[i], 7);
    }
  });

  it('a candidate on a running point adds nothing to the running points\' qEI; one far from them adds its own EI', () => {
    // data in the lower-left quarter only: the far corner is uncertain
    const rng = new Rng(9);
    const X = Float64Array.from({ length: 24 }, () => 0.5 * rng.random());
    const y = Float64Array.from({ length: 12 }, (_, i) => Math.sin(5 * X[2 * i]) + Math.cos(3 * X[2 * i + 1]));
    const gp = new GaussianProcess({ restarts: 1, rng: new Rng(9) }).fit(X, y, 2);
    const f = gp.factors();
    const Xp = Float64Array.of(0.3, 0.3, 0.1, 0.4);
    const C = Float64Array.of(0.3, 0.3, 0.95, 0.95);
    const { mus, Ls, q } = pendingSetFactors(f, Xp, 2, C, 2);
    const N = 20_000;
    const Z = baseSamples(new Rng(3), N, q);
    let best = -Infinity;
    for (const v of gp.trainingMean({ standardized: true })) best = Math.max(best, v);
    const [onPending, far] = qEiFromSetFactors(mus, Ls, 2, q, best, Z, N);
    const alone = qEiFromSetFactors(mus.subarray(0, 2), (() => {
      const L = new Float64Array(4);
      L[0] = Ls[0]; L[2] = Ls[3]; L[3] = Ls[4];
      return L;
    })(), 1, 2, best, baseSamples(new Rng(3), N, 2), N)[0];
    expect(Math.abs(onPending - alone)).toBeLessThan(0.02 * alone + 1e-6);
    expect(far).toBeGreaterThan(1.1 * onPending);
  });
});
