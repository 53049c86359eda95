/** Read-outs of a fitted GP (src/gp/gp-readout.ts): leave-one-out z-scores against refitting without each point. */
import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { crossCovariance, type KernelName } from '../../src/gp/kernels';
import { cholesky, choleskySolve } from '../../src/gp/linalg';
import { Rng } from '../../src/util/rng';

/** z_i from the n - 1 other points by the dense formulas, the fit's hyperparameters kept. */
function bruteLoo(gp: GaussianProcess, X: Float64Array, d: number, kernel: KernelName): number[] {
  const f = gp.factors();
  const n = f.n;
  const mean = gp.trainingMean({ standardized: true });
  const ys = Array.from(mean, (m, i) => m + f.noiseVariance * f.alpha[i]); // K_f alpha = y - noise alpha
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const keep = [...Array(n).keys()].filter((j) => j !== i);
    const Xo = Float64Array.from(keep.flatMap((j) => Array.from(X.subarray(j * d, (j + 1) * d))));
    const K = crossCovariance(kernel, Xo, n - 1, Xo, n - 1, d, f.lengthscales, f.signalVariance);
    for (let j = 0; j < n - 1; j++) K[j * (n - 1) + j] += f.noiseVariance;
    const { L } = cholesky(K, n - 1);
    const k = crossCovariance(kernel, Xo, n - 1, X.subarray(i * d, (i + 1) * d), 1, d, f.lengthscales, f.signalVariance);
    const a = choleskySolve(L, n - 1, keep.map((j) => ys[j]));
    const b = choleskySolve(L, n - 1, k);
    let mu = 0;
    let q = 0;
    for (let j = 0; j < n - 1; j++) (mu += k[j] * a[j]), (q += k[j] * b[j]);
    out.push((ys[i] - mu) / Math.sqrt(f.signalVariance + f.noiseVariance - q));
  }
  return out;
}

describe('leaveOneOutZ', () => {
  it('equals the z-score of each target predicted from the others (Matern and RBF, noisy data)', () => {
    for (const kernel of ['matern52', 'rbf'] as const) {
      const d = 3;
      const n = 30;
      const rng = new Rng(5);
      const X = Float64Array.from({ length: n * d }, () => rng.random());
      const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * X[i * d]) + X[i * d + 1] + 0.3 * rng.normal());
      y[7] += 6; // one outlier: far out, and the others' scores stay in range
      const gp = new GaussianProcess({ kernel, rng: new Rng(1) }).fit(X, y, d);
      const z = gp.leaveOneOutZ();
      const want = bruteLoo(gp, X, d, kernel);
      for (let i = 0; i < n; i++) expect(Math.abs(z[i] - want[i])).toBeLessThan(1e-8 * Math.max(1, Math.abs(want[i])));
      const top = z.reduce((o, v, i) => (Math.abs(v) > Math.abs(z[o]) ? i : o), 0);
      expect(top).toBe(7);
      expect(z[7]).toBeGreaterThan(4);
    }
  });

  it('agrees on an ill-conditioned fit: near-duplicate points at the noise floor', () => {
    const d = 2;
    const rng = new Rng(9);
    const base = Array.from({ length: 12 }, () => [rng.random(), rng.random()]);
    // every point twice, 1e-7 apart: the covariance is near singular and the noise at its floor
    const pts = base.flatMap(([a, b]) => [[a, b], [a + 1e-7, b]]);
    const X = Float64Array.from(pts.flat());
    const y = Float64Array.from(pts, ([a, b]) => Math.cos(3 * a) * b);
    const gp = new GaussianProcess({ rng: new Rng(2) }).fit(X, y, d);
    const z = gp.leaveOneOutZ();
    const want = bruteLoo(gp, X, d, gp.kernel);
    // each point is predicted from its twin: both routes divide small differences (tolerance 1e-4 relative)
    for (let i = 0; i < pts.length; i++) expect(Math.abs(z[i] - want[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(want[i])));
    expect(z.every(Number.isFinite)).toBe(true);
  });
});
