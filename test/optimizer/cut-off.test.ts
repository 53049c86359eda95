/** Trials the optimizer itself cut off (its maximize signal, dispose) are no reading of the objective: the model leaves them out. */
import { describe, expect, it } from 'vitest';
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
});
