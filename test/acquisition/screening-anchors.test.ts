import { describe, expect, it } from 'vitest';
import { roundOneCandidates, roundTwoCandidates } from '../../src/acquisition/candidates';
import { scorePoints, topK } from '../../src/acquisition/cpu-engine';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { screenedScores } from '../../src/acquisition/screening';
import { anchoredSigma, buildAnchor, remainderReach, remainderSigma } from '../../src/acquisition/screening-anchors';
import { scaleInputs } from '../../src/gp/posterior';
import { Rng } from '../../src/util/rng';
import { expectRoundTwoWinner, fittedGp, type FittedCase } from './fixtures/fitted-gp';

type Case = FittedCase;
const fitted = fittedGp;

const EI: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2.576 };

const CASES: (Case & { name: string })[] = [
  { name: 'long lengthscales, signal variance 100, noise 1e-4 (cond(K) ~ 1e8)', seed: 31, n: 200, d: 6, noise: 1e-4, ls: 5, s2: 100 },
  { name: 'duplicates, noise at the floor 1e-6', seed: 32, n: 160, d: 4, dups: 30, noise: 1e-6, ls: 2, s2: 1 },
  { name: 'RBF kernel, duplicates, noise 1e-6', seed: 33, n: 120, d: 3, dups: 20, noise: 1e-6, ls: 0.5, s2: 2, kernel: 'rbf' },
  { name: 'fitted hyperparameters', seed: 34, n: 150, d: 5 },
];

describe('anchored variance bounds', () => {
  for (const c of CASES) {
    it(`${c.name}: at least the exact sigma of scoring, at every distance from the centre (observations as centres too)`, () => {
      const { f, X } = fitted(c);
      const { d } = c;
      const sc = scaleInputs(f);
      const rng = new Rng(c.seed + 100);
      // centres: 4 observations (a duplicated one among them where there are duplicates) and 4 random points
      const centres = new Float64Array(8 * d);
      centres.set(X.subarray(0, 4 * d));
      for (let i = 4 * d; i < 8 * d; i++) centres[i] = rng.uniform(0, 1);
      const scales = [0, 1e-4, 3e-3, 0.01, 0.03, 0.1, 0.3];
      const per = 25;
      const m = 8 * scales.length * per;
      const pts = new Float64Array(m * d);
      for (let p = 0; p < m; p++) {
        const cc = p % 8;
        const s = scales[Math.floor(p / (8 * per))];
        for (let j = 0; j < d; j++) pts[p * d + j] = Math.min(1, Math.max(0, centres[cc * d + j] + s * rng.normal()));
      }
      const ev = scorePoints(f, pts, m, EI, 0);
      const anchors = Array.from({ length: 8 }, (_, cc) => buildAnchor(sc, f.L, centres, cc));
      const e = new Float64Array(d + 1);
      for (let p = 0; p < m; p++) {
        const exact = Math.sqrt(ev.variance[p]);
        // every anchor bounds every point, near or far
        for (const a of anchors) expect(anchoredSigma(sc, a, pts, p, e)).toBeGreaterThanOrEqual(exact);
      }
      // with a limit: the same bound wherever it comes out below the limit, the prior's sigma
      // (at least the limit) where the remainder alone reaches it; the early exit happens
      let early = 0;
      for (let p = 0; p < m; p++) {
        for (const a of anchors) {
          const full = anchoredSigma(sc, a, pts, p, e);
          const limit = Math.sqrt(sc.signalVariance) * [0.02, 0.2, 0.6, 1][p % 4];
          const cut = anchoredSigma(sc, a, pts, p, e, limit);
          if (full < limit) expect(cut).toBe(full);
          else {
            expect(cut).toBeGreaterThanOrEqual(limit);
            if (cut !== full) early++;
          }
        }
      }
      expect(early).toBeGreaterThan(0);
      // with a reach (remainderReach of the largest limit): the same value wherever the limit alone gives one below the limit
      let skipped = 0;
      const kd = new Float64Array(2);
      for (const a of anchors) {
        for (const frac of [0.02, 0.2, 0.6]) {
          const limit = Math.sqrt(sc.signalVariance) * frac;
          const reach = remainderReach(sc.kernel, sc.signalVariance, a.gp0, limit, kd);
          for (let p = 0; p < m; p++) {
            const plain = anchoredSigma(sc, a, pts, p, e, limit);
            const fast = anchoredSigma(sc, a, pts, p, e, limit, reach);
            expect(fast).toBe(plain);
            let t = 0;
            for (let j = 0; j < d; j++) t += (pts[p * d + j] * sc.inv[j] - a.u[j]) ** 2;
            if (t >= reach) skipped++;
          }
        }
      }
      expect(skipped).toBeGreaterThan(m);
      // and with lengthscales far beyond the perturbation, the bound is tight near its own centre: within 2% at 3e-3
      for (let p = 8 * 2 * per; p < 8 * 3 * per && (c.ls ?? 0) >= 5; p++) {
        const exact = Math.sqrt(ev.variance[p]);
        expect(anchoredSigma(sc, anchors[p % 8], pts, p, e)).toBeLessThan(exact * 1.02);
      }
    });
  }
});

describe('screened scoring with anchors, both rounds as the CPU engine runs them', () => {
  const cases: (Case & { name: string })[] = [
    ...CASES,
    // the shape of bench:suggest's 2,000 x 20 fit (there round two needs the anchors: 2,237 exact variances without, 16 with)
    { name: 'd = 20, lengthscale 6.5, signal variance 34, noise 2.4e-3, more observations than the subset S holds', seed: 35, n: 520, d: 20, noise: 2.4e-3, ls: 6.5, s2: 34 },
  ];
  for (const c of cases) {
    it(`${c.name}: the same round-one top 16 and round-two winner as exhaustive scoring, bit for bit`, () => {
      const { f, best, X } = fitted(c);
      const { d } = c;
      const inc = X.slice(0, 4 * d);
      const m1 = 3000;
      const c1 = roundOneCandidates(c.seed, m1, d, inc, 4);
      const r1 = screenedScores(f, c1, m1, EI, best, 16, { centres: inc, nCentres: 4, anchored: true });
      expect(r1.exact).toBeLessThanOrEqual(screenedScores(f, c1, m1, EI, best, 16, { centres: inc, nCentres: 4 }).exact);
      const e1 = scorePoints(f, c1, m1, EI, best);
      const top = topK(e1.score, 16);
      expect(topK(r1.score, 16)).toEqual(top);
      for (const t of top) expect(r1.score[t]).toBe(e1.score[t]);
      const centres = new Float64Array(16 * d);
      top.forEach((t, r) => centres.set(c1.subarray(t * d, t * d + d), r * d));
      const m2 = 1000;
      const c2 = roundTwoCandidates(c.seed, m2, d, centres, 16);
      const floor = e1.score[top[0]];
      const opts = { floor, centres, nCentres: 16 };
      const r2 = screenedScores(f, c2, m2, EI, best, 1, { ...opts, anchored: true });
      const plain = screenedScores(f, c2, m2, EI, best, 1, opts);
      const e2 = scorePoints(f, c2, m2, EI, best);
      expectRoundTwoWinner(r2.score, e2.score, floor);
      // exact scores wherever computed
      for (let i = 0; i < m2; i++) if (!Number.isNaN(r2.score[i])) expect(r2.score[i]).toBe(e2.score[i]);
      expect(r2.exact).toBeLessThanOrEqual(plain.exact);
    });
  }
});

describe('remainderReach', () => {
  it('past it the remainder\'s sigma is at least the given sigma, and it is the first such distance within 0.2%', () => {
    const rng = new Rng(77);
    const kd = new Float64Array(2);
    for (const kernel of ['matern52', 'rbf'] as const) {
      const gp0 = kernel === 'rbf' ? -0.5 : -5 / 6;
      for (const s2 of [1e-3, 1, 100]) {
        for (const frac of [1e-6, 1e-4, 0.003, 0.1, 0.5, 1]) {
          const sigma = Math.sqrt(s2) * frac;
          const reach = remainderReach(kernel, s2, gp0, sigma, kd);
          expect(Number.isFinite(reach)).toBe(true);
          expect(remainderSigma(kernel, s2, gp0, reach, kd)).toBeGreaterThanOrEqual(sigma * 1.001);
          for (let k = 0; k < 200; k++) {
            const t = reach * (1 + 10 ** rng.uniform(-12, 3));
            expect(remainderSigma(kernel, s2, gp0, t, kd)).toBeGreaterThanOrEqual(sigma);
          }
          // not far beyond the first t where it reaches 1.001 sigma
          expect(remainderSigma(kernel, s2, gp0, reach * 0.998, kd)).toBeLessThan(sigma * 1.001);
        }
      }
    }
  });
});
