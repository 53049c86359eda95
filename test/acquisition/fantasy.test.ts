/** The acquisition averaged over fantasy models (src/acquisition/fantasy.ts), float64. */
import { describe, expect, it } from 'vitest';
import { scorePoints } from '../../src/acquisition/cpu-engine';
import { averagedScore, fantasyScores } from '../../src/acquisition/fantasy';
import { expectedImprovement, probabilityOfImprovement, type AcquisitionSpec } from '../../src/acquisition/functions';
import { buildFactors, makePoints, makeProblem } from '../gpu/helpers';
import { Rng } from '../../src/util/rng';

const EI: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2.576 };

describe('averagedScore', () => {
  it('EI and PI: the log of the mean over fantasies; UCB: the mean mean plus kappa sigma', () => {
    const mus = [0.3, -0.2, 1.1];
    const bests = [0.5, 0.9, 0.7];
    const sigma = 0.4;
    const ei = (0.0 + mus.reduce((a, m, f) => a + expectedImprovement(m, sigma, bests[f], 0.01), 0)) / 3;
    expect(averagedScore(EI, mus, sigma, bests, 3)).toBeCloseTo(Math.log(ei), 12);
    expect(averagedScore({ ...EI, kind: 'logei' }, mus, sigma, bests, 3)).toBeCloseTo(Math.log(ei), 12);
    const pi = mus.reduce((a, m, f) => a + probabilityOfImprovement(m, sigma, bests[f], 0.01), 0) / 3;
    expect(averagedScore({ ...EI, kind: 'pi' }, mus, sigma, bests, 3)).toBeCloseTo(Math.log(pi), 12);
    expect(averagedScore({ ...EI, kind: 'ucb' }, mus, sigma, bests, 3)).toBeCloseTo(0.4 + 2.576 * 0.4, 12);
  });

  it('stays finite where every EI underflows (deep tail)', () => {
    const v = averagedScore(EI, [-40, -50], 0.01, [0, 0], 2);
    expect(Number.isFinite(v)).toBe(true);
    // dominated by the better fantasy: log EI_1 - log 2 within rounding
    expect(v).toBeLessThan(averagedScore(EI, [-40], 0.01, [0], 1));
    expect(v).toBeGreaterThan(averagedScore(EI, [-40], 0.01, [0], 1) - Math.log(2) - 1e-9);
  });
});

describe('fantasyScores', () => {
  it('one fantasy with the model\'s own alpha and incumbent: the plain acquisition score', () => {
    const f = makeProblem({ seed: 3, n: 20, d: 3, kernel: 'matern52' });
    const P = makePoints(4, 300, f);
    for (const spec of [EI, { ...EI, kind: 'pi' as const }, { ...EI, kind: 'ucb' as const }]) {
      const got = fantasyScores(f, { count: 1, alphas: f.alpha, bests: Float64Array.of(0.8) }, P, 300, spec);
      const ref = scorePoints(f, P, 300, spec, 0.8).score;
      for (let i = 0; i < 300; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(ref[i])));
    }
  });

  it('fantasy f scores with its own mean k . alpha_f (same inputs and hyperparameters)', () => {
    const base = makeProblem({ seed: 5, n: 15, d: 2, kernel: 'rbf' });
    const rng = new Rng(9);
    // two fantasies: the targets redrawn, the factor the same
    const fz = [0, 1].map(() => buildFactors({ ...base, y: Array.from({ length: 15 }, () => rng.normal()) }));
    const alphas = new Float64Array(30);
    alphas.set(fz[0].alpha, 0);
    alphas.set(fz[1].alpha, 15);
    const P = makePoints(6, 50, base);
    const got = fantasyScores(base, { count: 2, alphas, bests: Float64Array.of(0.5, 1) }, P, 50, EI);
    const m0 = scorePoints(fz[0], P, 50, EI, 0.5);
    const m1 = scorePoints(fz[1], P, 50, EI, 1);
    let compared = 0;
    for (let i = 0; i < 50; i++) {
      const sigma = Math.sqrt(m0.variance[i]);
      expect(m1.variance[i]).toBeCloseTo(m0.variance[i], 12);
      const want = Math.log((expectedImprovement(m0.mean[i], sigma, 0.5, 0.01) + expectedImprovement(m1.mean[i], sigma, 1, 0.01)) / 2);
      if (Number.isFinite(want)) compared++;
      if (Number.isFinite(want)) expect(got[i]).toBeCloseTo(want, 8);
      else expect(Number.isFinite(got[i])).toBe(true); // the direct form underflows, the log-sum-exp does not
    }
    expect(compared).toBeGreaterThan(40);
  });
});
