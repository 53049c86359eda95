/**
 * A study this library created may be resumed with a wider space (as
 * Optuna lets a study's bounds change): every bound kept or moved outwards
 * on the same grid, the same parameters, scales and choices. The new space
 * is recorded in the journal; every trial so far fits it; a narrower or
 * otherwise different space is still refused; a worker still running with
 * the old space skips the points only the wider one holds; Optuna reads
 * the widened study.
 */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import type { SpaceSpec } from '../../src/space/types';
import { FileJournalBackend, Journal, MemoryJournalBackend } from '../../src/storage';
import { wideningDifference, widens } from '../../src/storage/space-check';
import { maybe, pythonOnJournal, useJournalPaths } from './optuna-peer';

const NARROW: SpaceSpec = {
  lr: { type: 'float', low: 1e-4, high: 1e-2, log: true },
  units: { type: 'int', low: 32, high: 256, step: 32 },
  drop: { type: 'float', low: 0.1, high: 0.5, step: 0.05 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};
const WIDE: SpaceSpec = {
  lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
  units: { type: 'int', low: 32, high: 512, step: 32 },
  drop: { type: 'float', low: 0, high: 0.6, step: 0.05 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};
const with_ = (k: string, spec: object): SpaceSpec => ({ ...NARROW, [k]: spec }) as SpaceSpec;

describe('widens', () => {
  it('takes bounds moved outwards on the same grid, and nothing else', () => {
    expect(widens(NARROW, NARROW)).toBe(true);
    expect(widens(NARROW, WIDE)).toBe(true);
    expect(widens(WIDE, NARROW)).toBe(false); // narrower
    expect(widens(NARROW, with_('lr', { type: 'float', low: 1e-4, high: 1e-2 }))).toBe(false); // another scale
    expect(widens(NARROW, with_('units', { type: 'int', low: 0, high: 256, step: 32 }))).toBe(true);
    expect(widens(NARROW, with_('units', { type: 'int', low: 16, high: 256, step: 32 }))).toBe(false); // off the grid
    expect(widens(NARROW, with_('units', { type: 'int', low: 32, high: 256, step: 16 }))).toBe(false); // another step
    expect(widens(NARROW, with_('units', { type: 'float', low: 0, high: 512 }))).toBe(false); // another kind
    expect(widens(NARROW, with_('drop', { type: 'float', low: 0.05, high: 0.5, step: 0.05 }))).toBe(true); // 0.1 - 0.05, one step in floating point
    expect(widens(NARROW, with_('drop', { type: 'float', low: 0.07, high: 0.5, step: 0.05 }))).toBe(false);
    expect(widens(NARROW, with_('act', { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] }))).toBe(false); // Optuna refuses other choices
    const { lr, units, drop, act } = NARROW;
    expect(widens(NARROW, { units, lr, drop, act })).toBe(false); // another order: other encoded dimensions
    expect(widens(NARROW, { lr, units, drop })).toBe(false);
    // the old low must be a level of the new grid as points are checked: 1 is none of a 1e-6 grid from 5e-10
    const fine: SpaceSpec = { v: { type: 'float', low: 1, high: 2, step: 1e-6 } };
    expect(widens(fine, { v: { type: 'float', low: 5e-10, high: 2, step: 1e-6 } })).toBe(false);
    expect(widens(fine, { v: { type: 'float', low: 0.5, high: 2, step: 1e-6 } })).toBe(true);
  });

  it('names the parameter that does not widen, not the first that changed', () => {
    const space = { ...WIDE, act: NARROW.act, units: { type: 'int', low: 64, high: 512, step: 32 } } as SpaceSpec; // lr widened, units narrowed
    expect(wideningDifference(NARROW, space)).toBe('parameter "units" is {"type":"int","low":32,"high":256,"log":false,"step":32} in the journal ' +
      'but {"type":"int","low":64,"high":512,"log":false,"step":32} now');
    const { lr, units, drop, act } = NARROW;
    expect(wideningDifference(NARROW, { units, lr, drop, act })).toBe('parameter order differs: [lr, units, drop, act] in the journal, [units, lr, drop, act] now');
    expect(wideningDifference(NARROW, WIDE)).toBeNull();
  });
});

describe('a study resumed with a wider space', () => {
  const path = useJournalPaths();

  it('records the new space, keeps every trial, takes points only it holds, and refuses the old space from then on', async () => {
    const b = new MemoryJournalBackend();
    const a = await Journal.open(b, { space: NARROW, worker: 'A' });
    const t0 = await a.ask({ lr: 1e-3, units: 64, drop: 0.2, act: 'relu' });
    await a.tell(t0.trial.id, { target: 1 });
    const t1 = await a.ask({ lr: 1e-2, units: 256, drop: 0.5, act: 'tanh' }); // A's, still running

    const w = await Journal.open(b, { space: WIDE, worker: 'W' });
    expect((await w.load()).header?.space).toEqual(WIDE);
    const t2 = await w.ask({ lr: 5e-2, units: 512, drop: 0, act: 'relu' }); // outside the old space
    await w.tell(t2.trial.id, { target: 2 });
    await a.tell(t1.trial.id, { target: 3 });

    // a reader with no space of its own: the latest space, every trial
    const reader = await Journal.open(new MemoryJournalBackend(b.text), { readOnly: true });
    const read = await reader.load();
    expect(read.header?.space).toEqual(WIDE);
    expect(read.trials.map((t) => [t.id, t.status, t.target])).toEqual([[0, 'complete', 1], [1, 'complete', 3], [2, 'complete', 2]]);
    expect(read.skipped).toEqual([]);

    // A, opened before the widening, keeps its own space: W's point is a skipped line for it, not a trial
    const forA = await a.load();
    expect(forA.trials.map((t) => t.id)).toEqual([0, 1]);
    expect(forA.skipped.map((s) => s.reason)).toEqual([
      'create trial 2: parameter "lr": value 0.05 is outside [0.0001, 0.01]',
      'op 6: trial 2 was skipped (its params, line 8, do not fit the space)',
    ]);

    // the old space no longer takes the study: narrower than what it holds
    await expect(Journal.open(b, { space: NARROW })).rejects.toThrow(new StorageError(
      'journal "memory": the search space differs from the one the study was created with: parameter "lr" is ' +
      '{"type":"float","low":0.00001,"high":0.1,"log":true} in the journal but {"type":"float","low":0.0001,"high":0.01,"log":true} now' +
      ' (a study\'s space may only widen: the same parameters, scales, steps and choices, bounds kept or moved outwards; ' +
      'else continue in a new study, under another study name, enqueuing or registering the points to keep)'));
    // the same wide space again writes nothing
    const lines = b.text.split('\n').length;
    await Journal.open(b, { space: WIDE });
    expect(b.text.split('\n').length).toBe(lines);
    // a reader writes nothing either, whatever space it passes
    await Journal.open(new MemoryJournalBackend(b.text), { space: { ...WIDE, units: { type: 'int', low: 0, high: 1024, step: 32 } }, readOnly: true });
    for (const j of [a, w, reader]) await j.close();
  });

  it('takes the trials another worker wrote outside the old space before the widening: the widening worker, a fresh reader, and a reader that read them skipped', async () => {
    const X: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };
    const XW: SpaceSpec = { x: { type: 'float', low: -1, high: 2 } };
    const b = new MemoryJournalBackend();
    const a = await Journal.open(b, { space: X, worker: 'A' });
    const t0 = await a.ask({ x: 0.5 });
    await a.tell(t0.trial.id, { target: 1 });
    // Optuna's worker, whose distribution is wider (Optuna lets bounds change), completes x = 1.5
    const dist = JSON.stringify({ name: 'FloatDistribution', attributes: { step: null, low: -1, high: 2, log: false } });
    await b.append(`${JSON.stringify({ op_code: 4, worker_id: 'py', study_id: 0, state: 1, value: 2, datetime_start: '2026-12-06T10:00:00.000000',
      datetime_complete: '2026-12-06T10:00:01.000000', params: { x: 1.5 }, distributions: { x: dist } })}\n`);
    const reader = await Journal.open(b, { readOnly: true });
    expect((await reader.load()).trials.map((t) => t.params.x)).toEqual([0.5]); // outside the study's space: skipped
    const w = await Journal.open(b, { space: XW, worker: 'W' });
    expect((await w.load()).trials.map((t) => t.params.x)).toEqual([0.5, 1.5]);
    expect((await reader.load()).trials.map((t) => t.params.x)).toEqual([0.5, 1.5]); // folded again by the wider space
    expect((await reader.load()).skipped).toEqual([]);
    const fresh = await Journal.open(new MemoryJournalBackend(b.text), { readOnly: true });
    expect((await fresh.load()).trials.map((t) => [t.params.x, t.target])).toEqual([[0.5, 1], [1.5, 2]]);
    // A, on the old space, still skips it
    expect((await a.load()).trials.map((t) => t.params.x)).toEqual([0.5]);
    for (const j of [a, w, reader, fresh]) await j.close();
  });

  maybe('Optuna reads every trial of the widened study, each with the distribution it was asked with', async () => {
    const p = path();
    const a = await Journal.open(new FileJournalBackend(p), { space: NARROW, worker: 'A' });
    const t0 = await a.ask({ lr: 1e-3, units: 64, drop: 0.2, act: 'relu' });
    await a.tell(t0.trial.id, { target: 1 });
    await a.close();
    const w = await Journal.open(new FileJournalBackend(p), { space: WIDE, worker: 'W' });
    const t1 = await w.ask({ lr: 5e-2, units: 512, drop: 0, act: 'tanh' });
    await w.tell(t1.trial.id, { target: 2 });
    await w.close();
    const out = pythonOnJournal(`
study = optuna.load_study(study_name='default', storage=storage)
print(json.dumps([[t.number, t.value, t.params, t.distributions['lr'].low, t.distributions['units'].high] for t in study.trials]))
`, p);
    expect(JSON.parse(out)).toEqual([
      [0, 1, { lr: 1e-3, units: 64, drop: 0.2, act: 'relu' }, 1e-4, 256],
      [1, 2, { lr: 5e-2, units: 512, drop: 0, act: 'tanh' }, 1e-5, 512],
    ]);
  });
});
