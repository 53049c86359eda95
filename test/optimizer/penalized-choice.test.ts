/**
 * The 'penalization' pending strategy (src/optimizer/penalized-choice.ts):
 * the choice moves off running points, equals the penalized score it
 * reports, and through suggest() workers get distinct points.
 */
import { describe, expect, it } from 'vitest';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { lipschitzConstant, penalizedScores, penalizers } from '../../src/acquisition/local-penalization';
import { chooseByPenalization } from '../../src/optimizer/penalized-choice';
import { Space } from '../../src/space';
import { fourAskTellWorkers } from './fixtures/asktell-workers';
import { pendingGp } from './fixtures/pending-gp';

const space = Space.fromOptions({ pbounds: { a: [0, 1], b: [0, 1] } });
const EI: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2.576 };

const setup = pendingGp;

describe('chooseByPenalization', () => {
  it('with the engine\'s point running, picks another point, better under the penalized score', async () => {
    for (const seed of [1, 2, 3]) {
      const { factors, best, incumbents } = setup(seed);
      const winner = incumbents.slice(); // the engine's point, already running
      const pending = Float64Array.of(winner[0], winner[1], 0.9, 0.1);
      const r = await chooseByPenalization({
        factors, best, acquisition: EI, pending, m: 2, winner, incumbents, nIncumbents: 1, layout: space.layout, seed: 5,
      });
      for (let j = 0; j < 2; j++) {
        expect(Math.hypot(r.x[0] - pending[2 * j], r.x[1] - pending[2 * j + 1])).toBeGreaterThan(1e-3);
      }
      const pen = penalizers(factors, pending, 2, lipschitzConstant(factors, 5), best);
      expect(r.lipschitz).toBe(pen.lipschitz);
      expect(r.score).toBeCloseTo(penalizedScores(factors, EI, best, pen, r.x, 1)[0], 12);
      expect(r.score).toBeGreaterThan(penalizedScores(factors, EI, best, pen, winner, 1)[0]);
    }
  });

  it('4 running points around the incumbent: the choice keeps out of every penalized ball', async () => {
    const { factors, best, incumbents } = setup(4);
    const [a, b] = incumbents;
    const pending = Float64Array.of(a, b, Math.min(1, a + 0.02), b, a, Math.min(1, b + 0.02), Math.max(0, a - 0.02), b);
    const r = await chooseByPenalization({
      factors, best, acquisition: EI, pending, m: 4, winner: incumbents.slice(), incumbents, nIncumbents: 1, layout: space.layout, seed: 9,
    });
    for (let j = 0; j < 4; j++) expect(Math.hypot(r.x[0] - pending[2 * j], r.x[1] - pending[2 * j + 1])).toBeGreaterThan(5e-3);
  });
});

describe("pending: 'penalization' through suggest()", () => {
  it('4 workers in one process, 16 trials: distinct points, model-guided past the design', () => fourAskTellWorkers('penalization'));
});
