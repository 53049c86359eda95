import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { crossCovariance, KERNEL_NAMES } from '../../src/gp/kernels';
import { choleskySolve } from '../../src/gp/linalg';
import { posteriorFromFactors } from '../../src/gp/posterior';
import { Rng } from '../../src/util/rng';

const TOL_IDENTITY = 1e-10; // two algebraically equal routes in float64 (well-conditioned)
const TOL_INTERP = 1e-4; // noise 1e-9 interpolation residual, standardized units

function toyData(seed: number, n: number, d: number): { X: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = 10 + 3 * Math.sin(4 * X[i * d]) + X[i * d + d - 1];
  return { X, y };
}

describe('posteriorFromFactors', () => {
  for (const kernel of KERNEL_NAMES) {
    it(`equals the dense formulas K*^T K^-1 y and s2 - ||Linv k||^2 (${kernel})`, () => {
      const d = 3;
      const { X, y } = toyData(1, 20, d);
      const gp = new GaussianProcess({ kernel, rng: new Rng(1) }).fit(X, y, d);
      const f = gp.factors();
      const m = 15;
      const rng = new Rng(2);
      const Xs = Float64Array.from({ length: m * d }, () => rng.random());
      const post = posteriorFromFactors(f, Xs, m);
      const n = f.n;
      const Kxs = crossCovariance(kernel, X, n, Xs, m, d, f.lengthscales, f.signalVariance); // n x m
      // standardized targets recovered from the public standardize()
      const ys = y.map((v) => gp.standardize(v));
      const alpha = choleskySolve(f.L, n, ys);
      for (let p = 0; p < m; p++) {
        const k = Float64Array.from({ length: n }, (_, i) => Kxs[i * m + p]);
        let mean = 0;
        for (let i = 0; i < n; i++) mean += k[i] * alpha[i];
        let q = 0;
        for (let i = 0; i < n; i++) {
          let v = 0;
          for (let j = 0; j <= i; j++) v += f.Linv[i * n + j] * k[j];
          q += v * v;
        }
        expect(Math.abs(post.mean[p] - mean)).toBeLessThan(TOL_IDENTITY);
        expect(Math.abs(post.variance[p] - Math.max(f.signalVariance - q, 0))).toBeLessThan(TOL_IDENTITY);
      }
    });
  }

  it('predict() in standardized units equals posteriorFromFactors(factors())', () => {
    const { X, y } = toyData(3, 25, 2);
    const gp = new GaussianProcess({ rng: new Rng(3) }).fit(X, y, 2);
    const Xs = Float64Array.from([0.1, 0.2, 0.5, 0.5, 0.95, 0.05]);
    const a = gp.predict(Xs, 3, { standardized: true });
    const b = posteriorFromFactors(gp.factors(), Xs, 3);
    expect(a.mean).toEqual(b.mean);
    expect(a.variance).toEqual(b.variance);
  });

  it('predict() in original units is mean * std + mean_y and variance * std^2', () => {
    const { X, y } = toyData(4, 25, 2);
    const gp = new GaussianProcess({ rng: new Rng(4) }).fit(X, y, 2);
    const Xs = Float64Array.from([0.3, 0.7, 0.8, 0.1]);
    const z = gp.predict(Xs, 2, { standardized: true });
    const o = gp.predict(Xs, 2);
    const { yMean, yStd } = gp.factors();
    let mean = 0;
    for (const v of y) mean += v / y.length;
    expect(Math.abs(yMean - mean)).toBeLessThan(1e-12);
    for (let p = 0; p < 2; p++) {
      expect(Math.abs(o.mean[p] - (z.mean[p] * yStd + yMean))).toBeLessThan(1e-12);
      expect(Math.abs(o.variance[p] - z.variance[p] * yStd * yStd)).toBeLessThan(1e-12);
      expect(gp.unstandardize(z.mean[p])).toBe(o.mean[p]);
    }
  });

  it('trainingMean() equals predict() at the training inputs', () => {
    const d = 3;
    const { X, y } = toyData(8, 30, d);
    const gp = new GaussianProcess({ rng: new Rng(8) }).fit(X, y, d);
    for (const standardized of [false, true]) {
      const fast = gp.trainingMean({ standardized });
      const slow = gp.predict(X, 30, { standardized }).mean;
      const scale = standardized ? 1 : gp.factors().yStd;
      for (let i = 0; i < 30; i++) expect(Math.abs(fast[i] - slow[i])).toBeLessThan(TOL_IDENTITY * scale);
    }
  });

  it('interpolates the training data when the noise is tiny', () => {
    const d = 2;
    const { X, y } = toyData(5, 12, d);
    const gp = new GaussianProcess({
      noiseFloor: 1e-12,
      fixedHyperparameters: { lengthscales: Float64Array.from([0.3, 0.3]), signalVariance: 1, noiseVariance: 1e-9 },
    }).fit(X, y, d);
    const post = gp.predict(X, 12, { standardized: true });
    for (let i = 0; i < 12; i++) {
      expect(Math.abs(post.mean[i] - gp.standardize(y[i]))).toBeLessThan(TOL_INTERP);
      expect(post.variance[i]).toBeLessThan(1e-6);
    }
  });

  it('variance at isolated training points is s2 noise / (s2 + noise)', () => {
    // points 0.3 apart with lengthscale 0.01: cross-covariances ~ exp(-67), numerically 0
    const X = Float64Array.from([0.1, 0.4, 0.7, 1.0]);
    const y = Float64Array.from([1, 3, 2, 5]);
    for (const [s2, noise] of [[1, 1e-3], [2.5, 0.2]]) {
      const gp = new GaussianProcess({
        fixedHyperparameters: { lengthscales: Float64Array.from([0.01]), signalVariance: s2, noiseVariance: noise },
      }).fit(X, y, 1);
      const post = gp.predict(X, 4, { standardized: true });
      const want = (s2 * noise) / (s2 + noise);
      for (let i = 0; i < 4; i++) {
        expect(Math.abs(post.variance[i] - want) / want).toBeLessThan(1e-9);
        expect(Math.abs(post.mean[i] - (s2 / (s2 + noise)) * gp.standardize(y[i]))).toBeLessThan(1e-9);
      }
    }
  });

  it('reverts to the prior far from the data', () => {
    const X = Float64Array.from([0, 0.05, 0.1, 0.15, 0.2]);
    const y = Float64Array.from([4, 5, 7, 6, 5]);
    const s2 = 1.7;
    const gp = new GaussianProcess({
      fixedHyperparameters: { lengthscales: Float64Array.from([0.02]), signalVariance: s2, noiseVariance: 1e-4 },
    }).fit(X, y, 1);
    const far = gp.predict(Float64Array.from([1]), 1);
    const { yMean, yStd } = gp.factors();
    expect(Math.abs(far.mean[0] - yMean)).toBeLessThan(1e-9);
    expect(Math.abs(far.variance[0] - s2 * yStd * yStd)).toBeLessThan(1e-9);
  });

  it('with zero observations is the prior: mean 0, variance s2', () => {
    const gp = new GaussianProcess().fit(new Float64Array(0), new Float64Array(0), 3);
    const post = gp.predict(Float64Array.from([0.1, 0.2, 0.3, 0.9, 0.9, 0.9]), 2);
    const s2 = gp.hyperparameters.signalVariance;
    expect(Array.from(post.mean)).toEqual([0, 0]);
    expect(Array.from(post.variance)).toEqual([s2, s2]);
  });
});
