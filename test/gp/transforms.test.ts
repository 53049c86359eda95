import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boxCox, boxCoxInverse, fitPowerLambda, gapPowerTransform, selectOutputTransform, yeoJohnson, yeoJohnsonInverse,
} from '../../src/gp/transforms';
import { GaussianProcess } from '../../src/gp';
import { rosenbrock } from '../../src/problems';
import { Rng } from '../../src/util/rng';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe('power transforms', () => {
  // Where x^lambda is within e^+-8 (no saturation of the transform), the round trip is exact to rounding.
  it('Box-Cox and Yeo-Johnson invert exactly (relative 1e-12) for lambda in [-3, 3] wherever x^lambda is in e^[-8, 8]', () => {
    fc.assert(fc.property(
      fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
      (lambda, x) => {
        fc.pre(Math.abs(lambda * Math.log(x)) <= 8);
        return rel(boxCoxInverse(boxCox(x, lambda), lambda), x) < 1e-12;
      },
    ), { seed: 12, numRuns: 2000 });
    fc.assert(fc.property(
      fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true }),
      (lambda, y) => {
        fc.pre(Math.abs((y >= 0 ? lambda : 2 - lambda) * Math.log1p(Math.abs(y))) <= 8);
        return rel(yeoJohnsonInverse(yeoJohnson(y, lambda), lambda), y) < 1e-12;
      },
    ), { seed: 13, numRuns: 2000 });
  });

  it('known values: lambda 1 is a shift, lambda 0 is log, Yeo-Johnson at 2 is -log(1 - y) below 0', () => {
    expect(boxCox(5, 1)).toBeCloseTo(4, 14);
    expect(boxCox(Math.E, 0)).toBeCloseTo(1, 14);
    expect(boxCox(4, 0.5)).toBeCloseTo(2, 14);
    expect(yeoJohnson(3, 1)).toBeCloseTo(3, 14);
    expect(yeoJohnson(-3, 1)).toBeCloseTo(-3, 14);
    expect(yeoJohnson(-3, 2)).toBeCloseTo(-Math.log(4), 14);
    expect(yeoJohnson(3, 0)).toBeCloseTo(Math.log(4), 14);
  });

  it('maximum likelihood recovers lambda from data that are normal after the transform', () => {
    const rng = new Rng(3);
    for (const [lambda, m, sd] of [[0, 0, 1], [0.5, 2, 0.6], [1, 3, 0.8]]) {
      // x = boxCoxInverse(z) with z normal (and 1 + lambda z > 0 throughout): the MLE should be near lambda
      const x = Array.from({ length: 4000 }, () => boxCoxInverse(m + sd * rng.normal(), lambda));
      expect(Math.abs(fitPowerLambda('box-cox', x, -2, 2) - lambda)).toBeLessThan(0.1);
    }
    const y = Array.from({ length: 4000 }, () => yeoJohnsonInverse(0.8 * rng.normal(), 1.6));
    expect(Math.abs(fitPowerLambda('yeo-johnson', y, -2, 4) - 1.6)).toBeLessThan(0.15);
  });
});

describe('gapPowerTransform', () => {
  it('log-warps a target spanning six orders of magnitude, keeps order, inverts exactly', () => {
    const rng = new Rng(5);
    // maximization targets -10^U(0, 6)
    const y = Float64Array.from({ length: 40 }, () => -(10 ** (6 * rng.random())));
    const t = gapPowerTransform(y, y.length);
    expect(t.kind).toBe('gap-box-cox');
    expect(t.lambda).toBeLessThan(0.2);
    const z = Array.from(y, (v) => t.forward(v));
    const order = (a: ArrayLike<number>) => Array.from(a).map((_, i) => i).sort((i, j) => a[i] - a[j]);
    expect(order(z)).toEqual(order(y));
    expect(Math.max(...z)).toBe(0);
    for (let i = 0; i < y.length; i++) expect(rel(t.inverse(z[i]), y[i])).toBeLessThan(1e-9);
    // above the best observation too (the linear extension)
    for (const v of [Math.max(...y) + 1, Math.max(...y) + 1e3]) expect(rel(t.inverse(t.forward(v)), v)).toBeLessThan(1e-9);
  });

  it('leaves Gaussian-looking targets nearly linear (lambda near 1)', () => {
    const rng = new Rng(8);
    const y = Float64Array.from({ length: 200 }, () => rng.normal());
    const t = gapPowerTransform(y, y.length);
    expect(t.lambda).toBeGreaterThan(0.6);
  });

  it('is the identity with fewer than 4 points or constant targets', () => {
    expect(gapPowerTransform([1, 2, 3], 3).kind).toBe('identity');
    expect(gapPowerTransform([2, 2, 2, 2, 2], 5).kind).toBe('identity');
    // a spread of rounding noise (up to 16 ulps, what the standardization reads as constant): a warp of
    // these gaps gave a predict() band 1e-15 wide when the noise lay above the rest, 0.8 wide below
    expect(gapPowerTransform([5, 5, 5 + 1e-15, 5], 4).kind).toBe('identity');
    expect(gapPowerTransform([5, 5, 5 + 1e-14, 5, 5], 5).kind).toBe('identity');
    expect(gapPowerTransform([1e6, 1e6, 1e6 + 1e-7, 1e6], 4).kind).toBe('gap-box-cox'); // hundreds of ulps: signal
    // the standardization's own test (a standard deviation of 16 ulps), not the range's: 99 ones and one
    // 20 ulps above spread 20 ulps but deviate by 2
    const ones = Array.from({ length: 100 }, (_, i) => (i === 50 ? 1 + 20 * Number.EPSILON : 1));
    expect(gapPowerTransform(ones, 100).kind).toBe('identity');
  });
});

describe('selectOutputTransform (evidence)', () => {
  const d = 2;
  const rng = new Rng(17);
  const n = 30;
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const makeGp = () => new GaussianProcess({ rng: new Rng(1), restarts: 1 });

  it('log dz/dy of the gap transform matches central differences', () => {
    const y = Float64Array.from({ length: n }, (_, i) => -(10 ** (4 * X[i * d])));
    const t = gapPowerTransform(y, n);
    for (const v of [y[0], y[5], y[9], Math.max(...y) + 0.5]) {
      const h = 1e-6 * Math.max(1, Math.abs(v));
      const fd = (t.forward(v + h) - t.forward(v - h)) / (2 * h);
      expect(t.logDerivative(v)).toBeCloseTo(Math.log(fd), 5);
    }
  });

  it('warps Rosenbrock-4 (values spanning orders of magnitude): higher evidence than the raw targets', () => {
    const p = rosenbrock(4);
    const r = new Rng(3);
    const X4 = Float64Array.from({ length: n * 4 }, () => r.random());
    const y = Float64Array.from({ length: n }, (_, i) => -p.fn(Array.from(X4.subarray(i * 4, i * 4 + 4), (u) => -5 + 15 * u)));
    const t = selectOutputTransform(X4, y, n, 4, makeGp);
    expect(t.kind).toBe('gap-box-cox');
    expect(t.lambda).toBeLessThan(0.5);
  });

  it('keeps the identity for a smooth target observed with Gaussian noise', () => {
    const noise = new Rng(23);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * X[i * d]) + X[i * d + 1] + 0.1 * noise.normal());
    expect(selectOutputTransform(X, y, n, d, makeGp).kind).toBe('identity');
  });
});
