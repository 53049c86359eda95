import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { minimizeLbfgsb, projectedGradientNorm } from '../../src/util/lbfgsb';
import { Rng } from '../../src/util/rng';

const TOL_X = 1e-4; // distance to a known minimizer
const TOL_KKT = 1e-5; // projected-gradient / complementarity tolerance

/** Extended Rosenbrock: minimum 0 at (1, ..., 1). */
function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

describe('minimizeLbfgsb', () => {
  it('finds the Rosenbrock minimum from the classic start (-1.2, 1)', () => {
    const res = minimizeLbfgsb(rosenbrock, [-1.2, 1]);
    expect(res.converged).toBe(true);
    expect(Math.abs(res.x[0] - 1)).toBeLessThan(TOL_X);
    expect(Math.abs(res.x[1] - 1)).toBeLessThan(TOL_X);
    expect(res.f).toBeLessThan(1e-8);
    expect(res.iterations).toBeLessThan(100);
  });

  it('finds the 6-dimensional Rosenbrock minimum', () => {
    const res = minimizeLbfgsb(rosenbrock, [-1.2, 1, -1.2, 1, -1.2, 1]);
    for (const v of res.x) expect(Math.abs(v - 1)).toBeLessThan(TOL_X);
  });

  it('stops on the bound for Rosenbrock with x0 <= 0.5 (known solution (0.5, 0.25), f = 0.25)', () => {
    // with x0 capped, y = x0^2 zeroes the first term and (1 - x0)^2 is smallest at the cap
    const res = minimizeLbfgsb(rosenbrock, [-1.2, 1], { lower: [-2, -2], upper: [0.5, 2] });
    expect(res.x[0]).toBe(0.5);
    expect(Math.abs(res.x[1] - 0.25)).toBeLessThan(TOL_X);
    expect(Math.abs(res.f - 0.25)).toBeLessThan(1e-8);
    expect(res.reason).toBe('pgtol');
  });

  it('solves a separable bounded quadratic whose optimum is on the boundary', () => {
    const c = [2, -3, 0.5];
    const fg = (x: Float64Array, g: Float64Array) => {
      let f = 0;
      for (let i = 0; i < 3; i++) { f += (x[i] - c[i]) ** 2; g[i] = 2 * (x[i] - c[i]); }
      return f;
    };
    const res = minimizeLbfgsb(fg, [0, 0, 0], { lower: [-1, -1, -1], upper: [1, 1, 1] });
    expect(Array.from(res.x)).toEqual([1, -1, expect.closeTo(0.5, 8)]);
    expect(res.converged).toBe(true);
  });

  it('satisfies the KKT conditions on random coupled box-constrained quadratics', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 10; trial++) {
      const n = 6;
      // A = B B^T + I (SPD, coupled), f = x^T A x / 2 - b^T x
      const B = Array.from({ length: n * n }, () => rng.normal());
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = i === j ? 1 : 0;
          for (let k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
          A[i * n + j] = s;
        }
      }
      const b = Array.from({ length: n }, () => 5 * rng.normal());
      const fg = (x: Float64Array, g: Float64Array) => {
        let f = 0;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
          g[i] = s - b[i];
          f += 0.5 * x[i] * s - b[i] * x[i];
        }
        return f;
      };
      const lower = new Array(n).fill(-0.5);
      const upper = new Array(n).fill(0.5);
      const res = minimizeLbfgsb(fg, new Array(n).fill(0), { lower, upper, pgtol: 1e-8, ftol: 0 });
      expect(projectedGradientNorm(res.x, res.grad, lower, upper)).toBeLessThan(TOL_KKT);
      let atBound = 0;
      for (let i = 0; i < n; i++) {
        if (res.x[i] <= lower[i]) { atBound++; expect(res.grad[i]).toBeGreaterThan(-TOL_KKT); }
        else if (res.x[i] >= upper[i]) { atBound++; expect(res.grad[i]).toBeLessThan(TOL_KKT); }
        else expect(Math.abs(res.grad[i])).toBeLessThan(TOL_KKT);
      }
      if (trial === 0) expect(atBound).toBeGreaterThan(0); // the test exercises the active set
    }
  });

  it('clips a start outside the box', () => {
    const res = minimizeLbfgsb((x, g) => { g[0] = 2 * x[0]; return x[0] * x[0]; }, [10], { lower: [1], upper: [5] });
    expect(res.x[0]).toBe(1);
    expect(res.f).toBe(1);
  });

  it('backtracks from non-finite objective values instead of failing', () => {
    // finite only for x < 2; unconstrained minimum of the finite part at 3
    const fg = (x: Float64Array, g: Float64Array) => {
      g[0] = 2 * (x[0] - 3);
      return x[0] < 2 ? (x[0] - 3) ** 2 : Infinity;
    };
    const res = minimizeLbfgsb(fg, [0], { maxIterations: 50 });
    expect(Number.isFinite(res.f)).toBe(true);
    expect(res.x[0]).toBeLessThan(2);
    expect(res.x[0]).toBeGreaterThan(1.9);
  });

  it('reports a non-finite start without evaluating further', () => {
    const res = minimizeLbfgsb((_x, g) => { g[0] = 0; return NaN; }, [0]);
    expect(res.reason).toBe('non-finite-start');
    expect(res.evaluations).toBe(1);
    expect(res.converged).toBe(false);
  });

  it('honours maxIterations and maxEvaluations', () => {
    expect(minimizeLbfgsb(rosenbrock, [-1.2, 1], { maxIterations: 3 }).reason).toBe('max-iterations');
    const res = minimizeLbfgsb(rosenbrock, [-1.2, 1], { maxEvaluations: 5 });
    expect(res.reason).toBe('max-evaluations');
    expect(res.evaluations).toBe(5);
  });

  it('rejects inconsistent bounds and starts with exact messages', () => {
    const f = (_x: Float64Array, g: Float64Array) => { g.fill(0); return 0; };
    expect(() => minimizeLbfgsb(f, [0, 0], { lower: [0, 1], upper: [1, 0] }))
      .toThrow(new InvalidOptionError('lower: bound 1 (1) must not exceed upper bound (0)', 'lower'));
    expect(() => minimizeLbfgsb(f, [0, 0], { lower: [0] }))
      .toThrow('lower: expected 2 bounds, got 1');
    expect(() => minimizeLbfgsb(f, [0, NaN])).toThrow('x0: entry 1 must be finite (got NaN)');
    expect(() => minimizeLbfgsb(f, [0], { memory: 0 })).toThrow('memory: must be a positive integer (got 0)');
  });
});
