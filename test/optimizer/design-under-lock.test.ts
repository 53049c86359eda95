/**
 * Workers on one journal share out the initial design: how many design
 * points are still due is read under the journal lock, at the ask, so
 * workers asking at the same time never ask more than `initPoints` of them
 * between them. (Read before taking the lock, workers that all saw 3 of 4
 * trials asked each asked a design point: 6 design trials where 4 were due.)
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization, pointKey } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { Journal, MemoryJournalBackend } from '../../src/storage';

const PB = { x: [0, 1], y: [0, 1] } as const;
const quad = ({ x, y }: Params): number => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;
const FAST = { engine: 'cpu', candidates: 200, gp: { restarts: 1 }, log: () => undefined } as const;
const tick = () => new Promise<void>((r) => setTimeout(r, 1));

describe('the initial design shared by workers on one journal', () => {
  // different seeds: each worker's own design, so an extra design point shows as a 5th 'init' trial
  for (const seeds of [[1, 2, 3], [4, 5, 6]]) {
    it(`seeds ${seeds.join(', ')}: 3 workers x maximize({ concurrency: 2, resume: true }), initPoints 4: exactly 4 design trials, the budget of 10 kept`, async () => {
      const backend = new MemoryJournalBackend();
      const f = async (p: Params) => {
        await tick();
        return quad(p);
      };
      const opts = seeds.map((s) => new BayesianOptimization({ ...FAST, f, pbounds: PB, randomState: s, journal: backend }));
      await Promise.all(opts.map((o) => o.ready()));
      await Promise.all(opts.map((o) => o.maximize({ initPoints: 4, nIter: 6, resume: true, concurrency: 2 })));
      const s = await (await Journal.open(backend)).load();
      expect(s.trials).toHaveLength(10);
      expect(s.trials.every((t) => t.status === 'complete')).toBe(true);
      expect(s.trials.filter((t) => t.source === 'init').map((t) => t.id)).toEqual([0, 1, 2, 3]);
      expect(new Set(s.trials.map((t) => pointKey(t.params))).size).toBe(10);
      opts.forEach((o) => o.dispose());
    });
  }

  it('3 workers with different seeds calling suggest() at the same time, initPoints 4: 4 design points, the rest from the model', async () => {
    const backend = new MemoryJournalBackend();
    const opts = [11, 12, 13].map((s) => new BayesianOptimization({ ...FAST, pbounds: PB, randomState: s, journal: backend, initPoints: 4 }));
    await Promise.all(opts.map((o) => o.ready()));
    // two rounds of 2 overlapping calls per worker: 12 points asked, the first 4 of the design
    for (let round = 0; round < 2; round++) {
      const points = await Promise.all(opts.flatMap((o) => [o.suggest(), o.suggest()].map((p) => p.then((q) => [o, q] as const))));
      for (const [o, p] of points) await o.register(p, quad(p));
    }
    const s = await (await Journal.open(backend)).load();
    expect(s.trials).toHaveLength(12);
    expect(s.trials.filter((t) => t.source === 'init').map((t) => t.id)).toEqual([0, 1, 2, 3]);
    // past the design: nothing was complete in the first round (random points), the model in the second
    expect(s.trials.slice(4, 6).map((t) => t.source)).toEqual(['random', 'random']);
    expect(s.trials.slice(6).map((t) => t.source)).toEqual(Array(6).fill('suggest'));
    opts.forEach((o) => o.dispose());
  });
});
