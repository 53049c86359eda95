import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { GaussianProcess, type GPOptions } from '../../src/gp/gaussian-process';
import { expandShared, laplaceLogEvidence, reduceToShared, sharedObjective } from '../../src/gp/lengthscale-model';
import { MarginalLikelihood } from '../../src/gp/likelihood';
import { defaultHyperPriors, hyperparameterBounds, negLogPrior } from '../../src/gp/priors';
import { Rng } from '../../src/util/rng';

function sample(seed: number, n: number, d: number, f: (x: Float64Array) => number) {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = f(X.subarray(i * d, i * d + d));
  return { X, y };
}

/** Radial: the same structure along every axis. */
const radial = (x: Float64Array) => Math.cos(6 * Math.hypot(...Array.from(x, (v) => v - 0.5)));
/** Axis-aligned: only x1 matters. */
const axis = (x: Float64Array) => Math.sin(8 * x[0]);

describe('shared (isotropic) lengthscale objective', () => {
  it('equals the ARD likelihood at equal lengthscales plus one lengthscale prior term, and its gradient matches central differences (rel. 1e-5)', () => {
    const d = 3;
    const { X, y } = sample(1, 15, d, radial);
    const plain = new MarginalLikelihood({ kernel: 'matern52', X, y, n: 15, d }, null);
    const priors = defaultHyperPriors(d);
    const fg = sharedObjective((t, g) => plain.evaluate(t, g), d, priors);
    const t = Float64Array.from([-1.2, 0.3, -4]);
    const g = new Float64Array(3);
    const f = fg(t, g);
    const full = expandShared(t, d);
    expect(f).toBeCloseTo(plain.evaluate(full) + negLogPrior(t, 1, priors), 10);
    const h = 1e-6;
    for (let k = 0; k < 3; k++) {
      const tp = Float64Array.from(t); tp[k] += h;
      const tm = Float64Array.from(t); tm[k] -= h;
      const fd = (fg(tp, new Float64Array(3)) - fg(tm, new Float64Array(3))) / (2 * h);
      expect(Math.abs(fd - g[k])).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
    }
    expect(Array.from(reduceToShared(full, d))).toEqual(Array.from(t));
  });
});

describe('Laplace log evidence', () => {
  it('is exact for a Gaussian peak: f = (x-m)^T A (x-m) / 2 + c gives -c + (k/2) log 2pi - log det A / 2 (to 1e-6)', () => {
    const A = [[2, 0.5], [0.5, 1]];
    const m = [0.3, -0.2];
    const c = 1.7;
    const fg = (x: Float64Array, g: Float64Array) => {
      const u = [x[0] - m[0], x[1] - m[1]];
      g[0] = A[0][0] * u[0] + A[0][1] * u[1];
      g[1] = A[1][0] * u[0] + A[1][1] * u[1];
      return 0.5 * (u[0] * g[0] + u[1] * g[1]) + c;
    };
    const logZ = laplaceLogEvidence(fg, Float64Array.from(m), c, [-10, -10], [10, 10]);
    const exact = -c + Math.log(2 * Math.PI) - 0.5 * Math.log(2 * 1 - 0.25);
    expect(Math.abs(logZ - exact)).toBeLessThan(1e-6);
    // A coordinate on its bound is held fixed: only the other one's curvature counts.
    const fixed = laplaceLogEvidence(fg, Float64Array.from(m), c, [m[0], -10], [10, 10]);
    expect(Math.abs(fixed - (-c + 0.5 * Math.log(2 * Math.PI) - 0.5 * Math.log(A[1][1])))).toBeLessThan(1e-6);
  });

  it('stays finite for a flat direction (curvature floored)', () => {
    const fg = (x: Float64Array, g: Float64Array) => { g[0] = x[0]; g[1] = 0; return 0.5 * x[0] * x[0]; };
    expect(Number.isFinite(laplaceLogEvidence(fg, new Float64Array(2), 0, [-1, -1], [1, 1]))).toBe(true);
  });
});

describe('GaussianProcess lengthscales option', () => {
  it("'shared' fits one lengthscale for all dimensions; 'ard' does not on axis-aligned data", () => {
    const { X, y } = sample(2, 25, 4, axis);
    const shared = new GaussianProcess({ lengthscales: 'shared', rng: new Rng(1) }).fit(X, y, 4);
    const ls = Array.from(shared.hyperparameters.lengthscales);
    expect(new Set(ls).size).toBe(1);
    expect(shared.fitStats.lengthscales).toBe('shared');
    const ard = new GaussianProcess({ lengthscales: 'ard', rng: new Rng(1) }).fit(X, y, 4);
    const la = ard.hyperparameters.lengthscales;
    expect(Math.min(la[1], la[2], la[3]) / la[0]).toBeGreaterThan(10);
    expect(ard.logMarginalLikelihood).toBeGreaterThan(shared.logMarginalLikelihood);
  });

  it("'auto' chooses shared on radial data and ARD on axis-aligned data (n = 10, 20, 40, d = 4)", () => {
    for (const n of [10, 20, 40]) {
      for (const [f, want] of [[radial, 'shared'], [axis, 'ard']] as const) {
        const { X, y } = sample(3 + n, n, 4, f);
        const gp = new GaussianProcess({ lengthscales: 'auto', rng: new Rng(1) }).fit(X, y, 4);
        expect(gp.fitStats.lengthscales).toBe(want);
        const ls = gp.hyperparameters.lengthscales;
        expect(ls.every((v) => v === ls[0])).toBe(want === 'shared');
      }
    }
  });

  it("'ard' (the default) fits exactly as before the option existed", () => {
    const { X, y } = sample(4, 20, 3, radial);
    const a = new GaussianProcess({ rng: new Rng(5) }).fit(X, y, 3);
    const b = new GaussianProcess({ lengthscales: 'ard', rng: new Rng(5) }).fit(X, y, 3);
    expect(Array.from(b.hyperparameters.lengthscales)).toEqual(Array.from(a.hyperparameters.lengthscales));
    expect(a.fitStats.lengthscales).toBe('ard');
  });

  it('refuses an unknown lengthscale model, naming the option', () => {
    let err: unknown;
    try { new GaussianProcess({ lengthscales: 'iso' } as unknown as GPOptions); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as Error).message).toBe('lengthscales: must be one of "ard", "shared", "auto" (got "iso")');
  });

  it('the shared model stays inside the lengthscale box', () => {
    const { lower, upper } = hyperparameterBounds(4, 1e-6);
    const { X, y } = sample(6, 12, 4, () => 1 + 1e-9);
    const gp = new GaussianProcess({ lengthscales: 'shared', rng: new Rng(1) }).fit(X, y, 4);
    for (const l of gp.hyperparameters.lengthscales) {
      expect(Math.log(l)).toBeGreaterThanOrEqual(lower[0] - 1e-12);
      expect(Math.log(l)).toBeLessThanOrEqual(upper[0] + 1e-12);
    }
  });
});
