/**
 * A `resume` budget shared by workers counts the enqueued trials they take:
 * a claim is refused, where it is written, once the trials taken reach the
 * budget, as an ask is. The check before it reads the worker's own record,
 * which may be behind the others' claims: 3 workers on a budget of 3 ran 6
 * of 6 enqueued trials.
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { Journal, MemoryJournalBackend } from '../../src/storage';
import type { SpaceSpec } from '../../src/space/types';

const space: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };

describe('enqueued trials and a shared resume budget', () => {
  it('3 workers with a budget of 3 take 3 of 6 enqueued trials and leave the rest waiting', async () => {
    const backend = new MemoryJournalBackend();
    const e = await Journal.open(backend, { space, direction: 'maximize' });
    for (let i = 0; i < 6; i++) await e.enqueue({ x: i / 10 });
    const mk = () => new BayesianOptimization({
      space, direction: 'maximize', storage: backend, verbose: 0, randomState: 1, engine: 'cpu',
      f: async (p) => {
        await new Promise((r) => setTimeout(r, 20));
        return p.x as number;
      },
    });
    const workers = [mk(), mk(), mk()];
    await Promise.all(workers.map((o) => o.maximize({ initPoints: 1, nIter: 2, resume: true })));
    for (const o of workers) await o.close();
    const s = await e.load();
    const count = (status: string) => s.trials.filter((t) => t.status === status).length;
    expect([count('complete'), count('waiting')]).toEqual([3, 3]);
    // the first three enqueued, in order
    expect(s.trials.filter((t) => t.status === 'complete').map((t) => t.params.x).sort()).toEqual([0, 0.1, 0.2]);
  });
});
