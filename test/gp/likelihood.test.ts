import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES, kernelFromR2 } from '../../src/gp/kernels';
import { MarginalLikelihood, negLogMarginalLikelihood, type LikelihoodData } from '../../src/gp/likelihood';
import { defaultHyperPriors, negLogPrior } from '../../src/gp/priors';
import { Rng } from '../../src/util/rng';

const TOL_GRAD = 1e-6; // |analytic - central FD| / max(1, |analytic|), FD step 1e-5 in log space
const TOL_CLOSED = 1e-12; // relative, against closed-form likelihoods
const LOG_2PI = Math.log(2 * Math.PI);

function randomData(rng: Rng, kernel: LikelihoodData['kernel'], n: number, d: number): LikelihoodData {
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.sin(5 * X[i * d]) + 0.3 * rng.normal();
  return { kernel, X, y, n, d };
}

describe('negLogMarginalLikelihood gradient', () => {
  for (const kernel of KERNEL_NAMES) {
    for (const priors of [false, true]) {
      it(`matches central finite differences (${kernel}, priors ${priors})`, () => {
        const rng = new Rng(kernel === 'rbf' ? 21 : 22);
        const d = 3;
        const data = randomData(rng, kernel, 14, d);
        const ml = new MarginalLikelihood(data, priors ? defaultHyperPriors(d) : null);
        for (let trial = 0; trial < 4; trial++) {
          const theta = new Float64Array(d + 2);
          for (let k = 0; k < d; k++) theta[k] = Math.log(0.1 + rng.random());
          theta[d] = rng.uniform(-1, 1);
          theta[d + 1] = rng.uniform(-6, -1);
          const grad = new Float64Array(d + 2);
          ml.evaluate(theta, grad);
          const h = 1e-5;
          for (let k = 0; k < d + 2; k++) {
            const tp = theta.slice();
            const tm = theta.slice();
            tp[k] += h;
            tm[k] -= h;
            const fd = (ml.evaluate(tp) - ml.evaluate(tm)) / (2 * h);
            expect(Math.abs(grad[k] - fd) / Math.max(1, Math.abs(grad[k]))).toBeLessThan(TOL_GRAD);
          }
        }
      });
    }
  }

  it('the free function agrees with the evaluator and fills grad', () => {
    const rng = new Rng(5);
    const data = randomData(rng, 'matern52', 6, 2);
    const theta = [-1, -0.5, 0.2, -4];
    const g1 = new Float64Array(4);
    const g2 = new Float64Array(4);
    const f1 = negLogMarginalLikelihood(theta, data, { grad: g1 });
    const f2 = new MarginalLikelihood(data, defaultHyperPriors(2)).evaluate(theta, g2);
    expect(f1).toBe(f2);
    expect(g1).toEqual(g2);
  });
});

describe('negLogMarginalLikelihood closed forms (priors off)', () => {
  it('n = 1: y^2 / (2v) + log(2 pi v) / 2 with v = s2 + noise', () => {
    const s2 = 1.3;
    const noise = 0.01;
    const y0 = 0.7;
    const v = s2 + noise;
    const want = (y0 * y0) / (2 * v) + 0.5 * Math.log(2 * Math.PI * v);
    for (const kernel of KERNEL_NAMES) {
      const got = negLogMarginalLikelihood([Math.log(0.4), Math.log(s2), Math.log(noise)],
        { kernel, X: Float64Array.from([0.3]), y: Float64Array.from([y0]), n: 1, d: 1 }, { priors: false });
      expect(Math.abs(got - want) / want).toBeLessThan(TOL_CLOSED);
    }
  });

  it('n = 2: the bivariate normal density with covariance [[a, b], [b, a]]', () => {
    const l = [0.5, 2];
    const s2 = 0.8;
    const noise = 0.05;
    const X = Float64Array.from([0.1, 0.2, 0.6, 0.9]);
    const y = Float64Array.from([1.1, -0.4]);
    const r2 = ((0.6 - 0.1) / l[0]) ** 2 + ((0.9 - 0.2) / l[1]) ** 2;
    const r = Math.sqrt(r2);
    const kByHand = {
      matern52: (1 + Math.sqrt(5) * r + (5 / 3) * r2) * Math.exp(-Math.sqrt(5) * r),
      rbf: Math.exp(-r2 / 2),
    };
    for (const kernel of KERNEL_NAMES) {
      const a = s2 + noise;
      const b = s2 * kByHand[kernel];
      const det = a * a - b * b;
      const quad = (a * y[0] * y[0] - 2 * b * y[0] * y[1] + a * y[1] * y[1]) / det;
      const want = 0.5 * quad + 0.5 * Math.log(det) + LOG_2PI;
      const got = negLogMarginalLikelihood([Math.log(l[0]), Math.log(l[1]), Math.log(s2), Math.log(noise)],
        { kernel, X, y, n: 2, d: 2 }, { priors: false });
      expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(TOL_CLOSED);
      expect(Math.abs(kByHand[kernel] - kernelFromR2(kernel, r2))).toBeLessThan(1e-15);
    }
  });

  it('n = 0 gives 0 without priors', () => {
    expect(negLogMarginalLikelihood([0, 0, -3], { kernel: 'rbf', X: new Float64Array(0), y: new Float64Array(0), n: 0, d: 1 },
      { priors: false })).toBe(0);
  });
});

describe('priors', () => {
  it('priors add the hand-computed Gaussian terms on the log-hyperparameters', () => {
    // BoTorch defaults (Hvarfner et al. 2024): l ~ LogNormal(sqrt2 + log(d)/2, sqrt3), noise ~ LogNormal(-4, 1),
    // evaluated without the log-Jacobian = N(theta; loc - scale^2, scale); log s2 ~ N(0, 1).
    const d = 2;
    const theta = [-0.3, 0.4, 0.25, -6];
    const normal = (t: number, mean: number, sd: number) =>
      0.5 * ((t - mean) / sd) ** 2 + Math.log(sd) + 0.5 * LOG_2PI;
    const lMean = Math.SQRT2 + 0.5 * Math.log(2) - 3;
    const want = normal(theta[0], lMean, Math.sqrt(3)) + normal(theta[1], lMean, Math.sqrt(3))
      + normal(theta[2], 0, 1) + normal(theta[3], -5, 1);
    const data: LikelihoodData = {
      kernel: 'matern52', X: Float64Array.from([0.1, 0.5, 0.7, 0.2, 0.4, 0.9]), y: Float64Array.from([1, -1, 0.2]), n: 3, d,
    };
    const withPriors = negLogMarginalLikelihood(theta, data);
    const without = negLogMarginalLikelihood(theta, data, { priors: false });
    expect(Math.abs(withPriors - without - want)).toBeLessThan(1e-12);
    expect(Math.abs(negLogPrior(theta, d, defaultHyperPriors(d)) - want)).toBeLessThan(1e-12);
  });

  it('the lengthscale prior mode grows like sqrt(d) (0.205 sqrt(d))', () => {
    for (const d of [1, 6, 20]) {
      const mode = Math.exp(defaultHyperPriors(d).logLengthscale.mean);
      expect(Math.abs(mode - Math.exp(Math.SQRT2 - 3) * Math.sqrt(d))).toBeLessThan(1e-12);
    }
  });
});

describe('failure handling', () => {
  it('returns +Infinity and a NaN gradient when the covariance cannot be factored', () => {
    const data: LikelihoodData = { kernel: 'rbf', X: Float64Array.from([0.1, 0.2]), y: Float64Array.from([0, 1]), n: 2, d: 1 };
    const grad = new Float64Array(3);
    expect(negLogMarginalLikelihood([NaN, 0, -3], data, { grad })).toBe(Infinity);
    expect(Number.isNaN(grad[0])).toBe(true);
  });
});
