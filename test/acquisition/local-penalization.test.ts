/**
 * Local penalization (src/acquisition/local-penalization.ts): the penalizer
 * on hand-checked values, the mean gradient against finite differences, the
 * Lipschitz estimate, and the penalized scores near and far from a pending point.
 */
import { describe, expect, it } from 'vitest';
import { acquisitionScore, type AcquisitionSpec } from '../../src/acquisition/functions';
import {
  FLAT_LIPSCHITZ, lipschitzConstant, logPenalizer, logSoftplus, meanGradient, penalizedScores, penalizers,
} from '../../src/acquisition/local-penalization';
import { normCdf } from '../../src/acquisition/special';
import { GaussianProcess, posteriorFromFactors } from '../../src/gp';
import { Rng } from '../../src/util/rng';

const EI: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2.576 };

function fitted(seed: number, n = 12, d = 2) {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * X[i * d]) + Math.cos(3 * X[i * d + 1]));
  return new GaussianProcess({ restarts: 1, rng: new Rng(seed) }).fit(X, y, d).factors();
}

describe('logPenalizer', () => {
  it('is log Phi((L r - M + mu) / sigma) on hand-checked values', () => {
    // L = 2, r = 0.5, M = 1, mu = 0.5, sigma = 0.5: z = (1 - 1 + 0.5) / 0.5 = 1, Phi(1) = 0.841344746
    expect(Math.exp(logPenalizer(0.5, 2, 1, 0.5, 0.5))).toBeCloseTo(0.841344746, 8);
    // at the pending point itself (r = 0) with mu = M: z = 0, Phi = 1/2
    expect(Math.exp(logPenalizer(0, 2, 1, 1, 0.3))).toBeCloseTo(0.5, 12);
    // a pending point predicted 2 sigma below M: z = -2 at r = 0, 0 at r = (M - mu) / L = 0.25
    expect(Math.exp(logPenalizer(0, 4, 1, 0, 0.5))).toBeCloseTo(normCdf(-2), 12);
    expect(Math.exp(logPenalizer(0.25, 4, 1, 0, 0.5))).toBeCloseTo(0.5, 12);
  });

  it('rises with the distance from the pending point towards 1', () => {
    const v = [0, 0.05, 0.1, 0.2, 0.5, 1].map((r) => logPenalizer(r, 5, 1, 0.2, 0.3));
    for (let i = 1; i < v.length; i++) expect(v[i]).toBeGreaterThan(v[i - 1]);
    expect(Math.exp(v[v.length - 1])).toBeGreaterThan(0.999);
  });

  it('stays finite far into the tail', () => {
    expect(Number.isFinite(logPenalizer(0, 1, 100, -100, 1e-6))).toBe(true);
  });
});

describe('logSoftplus', () => {
  it('is log log(1 + e^u), continuous at its branch points', () => {
    expect(logSoftplus(0)).toBeCloseTo(Math.log(Math.log(2)), 12);
    expect(logSoftplus(1)).toBeCloseTo(Math.log(Math.log1p(Math.E)), 12);
    expect(Math.abs(logSoftplus(30) - logSoftplus(30.0000001))).toBeLessThan(1e-6);
    expect(Math.abs(logSoftplus(-30) - logSoftplus(-30.0000001))).toBeLessThan(1e-6);
  });
});

describe('meanGradient and lipschitzConstant', () => {
  it('the gradient equals central finite differences of the posterior mean', () => {
    const f = fitted(1);
    const x = Float64Array.of(0.37, 0.61);
    const g = new Float64Array(2);
    const mu = meanGradient(f, x, g);
    expect(mu).toBeCloseTo(posteriorFromFactors(f, x, 1).mean[0], 10);
    const h = 1e-6;
    for (let j = 0; j < 2; j++) {
      const a = x.slice();
      const b = x.slice();
      a[j] += h;
      b[j] -= h;
      const fd = (posteriorFromFactors(f, a, 1).mean[0] - posteriorFromFactors(f, b, 1).mean[0]) / (2 * h);
      expect(g[j]).toBeCloseTo(fd, 5);
    }
  });

  it('L is at least every gradient norm on a grid, and not much above the largest', () => {
    const f = fitted(2);
    const L = lipschitzConstant(f, 7);
    const g = new Float64Array(2);
    let most = 0;
    for (let i = 0; i <= 40; i++) {
      for (let j = 0; j <= 40; j++) {
        meanGradient(f, [i / 40, j / 40], g);
        most = Math.max(most, Math.hypot(g[0], g[1]));
      }
    }
    expect(L).toBeGreaterThan(0.8 * most);
    expect(L).toBeLessThan(1.2 * most);
  });

  it('a flat mean (all alpha 0) falls back to FLAT_LIPSCHITZ', () => {
    const f = fitted(3);
    expect(lipschitzConstant({ ...f, alpha: new Float64Array(f.n) }, 1)).toBe(FLAT_LIPSCHITZ);
  });
});

describe('penalizedScores', () => {
  it('is the log acquisition plus the sum of log-penalizers, point by point', () => {
    const f = fitted(4);
    const best = 1.2;
    const Xp = Float64Array.of(0.2, 0.3, 0.8, 0.9);
    const pen = penalizers(f, Xp, 2, 3, best);
    const C = Float64Array.of(0.25, 0.3, 0.5, 0.5, 0.81, 0.88);
    const s = penalizedScores(f, EI, best, pen, C, 3);
    const post = posteriorFromFactors(f, C, 3);
    const pp = posteriorFromFactors(f, Xp, 2);
    for (let c = 0; c < 3; c++) {
      let want = acquisitionScore(EI, post.mean[c], Math.sqrt(post.variance[c]), best);
      for (let j = 0; j < 2; j++) {
        const r = Math.hypot(C[2 * c] - Xp[2 * j], C[2 * c + 1] - Xp[2 * j + 1]);
        want += Math.log(normCdf((3 * r - best + pp.mean[j]) / Math.sqrt(pp.variance[j])));
      }
      expect(s[c]).toBeCloseTo(want, 9);
    }
  });

  it('without pending points it is the acquisition score; next to one it is lower', () => {
    const f = fitted(5);
    const C = Float64Array.of(0.4, 0.4, 0.41, 0.4);
    const none = penalizers(f, new Float64Array(0), 0, 3, 1);
    const s0 = penalizedScores(f, EI, 1, none, C, 2);
    const post = posteriorFromFactors(f, C, 2);
    expect(s0[0]).toBeCloseTo(acquisitionScore(EI, post.mean[0], Math.sqrt(post.variance[0]), 1), 12);
    const one = penalizers(f, Float64Array.of(0.4, 0.4), 1, 3, 1);
    const s1 = penalizedScores(f, EI, 1, one, C, 2);
    expect(s1[0]).toBeLessThan(s0[0]);
    // the penalty is largest at the pending point itself
    expect(s1[0] - s0[0]).toBeLessThan(s1[1] - s0[1]);
  });

  it('UCB goes through log softplus', () => {
    const f = fitted(6);
    const ucb: AcquisitionSpec = { kind: 'ucb', xi: 0, kappa: 2 };
    const C = Float64Array.of(0.3, 0.7);
    const s = penalizedScores(f, ucb, 0, penalizers(f, new Float64Array(0), 0, 1, 0), C, 1);
    const post = posteriorFromFactors(f, C, 1);
    expect(s[0]).toBeCloseTo(logSoftplus(post.mean[0] + 2 * Math.sqrt(post.variance[0])), 12);
  });
});
