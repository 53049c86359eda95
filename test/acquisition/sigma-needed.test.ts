import { describe, expect, it } from 'vitest';
import { scoreBound } from '../../src/acquisition/screening-bounds';
import { sigmaNeeded, sigmaNeededBisect } from '../../src/acquisition/sigma-needed';
import { Rng } from '../../src/util/rng';

describe('sigmaNeeded', () => {
  it('every sigma whose score bound reaches the cut exceeds it, and a sigma just above the bisection reaches it', () => {
    const rng = new Rng(5);
    const specs = [
      { kind: 'logei' as const, xi: 0.01, kappa: 2 }, { kind: 'ei' as const, xi: 0, kappa: 2 },
      { kind: 'pi' as const, xi: 0.01, kappa: 2 }, { kind: 'ucb' as const, xi: 0, kappa: 2.576 },
    ];
    let finite = 0;
    for (let t = 0; t < 400; t++) {
      const spec = specs[t % 4];
      const s2 = rng.uniform(0.01, 4);
      const mu = rng.normal();
      const best = rng.normal();
      const cut = scoreBound(spec, mu, Math.sqrt(s2) * rng.uniform(-0.2, 1.2), best);
      const lo = sigmaNeeded(spec, mu, best, cut, s2);
      // beyond rounding (an ulp's wiggle where the score is flat in sigma, which the cut's slack covers)
      const eps = 1e-12 * Math.max(1, Math.abs(cut));
      for (let k = 0; k <= 200; k++) {
        const sigma = (Math.sqrt(s2) * k) / 200;
        if (scoreBound(spec, mu, sigma, best) >= cut + eps) expect(sigma).toBeGreaterThan(lo);
      }
      if (Number.isFinite(lo)) {
        finite++;
        expect(scoreBound(spec, mu, lo + 1e-9 * Math.sqrt(s2), best)).toBeGreaterThanOrEqual(cut - eps);
      }
    }
    expect(finite).toBeGreaterThan(100);
  });

  it('equals the bisection it replaces within 2^-35 of the prior sigma and 1e-9 relative (or both within 1e-12 of a cut the score is flat at), its score always under the cut', () => {
    const rng = new Rng(11);
    const specs = [
      { kind: 'logei' as const, xi: 0.01, kappa: 2 }, { kind: 'ei' as const, xi: 0, kappa: 2 },
      { kind: 'pi' as const, xi: 0.01, kappa: 2 }, { kind: 'ucb' as const, xi: 0, kappa: 2.576 },
    ];
    let hint = NaN;
    let tighter = 0;
    let flat = 0;
    for (let t = 0; t < 4000; t++) {
      const spec = specs[t % 7 === 0 ? (t >> 3) % 4 : 0];
      // the screening's regimes: a signal variance up to 100, means a hair below the incumbent
      // (deep in EI's tail), cuts from a few nats to thousands below zero, and a hint (z at a neighbour's root)
      const s2 = t % 3 === 0 ? 100 : rng.uniform(1e-4, 4);
      const best = rng.normal();
      const mu = best + (t % 2 ? -Math.abs(rng.normal()) * 10 ** rng.uniform(-6, 0) : rng.normal());
      const cut = t % 5 === 0 ? scoreBound(spec, mu, Math.sqrt(s2) * rng.uniform(0, 1), best) : -rng.uniform(0, 10) * 10 ** rng.uniform(0, 3);
      const h = t % 4 === 0 ? NaN : hint * rng.uniform(0.5, 2);
      const lo = sigmaNeeded(spec, mu, best, cut, s2, h);
      const loB = sigmaNeededBisect(spec, mu, best, cut, s2);
      if (!Number.isFinite(loB)) { expect(lo).toBe(loB); continue; }
      const f = (sigma: number) => scoreBound(spec, mu, sigma, best);
      expect(f(lo)).toBeLessThan(cut);
      // the same threshold, but where the score is flat in sigma to the last bits (EI far above
      // the incumbent: both scores within an ulp's wiggle of the cut, which the cut's slack covers)
      const eps = 1e-12 * Math.max(1, Math.abs(cut));
      const same = lo >= loB * (1 - 1e-9) && lo <= loB + 2 ** -35 * Math.sqrt(s2);
      if (!same) flat++;
      expect(same || (Math.abs(f(lo) - cut) <= eps && Math.abs(f(loB) - cut) <= eps)).toBe(true);
      if (lo > loB) tighter++;
      if (lo > 0 && lo < Infinity) hint = (mu - best - spec.xi) / lo;
    }
    expect(tighter).toBeGreaterThan(1000);
    expect(flat).toBeLessThan(40);
  });
});
