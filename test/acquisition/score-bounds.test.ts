import { describe, expect, it } from 'vitest';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { scoreBound, scoreBoundUpper, scoreBounds } from '../../src/acquisition/screening-bounds';
import { logH, logHTailUpper } from '../../src/acquisition/special';
import { Rng } from '../../src/util/rng';

// every bit, except that all NaNs are one (their payloads say nothing)
const bits = (a: ArrayLike<number>) => Array.from(new BigUint64Array(Float64Array.from(a).buffer), (b, i) => (Number.isNaN(a[i]) ? 'NaN' : b.toString(16)));

describe('score bounds in bulk (upper bounds in the tail, made exact where they matter)', () => {
  it('logHTailUpper is above logH\'s float over its whole range, and within 0.01 of it (plus its 1e-10 relative widening)', () => {
    const rng = new Rng(71);
    const ts = [
      3, 3 + 2 ** -50, 3.5, 10, 1e4, 1e8, 1e8 * (1 - 2 ** -52),
      ...Array.from({ length: 20000 }, () => 3 + 60 * rng.uniform(0, 1) ** 2),
      ...Array.from({ length: 2000 }, () => 10 ** rng.uniform(0.48, 8)),
    ];
    let worst = 0;
    for (const t of ts) {
      const exact = logH(-t);
      const upper = logHTailUpper(t);
      expect(upper).toBeGreaterThan(exact);
      // beyond the widening, the convergent's gap (rounding: a few ulps of values up to 5e15)
      const over = upper - exact - 1e-10 * (1 + Math.abs(upper));
      expect(over).toBeLessThan(0.01 + 1e-15 * Math.abs(exact));
      if (t < 10) worst = Math.max(worst, over);
    }
    // the fourth convergent's gap at t = 3 (about 0.0085), where it is widest
    expect(worst).toBeGreaterThan(0.008);
  });

  it('scoreBounds gives the floats of scoreBound for every kind, sigma at the floor and 0, NaN means; for (log) EI in the tail an upper bound within 0.01, marked', () => {
    const rng = new Rng(72);
    const m = 1501;
    const mu = Float64Array.from({ length: m }, (_, p) => (p % 97 === 0 ? NaN : 3 * rng.normal()));
    const sigma = Float64Array.from({ length: m }, (_, p) => (p % 13 === 0 ? 0 : p % 17 === 0 ? 1e-13 : rng.uniform(0, 2) ** 3));
    const specs: AcquisitionSpec[] = [
      { kind: 'ei', xi: 0.01, kappa: 2.576 }, { kind: 'logei', xi: 0, kappa: 2.576 },
      { kind: 'pi', xi: 0.01, kappa: 2.576 }, { kind: 'ucb', xi: 0, kappa: 2 },
    ];
    for (const spec of specs) {
      for (const best of [1.5, -0.3]) {
        const out = new Float64Array(m);
        const lazy = new Uint8Array(m).fill(7);
        scoreBounds(spec, mu, sigma, best, m, out, lazy);
        const exact = Array.from(mu, (v, p) => scoreBound(spec, v, sigma[p], best));
        const ei = spec.kind === 'ei' || spec.kind === 'logei';
        let marked = 0;
        for (let p = 0; p < m; p++) {
          const t = -(mu[p] - best - spec.xi) / Math.max(sigma[p], 1e-12);
          expect(lazy[p]).toBe(ei && t >= 3 && t <= 1e8 ? 1 : 0);
          if (lazy[p] === 0) {
            expect(bits([out[p]])).toEqual(bits([exact[p]]));
            continue;
          }
          marked++;
          expect(out[p]).toBeGreaterThan(exact[p]);
          expect(out[p] - exact[p]).toBeLessThan(0.01 + 1e-9 * Math.abs(exact[p]));
        }
        if (ei) expect(marked).toBeGreaterThan(100);
        // one at a time: scoreBoundUpper is scoreBounds's value for each candidate
        expect(bits(Array.from(mu, (v, p) => scoreBoundUpper(spec, v, sigma[p], best)))).toEqual(bits(out));
      }
    }
  });
});
