/**
 * The optimizer on a journal, in one process: resume (finished trials loaded,
 * interrupted ones failed and their points retried, the random stream continued), failures kept with
 * their reason, and dispose() during maximize. The `resume` budget of maximize and
 * workers sharing a journal: ./journal-workers.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { StateError } from '../../src/errors';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { FileJournalBackend, Journal, MemoryJournalBackend } from '../../src/storage';
import { journalEvents } from '../storage/journal-lines';
import { CrashedWorkers, FAST, PB, quad, untilStopped, useTempJournals } from './fixtures/journal-study';

const tempJournal = useTempJournals();
/** The journal as study/ask/tell events (see journalEvents). */
const lines = (path: string): Record<string, any>[] => journalEvents(path);


/** Runs a study whose third objective call never returns: a crash mid-trial. */
async function crashMidTrial(backend: MemoryJournalBackend): Promise<Params> {
  let hung!: (p: Params) => void;
  const hanging = new Promise<Params>((r) => (hung = r));
  let calls = 0;
  const a = new BayesianOptimization({
    ...FAST, pbounds: PB, randomState: 1, journal: backend,
    f: (p) => (++calls === 3 ? (hung(p), new Promise(() => undefined)) : quad(p)),
  });
  void a.maximize({ initPoints: 2, nIter: 3 });
  return hanging;
}

describe('resuming a study from its journal', () => {
  it('without verbose or log, a resume prints nothing; damaged lines are still said', async () => {
    const backend = new MemoryJournalBackend();
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 3, journal: backend });
    await a.maximize({ initPoints: 2, nIter: 0 });
    a.dispose();
    // the damaged lines are said on stderr (console.warn): on stdout they mixed into what a script prints
    const printed = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const stdout = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const b = new BayesianOptimization({ ...FAST, log: undefined, f: quad, pbounds: PB, randomState: 3, journal: new MemoryJournalBackend(backend.text) });
      await b.ready();
      expect(b.res).toHaveLength(2);
      expect(printed).not.toHaveBeenCalled();
      b.dispose();
      const c = new BayesianOptimization({ ...FAST, log: undefined, f: quad, pbounds: PB, randomState: 3, journal: new MemoryJournalBackend(backend.text + 'garbage\n') });
      await c.ready();
      expect(printed).toHaveBeenCalledTimes(1);
      expect(printed.mock.calls[0][0]).toMatch(/^journal: resumed 2 finished trial\(s\), 0 interrupted trial\(s\) to re-ask, 1 damaged line\(s\) skipped \(line \d+: /);
      c.dispose();
      expect(stdout).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
      stdout.mockRestore();
    }
  });

  it('loads finished trials with their ids, targets and best', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 3, journal: path });
    await a.register({ x: 0.5, y: 0.5 }, quad({ x: 0.5, y: 0.5 }));
    await a.maximize({ initPoints: 2, nIter: 2 });
    const p = await a.suggest();
    await a.register(p, quad(p));
    a.dispose();
    const logged: string[] = [];
    const b = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 3, journal: path, log: (l) => logged.push(l) });
    await b.ready();
    expect(b.res).toEqual(a.res);
    expect(b.max).toEqual(a.max);
    expect(logged).toEqual(['journal: resumed 6 finished trial(s), 0 interrupted trial(s) to re-ask']);
  });

  it('suggest() right after construction waits for the journal (ids continue, none reused)', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 3, journal: path });
    await a.maximize({ initPoints: 2, nIter: 1 });
    a.dispose();
    const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3, journal: path });
    const p = await b.suggest(); // no ready() first
    expect(b.trials.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'complete'], [3, 'pending']]);
    const t = await b.register(p, quad(p));
    expect(t.id).toBe(3);
    expect(lines(path).filter((e) => e.type === 'ask').map((e) => e.id)).toEqual([0, 1, 2, 3]);
  });

  it('continues the random stream where it stopped', async () => {
    const whole = new RandomSearch({ f: quad, pbounds: PB, randomState: 5, journal: tempJournal(), log: () => undefined });
    await whole.maximize({ initPoints: 0, nIter: 6 });
    const path = tempJournal();
    const first = new RandomSearch({ f: quad, pbounds: PB, randomState: 5, journal: path, log: () => undefined });
    await first.maximize({ initPoints: 0, nIter: 3 });
    first.dispose();
    // another seed: only the restored stream can give the same points
    const second = new RandomSearch({ f: quad, pbounds: PB, randomState: 99, journal: path, log: () => undefined });
    await second.maximize({ initPoints: 0, nIter: 3 });
    expect(second.res.map((r) => r.params)).toEqual(whole.res.map((r) => r.params));
    const fresh = new RandomSearch({ f: quad, pbounds: PB, randomState: 99, log: () => undefined });
    await fresh.maximize({ initPoints: 0, nIter: 3 });
    expect(fresh.res.map((r) => r.params)).not.toEqual(whole.res.slice(3).map((r) => r.params));
  });

  it('continues a Bayesian study bit for bit: the GP random stream and warm start are restored too', async () => {
    const opts = { ...FAST, f: quad, pbounds: PB, gp: { restarts: 2 } } as const;
    const whole = new BayesianOptimization({ ...opts, randomState: 5 });
    await whole.maximize({ initPoints: 3, nIter: 3, resume: true });
    const at6 = whole.gp.state();
    expect(at6.theta).toHaveLength(4); // 2 lengthscales, signal, noise
    await whole.maximize({ initPoints: 3, nIter: 6, resume: true });
    const path = tempJournal();
    const first = new BayesianOptimization({ ...opts, randomState: 5, journal: path });
    await first.maximize({ initPoints: 3, nIter: 3, resume: true });
    first.dispose();
    // another seed: only the restored streams and hyperparameters can give the same GP and points
    const second = new BayesianOptimization({ ...opts, randomState: 99, journal: path });
    await second.ready();
    // fitN/fitKey (refit 'auto') travel in the wbo:model attr too
    expect(at6.fitN).toBe(5);
    expect(lines(path).filter((e) => e.type === 'ask' && e.source === 'suggest').at(-1)?.model).toMatchObject({ fitN: 5, fitKey: at6.fitKey });
    expect(second.gp.state()).toEqual(at6);
    await second.maximize({ initPoints: 3, nIter: 6, resume: true });
    expect(second.res.map((r) => [r.params, r.target])).toEqual(whole.res.map((r) => [r.params, r.target]));
    expect(lines(path).filter((e) => e.type === 'ask' && e.source === 'suggest').every((e) => e.model?.rng?.length === 4)).toBe(true);
  });

  it('a study stopped within its initial design asks the rest of that design on resume, by maximize and by suggest, and continues as the uninterrupted one', async () => {
    const opts = { ...FAST, f: quad, pbounds: PB, randomState: 1, log: () => undefined } as const;
    const budget = { initPoints: 5, nIter: 4, resume: true };
    const whole = new BayesianOptimization({ ...opts, journal: tempJournal() });
    await whole.maximize(budget);
    const path = tempJournal();
    const first = new BayesianOptimization({ ...opts, journal: path });
    await first.maximize({ ...budget, onTrial: (_t, o) => { if (o.res.length >= 3) o.stop(); } });
    await first.close();
    const second = new BayesianOptimization({ ...opts, journal: path });
    await second.maximize(budget);
    expect(second.res.map((r) => [r.source, r.params])).toEqual(whole.res.map((r) => [r.source, r.params]));
    await whole.close();
    await second.close();
    // ask/tell: 2 of the design's 5 asked and told, then a new optimizer on the journal
    const tell = async (journal: string, upto: number) => {
      const o = new BayesianOptimization({ ...opts, journal, initPoints: 5 });
      while (o.res.length < upto) {
        const p = await o.suggest();
        await o.register(p, quad(p));
      }
      return o;
    };
    const straight = await tell(tempJournal(), 7);
    const again = tempJournal();
    await (await tell(again, 2)).close();
    const resumed = await tell(again, 7);
    expect(resumed.res.map((r) => r.params)).toEqual(straight.res.map((r) => r.params));
    await straight.close();
    await resumed.close();
  });

  it('a second maximize({ resume }) of one optimizer stopped within its design asks the rest of that design', async () => {
    const opts = { ...FAST, f: quad, pbounds: PB, randomState: 1, log: () => undefined } as const;
    const budget = { initPoints: 5, nIter: 3, resume: true };
    const whole = new BayesianOptimization(opts);
    await whole.maximize(budget);
    const twice = new BayesianOptimization(opts);
    await twice.maximize({ ...budget, onTrial: (_t, o) => { if (o.res.length >= 2) o.stop(); } });
    await twice.maximize(budget);
    expect(twice.res.map((r) => [r.source, r.params])).toEqual(whole.res.map((r) => [r.source, r.params]));
  });

  it('after a trial cut off by dispose() and retried, stall-exploration steps continue as in the uninterrupted run', async () => {
    // integers, a categorical, a stepped and a log float: stall exploration (seeded by the trial count) starts within 12 trials
    const space = {
      i: { type: 'int', low: 0, high: 20 }, k: { type: 'categorical', choices: ['x', 'y', 'z'] },
      s: { type: 'float', low: 0, high: 1, step: 0.1 }, c: { type: 'float', low: 1e-3, high: 10, log: true },
    } as const;
    const f = (p: Params) => Object.entries(p).reduce((v, [k, x]) => v - (typeof x === 'number' ? (Math.sin(3 * x + k.length) + 0.1 * x) ** 2 : (String(x).charCodeAt(0) % 7) * 0.1), 0);
    const opts = { ...FAST, space, randomState: 1, candidates: 500, log: () => undefined } as const;
    const budget = { initPoints: 5, nIter: 7, resume: true };
    const whole = new BayesianOptimization({ ...opts, f, journal: tempJournal() });
    await whole.maximize(budget);
    const path = tempJournal();
    let calls = 0;
    const cut: BayesianOptimization = new BayesianOptimization({
      ...opts, journal: path,
      f: async (p) => {
        if (++calls === 2) {
          cut.dispose();
          await new Promise((r) => setTimeout(r, 20));
        }
        return f(p);
      },
    });
    await expect(cut.maximize(budget)).rejects.toThrow();
    const resumed = new BayesianOptimization({ ...opts, f, journal: path });
    await resumed.maximize(budget);
    const completed = (o: BayesianOptimization) => o.res.filter((r) => r.status === 'complete').map((r) => r.params);
    expect(resumed.res.some((r) => r.retryOf !== undefined)).toBe(true);
    expect(completed(resumed)).toEqual(completed(whole));
    await whole.close();
    await resumed.close();
  });

  it('past 64 trials, the GP the stall-exploration steps keep is restored too: a study resumed at 66 continues as the uninterrupted one', async () => {
    // 3 parameters, one log-scaled, an objective with several ridges: from trial 64 on its exploration steps keep a GP of their own
    const space = { a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: -2, high: 3 }, c: { type: 'float', low: 1e-3, high: 10, log: true } } as const;
    const f = (p: Params) => -Object.entries(p).reduce((v, [k, x]) => v + (Math.sin(3 * (x as number) + k.length) + 0.1 * (x as number)) ** 2, 0);
    const opts = { f, space, randomState: 1, engine: 'cpu', candidates: 2000, log: () => undefined } as const;
    const budget = { initPoints: 5, nIter: 75, resume: true }; // 80 trials
    const whole = new BayesianOptimization({ ...opts, journal: tempJournal() });
    await whole.maximize(budget);
    const path = tempJournal();
    const first = new BayesianOptimization({ ...opts, journal: path });
    await first.maximize({ ...budget, nIter: 61 }); // 66 trials
    await first.close();
    const second = new BayesianOptimization({ ...opts, journal: path });
    await second.maximize(budget);
    expect(second.res.map((r) => r.params)).toEqual(whole.res.map((r) => r.params));
    // the exploration GP's state travels with the asks that follow its first step
    expect(lines(path).filter((e) => e.type === 'ask' && e.source === 'suggest').at(-1)?.model?.explore?.rng).toHaveLength(4);
    await whole.close();
    await second.close();
  });

  it('a saved model state with hyperparameters no fit gives (an edited journal) is not restored: said, and the model fitted afresh', async () => {
    const path = tempJournal();
    const opts = { ...FAST, f: quad, pbounds: PB, gp: { restarts: 2 } } as const;
    const first = new BayesianOptimization({ ...opts, randomState: 5, journal: path });
    await first.maximize({ initPoints: 3, nIter: 2 });
    await first.close();
    // the last ask's wbo:model with a lengthscale of e^-50 (kept by the next fit: a variance of 1e21 everywhere)
    const text = readFileSync(path, 'utf8').split('\n');
    let i = text.length - 1;
    while (!text[i].includes('"wbo:model"')) i--;
    const op = JSON.parse(text[i]);
    op.system_attrs['wbo:model'].theta[0] = -50;
    text[i] = JSON.stringify(op);
    writeFileSync(path, text.join('\n'));
    const logged: string[] = [];
    const second = new BayesianOptimization({ ...opts, randomState: 5, journal: path, log: (l) => logged.push(l) });
    await second.maximize({ initPoints: 3, nIter: 4, resume: true });
    expect(logged).toContain(`journal: the saved model state was not restored ("theta": log lengthscale 0 -50 is outside the fit's bounds [${Math.log(1e-2)}, ${Math.log(1e2)}]); the model is fitted afresh`);
    expect(second.res).toHaveLength(7);
    const ls = second.gp.hyperparameters.lengthscales;
    expect(ls.every((l) => l >= 1e-2 && l <= 1e2)).toBe(true);
    await second.close();
  });

  it('a trial the pruner had stopped, whose worker ended before recording so, ends pruned at that report: never retried', async () => {
    const backend = new CrashedWorkers();
    // the process ends before trial 2 is recorded pruned; `run` rejects once `a` is disposed below
    const { opt: a, run } = await untilStopped(backend, 2);
    const logged: string[] = [];
    const b = new RandomSearch({ pbounds: PB, randomState: 1, journal: new CrashedWorkers(backend.text), f: quad, log: (l) => logged.push(l) });
    await b.maximize({ initPoints: 4, nIter: 0, resume: true });
    expect(logged).toEqual(['journal: resumed 2 finished trial(s), 0 interrupted trial(s) to re-ask, 1 the pruner had stopped to end pruned']);
    const t2 = b.trials[2];
    expect([t2.status, t2.step, t2.target]).toEqual(['pruned', 1, t2.intermediate![1]]);
    // no retry of it: the budget of 4 ends with trials 0..3, and trial 3 is a new point
    expect(b.trials.map((t) => [t.id, t.status, t.retryOf])).toEqual([[0, 'complete', undefined], [1, 'complete', undefined], [2, 'pruned', undefined], [3, 'complete', undefined]]);
    const s = await (await Journal.open(new MemoryJournalBackend(backend.text))).load();
    expect(s.trials[2].status).toBe('pending'); // the first worker's record ended with the verdict's report
    a.dispose();
    expect(await run).toBeInstanceOf(StateError);
  });

  it('fails the interrupted trial and retries its point first as a new trial, then finishes the budget', async () => {
    const backend = new CrashedWorkers();
    const lost = await crashMidTrial(backend);
    const seen: [number, Params][] = [];
    const logged: string[] = [];
    const b = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 1, journal: backend, log: (l) => logged.push(l),
      f: (p, { trialId }) => (seen.push([trialId, p]), quad(p)),
    });
    await b.ready();
    expect(logged).toEqual(['journal: resumed 2 finished trial(s), 1 interrupted trial(s) to re-ask']);
    expect(b.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'pending']);
    await b.maximize({ initPoints: 2, nIter: 3, resume: true });
    // the retry fills the failed trial's slot: the budget of 5 still ends with 5 completed trials
    expect(seen[0]).toEqual([3, lost]);
    expect(seen.map(([id]) => id)).toEqual([3, 4, 5]);
    expect(b.res.map((r) => [r.id, r.status])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'failed'], [3, 'complete'], [4, 'complete'], [5, 'complete']]);
    expect(b.res.map((r) => r.source)).toEqual(['init', 'init', 'suggest', 'suggest', 'suggest', 'suggest']);
    expect(b.trials[3]).toMatchObject({ retryOf: 2, params: lost });
    expect(b.trials[2].error).toMatch(/^interrupted: worker .* stopped mid-trial/);
    const s = await (await Journal.open(backend)).load();
    expect(s.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'failed', 'complete', 'complete', 'complete']);
  });

  it('after a crash mid-trial, a resumed Bayesian study continues as the uninterrupted one: the retried failure is not imputed', async () => {
    const whole = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 1, journal: new MemoryJournalBackend(), f: quad });
    await whole.maximize({ initPoints: 2, nIter: 5 });
    const backend = new CrashedWorkers();
    await crashMidTrial(backend); // the same study, its third trial never told
    const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 1, journal: backend, f: quad });
    await b.maximize({ initPoints: 2, nIter: 5, resume: true });
    const done = (o: BayesianOptimization) => o.res.filter((t) => t.status === 'complete').map((t) => t.params);
    expect(b.res.filter((t) => t.status === 'failed')).toHaveLength(1);
    // before, the failed trial was imputed at the worst value beside its retry's real one: the suggestions after it differed
    expect(done(b)).toEqual(done(whole));
    whole.dispose();
    b.dispose();
  });

  it('with resume, an interrupted trial past the budget is not retried (left pending, said): a rerun with a smaller budget stays within it', async () => {
    const backend = new CrashedWorkers();
    const lost = await crashMidTrial(backend); // 2 complete, the third (place 3) interrupted
    const logged: string[] = [];
    const seen: number[] = [];
    const b = new RandomSearch({ pbounds: PB, randomState: 1, journal: backend, log: (l) => logged.push(l), f: (p, { trialId }) => (seen.push(trialId), quad(p)) });
    await b.maximize({ initPoints: 2, nIter: 0, resume: true });
    expect(seen).toEqual([]);
    expect(logged).toContain('journal: 1 interrupted trial(s) past the budget of 2 left to retry, for a run with a larger budget');
    expect(b.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'pending']);
    // a budget of 3 has its place: retried there, and nothing else runs
    await b.maximize({ initPoints: 3, nIter: 0, resume: true });
    expect(seen).toEqual([3]);
    expect(b.trials.map((t) => [t.status, t.retryOf])).toEqual([['complete', undefined], ['complete', undefined], ['failed', undefined], ['complete', 2]]);
    expect(b.trials[3].params).toEqual(lost);
    await b.close();
    // an enqueued trial still waiting takes no place: the interrupted trial inside the budget is retried
    const again = new CrashedWorkers();
    await crashMidTrial(again);
    const c = new RandomSearch({ pbounds: PB, randomState: 1, journal: again, log: () => undefined, f: quad });
    await c.enqueue({ x: 0.5, y: 0.5 });
    await c.maximize({ initPoints: 3, nIter: 0, resume: true });
    expect(c.trials.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'failed'], [3, 'waiting'], [4, 'complete']]);
    expect(c.trials[4].retryOf).toBe(2);
    await c.close();
  });

  it('a disposed optimizer\'s unregistered suggestions are retried by the next one in the same process, not taken as running', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 4, journal: path });
    for (let i = 0; i < 3; i++) {
      const p = await a.suggest();
      await a.register(p, quad(p));
    }
    const left = [await a.suggest(), await a.suggest()];
    a.dispose();
    const logged: string[] = [];
    const seen: Params[] = [];
    const b = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 4, journal: path, log: (l) => logged.push(l),
      f: (p) => (seen.push(p), quad(p)),
    });
    await b.ready();
    expect(logged).toEqual(['journal: resumed 3 finished trial(s), 2 interrupted trial(s) to re-ask']);
    await b.maximize({ initPoints: 2, nIter: 4, resume: true });
    // the two abandoned points are evaluated first, as retries; the budget of 6 ends with 6 completed trials
    expect(seen.slice(0, 2)).toEqual(left);
    expect(seen).toHaveLength(3);
    expect(b.res.filter((t) => t.status === 'complete')).toHaveLength(6);
    expect(b.res.map((t) => [t.id, t.status]).sort((x, y) => (x[0] as number) - (y[0] as number))).toEqual([
      [0, 'complete'], [1, 'complete'], [2, 'complete'], [3, 'failed'], [4, 'failed'], [5, 'complete'], [6, 'complete'], [7, 'complete'],
    ]);
    expect(b.trials.filter((t) => t.retryOf !== undefined).map((t) => [t.retryOf, t.params])).toEqual([[3, left[0]], [4, left[1]]]);
    expect(b.trials[3].error).toMatch(/^interrupted: worker .*:\d+:[0-9a-f]+\.\d+ stopped mid-trial/);
    b.dispose();
  });

  it('optimizers sharing one backend the caller keeps open are separate workers: a disposed one\'s suggestions are retried by the other', async () => {
    const backend = new FileJournalBackend(tempJournal());
    const a = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 4, journal: backend });
    const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 5, journal: backend });
    for (let i = 0; i < 3; i++) {
      const p = await a.suggest();
      await a.register(p, quad(p));
    }
    const left = await a.suggest();
    const mine = await b.suggest();
    expect(a.study.worker).not.toBe(b.study.worker);
    a.dispose();
    await new Promise((r) => setTimeout(r, 0));
    // b's own pending point stays b's to register; a's abandoned one is failed and asked again by b
    const again = await b.suggest();
    expect(again).toEqual(left);
    const t = await b.register(again, quad(again));
    expect(t).toMatchObject({ id: 5, status: 'complete', retryOf: 3 });
    expect(await b.register(mine, quad(mine))).toMatchObject({ id: 4, status: 'complete' });
    const s = await (await Journal.open(backend)).load();
    expect(s.trials.map((x) => [x.status, x.worker === a.study.worker ? 'a' : x.worker === b.study.worker ? 'b' : '?'])).toEqual([
      ['complete', 'a'], ['complete', 'a'], ['complete', 'a'], ['failed', 'a'], ['complete', 'b'], ['complete', 'b'],
    ]);
    b.dispose();
    await backend.close();
  });

  it('suggest() hands out the interrupted trial\'s point first (as its retry); register() completes the retry', async () => {
    const backend = new CrashedWorkers();
    const lost = await crashMidTrial(backend);
    const b = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 1, journal: backend });
    const p = await b.suggest();
    expect(p).toEqual(lost);
    const t = await b.register(p, quad(p));
    expect(t).toMatchObject({ id: 3, status: 'complete', target: quad(lost), retryOf: 2 });
    const q = await b.suggest();
    expect(q).not.toEqual(lost);
    expect(b.trials.map((x) => [x.id, x.status])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'failed'], [3, 'complete'], [4, 'pending']]);
  });
});

describe('a damaged model state in a journal', () => {
  it('an all-zero generator or a fractional count is no model state: the study resumes (the GP refused it on restore, and resume threw)', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, journal: path, randomState: 1 });
    await a.maximize({ initPoints: 3, nIter: 3 });
    await a.close();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('"wbo:model":{"rng":');
    for (const damaged of [
      text.replace(/("wbo:model":\{"rng":)\[[^\]]*\]/g, '$1[0,0,0,0]'),
      text.replace(/("wbo:model":\{[^}]*"fitN":)\d+/g, '$11.5'),
    ]) {
      writeFileSync(path, damaged);
      const b = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, journal: path, randomState: 1 });
      await b.maximize({ initPoints: 0, nIter: 1 });
      expect(b.res.filter((t) => t.status === 'complete')).toHaveLength(7);
      await b.close();
    }
  });
});

describe('objective faults in a journal', () => {
  const REASONS = [
    'objective threw: boom',
    'objective returned NaN',
    'objective returned Infinity',
    'objective returned a string ("abc"), expected a finite number',
    'objective returned undefined, expected a finite number',
    'objective timed out after 40 ms',
  ];
  // returns what the type refuses, to check the run-time refusal
  const faulty = (p: Params): unknown => {
    switch (p.x) {
      case 0.1: throw new Error('boom');
      case 0.2: return NaN;
      case 0.3: return Infinity;
      case 0.4: return 'abc';
      case 0.5: return undefined;
      case 0.6: return new Promise(() => undefined); // hangs
      default: return quad(p);
    }
  };

  it('are written with their reason, resumed as failed and never re-run', async () => {
    const path = tempJournal();
    const a = new BayesianOptimization({ ...FAST, f: faulty as never, pbounds: PB, randomState: 2, trialTimeoutMs: 40, journal: path });
    for (const x of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]) await a.probe({ x, y: 0.5 });
    await a.maximize({ initPoints: 0, nIter: 0 });
    const tells = lines(path).filter((e) => e.type === 'tell');
    expect(tells.map((e) => [e.status, e.target, e.error])).toEqual([
      ...REASONS.map((r) => ['failed', null, r]),
      ['complete', quad({ x: 0.7, y: 0.5 }), undefined],
    ]);
    a.dispose();

    const calls: Params[] = [];
    const b = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 2, journal: path, f: (p) => (calls.push(p), quad(p)),
    });
    await b.ready();
    expect(b.res.map((r) => r.error ?? r.status)).toEqual([...REASONS, 'complete']);
    expect(b.res.slice(0, 6).every((r) => r.status === 'failed' && r.target === null)).toBe(true);
    await b.maximize({ initPoints: 3, nIter: 4, resume: true }); // the study already holds 7
    expect(calls).toEqual([]);
    await b.maximize({ initPoints: 3, nIter: 6, resume: true });
    expect(calls).toHaveLength(2);
    expect(calls.some((p) => [0.1, 0.2, 0.3, 0.4, 0.5, 0.6].includes(p.x as number) && p.y === 0.5)).toBe(false);
    expect(b.res).toHaveLength(9);
  });
});

describe('dispose() during maximize', () => {
  it('ends the wait for the running trial and leaves it to be retried, then maximize rejects; a backend the caller gave stays open', async () => {
    let closed = 0;
    const backend = new (class extends MemoryJournalBackend {
      async close(): Promise<void> {
        closed++;
      }
    })();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const opt = new BayesianOptimization({
      ...FAST, pbounds: PB, randomState: 1, journal: backend,
      f: async (p) => (started(), await new Promise((r) => setTimeout(r, 20)), quad(p)),
    });
    const run = opt.maximize({ initPoints: 5, nIter: 5 });
    await running;
    opt.dispose();
    expect(closed).toBe(0); // not while the trial runs
    await expect(run).rejects.toThrow(new StateError('optimizer has been disposed'));
    const s = await (await Journal.open(backend)).load();
    // cut by the shutdown, not by its objective: pending, and orphaned (its worker closed) for the next run to retry
    expect(s.trials.map((t) => t.status)).toEqual(['pending']);
    expect(s.orphaned.map((t) => t.id)).toEqual([0]);
    await new Promise((r) => setTimeout(r, 0));
    expect(closed).toBe(0); // whoever opened it closes it
  });
});
