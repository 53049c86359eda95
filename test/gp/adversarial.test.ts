/**
 * The GP under data that breaks naive implementations: targets scaled by
 * 1e12 or 1e-12 (or offset by 1e12), constant targets at those magnitudes,
 * targets equal up to rounding, mixed magnitudes, a point repeated hundreds of
 * times, 20 dimensions. Every prediction and factor must stay finite, and
 * where an identity holds (affine equivariance of a standardized GP) it is checked.
 */
import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { LENGTHSCALE_BOUNDS } from '../../src/gp/priors';
import { Rng } from '../../src/util/rng';

/** relative agreement of a fit on y and on c*y: exact in real arithmetic, rounding only (measured ~4e-13) */
const TOL_SCALE = 1e-9;
/** y + 1e12 rounds y to ulp(1e12) = 1.2e-4, so the fits agree only to ~1e-3 (measured 1.1e-3 for the mean) */
const TOL_OFFSET = 5e-3;

function data(seed: number, n: number, d: number) {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += Math.sin(3 * X[i * d + k] + k);
    y[i] = s;
  }
  return { X, y };
}

function grid(seed: number, m: number, d: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: m * d }, () => rng.random());
}

/** every factor and prediction finite, variances >= 0; returns the predictions */
function sane(gp: GaussianProcess, d: number, m = 40) {
  const post = gp.predict(grid(77, m, d), m);
  for (let i = 0; i < m; i++) {
    expect(Number.isFinite(post.mean[i]), `mean ${i}`).toBe(true);
    expect(Number.isFinite(post.variance[i]), `variance ${i}`).toBe(true);
    expect(post.variance[i]).toBeGreaterThanOrEqual(0);
  }
  const f = gp.factors();
  for (const a of [f.L, f.Linv, f.alpha, f.lengthscales]) for (const v of a) expect(Number.isFinite(v)).toBe(true);
  for (const v of [f.signalVariance, f.noiseVariance, f.yMean, f.yStd]) expect(Number.isFinite(v)).toBe(true);
  for (const l of f.lengthscales) {
    expect(l).toBeGreaterThanOrEqual(LENGTHSCALE_BOUNDS[0]);
    expect(l).toBeLessThanOrEqual(LENGTHSCALE_BOUNDS[1]);
  }
  return post;
}

const relErr = (a: number, b: number, scale: number): number => Math.abs(a - b) / scale;

describe('GP with targets near 1e12 and 1e-12', () => {
  const d = 2;
  const n = 30;
  const { X, y } = data(1, n, d);
  const base = new GaussianProcess({ rng: new Rng(5) }).fit(X, y, d);
  const ref = sane(base, d);

  for (const c of [1e12, 1e-12, -1e12]) {
    it(`scaling the targets by ${c} scales the mean by c and the variance by c^2`, () => {
      const gp = new GaussianProcess({ rng: new Rng(5) }).fit(X, y.map((v) => c * v), d);
      const post = sane(gp, d);
      const h0 = base.hyperparameters;
      const h1 = gp.hyperparameters;
      h0.lengthscales.forEach((l, k) => expect(relErr(h1.lengthscales[k], l, l)).toBeLessThan(TOL_SCALE));
      expect(relErr(h1.noiseVariance, h0.noiseVariance, h0.noiseVariance)).toBeLessThan(TOL_SCALE);
      for (let i = 0; i < post.mean.length; i++) {
        expect(relErr(post.mean[i], c * ref.mean[i], Math.abs(c))).toBeLessThan(TOL_SCALE);
        expect(relErr(post.variance[i], c * c * ref.variance[i], c * c)).toBeLessThan(TOL_SCALE);
      }
    });
  }

  it('offsetting the targets by 1e12 offsets the mean and leaves the variance', () => {
    const gp = new GaussianProcess({ rng: new Rng(5) }).fit(X, y.map((v) => v + 1e12), d);
    const post = sane(gp, d);
    for (let i = 0; i < post.mean.length; i++) {
      expect(relErr(post.mean[i] - 1e12, ref.mean[i], 1)).toBeLessThan(TOL_OFFSET);
      expect(relErr(post.variance[i], ref.variance[i], 1)).toBeLessThan(TOL_OFFSET);
    }
  });

  for (const v of [1e12, -1e12, 1e-12, -1e-12]) {
    it(`constant targets ${v}: the mean is that constant everywhere`, () => {
      const gp = new GaussianProcess({ rng: new Rng(2) }).fit(X, new Float64Array(n).fill(v), d);
      const post = sane(gp, d);
      for (const m of post.mean) expect(relErr(m, v, Math.abs(v))).toBeLessThan(1e-12);
    });
  }

  it('targets equal up to rounding (1e12 + a few ulps) count as constant', () => {
    const ulp = 2 ** -13; // 1e12 lies in [2^39, 2^40), where doubles are 2^(39-52) apart
    const yy = Float64Array.from({ length: n }, (_, i) => 1e12 + (i % 3) * ulp);
    const gp = new GaussianProcess({ rng: new Rng(2) }).fit(X, yy, d);
    const post = sane(gp, d);
    expect(gp.factors().yStd).toBe(1e12 + ulp); // spread of a few ulps: no spread, the unit is the mean's magnitude
    for (const m of post.mean) expect(Math.abs(m - 1e12)).toBeLessThan(1);
  });

  it('mixed magnitudes (1e12, 1e-12, 0 and -1e12 in one data set) stay finite', () => {
    const yy = Float64Array.from({ length: n }, (_, i) => [1e12, 1e-12, 0, -1e12, y[i]][i % 5]);
    sane(new GaussianProcess({ rng: new Rng(3) }).fit(X, yy, d), d);
  });
});

describe('GP with degenerate designs', () => {
  it('one point repeated 200 times among 10 others', () => {
    const d = 3;
    const { X: X0, y: y0 } = data(4, 10, d);
    const n = 210;
    const X = new Float64Array(n * d);
    const y = new Float64Array(n);
    X.set(X0);
    y.set(y0);
    const rng = new Rng(9);
    for (let i = 10; i < n; i++) {
      X.set([0.25, 0.5, 0.75], i * d);
      y[i] = 1 + 0.01 * rng.normal();
    }
    const gp = new GaussianProcess({ rng: new Rng(4) }).fit(X, y, d);
    const post = sane(gp, d);
    // the repeated point's mean is the average of its noisy copies
    const at = gp.predict(Float64Array.from([0.25, 0.5, 0.75]), 1);
    expect(Math.abs(at.mean[0] - 1)).toBeLessThan(0.01);
    expect(post.mean.length).toBe(40);
  });

  it('20 dimensions, 60 points, and one observation in 20 dimensions', () => {
    const d = 20;
    const { X, y } = data(6, 60, d);
    sane(new GaussianProcess({ rng: new Rng(6) }).fit(X, y, d), d);
    const one = new GaussianProcess({ rng: new Rng(6) }).fit(X.subarray(0, d), y.subarray(0, 1), d);
    // one target standardizes to 0, so the posterior mean is that target everywhere
    for (const m of sane(one, d).mean) expect(m).toBeCloseTo(y[0], 12);
  });
});

describe('GP with targets near the float64 limit (±1.7e308)', () => {
  const d = 2;
  const { X, y } = data(1, 30, d);
  const base = new GaussianProcess({ rng: new Rng(5) }).fit(X, y, d);
  const ref = base.predict(grid(77, 40, d), 40);
  const big = Math.max(...y.map(Math.abs));

  for (const sign of [1, -1]) {
    it(`targets spanning ${sign > 0 ? '-1.7e308 to 1.7e308' : 'the same, negated'}: the same fit, scaled; means finite`, () => {
      const c = (sign * 1.7e308) / big;
      const gp = new GaussianProcess({ rng: new Rng(5) }).fit(X, y.map((v) => c * v), d);
      base.hyperparameters.lengthscales.forEach((l, k) => expect(relErr(gp.hyperparameters.lengthscales[k], l, l)).toBeLessThan(TOL_SCALE));
      const post = gp.predict(grid(77, 40, d), 40);
      for (let i = 0; i < 40; i++) {
        expect(Number.isFinite(post.mean[i])).toBe(true);
        expect(relErr(post.mean[i], c * ref.mean[i], Math.abs(c))).toBeLessThan(TOL_SCALE);
      }
      const fitted = gp.trainingMean();
      const std = gp.trainingMean({ standardized: true });
      for (let i = 0; i < y.length; i++) {
        expect(Number.isFinite(fitted[i]) && Number.isFinite(std[i])).toBe(true);
        expect(gp.standardize(c * y[i])).toBeCloseTo(sign * base.standardize(y[i]), 9);
      }
      expect(gp.unstandardize(gp.standardize(1e308)) / 1e308).toBeCloseTo(1, 12);
    });
  }
});
