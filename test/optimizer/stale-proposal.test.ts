/**
 * Workers on one journal proposing at the same time, from the same trials:
 * the acquisition has one maximum, so without a check they ask points a
 * float rounding apart and evaluate one point twice over (seen with 4
 * processes on Branin: three trials within 1e-5 of each other). A proposal
 * next to a trial another worker asked meanwhile is made again from the
 * refreshed study, with that trial pending.
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { NEAR } from '../../src/optimizer/asking';
import type { Params } from '../../src/space/types';
import { Journal, MemoryJournalBackend } from '../../src/storage';

const PB = { x: [0, 1], y: [0, 1] } as const;
const quad = ({ x, y }: Params): number => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;
const FAST = { engine: 'cpu', candidates: 500, gp: { restarts: 1 }, initPoints: 4, log: () => undefined } as const;
const apart = (p: Params, q: Params) => Math.max(Math.abs((p.x as number) - (q.x as number)), Math.abs((p.y as number) - (q.y as number)));

describe('proposals made at the same time by workers on one journal', () => {
  for (const seeds of [[3, 4], [5, 5]]) {
    it(`seeds ${seeds.join(' and ')}: 4 rounds of two overlapping suggest() calls, the points of each round more than NEAR apart, both model-guided`, async () => {
      const backend = new MemoryJournalBackend();
      const [a, b] = seeds.map((s) => new BayesianOptimization({ ...FAST, pbounds: PB, randomState: s, journal: backend }));
      await a.ready();
      await b.ready();
      for (const [x, y] of [[0.1, 0.2], [0.5, 0.9], [0.9, 0.4], [0.35, 0.5]]) await a.register({ x, y }, quad({ x, y }));
      for (let round = 0; round < 4; round++) {
        const [pa, pb] = await Promise.all([a.suggest(), b.suggest()]);
        expect(apart(pa, pb), `round ${round}: ${JSON.stringify(pa)} ${JSON.stringify(pb)}`).toBeGreaterThan(NEAR);
        await a.register(pa, quad(pa));
        await b.register(pb, quad(pb));
      }
      const s = await (await Journal.open(backend)).load();
      const model = s.trials.slice(4);
      expect(model).toHaveLength(8);
      expect(model.map((t) => [t.status, t.source])).toEqual(Array(8).fill(['complete', 'suggest']));
      a.dispose();
      b.dispose();
    });
  }
});
