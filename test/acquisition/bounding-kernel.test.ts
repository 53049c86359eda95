import { describe, expect, it } from 'vitest';
import {
  boundingPass, boundKernelRow, meanMargin, meanMarginAbsolute, meanMarginCoefficient, type BoundingTask,
} from '../../src/acquisition/bounding-kernel';
import { roundOneCandidates } from '../../src/acquisition/candidates';
import { RelevantSubset } from '../../src/acquisition/screening-bounds';
import { dotSeq, scaleInputs } from '../../src/gp/posterior';
import { fittedGp, type FittedCase } from './fixtures/fitted-gp';
import { NearBound } from '../../src/acquisition/screening-bounds';
import { kernelRow, type ScaledInputs } from '../../src/gp/posterior';
import { Rng } from '../../src/util/rng';

function inputs(seed: number, n: number, d: number, kernel: 'rbf' | 'matern52'): ScaledInputs {
  const rng = new Rng(seed);
  const inv = Float64Array.from({ length: d }, () => 1 / rng.uniform(0.05, 2));
  const Z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) Z[k * n + i] = rng.uniform(0, 1) * inv[k];
  return { kernel, n, d, Z, inv, signalVariance: rng.uniform(0.5, 3) };
}

describe('bounding kernel', () => {
  for (const kernel of ['rbf', 'matern52'] as const) {
    for (const d of [1, 3, 4, 6, 9]) {
      it(`${kernel}, d = ${d}: boundKernelRow gives the floats of gp kernelRow`, () => {
        const n = 37;
        const sc = inputs(d, n, d, kernel);
        const rng = new Rng(100 + d);
        const pts = Float64Array.from({ length: 50 * d }, () => rng.uniform(0, 1));
        const a = new Float64Array(n);
        const b = new Float64Array(n);
        for (let p = 0; p < 50; p++) {
          kernelRow(sc, pts, p, a);
          boundKernelRow(kernel, n, d, sc.Z, sc.inv, sc.signalVariance, pts, p, b);
          expect(Array.from(b)).toEqual(Array.from(a));
        }
      });
    }
  }

  it('the pass: means bound k . alpha (index order) from above, the variance bound is at most the near bound and the head solves L_S w = k_S', () => {
    const n = 40;
    const d = 5;
    const sc = inputs(7, n, d, 'matern52');
    const rng = new Rng(8);
    const alpha = Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
    const s = 12;
    const sIdx = Int32Array.from({ length: s }, (_, i) => (i * 7) % n);
    const sL = new Float64Array(s * s);
    for (let i = 0; i < s; i++) for (let j = 0; j <= i; j++) sL[i * s + j] = i === j ? rng.uniform(1, 2) : rng.uniform(-0.3, 0.3);
    const count = 20;
    const points = Float64Array.from({ length: count * d }, () => rng.uniform(0, 1));
    const r = boundingPass({
      kernel: 'matern52', n, d, s2: sc.signalVariance, noise: 1e-4, Z: sc.Z, inv: sc.inv, alpha, points, count,
      sIdx, sL, sSize: s, sSlack: 1e-12, head: 8, keepHead: true,
    });
    const near = new NearBound(sc, 1e-4);
    const kx = new Float64Array(n);
    for (let p = 0; p < count; p++) {
      kernelRow(sc, points, p, kx);
      let mu = 0;
      let sa = 0;
      for (let i = 0; i < n; i++) { mu += kx[i] * alpha[i]; sa += kx[i] * Math.abs(alpha[i]); }
      expect(r.mean[p]).toBeGreaterThanOrEqual(mu);
      // the margin is C s2 sum |alpha_i| + A; the fast sum's own error stays within C sum |alpha_i k_i|
      expect(r.mean[p] - mu).toBeLessThanOrEqual(2 * meanMargin(n, sc.signalVariance, alpha.reduce((t, a) => t + Math.abs(a), 0)));
      const margin = meanMargin(n, sc.signalVariance, alpha.reduce((t, a) => t + Math.abs(a), 0));
      expect(Math.abs(r.mean[p] - mu - margin)).toBeLessThanOrEqual(meanMarginCoefficient(n) * sa + 4 * 2 ** -53 * (margin + Math.abs(mu) + Math.abs(r.mean[p])));
      expect(r.varianceBound[p]).toBeLessThanOrEqual(near.variance(kx));
      let q = 0;
      for (let i = 0; i < 8; i++) {
        let t = 0;
        for (let j = 0; j <= i; j++) t += sL[i * s + j] * r.wHead[p * 8 + j];
        expect(t).toBeCloseTo(kx[sIdx[i]], 12);
        q += r.wHead[p * 8 + i] ** 2;
      }
      expect(r.qHead[p]).toBeCloseTo(q, 12);
    }
  });

  // |mean~ - mean| <= C s2 sum |alpha_i| + A (the pass's margin): the pass's upper bound is never
  // below the exact path's float (posteriorFromFactors' dotSeq), nor above it by more than twice
  // the margin, and the fast sum's error itself stays within C sum |alpha_i k_i| + A, the margin
  // of the proof's sharper sum
  const cases: (FittedCase & { name: string; scale?: number })[] = [
    { name: 'fitted, n = 150, d = 6', seed: 51, n: 150, d: 6 },
    { name: 'rbf, fitted, n = 120, d = 3', seed: 52, n: 120, d: 3, kernel: 'rbf' },
    { name: 'duplicates, noise at the floor 1e-6 (|alpha| up to about 1e5)', seed: 53, n: 90, d: 2, dups: 20, noise: 1e-6 },
    { name: 'rbf, duplicates, noise at the floor 1e-6, lengthscale 2', seed: 54, n: 80, d: 3, dups: 25, noise: 1e-6, ls: 2, kernel: 'rbf' },
    { name: 'alpha times 1e12 (huge |alpha|, cancelling terms)', seed: 55, n: 100, d: 4, scale: 1e12 },
    { name: 'signal variance 1e-3, far candidates (underflowing entries)', seed: 56, n: 60, d: 5, noise: 1e-4, s2: 1e-3, ls: 0.02 },
  ];
  for (const c of cases) {
    it(`the mean margin holds on seeded problems: ${c.name}`, () => {
      const { f, X } = fittedGp(c);
      const sc = scaleInputs(f);
      const alpha = c.scale ? Float64Array.from(f.alpha, (a) => a * c.scale!) : f.alpha;
      const m = 3000;
      const points = roundOneCandidates(c.seed, m, c.d, X.slice(0, 2 * c.d), 2);
      const S = new RelevantSubset(sc, f.L, f.noiseVariance, X, 2);
      const t: BoundingTask = {
        kernel: sc.kernel, n: c.n, d: c.d, s2: f.signalVariance, noise: f.noiseVariance, Z: sc.Z, inv: sc.inv, alpha,
        points, count: m, sIdx: S.idx, sL: S.L, sSize: S.size, sSlack: S.slack, head: Math.min(32, S.size),
      };
      const r = boundingPass(t);
      const kx = new Float64Array(c.n);
      const absSum = alpha.reduce((s, a) => s + Math.abs(a), 0);
      let worst = 0; // the largest error seen, as a fraction of the margin
      let maxAbs = 0;
      for (let p = 0; p < m; p++) {
        kernelRow(sc, points, p, kx);
        const mu = dotSeq(kx, alpha, c.n);
        let sa = 0;
        for (let i = 0; i < c.n; i++) sa += kx[i] * Math.abs(alpha[i]);
        const margin = meanMargin(c.n, f.signalVariance, absSum);
        const sharp = meanMarginCoefficient(c.n) * sa + meanMarginAbsolute(c.n, f.signalVariance, absSum);
        expect(r.mean[p]).toBeGreaterThanOrEqual(mu);
        expect(r.mean[p] - mu).toBeLessThanOrEqual(2 * margin);
        // r.mean = fl(mean~ + margin): its rounding, and this subtraction's, are within 4 eps of the terms
        const rounding = 4 * 2 ** -53 * (margin + Math.abs(mu) + Math.abs(r.mean[p]));
        worst = Math.max(worst, (Math.abs(r.mean[p] - mu - margin) - rounding) / sharp);
        maxAbs = Math.max(maxAbs, Math.abs(alpha.reduce((s, a) => Math.max(s, Math.abs(a)), 0)));
      }
      expect(worst).toBeLessThan(1);
      if (c.scale) expect(maxAbs).toBeGreaterThan(1e12);
    });
  }
});
