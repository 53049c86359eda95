/**
 * A trial the pruner stopped whose worker ended before recording so: a
 * resume ends it pruned at that report whatever its `resume` budget holds
 * (it takes no new place and evaluates nothing), and the run's planned
 * count leaves it out.
 */
import { describe, expect, it } from 'vitest';
import { RandomSearch } from '../../src/optimizer';
import { CrashedWorkers, PB, quad, untilStopped } from './fixtures/journal-study';


/** A journal of 4 trials whose last one (id 3) the pruner stopped at step 1, its worker ending before the tell. */
async function stoppedLast(): Promise<string> {
  const backend = new CrashedWorkers();
  const { opt, run } = await untilStopped(backend, 3);
  const text = backend.text;
  opt.dispose();
  await run;
  return text;
}

describe('resuming a trial the pruner had stopped', () => {
  it('ends it pruned when the resume budget is already taken, and says no trial is left pending', async () => {
    const logged: string[] = [];
    let calls = 0;
    const b = new RandomSearch({ pbounds: PB, randomState: 1, journal: new CrashedWorkers(await stoppedLast()), f: (p) => (calls++, quad(p)), log: (l) => logged.push(l) });
    await b.maximize({ initPoints: 2, nIter: 1, resume: true }); // a budget of 3, where the study holds 4
    expect(logged).toEqual(['journal: resumed 3 finished trial(s), 0 interrupted trial(s) to re-ask, 1 the pruner had stopped to end pruned']);
    expect(b.trials.map((t) => [t.id, t.status, t.step])).toEqual([[0, 'complete', undefined], [1, 'complete', undefined], [2, 'complete', undefined], [3, 'pruned', 1]]);
    expect(calls).toBe(0);
    await b.close();
  });

  it('plannedTrials does not count it as an evaluation', async () => {
    let calls = 0;
    const b = new RandomSearch({ pbounds: PB, randomState: 1, journal: new CrashedWorkers(await stoppedLast()), f: (p) => (calls++, quad(p)), log: () => undefined });
    await b.ready();
    const planned = b.plannedTrials({ initPoints: 4, nIter: 2, resume: true });
    await b.maximize({ initPoints: 4, nIter: 2, resume: true });
    expect([planned, calls]).toEqual([2, 2]);
    expect(b.trials[3].status).toBe('pruned');
    await b.close();
  });
});
