import { readFileSync } from 'node:fs';
import { join } from 'node:path';
/**
 * fantasy-acquisition.wgsl (through fantasyScoresGpu) against its float64
 * twin fantasyScores, on seeded problems: d in {2, 6}, n in {7, 130} (two
 * blocks of Linv rows), F in {1, 8}, EI / PI / UCB, m = 700 points (not a
 * multiple of any workgroup size), every 8th next to a training input.
 *
 * Tolerance, per point: the twin's score moved by the f32 error bounds of
 * its inputs (the posterior-parity bounds: each fantasy mean by
 * 32u s2 (||alpha_f||_1 + 1), the variance by 32u varScale, the rounding of
 * z by 4u (|mu| + |best| + |xi|)), the largest change over the four ways
 * of moving the means and the standard deviation together, plus TOL_ABS + TOL_REL |score| for the f32
 * special functions and the log-sum-exp (u = 2^-24).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { averagedScore, fantasyScores, type Fantasies } from '../../src/acquisition/fantasy';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { fantasyScoresGpu, SHADER_SOURCES } from '../../src/gpu';
import type { PosteriorFactors } from '../../src/gp/types';
import { Rng } from '../../src/util/rng';
import { buildFactors, F32_EPS, makePoints, makeProblem, openTestDevice, referencePosterior, validationErrorOf } from './helpers';

const TOL_ABS = 2e-5;
const TOL_REL = 2e-5;
const TOL_POST = 32 * F32_EPS;

const device = await openTestDevice();
afterAll(() => device?.destroy());

/** F fantasies on the inputs of `f`: the targets redrawn, the factor the same; incumbents around 1. */
function fantasies(f: PosteriorFactors, F: number, seed: number): Fantasies {
  const rng = new Rng(seed);
  const alphas = new Float64Array(F * f.n);
  for (let q = 0; q < F; q++) {
    const y = Array.from({ length: f.n }, (_, i) => Math.sin(3 * f.X[i * f.d]) + 0.5 * rng.normal());
    alphas.set(buildFactors({ ...f, y }).alpha, q * f.n);
  }
  return { count: F, alphas, bests: Float64Array.from({ length: F }, () => 1 + 0.3 * rng.normal()) };
}

/**
 * The twin's score at one point with its inputs moved by their bounds: every
 * mean by `dir` (each score rises with every mean), the standard deviation
 * by `sdir` (PI falls with it above the incumbent, rises below).
 */
function shifted(
  f: PosteriorFactors, fz: Fantasies, spec: AcquisitionSpec, mus: number[], variance: number, varScale: number,
  dir: 1 | -1, sdir: 1 | -1,
): number {
  const F = fz.count;
  const moved = mus.map((mu, q) => {
    let a1 = 0;
    for (let i = 0; i < f.n; i++) a1 += Math.abs(fz.alphas[q * f.n + i]);
    const dMu = TOL_POST * f.signalVariance * (a1 + 1) + 4 * F32_EPS * (Math.abs(mu) + Math.abs(fz.bests[q]) + Math.abs(spec.xi));
    return mu + dir * dMu;
  });
  const v = Math.max(0, variance + sdir * TOL_POST * varScale);
  return averagedScore(spec, moved, Math.sqrt(v) * (1 + sdir * 4 * F32_EPS), fz.bests, F);
}

describe('fantasy-acquisition.wgsl', () => {
  it('gets the normal-distribution functions from the include both acquisition kernels share', () => {
    const shared = readFileSync(join(process.cwd(), 'shaders', 'include', 'normal-special.wgsl'), 'utf8');
    expect(shared).toContain('fn log_h(');
    for (const name of ['acquisition', 'fantasy-acquisition']) {
      expect(SHADER_SOURCES[name]).toContain(shared);
      expect(SHADER_SOURCES[name].split('fn log_h(').length).toBe(2);
    }
    for (const src of Object.values(SHADER_SOURCES)) expect(src).not.toContain('//!include');
  });
});

describe.skipIf(device === null)('fantasy acquisition kernel parity', () => {
  const M = 700;
  const specs: AcquisitionSpec[] = [
    { kind: 'ei', xi: 0.01, kappa: 2.576 }, { kind: 'pi', xi: 0.01, kappa: 2.576 }, { kind: 'ucb', xi: 0.01, kappa: 2.576 },
  ];
  for (const [d, n] of [[2, 7], [6, 130]]) {
    for (const F of [1, 8]) {
      it(`d ${d}, n ${n}, F ${F}: matches fantasyScores within the stated bounds`, async () => {
        const f = makeProblem({ seed: 11 * d + n, n, d, kernel: d === 2 ? 'rbf' : 'matern52' });
        const fz = fantasies(f, F, n + F);
        const P = makePoints(d + F, M, f);
        const ref = referencePosterior(f, P, M);
        for (const spec of specs) {
          const { value: got, error } = await validationErrorOf(device!, () => fantasyScoresGpu(device!, f, fz, P, M, spec));
          expect(error).toBeNull();
          const want = fantasyScores(f, fz, P, M, spec);
          let worst = 0;
          for (let c = 0; c < M; c++) {
            const mus = Array.from({ length: F }, (_, q) => {
              let mu = 0;
              for (let i = 0; i < n; i++) mu += ref.K[c * n + i] * fz.alphas[q * n + i];
              return mu;
            });
            let moved = 0;
            for (const dir of [1, -1] as const) {
              for (const sdir of [1, -1] as const) {
                moved = Math.max(moved, Math.abs(shifted(f, fz, spec, mus, ref.variance[c], ref.varScale[c], dir, sdir) - want[c]));
              }
            }
            const tol = moved + TOL_ABS + TOL_REL * Math.abs(want[c]);
            expect(Math.abs(got[c] - want[c]), `${spec.kind} point ${c}`).toBeLessThanOrEqual(tol);
            worst = Math.max(worst, Math.abs(got[c] - want[c]) / tol);
          }
          expect(worst).toBeGreaterThan(0); // the kernel ran and is f32, not a copy of the reference
        }
      });
    }
  }
});
