import { describe, expect, it } from 'vitest';
import { InvalidPointError, StateError } from '../../src/errors';
import { Journal, MemoryJournalBackend } from '../../src/storage/index';
import { MemoryStudyStorage } from '../../src/storage/memory-study';
import { Study } from '../../src/storage/study';
import { parseIsoTime } from '../../src/storage/optuna-format';
import type { Params, SpaceSpec } from '../../src/space/types';

const SPACE: SpaceSpec = {
  lr: { type: 'float', low: 1e-4, high: 0.1, log: true },
  units: { type: 'int', low: 8, high: 256 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};

const lines = (text: string): Record<string, any>[] => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
const fill = (p: Params): Params => ({ lr: 0.01, units: 32, act: 'relu', ...p });

describe('enqueued trials in a journal (Optuna WAITING)', () => {
  it('writes a WAITING trial as enqueue_trial does, and a claim as ask() takes one', async () => {
    const b = new MemoryJournalBackend();
    const j = await Journal.open(b, { space: SPACE, worker: 'w1' });
    const t = await j.enqueue({ lr: 0.001, act: 'tanh' }, { note: 'warm start' });
    expect(t).toMatchObject({ id: 0, status: 'waiting', source: 'enqueue', params: { lr: 0.001, act: 'tanh' }, target: null, userAttrs: { note: 'warm start' } });
    const created = lines(b.text).filter((o) => o.op_code === 4);
    expect(created).toEqual([expect.objectContaining({
      state: 4, datetime_start: null, params: {}, distributions: {}, user_attrs: { note: 'warm start' }, system_attrs: { fixed_params: { lr: 0.001, act: 'tanh' } },
    })]);

    const claimed = await j.claimWaiting(fill, { rng: [1, 2, 3, 4] });
    expect(claimed).toMatchObject({ id: 0, status: 'pending', source: 'enqueue', worker: 'w1', params: { lr: 0.001, units: 32, act: 'tanh' } });
    const after = lines(b.text).slice(created.length + lines(b.text).findIndex((o) => o.op_code === 4));
    // RUNNING first (the claim), then the params in Optuna's internal form (the categorical as its index), then our attrs
    expect(after[0]).toMatchObject({ op_code: 6, worker_id: 'w1', trial_id: 0, state: 0, values: null });
    expect(typeof after[0].datetime_start).toBe('string');
    const params = after.filter((o) => o.op_code === 5).map((o) => [o.param_name, o.param_value_internal]);
    expect(params).toEqual(expect.arrayContaining([['lr', 0.001], ['units', 32], ['act', 1]]));
    expect(await j.claimWaiting(fill)).toBeNull();

    expect(await j.tell(0, { target: 0.5 })).toBe(true);
    const again = await Journal.open(b, { space: SPACE, worker: 'w2' });
    const s = await again.load();
    expect(s.trials).toEqual([expect.objectContaining({ id: 0, status: 'complete', target: 0.5, source: 'enqueue', worker: 'w1', params: { lr: 0.001, units: 32, act: 'tanh' } })]);
    expect(s.pending).toEqual([]);
    expect(s.rngState).toEqual([1, 2, 3, 4]);
  });

  it('hands each waiting trial to one worker, in order, and leaves waiting ones out of pending', async () => {
    const b = new MemoryJournalBackend();
    const a = await Journal.open(b, { space: SPACE, worker: 'a' });
    const c = await Journal.open(b, { space: SPACE, worker: 'c' });
    for (const units of [10, 20, 30]) await a.enqueue({ units });
    const s = await c.load();
    expect(s.trials.map((t) => t.status)).toEqual(['waiting', 'waiting', 'waiting']);
    expect(s.pending).toEqual([]);
    const got = await Promise.all([a.claimWaiting(fill), c.claimWaiting(fill), a.claimWaiting(fill), c.claimWaiting(fill)]);
    const taken = got.filter((t) => t !== null);
    expect(taken.map((t) => t!.params.units).sort()).toEqual([10, 20, 30]);
    expect(new Set(taken.map((t) => t!.id)).size).toBe(3);
    expect(got.filter((t) => t === null)).toHaveLength(1);
    const end = await a.load();
    expect(end.pending.map((t) => [t.params.units, t.worker])).toEqual(taken.map((t) => [t!.params.units, t!.worker]).sort((x, y) => (x[0] as number) - (y[0] as number)));
  });

  it('follows Optuna: the first RUNNING takes the trial; later claims and their attrs change nothing', async () => {
    const b = new MemoryJournalBackend();
    const j = await Journal.open(b, { space: SPACE, worker: 'ours' });
    await j.enqueue({ units: 10 });
    await j.enqueue({ units: 20 });
    const op = (o: Record<string, unknown>) => JSON.stringify(o) + '\n';
    // an Optuna worker takes trial 0; then (on a storage where it could happen) another claim of it
    await b.append(op({ op_code: 6, worker_id: 'py-1', trial_id: 0, state: 0, values: null, datetime_start: '2026-12-04T10:00:00.000000' }) +
      op({ op_code: 6, worker_id: 'late', trial_id: 0, state: 0, values: null, datetime_start: '2026-12-04T10:00:01.000000' }) +
      op({ op_code: 9, worker_id: 'late', trial_id: 0, system_attr: { 'wbo:worker': 'late' } }) +
      op({ op_code: 9, worker_id: 'late', trial_id: 0, system_attr: { fail_reason: 'kept' } }));
    const t = await j.claimWaiting(fill);
    expect(t).toMatchObject({ id: 1, params: { lr: 0.01, units: 20, act: 'relu' }, worker: 'ours', status: 'pending' });
    const s = await j.load();
    expect(s.trials[0]).toMatchObject({ id: 0, status: 'pending', source: 'enqueue', params: { units: 10 }, startedAt: parseIsoTime('2026-12-04T10:00:00.000000') as number });
    expect(s.trials[0].worker).toBeUndefined(); // Optuna's: owner unknown here, never re-asked
    expect(s.skipped).toEqual([]);
    expect(await j.claimWaiting(fill)).toBeNull();
  });

  it('refuses a point the space cannot take, naming the parameter, and records nothing', async () => {
    const b = new MemoryJournalBackend();
    const j = await Journal.open(b, { space: SPACE, worker: 'w' });
    const before = b.text;
    await expect(j.enqueue({ units: 7 })).rejects.toMatchObject({ name: 'InvalidPointError', param: 'units', message: 'journal "memory": enqueue: parameter "units": value 7 is outside [8, 256]' });
    await expect(j.enqueue({ depth: 3 })).rejects.toBeInstanceOf(InvalidPointError);
    await expect(j.enqueue({ lr: NaN })).rejects.toBeInstanceOf(InvalidPointError);
    expect(b.text).toBe(before);
  });

  it('fails a waiting trial whose point cannot be completed, with the reason, and takes the next', async () => {
    const b = new MemoryJournalBackend();
    const j = await Journal.open(b, { space: SPACE, worker: 'w' });
    await j.enqueue({ units: 10 });
    await j.enqueue({ units: 20 });
    await j.enqueue({ units: 30 });
    const refuse = (p: Params): Params => {
      if (p.units === 10) throw new InvalidPointError('parameter "lr": missing');
      if (p.units === 20) throw new Error('no stream');
      return fill(p);
    };
    const t = await j.claimWaiting(refuse);
    expect(t).toMatchObject({ id: 2, params: { lr: 0.01, units: 30, act: 'relu' } });
    const failed = lines(b.text).find((o) => o.op_code === 9 && o.trial_id === 0);
    expect(failed?.system_attr).toEqual({ fail_reason: 'enqueued point not evaluated: parameter "lr": missing' });
    expect(lines(b.text).some((o) => o.op_code === 6 && o.trial_id === 0 && o.state === 3)).toBe(true);
    // read back by another worker: failed with the reason, its partial point kept, nothing skipped
    const s = await (await Journal.open(b, { space: SPACE, worker: 'other' })).load();
    expect(s.skipped).toEqual([]);
    expect(s.trials.map((x) => [x.id, x.status, x.error ?? null, x.params.units])).toEqual([
      [0, 'failed', 'enqueued point not evaluated: parameter "lr": missing', 10],
      [1, 'failed', 'enqueued point not evaluated: no stream', 20],
      [2, 'pending', null, 30],
    ]);
  });

  it('is refused on a read-only journal', async () => {
    const b = new MemoryJournalBackend();
    await Journal.open(b, { space: SPACE });
    const r = await Journal.open(b, { space: SPACE, readOnly: true });
    await expect(r.enqueue({ units: 9 })).rejects.toBeInstanceOf(StateError);
    await expect(r.claimWaiting(fill)).rejects.toBeInstanceOf(StateError);
  });
});

describe('enqueue on a shared journal', () => {
  it('the local record learns what the enqueue read: trials other workers asked and ended since (it kept them waiting, or lacked them)', async () => {
    const b = new MemoryJournalBackend();
    const a = Study.open(b, { space: SPACE });
    const other = Study.open(b, { space: SPACE });
    await a.ready();
    await a.enqueue({ units: 10 });
    await other.load();
    const taken = await other.claimWaiting(fill);
    await other.tell(taken!.id, { target: 1 });
    await other.ask(() => fill({ units: 64 }));
    const w = await a.enqueue({ units: 20 });
    expect(w.id).toBe(2);
    expect(a.trials.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [1, 'pending'], [2, 'waiting']]);
    await Promise.all([a.close(), other.close()]);
  });
});

describe('enqueue on a shared journal whose read fails after the write', () => {
  it('resolves with the enqueued trial: a rejection after the write had a caller enqueue it twice', async () => {
    let failReads = false;
    class FailsAfterEnqueue extends MemoryJournalBackend {
      override async append(lines: string): Promise<void> {
        await super.append(lines);
        if (lines.includes('fixed_params')) failReads = true;
      }
      override async readWindow(after: unknown) {
        if (failReads) throw new Error('connection reset');
        return super.readWindow(after);
      }
    }
    const b = new FailsAfterEnqueue();
    const a = Study.open(b, { space: SPACE });
    const other = Study.open(b, { space: SPACE });
    await a.ready();
    await other.ready();
    const t = await a.enqueue({ units: 10 });
    expect([t.id, t.status, t.params]).toEqual([0, 'waiting', { units: 10 }]);
    failReads = false;
    expect(b.text.split('\n').filter((l) => l.includes('fixed_params'))).toHaveLength(1);
    await Promise.all([a.close(), other.close()]);
  });
});

describe('enqueued trials in memory', () => {
  it('waits, is claimed once with its point completed, and stays out of pending until then', () => {
    const m = new MemoryStudyStorage();
    const w = m.enqueue({ units: 12 }, { k: 1 });
    expect(w).toMatchObject({ id: 0, status: 'waiting', source: 'enqueue', userAttrs: { k: 1 } });
    expect(m.load().pending).toEqual([]);
    const t = m.claimWaiting(fill, { rng: [9, 9, 9, 9] });
    expect(t).toMatchObject({ id: 0, status: 'pending', params: { lr: 0.01, units: 12, act: 'relu' }, worker: m.worker });
    expect(m.load().rngState).toEqual([9, 9, 9, 9]);
    expect(m.claimWaiting(fill)).toBeNull();
    expect(() => m.enqueue({ units: Infinity })).toThrow(InvalidPointError);
  });
});

describe('a result or report for a trial still waiting', () => {
  for (const where of ['memory', 'journal'] as const) {
    it(`is refused as waiting, not as ended, and records nothing (${where})`, async () => {
      const b = new MemoryJournalBackend();
      const study = Study.open(where === 'memory' ? undefined : b, { space: SPACE });
      const t = await study.enqueue({ units: 16 });
      const label = where === 'memory' ? 'memory study' : 'journal "memory"';
      await expect(Promise.resolve().then(() => study.tell(t.id, { target: 1 }))).rejects.toThrow(
        new StateError(`tell: trial ${t.id} is waiting (enqueued; no worker has taken it yet); this result was not recorded`));
      await expect(Promise.resolve().then(() => study.report(t.id, 1, 0.5))).rejects.toThrow(
        new StateError(`${label}: report: trial ${t.id} is waiting (enqueued; no worker has taken it yet)`));
      const s = await study.load();
      expect(s.trials.map((x) => [x.id, x.status, x.target, x.intermediate ?? null])).toEqual([[0, 'waiting', null, null]]);
      if (where === 'journal') expect(lines(b.text).map((o) => o.op_code)).not.toContain(6);
    });
  }
});
