import { describe, expect, it } from 'vitest';
import { boundingPass, boundKernelRow } from '../../src/acquisition/bounding-kernel';
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

  it('the pass: means are k . alpha in index order, the variance bound is at most the near bound and the head solves L_S w = k_S', () => {
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
      sIdx, sL, sSize: s, sSlack: 1e-12, head: 8,
    });
    const near = new NearBound(sc, 1e-4);
    const kx = new Float64Array(n);
    for (let p = 0; p < count; p++) {
      kernelRow(sc, points, p, kx);
      let mu = 0;
      for (let i = 0; i < n; i++) mu += kx[i] * alpha[i];
      expect(r.mean[p]).toBe(mu);
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
});
