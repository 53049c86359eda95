/**
 * Two workers of one journal (two backends on one file, as two processes
 * have) reporting at one rung at once: each verdict is given under the
 * journal's lock on the study as written up to that report, so the second
 * sees the first's value. Judged after a read without the lock, each
 * missed the other's and both went on.
 */
import { describe, expect, it } from 'vitest';
import { RandomSearch } from '../../src/optimizer';
import { SuccessiveHalvingPruner } from '../../src/pruners';
import { FileJournalBackend } from '../../src/storage';
import { useTempJournals } from './fixtures/journal-study';

const journal = useTempJournals();

describe('a rung shared by workers of one journal', () => {
  it.each([1, 2, 3])('two reports at one rung at once: the second judged sees the first (seed %i)', async (seed) => {
    const path = journal();
    const backends = [new FileJournalBackend(path), new FileJournalBackend(path)];
    // eta 2, r 1: at step 1, a trial goes on only among the best floor(n / 2) of the n values there (at least 1)
    const [a, b] = backends.map((storage) => new RandomSearch({
      pbounds: { x: [0, 1] }, randomState: seed, storage, log: () => undefined, pruner: new SuccessiveHalvingPruner({ reductionFactor: 2 }),
    }));
    const [pa, pb] = [await a.suggest(), await b.suggest()];
    const stops = await Promise.all([a.report(pa, 1, 1.0), b.report(pb, 1, 0.5)]);
    // a takes the lock first; b, judged second, sees n = 2 values, and only the better (maximizing: 1.0) goes on
    expect(stops).toEqual([false, true]);
    for (const o of [a, b]) await o.close();
    for (const k of backends) await k.close();
  });
});
