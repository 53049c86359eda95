import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { standardization } from '../../src/gp/standardization';
import { Rng } from '../../src/util/rng';

describe('GP constant prior mean (priorMean, standard deviations from the sample mean)', () => {
  const d = 2;
  const rng = new Rng(31);
  const n = 20;
  // Data in one corner of the cube; the far corner is many lengthscales away.
  const X = Float64Array.from({ length: n * d }, () => 0.2 * rng.random());
  const y = Float64Array.from({ length: n }, (_, i) => 5 + Math.sin(20 * X[i * d]) + 3 * X[i * d + 1]);
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const far = Float64Array.from([1, 1]);
  const fixed = { lengthscales: Float64Array.from([0.05, 0.05]), signalVariance: 1, noiseVariance: 1e-4 };

  it('standardization centres on the sample mean plus priorMean standard deviations', () => {
    const plain = standardization(y);
    const low = standardization(y, -1);
    expect(low.std).toBe(plain.std);
    expect(low.mean).toBeCloseTo(plain.mean - plain.std, 12);
    expect(plain.mean).toBeCloseTo(mean, 12);
    expect(plain.std).toBeCloseTo(sd, 12);
    // one target: no spread to measure, the centre stays the value itself
    expect(standardization(Float64Array.of(3), -1).mean).toBe(3);
  });

  it('far from the data the posterior mean returns to the prior mean, in original units', () => {
    for (const k of [0, -1, 0.5]) {
      const gp = new GaussianProcess({ fixedHyperparameters: fixed, priorMean: k }).fit(X, y, d);
      expect(gp.priorMean).toBe(k);
      const far0 = gp.predict(far, 1).mean[0];
      expect(far0).toBeCloseTo(mean + k * sd, 6);
      // at the data the fit interpolates whatever the prior mean
      const at = gp.predict(X.subarray(0, d), 1).mean[0];
      expect(at).toBeCloseTo(y[0], 1);
    }
  });

  it('a pessimistic prior mean lowers the mean of unexplored points and leaves the variance alone', () => {
    const a = new GaussianProcess({ fixedHyperparameters: fixed }).fit(X, y, d);
    const b = new GaussianProcess({ fixedHyperparameters: fixed, priorMean: -1 }).fit(X, y, d);
    const pa = a.predict(far, 1);
    const pb = b.predict(far, 1);
    expect(pb.mean[0]).toBeLessThan(pa.mean[0] - 0.9 * sd);
    expect(pb.variance[0]).toBeCloseTo(pa.variance[0], 10);
  });
});
