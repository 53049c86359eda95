import { describe, expect, it } from 'vitest';
import {
  acquisitionScore, acquisitionValue, expectedImprovement, logExpectedImprovement,
  logProbabilityOfImprovement, probabilityOfImprovement, upperConfidenceBound,
} from '../../src/acquisition/functions';
import { erfc, erfcx, logH, logNormCdf, normCdf, normPdf } from '../../src/acquisition/special';

/** Relative tolerance against published / closed-form values. */
const TOL_REL = 1e-13;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('normal special functions', () => {
  // Abramowitz & Stegun, Table 7.1 / standard tables: erfc(x) to 15+ digits.
  const ERFC: [number, number][] = [
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047266],
    [3, 2.209049699858544e-5],
    [5, 1.5374597944280349e-12],
    [10, 2.088487583762545e-45],
  ];
  it.each(ERFC)('erfc(%d) matches the published value', (x, v) => {
    expect(rel(erfc(x), v)).toBeLessThan(1e-14 * 20);
  });

  it('satisfies erfc(-x) = 2 - erfc(x) and erfcx(x) = exp(x^2) erfc(x)', () => {
    for (const x of [0.1, 0.7, 1.3, 1.99, 2.01, 3.5]) {
      expect(erfc(-x)).toBeCloseTo(2 - erfc(x), 15);
      expect(rel(erfcx(x), Math.exp(x * x) * erfc(x))).toBeLessThan(TOL_REL * 10);
    }
  });

  it('gives Phi(0) = 1/2, Phi(1.959963984540054) = 0.975 and the density at 0', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 16);
  });

  it('keeps log Phi finite and exact in the far tail (Mills ratio asymptote)', () => {
    // log Phi(z) ~ -z^2/2 - log(-z) - log(sqrt(2 pi)) + log(1 - 1/z^2 + 3/z^4 - 15/z^6 + 105/z^8) for z -> -inf
    for (const z of [-40, -100, -1e4]) {
      const asym = -0.5 * z * z - Math.log(-z) - 0.5 * Math.log(2 * Math.PI) + Math.log1p(-1 / (z * z) + 3 / z ** 4 - 15 / z ** 6 + 105 / z ** 8);
      expect(rel(logNormCdf(z), asym)).toBeLessThan(1e-12);
    }
    expect(logNormCdf(-5)).toBeCloseTo(Math.log(normCdf(-5)), 12);
  });
});

describe('log h(z) = log(phi(z) + z Phi(z))', () => {
  it('equals the direct formula where that is accurate', () => {
    for (const z of [3, 1, 0, -0.5, -1, -2, -2.9, -3.1, -5]) {
      const direct = Math.log(normPdf(z) + z * normCdf(z));
      expect(Math.abs(logH(z) - direct)).toBeLessThan(1e-9 * Math.max(1, Math.abs(direct)));
    }
  });

  it('stays finite and strictly increasing far into the tail (z = -40 and beyond)', () => {
    const zs = [-1e9, -1e6, -1e3, -100, -40, -39.99, -20, -5, -3.0001, -3, -2.9999, -1.0001, -1, -0.9999, 0, 5];
    const v = zs.map(logH);
    for (const x of v) expect(Number.isFinite(x)).toBe(true);
    for (let i = 1; i < v.length; i++) expect(v[i]).toBeGreaterThan(v[i - 1]);
    // asymptote h(z) ~ phi(z) / z^2 as z -> -inf
    const z = -40;
    const asym = -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(-z) + Math.log1p(-3 / (z * z));
    expect(Math.abs(logH(z) - asym)).toBeLessThan(1e-4);
  });
});

describe('acquisition functions', () => {
  it('EI at zero margin is sigma phi(0), and log EI is its log', () => {
    expect(expectedImprovement(1, 2, 1, 0)).toBeCloseTo(2 / Math.sqrt(2 * Math.PI), 15);
    expect(logExpectedImprovement(1, 2, 1, 0)).toBeCloseTo(Math.log(2 / Math.sqrt(2 * Math.PI)), 14);
  });

  it('EI matches bayes_opt formula (mu - best - xi) Phi(z) + sigma phi(z) and tends to max(mu - best, 0) as sigma -> 0', () => {
    const mu = 0.3, s = 0.7, best = 0.1, xi = 0.01;
    const z = (mu - best - xi) / s;
    expect(expectedImprovement(mu, s, best, xi)).toBeCloseTo((mu - best - xi) * normCdf(z) + s * normPdf(z), 15);
    expect(expectedImprovement(2, 1e-14, 1, 0)).toBeCloseTo(1, 12);
    expect(expectedImprovement(0, 1e-14, 1, 0)).toBe(0);
    expect(Number.isFinite(logExpectedImprovement(0, 1e-14, 1, 0))).toBe(true);
  });

  it('EI grows with mean and with sigma; xi lowers it', () => {
    expect(expectedImprovement(0.5, 1, 0, 0)).toBeGreaterThan(expectedImprovement(0.4, 1, 0, 0));
    expect(expectedImprovement(0, 1.1, 0.5, 0)).toBeGreaterThan(expectedImprovement(0, 1, 0.5, 0));
    expect(expectedImprovement(0, 1, 0, 0.1)).toBeLessThan(expectedImprovement(0, 1, 0, 0));
  });

  it('PI is Phi(z), log PI its log; UCB is mu + kappa sigma', () => {
    expect(probabilityOfImprovement(1, 1, 0, 0)).toBeCloseTo(normCdf(1), 15);
    expect(logProbabilityOfImprovement(1, 1, 0, 0)).toBeCloseTo(Math.log(normCdf(1)), 14);
    expect(upperConfidenceBound(1, 2, 2.576)).toBeCloseTo(6.152, 12);
  });

  it('scores rank EI and PI by their logs and report the values themselves', () => {
    const ei = { kind: 'ei' as const, xi: 0, kappa: 0 };
    expect(acquisitionScore(ei, 0.2, 0.5, 0)).toBeCloseTo(Math.log(expectedImprovement(0.2, 0.5, 0, 0)), 13);
    expect(acquisitionValue(ei, 0.2, 0.5, 0)).toBe(expectedImprovement(0.2, 0.5, 0, 0));
    const pi = { kind: 'pi' as const, xi: 0, kappa: 0 };
    expect(acquisitionScore(pi, -50, 1, 0)).toBeGreaterThan(acquisitionScore(pi, -51, 1, 0));
    expect(acquisitionValue({ kind: 'ucb', xi: 0, kappa: 3 }, 1, 1, 0)).toBe(4);
  });
});
