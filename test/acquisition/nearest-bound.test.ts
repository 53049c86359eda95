/**
 * The float64 twin of the GPU screening bound never falls below the exact
 * ranking score it bounds: every acquisition, well- and ill-conditioned fits.
 */
import { describe, expect, it } from 'vitest';
import { scorePoints } from '../../src/acquisition/cpu-engine';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { nearestBounds } from '../../src/acquisition/nearest-bound';
import { illConditionedProblem, makePoints, makeProblem, pointsNear } from '../gpu/helpers';

const SPECS: AcquisitionSpec[] = [
  { kind: 'ei', xi: 0, kappa: 2.576 },
  { kind: 'ei', xi: 0.05, kappa: 2.576 },
  { kind: 'pi', xi: 0.01, kappa: 2.576 },
  { kind: 'ucb', xi: 0, kappa: 2.576 },
];


describe('nearestBounds', () => {
  const problems = [
    ['matern52, n 120, d 3', makeProblem({ seed: 5, n: 120, d: 3, kernel: 'matern52' })],
    ['rbf, n 80, d 5', makeProblem({ seed: 6, n: 80, d: 5, kernel: 'rbf' })],
    ['duplicates, noise 1e-6', illConditionedProblem(7, 90, 2)],
  ] as const;
  for (const [label, f] of problems) {
    it(`bounds every candidate's exact score from above (${label})`, () => {
      const m = 600;
      // half the candidates next to observations, where the bound is tightest
      const pts = pointsNear(11, m, f, f.X, f.n, m / 2, 1e-3);
      for (const spec of SPECS) {
        const best = 0.8;
        const ub = nearestBounds(f, pts, m, spec, best);
        const exact = scorePoints(f, pts, m, spec, best).score;
        let below = 0;
        let tight = 0;
        for (let c = 0; c < m; c++) {
          if (ub[c] < exact[c] - 1e-9 * Math.max(1, Math.abs(exact[c]))) below++;
          if (ub[c] - exact[c] < 0.5) tight++;
        }
        expect(below).toBe(0);
        // not vacuous: many bounds are within half a unit of the score
        expect(tight).toBeGreaterThan(m / 10);
      }
    });
  }
});

describe('nearestBounds with anchors', () => {
  it('stays above the exact score and tightens next to the anchors (sigma is 1-Lipschitz in the canonical distance)', () => {
    const f = makeProblem({ seed: 8, n: 150, d: 3, kernel: 'matern52' });
    const nA = 8;
    const anchors = makePoints(13, nA, f);
    const anchorVar = scorePoints(f, anchors, nA, SPECS[0], 0.8).variance;
    // candidates within 0.01 of an anchor, as round two's refinements are
    const m = 800;
    const pts = pointsNear(14, m, f, anchors, nA, m, 0.01);
    for (const spec of SPECS) {
      const plain = nearestBounds(f, pts, m, spec, 0.8);
      const anchored = nearestBounds(f, pts, m, spec, 0.8, { points: anchors, count: nA, variance: anchorVar });
      const exact = scorePoints(f, pts, m, spec, 0.8).score;
      let below = 0;
      let looser = 0;
      let tighter = 0;
      for (let c = 0; c < m; c++) {
        if (anchored[c] < exact[c] - 1e-9 * Math.max(1, Math.abs(exact[c]))) below++;
        if (anchored[c] > plain[c]) looser++;
        if (anchored[c] < plain[c] - 1e-6) tighter++;
      }
      expect(below).toBe(0);
      expect(looser).toBe(0);
      if (spec.kind !== 'pi') expect(tighter).toBeGreaterThan(m / 2);
    }
  });
});
