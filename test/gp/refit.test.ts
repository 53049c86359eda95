import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { GaussianProcess, REFIT_ALWAYS_BELOW, REFIT_GROWTH, isStale } from '../../src/gp/gaussian-process';
import { MarginalLikelihood } from '../../src/gp/likelihood';
import { defaultHyperPriors, packHyperparameters } from '../../src/gp/priors';
import { Rng } from '../../src/util/rng';

const f = (x: Float64Array, i: number, d: number) => {
  let s = 0;
  for (let k = 0; k < d; k++) s += (x[i * d + k] - 0.3) ** 2;
  return -s + 0.1 * Math.sin(10 * x[i * d]);
};

function data(seed: number, n: number, d: number): { X: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(0, 1));
  const y = Float64Array.from({ length: n }, (_, i) => f(X, i, d));
  return { X, y };
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`entry ${i}: ${a[i]} vs ${b[i]}`);
};

describe("GaussianProcess refit 'auto'", () => {
  const d = 4;
  const n0 = 80;
  const { X, y } = data(11, 120, d);

  it('keeps the hyperparameters for a few new points and extends the factor, equal bit for bit to a fresh factorization', () => {
    const gp = new GaussianProcess({ rng: new Rng(1) });
    gp.fit(X.subarray(0, n0 * d), y.subarray(0, n0), d);
    expect(gp.fitStats.refitted).toBe(true);
    void gp.factors().Linv; // asked for once, so it is extended too
    const state = gp.state();
    const n1 = n0 + 3;
    gp.fit(X.subarray(0, n1 * d), y.subarray(0, n1), d);
    const st = gp.fitStats;
    expect(st.reason).toBe('kept');
    expect(st.evaluations).toBe(0);
    expect(st.keptRows).toBe(n0);
    // A GP resumed from the state before the second fit factors afresh: same floats.
    const fresh = new GaussianProcess({ rng: new Rng(99) });
    fresh.restoreState(state);
    fresh.fit(X.subarray(0, n1 * d), y.subarray(0, n1), d);
    expect(fresh.fitStats.reason).toBe('kept');
    expect(fresh.fitStats.keptRows).toBe(0);
    const a = gp.factors();
    const b = fresh.factors();
    sameBits(a.L, b.L);
    sameBits(a.alpha, b.alpha);
    sameBits(a.Linv, b.Linv);
    expect(gp.logMarginalLikelihood).toBe(fresh.logMarginalLikelihood);
    expect(gp.state()).toEqual(fresh.state());
  });

  it(`refits once n has grown by ${REFIT_GROWTH}x, and when the inputs change`, () => {
    const gp = new GaussianProcess({ rng: new Rng(2) });
    gp.fit(X.subarray(0, n0 * d), y.subarray(0, n0), d);
    const grown = Math.ceil(n0 * REFIT_GROWTH);
    gp.fit(X.subarray(0, (grown - 1) * d), y.subarray(0, grown - 1), d);
    expect(gp.fitStats.reason).toBe('kept');
    gp.fit(X.subarray(0, grown * d), y.subarray(0, grown), d);
    expect(gp.fitStats.reason).toBe('schedule');
    expect(gp.fitStats.evaluations).toBeGreaterThan(0);
    const moved = X.slice(0, (grown + 1) * d);
    moved[0] += 1e-9;
    gp.fit(moved, y.subarray(0, grown + 1), d);
    expect(gp.fitStats.reason).toBe('data');
  });

  it('refits when the new points are implausible under the kept model (stale)', () => {
    const gp = new GaussianProcess({ rng: new Rng(3) });
    gp.fit(X.subarray(0, n0 * d), y.subarray(0, n0), d);
    const y2 = y.slice(0, n0 + 2);
    y2[n0] = 5; // far outside the data's range (about -1.4 .. 0.1)
    y2[n0 + 1] = -5;
    gp.fit(X.subarray(0, (n0 + 2) * d), y2, d);
    expect(gp.fitStats.reason).toBe('stale');
    expect(gp.fitStats.evaluations).toBeGreaterThan(0);
  });

  it(`refits every time below ${REFIT_ALWAYS_BELOW} points and with refit 'always'`, () => {
    const small = new GaussianProcess({ rng: new Rng(4) });
    small.fit(X.subarray(0, 30 * d), y.subarray(0, 30), d);
    small.fit(X.subarray(0, 31 * d), y.subarray(0, 31), d);
    expect(small.fitStats.reason).toBe('always');
    const always = new GaussianProcess({ rng: new Rng(4), refit: 'always' });
    always.fit(X.subarray(0, n0 * d), y.subarray(0, n0), d);
    always.fit(X.subarray(0, (n0 + 1) * d), y.subarray(0, n0 + 1), d);
    expect(always.fitStats.reason).toBe('always');
    expect(() => new GaussianProcess({ refit: 'never' as 'auto' })).toThrow(InvalidOptionError);
  });

  it('plannedRefit says what the next fit will do, without side effects', () => {
    const gp = new GaussianProcess({ rng: new Rng(6) });
    expect(gp.plannedRefit(X.subarray(0, n0 * d), n0, d)).toBe('first');
    gp.fit(X.subarray(0, n0 * d), y.subarray(0, n0), d);
    const state = gp.state();
    const grown = Math.ceil(n0 * REFIT_GROWTH);
    const moved = X.slice(0, (n0 + 1) * d);
    moved[0] += 1e-9;
    expect(gp.plannedRefit(X.subarray(0, (n0 + 1) * d), n0 + 1, d)).toBe('kept');
    expect(gp.plannedRefit(X.subarray(0, grown * d), grown, d)).toBe('schedule');
    expect(gp.plannedRefit(moved, n0 + 1, d)).toBe('data');
    expect(gp.plannedRefit(X.subarray(0, (n0 + 1) * 3), n0 + 1, 3)).toBe('first'); // another dimension
    expect(gp.state()).toEqual(state);
    for (const n of [n0 + 1, grown]) {
      const planned = gp.plannedRefit(X.subarray(0, n * d), n, d);
      gp.fit(X.subarray(0, n * d), y.subarray(0, n), d);
      expect(gp.fitStats.reason).toBe(planned);
    }
    const fixed = new GaussianProcess({ fixedHyperparameters: { lengthscales: Float64Array.of(1, 1, 1, 1), signalVariance: 1, noiseVariance: 1e-3 } });
    expect(fixed.plannedRefit(X.subarray(0, n0 * d), n0, d)).toBe('fixed');
  });

  it('the staleness test is a chi-square test at 0.1%', () => {
    // k = 1: the 0.999 quantile of chi-square(1) is 10.83
    expect(isStale(Float64Array.of(3.2), 0, 1)).toBe(false);
    expect(isStale(Float64Array.of(3.4), 0, 1)).toBe(true);
    // k = 100: quantile 149.4; residuals of 1.2 give 144
    expect(isStale(new Float64Array(100).fill(1.2), 0, 100)).toBe(false);
    expect(isStale(new Float64Array(100).fill(1.25), 0, 100)).toBe(true);
    expect(isStale(Float64Array.of(NaN), 0, 1)).toBe(true);
  });
});

describe('warm scheduled refits against a full fit (tolerances)', () => {
  /** Stated tolerances: MAP objective at most 0.05 nats worse than the full fit; posterior mean within 0.02 and sd within 3% (standardized units) at 64 probes. */
  const OBJ_TOL = 0.05;
  const MEAN_TOL = 0.02;
  const SD_REL_TOL = 0.03;
  const cases: { name: string; d: number; make: (rng: Rng, X: Float64Array, n: number, d: number) => Float64Array }[] = [
    { name: 'smooth, d = 6', d: 6, make: (_r, X, n, d) => Float64Array.from({ length: n }, (_, i) => f(X, i, d)) },
    {
      // ill-conditioned: every third point duplicates the previous one, observed with noise
      name: 'duplicated inputs with noise, d = 4', d: 4,
      make: (r, X, n, d) => {
        for (let i = 1; i < n; i += 3) X.copyWithin(i * d, (i - 1) * d, i * d);
        return Float64Array.from({ length: n }, (_, i) => f(X, i, d) + 0.05 * r.normal());
      },
    },
    {
      // noise-free smooth targets: the noise goes to its floor, K is nearly singular
      name: 'noise-free, noise at the floor, d = 3', d: 3,
      make: (_r, X, n, d) => Float64Array.from({ length: n }, (_, i) => -Array.from(X.subarray(i * d, i * d + d)).reduce((s, v) => s + (v - 0.3) ** 2, 0)),
    },
  ];
  // Not covered: a multimodal objective. With Rng(21) instead of Rng(22) below, the smooth
  // d = 6 case has two optima 40 nats apart; the warm refit stays in the worse one (as do cold
  // fits with some seeds), while the cold fit with Rng(1) finds the better one.
  for (const c of cases) {
    it(`${c.name}: within tolerance, with fewer likelihood evaluations than the full fit`, () => {
      const { d } = c;
      const n0 = 100;
      const n1 = Math.ceil(n0 * REFIT_GROWTH);
      const rng = new Rng(22);
      const X = Float64Array.from({ length: n1 * d }, () => rng.random());
      const y = c.make(rng, X, n1, d);
      const warm = new GaussianProcess({ rng: new Rng(1) });
      warm.fit(X.subarray(0, n0 * d), y.subarray(0, n0), d);
      warm.fit(X, y, d);
      expect(warm.fitStats.reason).toBe('schedule');
      const full = new GaussianProcess({ rng: new Rng(1), refit: 'always' }).fit(X, y, d);
      expect(warm.fitStats.evaluations).toBeLessThan(full.fitStats.evaluations);
      const ys = Float64Array.from(y, (v) => full.standardize(v));
      const ml = new MarginalLikelihood({ kernel: 'matern52', X, y: ys, n: n1, d }, defaultHyperPriors(d));
      const theta = (gp: GaussianProcess) => packHyperparameters(gp.hyperparameters);
      expect(ml.evaluate(theta(warm))).toBeLessThanOrEqual(ml.evaluate(theta(full)) + OBJ_TOL);
      const probes = Float64Array.from({ length: 64 * d }, () => rng.random());
      const a = warm.predict(probes, 64, { standardized: true });
      const b = full.predict(probes, 64, { standardized: true });
      for (let i = 0; i < 64; i++) {
        expect(Math.abs(a.mean[i] - b.mean[i])).toBeLessThan(MEAN_TOL);
        expect(Math.abs(Math.sqrt(a.variance[i]) / Math.sqrt(b.variance[i]) - 1)).toBeLessThan(SD_REL_TOL);
      }
    });
  }
});
