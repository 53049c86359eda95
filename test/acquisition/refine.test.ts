import { describe, expect, it } from 'vitest';
import { acquisitionScore, type AcquisitionSpec } from '../../src/acquisition/functions';
import { choleskyInPlaceFast, factorSolver } from '../../src/gp/cholesky-wasm';
import { refineFromWinner, refineProposal } from '../../src/acquisition/refine';
import { acquisitionScoreGradient, GradientScratch, ROWS, scoreGradient, transposed } from '../../src/acquisition/score-gradient';
import { GaussianProcess, posteriorFromFactors } from '../../src/gp';
import type { KernelName } from '../../src/gp/kernels';
import { Space } from '../../src/space';
import { Rng } from '../../src/util/rng';

function fitted(kernel: KernelName, seed: number, bowl = false) {
  const d = 3;
  const rng = new Rng(seed);
  const n = 14;
  const X = new Float64Array(n * d);
  for (let i = 0; i < X.length; i++) X[i] = rng.random();
  const y = Float64Array.from({ length: n }, (_, i) => bowl
    ? -((X[i * d] - 0.4) ** 2 + (X[i * d + 1] - 0.6) ** 2 + (X[i * d + 2] - 0.5) ** 2)
    : Math.sin(5 * X[i * d]) + Math.cos(3 * X[i * d + 1]) * X[i * d + 2]);
  return new GaussianProcess({ kernel, rng: new Rng(seed + 1) }).fit(X, y, d).factors();
}

const SPECS: AcquisitionSpec[] = [
  { kind: 'ei', xi: 0.01, kappa: 2.576 },
  { kind: 'logei', xi: 0, kappa: 2.576 },
  { kind: 'pi', xi: 0.05, kappa: 2.576 },
  { kind: 'ucb', xi: 0.01, kappa: 2.576 },
];

describe('acquisition gradient', () => {
  for (const kernel of ['matern52', 'rbf'] as const) {
    for (const spec of SPECS) {
      it(`${kernel} ${spec.kind}: value equals acquisitionScore and the gradient matches central differences`, () => {
        const f = fitted(kernel, 5);
        const rng = new Rng(11);
        const g = new Float64Array(3);
        const gp = new Float64Array(3);
        let checked = 0;
        for (let t = 0; t < 20; t++) {
          const x = Float64Array.from({ length: 3 }, () => 0.05 + 0.9 * rng.random());
          // incumbent above and below the posterior mean: both tails of z
          const best = t % 2 ? 1.5 : -0.5;
          const v = acquisitionScoreGradient(f, spec, best, x, g);
          const post = posteriorFromFactors(f, x, 1);
          expect(v).toBeCloseTo(acquisitionScore(spec, post.mean[0], Math.sqrt(post.variance[0]), best), 10);
          const h = 1e-6;
          for (let j = 0; j < 3; j++) {
            const xp = x.slice(); xp[j] += h;
            const xm = x.slice(); xm[j] -= h;
            const fd = (acquisitionScoreGradient(f, spec, best, xp, gp) - acquisitionScoreGradient(f, spec, best, xm, gp)) / (2 * h);
            expect(Math.abs(g[j] - fd)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(fd)));
            checked++;
          }
        }
        expect(checked).toBe(60);
      });
    }
  }

  it('stays finite far into the EI tail (incumbent 30 sd above the mean)', () => {
    const f = fitted('matern52', 9);
    const g = new Float64Array(3);
    const v = acquisitionScoreGradient(f, SPECS[0], 30, [0.3, 0.6, 0.2], g);
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeLessThan(-100);
    for (const c of g) expect(Number.isFinite(c)).toBe(true);
    expect(g.some((c) => c !== 0)).toBe(true);
  });
});

describe('refineProposal', () => {
  it('never lowers the score, stays in the cube, and reaches a stationary point (interior optimum)', () => {
    const f = fitted('matern52', 21, true);
    const space = new Space({ a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 1 }, c: { type: 'float', low: 0, high: 1 } });
    const req = { factors: f, acquisition: SPECS[0], best: 0.5, layout: space.layout };
    const rng = new Rng(2);
    const starts = Float64Array.from({ length: 12 }, () => rng.random());
    const g = new Float64Array(3);
    const s0 = Math.max(...[0, 1, 2, 3].map((s) => acquisitionScoreGradient(f, req.acquisition, req.best, starts.subarray(s * 3, s * 3 + 3), g)));
    const r = refineProposal(req, starts, 4);
    expect(r.score).toBeGreaterThan(s0);
    expect(r.improved).toBe(true);
    for (const v of r.x) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); }
    acquisitionScoreGradient(f, req.acquisition, req.best, r.x, g);
    for (let j = 0; j < 3; j++) {
      expect(r.x[j]).toBeGreaterThan(0.01);
      expect(r.x[j]).toBeLessThan(0.99);
      expect(Math.abs(g[j])).toBeLessThan(1e-3);
    }
  });

  it('discards an ascent that runs into the 1% margin of the cube (the edge-seeking of EI)', () => {
    const f = fitted('matern52', 21);
    const space = new Space({ a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 1 }, c: { type: 'float', low: 0, high: 1 } });
    // An incumbent far above the data: EI is driven by variance, which grows towards the corners.
    const req = { factors: f, acquisition: SPECS[0], best: 4, layout: space.layout };
    const rng = new Rng(6);
    let kept = 0;
    for (let t = 0; t < 10; t++) {
      const start = Float64Array.from({ length: 3 }, () => 0.05 + 0.9 * rng.random());
      const r = refineProposal(req, start, 1);
      for (const v of r.x) expect(v > 0.01 && v < 0.99).toBe(true);
      if (!r.improved) kept++;
    }
    expect(kept).toBeGreaterThan(0);
  });

  it('holds integer and categorical coordinates fixed', () => {
    const space = new Space({
      x: { type: 'float', low: 0, high: 1 },
      k: { type: 'int', low: 1, high: 5 },
      c: { type: 'categorical', choices: ['a', 'b', 'c'] },
    });
    const rng = new Rng(4);
    const pts = space.sample(rng, 12, 'lhs');
    const d = space.dim;
    const X = new Float64Array(pts.length * d);
    pts.forEach((p, i) => X.set(p, i * d));
    const y = Float64Array.from(pts, (u) => Math.sin(6 * u[0]) + u[1]);
    const f = new GaussianProcess({ rng: new Rng(1) }).fit(X, y, d).factors();
    const req = { factors: f, acquisition: SPECS[0], best: 2, layout: space.layout };
    const [w] = space.sample(rng, 1, 'random');
    const x = refineFromWinner(req, Float64Array.from(w), X, 3, 0);
    expect(x.length).toBe(d);
    const snapped = space.encode(space.decode(x));
    // every non-continuous coordinate is already a snapped value
    for (let j = 1; j < d; j++) expect(x[j]).toBe(snapped[j]);
  });
});

/** A GP fitted on seeded inputs (the last `dups` rows copies of the first), with L's transpose; `rng` goes on drawing test points. */
/** `fixed`: [lengthscale, signal variance, noise variance] instead of a fit. */
function fittedCase(c: { seed: number; n: number; d: number; dups: number; noiseFloor: number; fixed?: readonly [number, number, number] }) {
  const rng = new Rng(c.seed);
  const X = Float64Array.from({ length: c.n * c.d }, () => rng.random());
  for (let i = 0; i < c.dups; i++) X.copyWithin((c.n - 1 - i) * c.d, i * c.d, i * c.d + c.d);
  const y = Float64Array.from({ length: c.n }, (_, i) => Math.sin(6 * X[i * c.d]) - X[i * c.d + 1] ** 2);
  const fixedHyperparameters = c.fixed && { lengthscales: new Float64Array(c.d).fill(c.fixed[0]), signalVariance: c.fixed[1], noiseVariance: c.fixed[2] };
  const f = new GaussianProcess({ rng: new Rng(c.seed), noiseFloor: c.noiseFloor, ...(fixedHyperparameters ? { fixedHyperparameters } : {}) }).fit(X, y, c.d).factors();
  return { rng, X, f, U: transposed(f.L, f.n) };
}

describe('acquisition gradient through L^T (the refinement\'s path)', () => {
  // Tolerance 0: the same products in the same order, read from a transposed copy
  // (by columns in the forward substitution, the Matérn kernel and its derivative from one exp),
  // with one scratch reused by every call as a refinement does.
  const cases = [
    { name: 'n = 150, d = 4', seed: 21, n: 150, d: 4, dups: 0, noiseFloor: 1e-6 },
    { name: 'duplicates, noise at the floor 1e-6', seed: 22, n: 120, d: 3, dups: 40, noiseFloor: 1e-6 },
  ];
  for (const c of cases) {
    it(`${c.name}: score and gradient equal acquisitionScoreGradient's, bit for bit`, () => {
      const { rng, X, f, U } = fittedCase(c);
      expect(f.kernel).toBe('matern52');
      const scratch = new GradientScratch(c.n, c.d);
      const g1 = new Float64Array(c.d);
      const g2 = new Float64Array(c.d);
      for (const spec of SPECS) {
        for (let t = 0; t < 10; t++) {
          // half the points on training inputs (variance near 0)
          const x = t % 2 ? X.slice(t * c.d, t * c.d + c.d) : Float64Array.from({ length: c.d }, () => rng.random());
          const a = acquisitionScoreGradient(f, spec, 0.8, x, g1);
          const b = scoreGradient(f, spec, 0.8, x, g2, U, scratch);
          expect(Object.is(a, b) || a === b).toBe(true);
          expect(Array.from(g2)).toEqual(Array.from(g1));
        }
      }
    });
  }
});

describe('acquisition gradient by rows of L (the refinement\'s path above 300 observations)', () => {
  // Not bit for bit: four-accumulator forward sums and back substitution along rows.
  // Stated tolerance for fitted models: score within 1e-6 (relative, at least 1), gradient within 1e-5
  // of its largest entry. Measured: 9e-9 and 7e-8 at n = 400; 1.6e-7 and 8.9e-7 with duplicates at the
  // noise floor, at points 1e-3 from training inputs, where the variance is the difference of two
  // nearly equal sums. Where that difference cancels all but a few digits (lengthscales 100 times the
  // points' spread with a signal variance of 100, beside duplicates), the two orders of summation are
  // equally exact and part in the variance's last digits, which log EI deep in its tail (scores near
  // -1e10) magnifies: 1e-4 there (measured 6.8e-6, gradient 8.3e-6; with points 1e-9 apart and noise
  // 1e-10 up to 1.4e-5 and 3.0e-5).
  const cases = [
    { name: 'n = 400, d = 6', seed: 41, n: 400, d: 6, dups: 0, noiseFloor: 1e-6, tol: [1e-6, 1e-5] },
    { name: 'n = 350, duplicates, noise at the floor 1e-6', seed: 42, n: 350, d: 3, dups: 80, noiseFloor: 1e-6, tol: [1e-6, 1e-5] },
    { name: 'n = 340, duplicates, lengthscales 100, signal variance 100, noise 1e-6', seed: 8, n: 340, d: 3, dups: 170, noiseFloor: 1e-6, fixed: [100, 100, 1e-6] as const, tol: [1e-4, 1e-4] },
  ];
  for (const c of cases) {
    it(`${c.name}: score and gradient agree with the sequential path within tolerance`, () => {
      const { rng, X, f, U } = fittedCase(c);
      const g1 = new Float64Array(c.d);
      const g2 = new Float64Array(c.d);
      let worstS = 0;
      let worstG = 0;
      for (const spec of SPECS) {
        for (let t = 0; t < 10; t++) {
          // some points near training inputs (small variance)
          const x = Float64Array.from({ length: c.d }, (_, j) => (t % 3 ? rng.random() : Math.min(1, X[t * c.d + j] + 1e-3 * rng.normal())));
          const a = scoreGradient(f, spec, 0.8, x, g1, U);
          const b = scoreGradient(f, spec, 0.8, x, g2, ROWS);
          worstS = Math.max(worstS, Math.abs(a - b) / Math.max(1, Math.abs(a)));
          const scale = Math.max(1e-12, ...Array.from(g1, Math.abs));
          for (let j = 0; j < c.d; j++) worstG = Math.max(worstG, Math.abs(g1[j] - g2[j]) / scale);
        }
      }
      expect(worstS).toBeLessThanOrEqual(c.tol[0]);
      expect(worstG).toBeLessThanOrEqual(c.tol[1]);
    });
  }

  it('in the WebAssembly module (factorSolver): the floats of the JavaScript solves by rows, bit for bit, also after another factorization used the module', () => {
    // tolerance 0: the same dot products (four accumulators), the same back substitution by rows
    for (const c of cases) {
      const { rng, X, f } = fittedCase(c);
      const solve = factorSolver(f.L, f.n);
      expect(solve).not.toBeNull();
      const g1 = new Float64Array(c.d);
      const g2 = new Float64Array(c.d);
      let checked = 0;
      for (const spec of SPECS) {
        for (let t = 0; t < 6; t++) {
          const x = Float64Array.from({ length: c.d }, (_, j) => (t % 3 ? rng.random() : Math.min(1, X[t * c.d + j] + 1e-3 * rng.normal())));
          if (t === 3) {
            // another factorization through the thread's module overwrites its memory: the solver copies L again
            const A = new Float64Array(f.n * f.n);
            for (let i = 0; i < f.n; i++) A[i * f.n + i] = 2 + i;
            choleskyInPlaceFast(A, f.n);
          }
          const a = scoreGradient(f, spec, 0.8, x, g1, ROWS);
          const b = scoreGradient(f, spec, 0.8, x, g2, solve);
          expect(Object.is(a, b)).toBe(true);
          expect(Array.from(g2)).toEqual(Array.from(g1));
          checked++;
        }
      }
      expect(checked).toBe(SPECS.length * 6);
    }
  });

  it('n = 320: refinement never lowers the winner\'s score and stays in the cube', () => {
    const rng = new Rng(43);
    const n = 320;
    const d = 4;
    const X = Float64Array.from({ length: n * d }, () => rng.random());
    const y = Float64Array.from({ length: n }, (_, i) => -((X[i * d] - 0.4) ** 2) - (X[i * d + 1] - 0.6) ** 2);
    const f = new GaussianProcess({ rng: new Rng(43) }).fit(X, y, d).factors();
    const spec = SPECS[0];
    const best = Math.max(...new GaussianProcess({ rng: new Rng(43) }).fit(X, y, d).trainingMean({ standardized: true }));
    const layout = Array.from({ length: d }, (_, dim) => ({ kind: 'continuous' as const, name: `x${dim}`, dim, low: 0, high: 1, log: false }));
    const g = new Float64Array(d);
    const x0 = Float64Array.from({ length: d }, () => 0.2 + 0.6 * rng.random());
    const r = refineProposal({ factors: f, acquisition: spec, best, layout }, x0, 1);
    const U = transposed(f.L, f.n);
    expect(scoreGradient(f, spec, best, r.x, g, U)).toBeGreaterThanOrEqual(scoreGradient(f, spec, best, x0, g, U) - 1e-9);
    for (const v of r.x) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); }
  });
});
