/**
 * Study.tell and Study.prune refuse what they cannot record before anything
 * is written: a tell time Optuna cannot read back, a trial this Study object
 * has not read, a trial that has ended; a prune the storage refused leaves
 * the local record as the storage holds it.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError, StateError } from '../../src/errors';
import { Journal, MemoryJournalBackend, Study } from '../../src/storage';
import { rejection, thrown } from '../optimizer/caught';
import { maybe, pythonOnJournal, useJournalPaths } from './optuna-peer';

const SPACE = { x: { type: 'float' as const, low: 0, high: 1 } };

describe('Study.tell and Study.prune', () => {
  it('a tell time outside the years 1000 to 9999, or not a number, is refused before anything is written', async () => {
    const backend = new MemoryJournalBackend();
    const s = Study.open(backend, { space: SPACE });
    await s.ready();
    const t = await s.ask(() => ({ x: 0.5 }));
    const before = backend.text;
    // NaN was written as "NaN-NaN-NaNT...", microseconds as the year 56000: Optuna then read no study of the file
    for (const at of [NaN, Infinity, 1e20, Date.now() * 1000, -5e13, 'now']) {
      const e = thrown(() => s.tell(t.id, { target: 1, at: at as number }));
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect((e as InvalidOptionError).option).toBe('at');
      expect(e.message).toMatch(/^tell: at: expected a time in epoch milliseconds within the years 1000 to 9999, got /);
    }
    expect(thrown(() => s.tell(t.id, undefined as never)).message).toBe('tell: result: expected { target, error, durationMs, at }, got undefined');
    expect(thrown(() => s.tell(t.id, { target: 1, durationMs: -1 })).message).toBe('tell: durationMs: expected a finite number >= 0, got -1');
    const j = await Journal.open(backend, { space: SPACE });
    expect((await rejection(j.tell(t.id, { target: 1, at: NaN }))).message).toMatch(/^Journal\.tell: at: /);
    expect(backend.text).toBe(before);
    // a good time is taken as it is
    const at = Math.round(t.startedAt as number) + 5000;
    expect(await s.tell(t.id, { target: 1, at })).toMatchObject({ status: 'complete', target: 1, finishedAt: at });
    await j.close();
    await s.close();
  });

  it('a trial another Study object asked and this one has not read is refused before the storage writes', async () => {
    const backend = new MemoryJournalBackend();
    const a = Study.open(backend, { space: SPACE });
    const b = Study.open(backend, { space: SPACE });
    await Promise.all([a.ready(), b.ready()]);
    const t = await a.ask(() => ({ x: 0.25 }));
    const before = backend.text;
    // it wrote COMPLETE, then threw "not in the local record"
    const e = thrown(() => b.tell(t.id, { target: 7 }));
    expect(e).toBeInstanceOf(StateError);
    expect(e.message).toBe(`tell: trial ${t.id} is not in this study's record (another worker's trial: load() first)`);
    expect(backend.text).toBe(before);
    await b.load();
    expect(await b.tell(t.id, { target: 7 })).toMatchObject({ status: 'complete', target: 7 });
    await Promise.all([a.close(), b.close()]);
  });

  it('prune: a trial the storage had ended is read again, not claimed pruned; an ended one is returned as it ended', async () => {
    const backend = new MemoryJournalBackend();
    const a = Study.open(backend, { space: SPACE });
    const b = Study.open(backend, { space: SPACE });
    await Promise.all([a.ready(), b.ready()]);
    const t = await a.ask(() => ({ x: 0.5 }));
    await a.report(t.id, 1, 0.7);
    await b.load();
    await b.tell(t.id, { target: 0.9 });
    // the storage kept COMPLETE 0.9 while a's record said pruned
    expect(await a.prune(t.id)).toMatchObject({ status: 'complete', target: 0.9 });
    expect(a.trials[t.id]).toMatchObject({ status: 'complete', target: 0.9 });
    // ended: returned as it ended, nothing written
    const text = backend.text;
    expect(await a.prune(t.id)).toMatchObject({ status: 'complete', target: 0.9 });
    expect(backend.text).toBe(text);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('a study deleted and created again by another worker', () => {
  const newPath = useJournalPaths();
  maybe('ask and enqueue hand back the trials they made, not the deleted study\'s of the same number', async () => {
    const path = newPath();
    const s = Study.open(path, { space: SPACE, studyName: 'gone' });
    await s.ready();
    const old = await s.ask(() => ({ x: 0.5 }));
    await s.tell(old.id, { target: 10 });
    const old1 = await s.ask(() => ({ x: 0.6 }));
    pythonOnJournal("optuna.delete_study(study_name='gone', storage=storage)", path);
    // it returned { id: 0, params: { x: 0.5 }, status: 'complete', target: 10 } as the new pending trial
    const t = await s.ask(() => ({ x: 0.9 }));
    expect(t).toMatchObject({ id: 0, params: { x: 0.9 }, status: 'pending' });
    expect(s.trials.map((u) => [u.id, u.params.x, u.status])).toEqual([[0, 0.9, 'pending']]);
    const w = await s.enqueue({ x: 0.7 });
    expect(w).toMatchObject({ id: old1.id, params: { x: 0.7 }, status: 'waiting' });
    expect(s.best()).toBeUndefined();
    await s.close();
  });
});

describe('a trial told twice by the Study that told it', () => {
  it('a result after its failure is refused, nothing recorded (it became a late result of its own), also after a load()', async () => {
    for (const backend of [undefined, new MemoryJournalBackend()]) {
      const s = Study.open(backend, { space: SPACE });
      await s.ready();
      const a = await s.ask(() => ({ x: 0.5 }));
      await s.tell(a.id, { error: 'diverged' });
      expect(thrown(() => s.tell(a.id, { target: 1 })).message).toBe(`tell: trial ${a.id} has already ended (failed); this result was not recorded`);
      const b = await s.ask(() => ({ x: 0.6 }));
      await s.report(b.id, 1, 0.25);
      await s.prune(b.id);
      await s.load();
      expect(thrown(() => s.tell(a.id, { target: 1 })).message).toBe(`tell: trial ${a.id} has already ended (failed); this result was not recorded`);
      expect(thrown(() => s.tell(a.id, { target: 2 }))).toBeInstanceOf(StateError);
      await expect(Promise.resolve().then(() => s.tell(b.id, { target: 1 }))).rejects.toThrow(`tell: trial ${b.id} had already ended (pruned) in the storage; this result was not recorded`);
      expect(s.trials.map((t) => [t.status, t.target])).toEqual([['failed', null], ['pruned', 0.25]]);
      await s.close();
    }
  });

  it('a trial another worker failed as stale still takes its late result as a trial of its own', async () => {
    const backend = new MemoryJournalBackend();
    const a = Study.open(backend, { space: SPACE });
    const b = Study.open(backend, { space: SPACE });
    await a.ready();
    const t = await a.ask(() => ({ x: 0.5 }));
    await b.load();
    await b.tell(t.id, { error: 'stale' }); // as a worker failing another's stale trial
    await a.load();
    const late = await a.tell(t.id, { target: 3 });
    expect([late.id === t.id, late.lateOf, late.target]).toEqual([false, t.id, 3]);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('reports started together', () => {
  it('a step not after one still being written is refused (2, 1, 2 were all written)', async () => {
    const backend = new MemoryJournalBackend();
    const s = Study.open(backend, { space: SPACE });
    await s.ready();
    const t = await s.ask(() => ({ x: 0.5 }));
    const first = s.report(t.id, 2, 1);
    expect(thrown(() => s.report(t.id, 1, 1)).message).toBe('report: step: 1 must be greater than the last reported step (2)');
    expect(thrown(() => s.report(t.id, 2, 5)).message).toBe('report: step: 2 must be greater than the last reported step (2)');
    const third = s.report(t.id, 3, 2);
    await Promise.all([first, third]);
    expect(s.trials[t.id].intermediate).toEqual({ 2: 1, 3: 2 });
    // once written, the record's own last step is the bar, as before
    expect(thrown(() => s.report(t.id, 3, 0)).message).toBe('report: step: 3 must be greater than the last reported step (3)');
    await s.report(t.id, 4, 0);
    await s.close();
  });
});

describe('two Study objects on one journal, acting on one trial', () => {
  it("a report is checked against the steps the journal holds, another worker's too: nothing written out of order", async () => {
    const backend = new MemoryJournalBackend();
    const a = Study.open(backend, { space: SPACE });
    const b = Study.open(backend, { space: SPACE });
    await a.ready();
    const t = await a.ask(() => ({ x: 0.5 }));
    await b.load(); // b has read the trial, no reports yet
    await a.report(t.id, 5, 10);
    for (const step of [3, 5]) {
      const e = await rejection(Promise.resolve().then(() => b.report(t.id, step, 99)));
      expect(e).toBeInstanceOf(InvalidPointError);
      expect((e as InvalidPointError).param).toBe('step');
      expect(e.message).toBe(`journal "memory": report: step: ${step} must be greater than the last reported step (5)`);
    }
    const c = Study.open(backend, { space: SPACE });
    await c.load();
    expect(c.get(t.id)?.intermediate).toEqual({ 5: 10 }); // step 5's value kept, no step 3
    await b.report(t.id, 6, 1);
    await c.load();
    expect(c.get(t.id)?.intermediate).toEqual({ 5: 10, 6: 1 });
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('prune of a trial this Study enqueued and another claimed returns it pruned, as the journal holds it', async () => {
    const backend = new MemoryJournalBackend();
    const a = Study.open(backend, { space: SPACE });
    const b = Study.open(backend, { space: SPACE });
    await a.ready();
    const w = await a.enqueue({ x: 0.25 });
    await b.load();
    await b.claimWaiting((p) => p);
    await a.report(w.id, 1, 0.7);
    const pruned = await a.prune(w.id);
    expect([pruned.status, pruned.target, pruned.step]).toEqual(['pruned', 0.7, 1]);
    expect(a.get(w.id)?.status).toBe('pruned');
    const c = Study.open(backend, { space: SPACE });
    await c.load();
    expect([c.get(w.id)?.status, c.get(w.id)?.target]).toEqual(['pruned', 0.7]);
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe('a study in memory with a space', () => {
  it('checks asked and enqueued points as a journal does (any point was taken)', async () => {
    const space = { x: { type: 'float' as const, low: 0, high: 1 }, n: { type: 'int' as const, low: 0, high: 10, step: 2 }, c: { type: 'categorical' as const, choices: ['a', 'b'] } };
    const s = Study.open(undefined, { space });
    const named = (f: () => unknown) => {
      const e = thrown(f) as InvalidPointError;
      expect(e).toBeInstanceOf(InvalidPointError);
      return [e.param, e.message.split(':').slice(0, 2).join(':')];
    };
    expect(named(() => s.ask(() => ({ x: 2, n: 2, c: 'a' })))).toEqual(['x', 'memory study: ask']);
    expect(named(() => s.ask(() => ({ x: 0.5, n: 3, c: 'a' })))).toEqual(['n', 'memory study: ask']);
    expect(named(() => s.enqueue({ c: 'z' }))).toEqual(['c', 'memory study: enqueue']);
    expect(s.trials).toEqual([]);
    expect(await s.ask(() => ({ x: 0.5, n: 4, c: 'b' }))).toMatchObject({ status: 'pending', params: { x: 0.5, n: 4, c: 'b' } });
    expect(await s.enqueue({ x: 0.25 })).toMatchObject({ status: 'waiting' });
    // without a space, any point of strings, booleans and finite numbers, as before
    expect(await Study.open(undefined).ask(() => ({ x: 7 }))).toMatchObject({ params: { x: 7 } });
  });
});

describe('record and prune check their input before anything is written', () => {
  it('a refused result of record() leaves no pending trial behind (the ask was written first), in memory and on a journal', async () => {
    const backend = new MemoryJournalBackend();
    const s = Study.open(backend, { space: SPACE });
    await s.ready();
    const e = await Promise.resolve().then(() => s.record({ x: 0.5 }, { target: 1, at: Date.now() * 1000 })).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(backend.text.split('\n').filter((l) => l.includes('"op_code":4'))).toEqual([]); // no CREATE_TRIAL
    const j = await Journal.open(backend, { space: SPACE });
    expect((await rejection(j.record({ x: 0.5 }, { target: 1, durationMs: NaN }))).message).toBe('Journal.record: durationMs: expected a finite number >= 0, got NaN');
    expect((await j.load()).trials).toEqual([]);
    const m = Study.open(undefined, { space: SPACE });
    expect(thrown(() => m.record({ x: 0.5 }, { target: 1, durationMs: -5 })).message).toBe('record: durationMs: expected a finite number >= 0, got -5');
    expect(m.trials).toEqual([]);
    await j.close();
    await s.close();
  });

  it('prune: a waiting trial is still a StateError; a bad duration is named as prune\'s, in memory too', async () => {
    const s = Study.open(undefined, { space: SPACE });
    const w = await s.enqueue({ x: 0.2 });
    expect(thrown(() => s.prune(w.id)).message).toBe(`prune: trial ${w.id} reported no intermediate value`);
    const t = await s.ask(() => ({ x: 0.3 }));
    await s.report(t.id, 1, 0.5);
    expect(thrown(() => s.prune(t.id, { durationMs: NaN })).message).toBe('prune: durationMs: expected a finite number >= 0, got NaN');
    expect(await s.prune(t.id, { durationMs: 3 })).toMatchObject({ status: 'pruned', target: 0.5 });
  });
});
