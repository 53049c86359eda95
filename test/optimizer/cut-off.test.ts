/** Trials the optimizer itself cut off (its maximize signal, dispose) are no reading of the objective: the model leaves them out. */
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import { DISPOSED, SIGNAL_ABORTED } from '../../src/optimizer/cut-off';
import { imputedFailures } from '../../src/optimizer/observations';
import type { Trial } from '../../src/study/types';
import { rejection } from './caught';

const trial = (id: number, status: Trial['status'], error?: string): Trial =>
  ({ id, params: { x: id / 10 }, target: status === 'complete' ? id : null, status, source: 'random', ...(error ? { error } : {}) }) as Trial;

describe('imputedFailures and trials cut off by the optimizer', () => {
  it('leaves out failures for the maximize signal and dispose, keeps the objective\'s own', () => {
    const trials = [trial(0, 'complete'), trial(1, 'failed', 'objective threw: diverged'), trial(2, 'failed', SIGNAL_ABORTED),
      trial(3, 'failed', DISPOSED), trial(4, 'failed', 'objective timed out after 100 ms')];
    expect(imputedFailures(trials).map((t) => t.id)).toEqual([1, 4]);
  });

  it('a trial the maximize signal cut off is failed with its reason, and not imputed', async () => {
    const ac = new AbortController();
    let calls = 0;
    const opt = new RandomSearch({
      f: async ({ x }) => {
        if (++calls === 3) {
          ac.abort();
          await new Promise(() => undefined); // never settles: the signal ends the wait
        }
        return x as number;
      },
      pbounds: { x: [0, 1] }, randomState: 2, log: () => undefined,
    });
    const e = await rejection(opt.maximize({ initPoints: 5, nIter: 0, signal: ac.signal }));
    expect(e.message).toBe(SIGNAL_ABORTED);
    const cut = opt.trials.filter((t) => t.status === 'failed');
    expect(cut.map((t) => t.error)).toEqual([SIGNAL_ABORTED]);
    expect(imputedFailures(opt.trials)).toEqual([]);
    opt.dispose();
  });

  it("maximize's StateError keeps the reason given to abort() as its cause, whenever the signal aborts", async () => {
    const opt = new RandomSearch({ f: ({ x }) => x, pbounds: { x: [0, 1] }, randomState: 3, log: () => undefined });
    // aborted before the call
    const early = new AbortController();
    const reason = new Error('user pressed stop');
    early.abort(reason);
    const e1 = await rejection(opt.maximize({ initPoints: 2, nIter: 0, signal: early.signal }));
    expect([e1.constructor, e1.message, e1.cause]).toEqual([StateError, SIGNAL_ABORTED, reason]);
    // aborted while an objective runs: the objective's signal has the same cause
    const during = new AbortController();
    let seen: unknown;
    const slow = new RandomSearch({
      f: (_p, { signal }) => {
        during.abort('deadline'); // the objective's own signal aborts at once
        seen = (signal.reason as Error).cause;
        return 1;
      },
      pbounds: { x: [0, 1] }, randomState: 3, log: () => undefined,
    });
    const e2 = await rejection(slow.maximize({ initPoints: 2, nIter: 0, signal: during.signal }));
    expect([e2.message, e2.cause, seen]).toEqual([SIGNAL_ABORTED, 'deadline', 'deadline']);
    // aborted between trials (in onTrial)
    const between = new AbortController();
    const e3 = await rejection(opt.maximize({ initPoints: 3, nIter: 0, signal: between.signal, onTrial: () => between.abort(42) }));
    expect([e3.message, e3.cause]).toEqual([SIGNAL_ABORTED, 42]);
    opt.dispose();
    slow.dispose();
  });
});
