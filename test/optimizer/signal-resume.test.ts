/**
 * A trial the `maximize` signal cut off is failed with the signal's reason
 * and, like one cut off by dispose(), retried by the next run (a resume in
 * another process, or the same optimizer's next maximize): the study then
 * evaluates the points an uninterrupted run evaluates. Before, it stayed
 * failed, took a place of the budget and its point was never evaluated (a
 * grid search left one cell out).
 */
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors';
import { BayesianOptimization, GridSearch, RandomSearch } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { rejection } from './caught';
import { FAST, PB, quad, useTempJournals } from './fixtures/journal-study';

const tempJournal = useTempJournals();
type Make = typeof BayesianOptimization | typeof RandomSearch | typeof GridSearch;
const budget = { initPoints: 4, nIter: 6, resume: true } as const;
const completed = (o: { res: readonly { status: string; params: Params }[] }) => o.res.filter((t) => t.status === 'complete').map((t) => t.params);

/** An objective whose call number `at` aborts `ac` and then takes a while, so the signal cuts it off. */
function abortingAt(ac: AbortController, at: number): (p: Params) => Promise<number> {
  let calls = 0;
  return async (p) => {
    if (++calls === at) {
      ac.abort();
      await new Promise((r) => setTimeout(r, 30));
    }
    return quad(p);
  };
}

const make = (M: Make, f: (p: Params) => number | Promise<number>, journal?: string) =>
  new M({ ...FAST, f, pbounds: PB, randomState: 1, journal: journal ?? tempJournal() } as never);

describe('a trial cut off by the maximize signal', () => {
  for (const M of [BayesianOptimization, RandomSearch, GridSearch] as Make[]) {
    for (const at of [3, 7]) {
      it(`${M.name}, call ${at}: is failed with the signal's reason, then retried by a resume, which evaluates the uninterrupted run's points`, async () => {
        // a grid search spreads its budget over the grid: 9 points, 3 x 3
        const run = M === GridSearch ? { initPoints: 0, nIter: 9, resume: true } : budget;
        const whole = make(M, quad);
        await whole.maximize(run);
        const path = tempJournal();
        const ac = new AbortController();
        const first = make(M, abortingAt(ac, at), path);
        const e = await rejection(first.maximize({ ...run, signal: ac.signal }));
        expect(e).toBeInstanceOf(StateError);
        expect(first.res.filter((t) => t.status === 'failed').map((t) => t.error)).toEqual(['maximize: aborted by its signal']);
        await first.close();
        const second = make(M, quad, path);
        await second.maximize(run);
        expect(completed(second)).toEqual(completed(whole));
        // the cut-off trial stays failed; its retry names it
        const cut = second.res.find((t) => t.status === 'failed')!;
        expect(second.res.filter((t) => t.retryOf === cut.id).map((t) => [t.status, t.params])).toEqual([['complete', cut.params]]);
        await whole.close();
        await second.close();
      });
    }
  }

  it('a retry the signal cuts off again stays failed: runs in short slots get past a point slower than the slot', async () => {
    const path = tempJournal();
    let calls = 0;
    let slow: Params | null = null;
    // the third call's point never finishes before its signal aborts
    const f = async (p: Params, { signal }: { signal: AbortSignal }) => {
      if (++calls === 3) slow = p;
      if (slow && p.x === slow.x && p.y === slow.y) await new Promise((r) => signal.addEventListener('abort', r));
      return quad(p);
    };
    const ends: string[] = [];
    for (let slot = 0; slot < 3; slot++) {
      const o = new RandomSearch({ ...FAST, f, pbounds: PB, randomState: 1, journal: path });
      const ac = new AbortController();
      const started = calls;
      // slots 0 and 1 end once the slow point runs; slot 2 only after 2 s (a retry of it would hang until then)
      const timer = setInterval(() => { if (slot < 2 ? calls > started && slow : false) ac.abort(); }, 5);
      const guard = setTimeout(() => ac.abort(), 2000);
      ends.push(await o.maximize({ ...budget, signal: ac.signal }).then(() => 'done', (e: Error) => e.message));
      clearInterval(timer);
      clearTimeout(guard);
      await o.close();
    }
    expect(ends).toEqual(['maximize: aborted by its signal', 'maximize: aborted by its signal', 'done']);
    const last = new RandomSearch({ ...FAST, f: quad, pbounds: PB, randomState: 1, journal: path });
    await last.ready();
    const failed = last.trials.filter((t) => t.status === 'failed');
    expect(failed.map((t) => [t.retryOf, t.error])).toEqual([[undefined, 'maximize: aborted by its signal'], [failed[0].id, 'maximize: aborted by its signal']]);
    expect(completed(last)).toHaveLength(budget.initPoints + budget.nIter - 1);
    await last.close();
  });

  it('the same optimizer\'s next maximize retries it too, once; a suggest() after the abort hands out its point first', async () => {
    const whole = make(BayesianOptimization, quad);
    await whole.maximize(budget);
    const ac = new AbortController();
    const opt = make(BayesianOptimization, abortingAt(ac, 6));
    await rejection(opt.maximize({ ...budget, signal: ac.signal }));
    await opt.maximize(budget);
    expect(completed(opt)).toEqual(completed(whole));
    expect(opt.res.filter((t) => t.retryOf !== undefined)).toHaveLength(1);
    const ac2 = new AbortController();
    const asked = make(BayesianOptimization, abortingAt(ac2, 2));
    await rejection(asked.maximize({ ...budget, signal: ac2.signal }));
    const cut = asked.res.find((t) => t.status === 'failed')!;
    expect(await asked.suggest()).toEqual(cut.params);
    await whole.close();
    await opt.close();
    await asked.close();
  });
});
