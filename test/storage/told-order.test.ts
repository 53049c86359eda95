import { afterEach, describe, expect, it, vi } from 'vitest';
import { isoTime, MemoryJournalBackend, parseIsoTime, Study } from '../../src/storage/index';
import type { SpaceSpec } from '../../src/space/types';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };

afterEach(() => vi.restoreAllMocks());

/** Asks 4 trials, then tells them in the order 2, 0, 3, 1 with the wall clock frozen (all within one millisecond). */
async function tellOutOfOrder(study: Study): Promise<number[]> {
  await study.ready();
  const ids: number[] = [];
  for (let i = 0; i < 4; i++) ids.push((await study.ask(() => ({ x: (i + 1) / 10 }))).id);
  const T = Date.now() + 60_000;
  vi.spyOn(Date, 'now').mockReturnValue(T);
  const order = [ids[2], ids[0], ids[3], ids[1]];
  for (const id of order) await study.tell(id, { target: id });
  return order;
}

describe('finished trials in the order they were told, within one millisecond', () => {
  it('a study in memory', async () => {
    const study = Study.open(undefined, { space: SPACE });
    const order = await tellOutOfOrder(study);
    expect(study.finished().map((t) => t.id)).toEqual(order);
    const at = study.finished().map((t) => t.finishedAt as number);
    for (let i = 1; i < at.length; i++) expect(at[i]).toBeGreaterThan(at[i - 1]);
  });

  it('a journal, and a study reading that journal afresh', async () => {
    const backend = new MemoryJournalBackend();
    const study = Study.open(backend, { space: SPACE });
    const order = await tellOutOfOrder(study);
    expect(study.finished().map((t) => t.id)).toEqual(order);
    const again = Study.open(new MemoryJournalBackend(backend.text), { space: SPACE });
    await again.load();
    expect(again.finished().map((t) => t.id)).toEqual(order);
    expect(again.finished().map((t) => t.finishedAt)).toEqual(study.finished().map((t) => t.finishedAt));
    await study.close();
    await again.close();
  });

  it('pruned and failed trials take their place by the same clock', async () => {
    const study = Study.open(undefined, { space: SPACE });
    await study.ready();
    const [a, b, c] = [await study.ask(() => ({ x: 0.1 })), await study.ask(() => ({ x: 0.2 })), await study.ask(() => ({ x: 0.3 }))];
    await study.report(c.id, 1, 0.5);
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 60_000);
    await study.prune(c.id);
    await study.tell(a.id, { error: new Error('boom') });
    await study.tell(b.id, { target: 1 });
    expect(study.finished().map((t) => [t.id, t.status])).toEqual([[c.id, 'pruned'], [a.id, 'failed'], [b.id, 'complete']]);
  });
});

describe('a recorded point whose trial starts a millisecond after its result was timed', () => {
  /**
   * record() times the result before it asks the trial; when the clock's
   * millisecond turns in between, the finish is raised to the start, and the
   * next tell in that millisecond must still come after it.
   */
  async function recordThenTell(study: Study): Promise<number[]> {
    await study.ready();
    const a = await study.ask(() => ({ x: 0.5 }));
    let T = Date.now() + 60_000;
    let turn = 0; // the millisecond turns at the second clock read inside record(): after the result's time, at the ask
    vi.spyOn(Date, 'now').mockImplementation(() => (turn > 0 && --turn === 0 ? ++T : T));
    turn = 2;
    const b = await study.record({ x: 0.25 }, { target: 1 });
    turn = 0;
    await study.tell(a.id, { target: 2 });
    return [b.id, a.id];
  }

  it('a study in memory', async () => {
    const study = Study.open(undefined, { space: SPACE });
    const order = await recordThenTell(study);
    expect(study.finished().map((t) => t.id)).toEqual(order);
    const [first, second] = study.finished();
    expect(second.finishedAt as number).toBeGreaterThan(first.finishedAt as number);
    expect(first.finishedAt as number).toBeGreaterThanOrEqual(first.startedAt as number);
  });

  it('a journal, and a study reading it afresh, in the same order', async () => {
    const backend = new MemoryJournalBackend();
    const study = Study.open(backend, { space: SPACE });
    const order = await recordThenTell(study);
    expect(study.finished().map((t) => t.id)).toEqual(order);
    const again = Study.open(new MemoryJournalBackend(backend.text), { space: SPACE });
    await again.load();
    expect(again.finished().map((t) => t.id)).toEqual(order);
    await study.close();
    await again.close();
  });
});

describe('finished trials in the order the journal recorded their ends, whatever their times say', () => {
  it('a tell written an hour ahead (a worker in another time zone, a daylight-saving change) keeps its place among the lines, and trials told after the read come last', async () => {
    const backend = new MemoryJournalBackend();
    const study = Study.open(backend, { space: SPACE });
    await study.ready();
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await study.ask(() => ({ x: (i + 1) / 10 }))).id);
    for (const id of ids.slice(0, 3)) await study.tell(id, { target: id });
    // Optuna's naive local times: the first tell's worker wrote its clock an hour ahead of the others'
    let shifted = false;
    const text = backend.text.split('\n').map((l) => {
      if (shifted || !l.includes('"datetime_complete"')) return l;
      shifted = true;
      const op = JSON.parse(l);
      op.datetime_complete = isoTime((parseIsoTime(op.datetime_complete) as number) + 3_600_000);
      return JSON.stringify(op);
    }).join('\n');
    const again = Study.open(new MemoryJournalBackend(text), { space: SPACE });
    await again.load();
    const done = again.finished();
    expect(done.map((t) => t.id)).toEqual(ids.slice(0, 3));
    expect(done[0].finishedAt as number).toBeGreaterThan(done[2].finishedAt as number); // the times alone say otherwise
    await again.tell(ids[3], { target: 3 });
    expect(again.finished().map((t) => t.id)).toEqual(ids);
    await study.close();
    await again.close();
  });
});

describe('a registered point never ends before it began', () => {
  it('record() timed before its ask (the clock moving on meanwhile) is told no earlier than the trial started, in memory and in the journal', async () => {
    const backend = new MemoryJournalBackend();
    const study = Study.open(backend, { space: SPACE });
    await study.ready();
    const t0 = Date.now();
    // the result is timed at t0; the ask then happens 5 ms later by the clock
    const clock = vi.spyOn(Date, 'now').mockReturnValue(t0 + 5);
    const t = await study.record({ x: 0.5 }, { target: 1, at: t0 });
    clock.mockRestore();
    expect(t.startedAt).toBe(t0 + 5);
    expect(t.finishedAt).toBe(t0 + 5);
    const line = backend.text.split('\n').find((l) => l.includes('"datetime_complete"'))!;
    expect(JSON.parse(line).datetime_complete).toBe(isoTime(t0 + 5));
    const again = Study.open(new MemoryJournalBackend(backend.text), { space: SPACE });
    await again.load();
    expect(again.finished()[0].finishedAt).toBe(t0 + 5);
    await study.close();
    await again.close();
  });
});

describe('journal times keep microseconds', () => {
  it('isoTime writes them and parseIsoTime reads them back', () => {
    const ms = new Date(2026, 11, 4, 9, 30, 15, 123).getTime() + 0.456;
    const s = isoTime(ms);
    expect(s).toBe('2026-12-04T09:30:15.123456');
    expect(parseIsoTime(s)).toBe(Math.round(ms * 1000) / 1000);
    expect(isoTime(parseIsoTime(s) as number)).toBe(s);
    // a whole millisecond, and the last microsecond before the next second
    expect(isoTime(new Date(2026, 0, 2, 3, 4, 6, 0).getTime())).toBe('2026-01-02T03:04:06.000000');
    expect(isoTime(new Date(2026, 0, 2, 3, 4, 6, 999).getTime() + 0.999)).toBe('2026-01-02T03:04:06.999999');
    // Python's own (naive, local) and zoned forms
    expect(parseIsoTime('2026-01-02T03:04:06.000007')).toBe(roundUs(new Date(2026, 0, 2, 3, 4, 6).getTime() + 0.007));
    expect(parseIsoTime('2026-01-02T03:04:06.5Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 6, 500));
  });

  it('keeps years below 1000 as Python writes them (year 50 read as 1950; year 999 written "999-01-01", no ISO time)', () => {
    const y50 = parseIsoTime('0050-06-01T12:00:00.000000') as number;
    expect([new Date(y50).getFullYear(), new Date(y50).getMonth(), new Date(y50).getHours()]).toEqual([50, 5, 12]);
    expect(isoTime(y50)).toBe('0050-06-01T12:00:00.000000');
    const z = parseIsoTime('0099-12-31T23:00:00Z') as number;
    expect([new Date(z).getUTCFullYear(), new Date(z).getUTCHours()]).toEqual([99, 23]);
    const y999 = new Date(2000, 0, 1, 8);
    y999.setFullYear(999, 0, 1);
    expect(isoTime(y999.getTime())).toBe('0999-01-01T08:00:00.000000');
    expect(parseIsoTime(isoTime(y999.getTime()))).toBe(y999.getTime());
  });

  it('reads a wall time as the zone has it that day (built on year 2000, 02:30 on a day of 2000\'s spring-forward gap moved an hour)', () => {
    const tz = process.env.TZ;
    try {
      for (const [zone, text] of [['America/New_York', '2024-04-02T02:30:00.000000'], ['Europe/Berlin', '2024-03-26T02:30:00.000000']] as const) {
        process.env.TZ = zone;
        const t = parseIsoTime(text) as number;
        expect([new Date(t).getHours(), new Date(t).getMinutes(), isoTime(t)], zone).toEqual([2, 30, text]);
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});

const roundUs = (ms: number): number => Math.round(ms * 1000) / 1000;
