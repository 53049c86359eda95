import { describe, expect, it } from 'vitest';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { scoreBound, scoreBounds } from '../../src/acquisition/screening-bounds';
import { logH, logHMany } from '../../src/acquisition/special';
import { Rng } from '../../src/util/rng';

// every bit, except that all NaNs are one (their payloads say nothing)
const bits = (a: ArrayLike<number>) => Array.from(new BigUint64Array(Float64Array.from(a).buffer), (b, i) => (Number.isNaN(a[i]) ? 'NaN' : b.toString(16)));

describe('score bounds in bulk (the tail fractions of four candidates interleaved)', () => {
  it('logHMany gives the floats of logH, in the tail, at its edges and elsewhere, for counts not a multiple of 4', () => {
    const rng = new Rng(71);
    const edges = [-3, -3 - 2 ** -50, -3 + 2 ** -50, -1e8, -1e8 * (1 + 2 ** -52), -1, -1 - 1e-12, 0, 2.5, 40, -1e300, NaN, Infinity, -Infinity];
    const z = Float64Array.from([
      ...edges,
      ...Array.from({ length: 2000 }, () => -3 - 60 * rng.uniform(0, 1) ** 2),
      ...Array.from({ length: 301 }, () => 10 * rng.normal()),
      ...Array.from({ length: 97 }, () => -(10 ** rng.uniform(0.4, 9))),
    ]);
    for (const count of [z.length, z.length - 1, 3, 1, 0]) {
      const out = new Float64Array(count);
      logHMany(z, out, count);
      expect(bits(out)).toEqual(bits(Array.from(z.subarray(0, count), (v) => logH(v))));
    }
    const tail = z.filter((v) => -v >= 3 && -v <= 1e8).length;
    expect(tail).toBeGreaterThan(2000);
  });

  it('scoreBounds gives the floats of scoreBound for every kind, sigma at the floor and 0, NaN means', () => {
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
        scoreBounds(spec, mu, sigma, best, m, out, new Float64Array(m));
        expect(bits(out)).toEqual(bits(Array.from(mu, (v, p) => scoreBound(spec, v, sigma[p], best))));
      }
    }
  });
});
