import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidPointError, StateError, StorageError } from '../../src/errors';
import { Journal, MemoryJournalBackend } from '../../src/storage/index';
import { JournalReducer } from '../../src/storage/state';
import type { SpaceSpec } from '../../src/space/types';
import { Rng } from '../../src/util/rng';

const SPACE: SpaceSpec = {
  lr: { type: 'float', low: 1e-4, high: 0.1, log: true },
  units: { type: 'int', low: 8, high: 256 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'journal-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const lines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));

describe('Journal round trip', () => {
  it('records asks and tells and reads them back from a fresh journal', async () => {
    const b = new MemoryJournalBackend();
    const j = await Journal.open(b, { space: SPACE, direction: 'minimize', meta: { name: 'mlp' }, worker: 'w1' });
    const a0 = await j.ask({ lr: 0.01, units: 64, act: 'relu' }, { source: 'init', rng: [1, 2, 3, 4], engine: 'cpu', suggestMs: 5 });
    expect(a0.trial).toMatchObject({ id: 0, status: 'pending', target: null, source: 'init', engine: 'cpu', worker: 'w1', suggestMs: 5 });
    expect(await j.tell(0, { target: 0.25, durationMs: 12 })).toBe(true);
    const a1 = await j.ask({ lr: 0.001, units: 8, act: 'tanh' });
    await j.tell(a1.trial.id, { error: new Error('out of memory'), durationMs: 3 });
    const a2 = await j.ask({ lr: 0.05, units: 100, act: 'relu' });
    await j.tell(a2.trial.id, { target: NaN });
    const a3 = await j.ask({ lr: 0.02, units: 16, act: 'relu' }, { rng: [5, 6, 7, 4294967295] });
    await j.tell(a3.trial.id, { target: -Infinity });
    const a4 = await j.ask({ lr: 0.03, units: 32, act: 'tanh' });
    expect([a1, a2, a3, a4].map((a) => a.trial.id)).toEqual([1, 2, 3, 4]);

    const raw = lines(b.text);
    expect(raw[0]).toMatchObject({ v: 1, type: 'study', space: SPACE, direction: 'minimize', meta: { name: 'mlp' } });
    expect(typeof raw[0].created).toBe('number');
    // NaN and -Infinity are stored as failures with target null
    expect(raw.filter((e) => e.type === 'tell' && e.id === 2)).toEqual([
      expect.objectContaining({ status: 'failed', target: null, error: 'objective returned NaN' }),
    ]);
    expect(raw.find((e) => e.type === 'tell' && e.id === 3)).toMatchObject({ status: 'failed', target: null, error: 'objective returned -Infinity' });

    const again = await Journal.open(new MemoryJournalBackend(b.text), { space: SPACE, worker: 'w2' });
    const s = await again.load();
    expect(s.skipped).toEqual([]);
    expect(s.nextId).toBe(5);
    expect(s.rngState).toEqual([5, 6, 7, 4294967295]);
    expect(s.header?.meta).toEqual({ name: 'mlp' });
    expect(s.trials.map((t) => [t.id, t.status, t.target, t.error ?? null])).toEqual([
      [0, 'complete', 0.25, null],
      [1, 'failed', null, 'out of memory'],
      [2, 'failed', null, 'objective returned NaN'],
      [3, 'failed', null, 'objective returned -Infinity'],
      [4, 'pending', null, null],
    ]);
    expect(s.trials[0]).toMatchObject({ params: { lr: 0.01, units: 64, act: 'relu' }, durationMs: 12, startedAt: expect.any(Number) });
    expect(s.pending.map((t) => t.id)).toEqual([4]);
    // worker w1 is unknown to a memory backend: not known to have stopped
    expect(s.orphaned).toEqual([]);
  });

  it('opening twice writes one header', async () => {
    const b = new MemoryJournalBackend();
    await Journal.open(b, { space: SPACE });
    await Journal.open(b, { space: SPACE });
    expect(lines(b.text).filter((e) => e.type === 'study')).toHaveLength(1);
  });

  it('readOnly writes nothing and refuses asks', async () => {
    const b = new MemoryJournalBackend();
    const j = await Journal.open(b, { readOnly: true });
    expect(b.text).toBe('');
    await expect(j.ask({ x: 1 })).rejects.toThrow(new StateError('journal "memory": opened read-only'));
  });

  it('readOnly reads a file journal without waiting for its lock', async () => {
    const path = join(tmp(), 'busy.jsonl');
    const writer = await Journal.open(path, { worker: 'w' });
    await writer.ask({ x: 1 });
    const { FileJournalBackend } = await import('../../src/storage/index');
    const holder = new FileJournalBackend(path);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const holding = holder.withLock(async () => {
      entered();
      await held;
    });
    await inside;
    const reader = await Journal.open(path, { readOnly: true });
    expect((await reader.load()).pending.map((t) => t.id)).toEqual([0]);
    const blocked = await Journal.open(path, { file: { lockTimeoutMs: 100 } }).catch((e: Error) => e.message);
    expect(blocked).toMatch(/^journal lock ".*busy\.jsonl\.lock": held by pid \d+ on ".*"; gave up after 100 ms$/);
    release();
    await holding;
  });

  it('rejects bad params, unknown ids, and a second tell', async () => {
    const j = await Journal.open(new MemoryJournalBackend(), { worker: 'w' });
    await expect(j.ask({ x: NaN })).rejects.toThrow(
      new InvalidPointError('journal "memory": ask: parameter "x" must be a string, boolean or finite number', 'x'),
    );
    await expect(j.ask({ x: NaN })).rejects.toMatchObject({ param: 'x' });
    await expect(j.tell(7, { target: 1 })).rejects.toThrow(new StateError('journal "memory": tell: unknown trial id 7'));
    const { trial } = await j.ask({ x: 1 });
    expect(await j.tell(trial.id, { target: 1 })).toBe(true);
    expect(await j.tell(trial.id, { target: 2 })).toBe(false);
    expect((await j.load()).trials[0].target).toBe(1);
  });

  it('record() asks and tells a registered point', async () => {
    const j = await Journal.open(new MemoryJournalBackend());
    const t = await j.record({ x: 0.5 }, { target: 3 });
    expect(t).toMatchObject({ id: 0, status: 'complete', target: 3, source: 'register' });
  });

  it('ask returns the pending trials of other workers, askWith chooses under the lock', async () => {
    const path = join(tmp(), 'shared.jsonl');
    const a = await Journal.open(path, { worker: 'A' });
    const b = await Journal.open(path, { worker: 'B' });
    const a0 = await a.ask({ x: 0.1 });
    const b0 = await b.ask({ x: 0.2 });
    expect(b0.trial.id).toBe(1);
    expect(b0.othersPending.map((t) => [t.id, t.worker])).toEqual([[0, 'A']]);
    await a.tell(a0.trial.id, { target: 1 });
    const b1 = await b.askWith((state) => {
      // the chooser sees A's completed trial and B's own pending one
      expect(state.trials.map((t) => [t.id, t.status])).toEqual([
        [0, 'complete'],
        [1, 'pending'],
      ]);
      return { x: 0.3 };
    });
    expect(b1.othersPending).toEqual([]);
    expect(b1.state.pending.map((t) => t.id)).toEqual([1, 2]);
  });
});

describe('Journal resume', () => {
  it('re-lists interrupted trials, continues ids and the random stream', async () => {
    const path = join(tmp(), 'study.jsonl');
    const rng = new Rng(42);
    const first = await Journal.open(path, { space: { x: { type: 'float', low: 0, high: 1 } }, worker: 'run1' });
    for (let i = 0; i < 5; i++) {
      const x = rng.random();
      const { trial } = await first.ask({ x }, { rng: rng.state() });
      if (i < 4) await first.tell(trial.id, { target: x * 2 });
    }
    // the process "dies" here with trial 4 pending; an uninterrupted run would draw next:
    const expectedNext = rng.random();

    const second = await Journal.open(path, {
      space: { x: { type: 'float', low: 0, high: 1 } },
      worker: 'run2',
      isWorkerAlive: (w) => (w === 'run1' ? false : undefined),
    });
    const s = await second.load();
    expect(s.nextId).toBe(5);
    expect(s.trials.filter((t) => t.status === 'complete')).toHaveLength(4);
    expect(s.pending.map((t) => t.id)).toEqual([4]);
    expect(s.orphaned.map((t) => [t.id, t.worker])).toEqual([[4, 'run1']]);
    expect(Rng.fromState(s.rngState!).random()).toBe(expectedNext);

    const re = await second.reclaim(4);
    expect(re).toMatchObject({ id: 4, worker: 'run2', params: s.orphaned[0].params, status: 'pending' });
    expect(await second.reclaim(4)).toMatchObject({ id: 4 }); // own trial: may re-ask again
    await second.tell(4, { target: 1 });
    expect(await second.reclaim(4)).toBeNull(); // finished
    const { trial } = await second.ask({ x: 0.5 });
    expect(trial.id).toBe(5);
    const end = await second.load();
    expect(end.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'complete', 'complete', 'complete', 'pending']);
    expect(end.skipped).toEqual([]);
  });

  it('does not take a trial whose owner may still run, unless forced', async () => {
    const b = new MemoryJournalBackend();
    const a = await Journal.open(b, { worker: 'A' });
    await a.ask({ x: 1 });
    const other = await Journal.open(b, { worker: 'B' });
    expect((await other.load()).orphaned).toEqual([]);
    expect(await other.reclaim(0)).toBeNull();
    expect(await other.reclaim(0, { force: true })).toMatchObject({ id: 0, worker: 'B' });
  });

  it('throws StorageError when the space or direction differ', async () => {
    const b = new MemoryJournalBackend();
    await Journal.open(b, { space: SPACE, direction: 'maximize' });
    await expect(
      Journal.open(b, { space: { ...SPACE, units: { type: 'int', low: 8, high: 512 } } }),
    ).rejects.toThrow(
      new StorageError(
        'journal "memory": the search space differs from the one the study was created with: parameter "units" is ' +
          '{"type":"int","low":8,"high":256,"log":false} in the journal but {"type":"int","low":8,"high":512,"log":false} now',
      ),
    );
    const { lr, units, act } = SPACE;
    await expect(Journal.open(b, { space: { units, lr, act } })).rejects.toThrow(
      'parameter order differs: [lr, units, act] in the journal, [units, lr, act] now',
    );
    await expect(Journal.open(b, { space: { lr, units } })).rejects.toThrow(
      'parameter "act" is in the journal but not in the space given now',
    );
    await expect(Journal.open(b, { space: SPACE, direction: 'minimize' })).rejects.toThrow(
      new StorageError('journal "memory": the study was created to maximize, not to minimize'),
    );
    // log: false and a missing log are the same; checkSpace: false skips the test
    await Journal.open(b, { space: { lr, units: { ...units, log: false } as typeof units, act } });
    await Journal.open(b, { space: { lr }, checkSpace: false });
  });
});

const H = '{"v":1,"type":"study","created":1}';
const ask = (id: unknown, params: unknown = { x: 1 }): string =>
  JSON.stringify({ v: 1, type: 'ask', id, params, source: 'suggest', t: 10, worker: 'w' });
const tell = (id: number, target: unknown, status = 'complete'): string => JSON.stringify({ v: 1, type: 'tell', id, status, target, t: 11 });

describe('damaged journals', () => {
  const damaged = [
    H, // 1
    ask(0), // 2
    tell(0, 0.5), // 3
    'garbage{{', // 4
    '[1,2]', // 5
    '{"v":2,"type":"ask"}', // 6
    ask('1'), // 7
    tell(1, 2), // 8: unknown id
    ask(1, { x: 2 }), // 9
    tell(1, '0.5'), // 10
    tell(0, 0.7), // 11: already told
    '', // 12: blank, ignored
    ask(1, { x: 9 }), // 13
    '{"v":1,"type":"bogus"}', // 14
    ask(2, { x: { nested: 1 } }), // 15
    '{"v":1,"type":"ask","id":3,"params":{"x":1},"source":"magic","t":1}', // 16
    tell(1, 1, 'failed'), // 17
    '{"v":1,"type":"ask","id":3,"params":{"x":1},"source":"init","t":1,"rng":[1,2,3]}', // 18
    H, // 19: second header
    '{"type":"tell"}', // 20
  ].join('\n');
  const tail = '{"v":1,"type":"tell","id":1,"sta'; // 21: torn, no newline

  const expectedSkipped = [
    { line: 4, reason: 'invalid JSON' },
    { line: 5, reason: 'not a JSON object' },
    { line: 6, reason: 'unsupported version 2 (this library reads version 1)' },
    { line: 7, reason: 'ask: "id" must be an integer >= 0' },
    { line: 8, reason: 'tell: unknown trial id 1' },
    { line: 10, reason: 'tell: status "complete" needs a finite "target"' },
    { line: 11, reason: 'tell: trial 0 already finished (line 3)' },
    { line: 13, reason: 'ask: trial 1 was already asked with different params (line 9)' },
    { line: 14, reason: 'unknown event type "bogus"' },
    { line: 15, reason: 'ask: parameter "x" must be a string, boolean or finite number' },
    { line: 16, reason: 'ask: "source" must be one of init, suggest, probe, register, grid, random' },
    { line: 17, reason: 'tell: status "failed" needs "target": null' },
    { line: 18, reason: 'ask: "rng" must be an array of 4 unsigned 32-bit integers' },
    { line: 19, reason: 'study: a second header (the header is line 1)' },
    { line: 20, reason: 'missing "v"' },
  ];

  it('loads the valid lines and reports each skipped one with its reason', async () => {
    const b = new MemoryJournalBackend(damaged + '\n' + tail);
    const j = await Journal.open(b, { worker: 'me' });
    const s = await j.load();
    expect(s.skipped).toEqual([...expectedSkipped, { line: 21, reason: 'truncated last line (no newline at the end, not valid JSON)' }]);
    expect(s.trials.map((t) => [t.id, t.status, t.target, t.params])).toEqual([
      [0, 'complete', 0.5, { x: 1 }],
      [1, 'pending', null, { x: 2 }],
    ]);
    expect(s.nextId).toBe(2);
  });

  it('appends after a torn tail on a new line and never rewrites good lines', async () => {
    const path = join(tmp(), 'torn.jsonl');
    const original = damaged + '\n' + tail;
    writeFileSync(path, original);
    const j = await Journal.open(path, { worker: 'me' });
    expect(await j.tell(1, { target: 4 })).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith(original + '\n')).toBe(true);
    const added = text.slice(original.length + 1).split('\n');
    expect(added).toHaveLength(2); // the tell and the final ''
    expect(JSON.parse(added[0])).toMatchObject({ type: 'tell', id: 1, status: 'complete', target: 4 });
    // the same instance and a fresh one agree: the torn line is now a complete garbage line
    for (const s of [await j.load(), await (await Journal.open(path)).load()]) {
      expect(s.skipped).toEqual([...expectedSkipped, { line: 21, reason: 'invalid JSON' }]);
      expect(s.trials.map((t) => [t.id, t.status, t.target])).toEqual([
        [0, 'complete', 0.5],
        [1, 'complete', 4],
      ]);
    }
  });

  it('uses a last line that is whole JSON without its newline, and keeps line numbers right', async () => {
    const b = new MemoryJournalBackend([H, ask(0)].join('\n'));
    const j = await Journal.open(b, { worker: 'me' });
    expect((await j.load()).pending.map((t) => t.id)).toEqual([0]);
    await j.tell(0, { target: 1 });
    await j.ask({ x: 'y' });
    const raw = b.text.split('\n');
    expect(raw[1]).toBe(ask(0));
    expect(JSON.parse(raw[2])).toMatchObject({ type: 'tell', id: 0 });
    // a garbage line after that is reported at its true line number by both readers
    await b.append('oops\n');
    for (const s of [await j.load(), await (await Journal.open(new MemoryJournalBackend(b.text))).load()]) {
      expect(s.skipped).toEqual([{ line: 5, reason: 'invalid JSON' }]);
      expect(s.trials.map((t) => t.status)).toEqual(['complete', 'pending']);
    }
  });
});

describe('JournalReducer', () => {
  it('incremental reads of any prefixes give the same state as one read (seeded property)', () => {
    const text =
      [H, ask(0), tell(0, 1), 'bad', ask(1, { x: 'a' }), ask(2, { x: true }), tell(2, null, 'failed'), tell(5, 1), tell(1, 3)].join('\n') +
      '\n';
    const once = new JournalReducer();
    once.update(text);
    const summary = (r: JournalReducer): unknown => [r.trials(), r.skipped(), r.nextId, r.header];
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 12 }), (cuts) => {
        const r = new JournalReducer();
        for (const c of [...cuts].sort((a, b) => a - b)) r.update(text.slice(0, c));
        r.update(text);
        expect(summary(r)).toEqual(summary(once));
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });

  it('starts over when the text shrinks (journal replaced)', () => {
    const r = new JournalReducer();
    r.update([H, ask(0), ask(1)].join('\n') + '\n');
    expect(r.nextId).toBe(2);
    r.update(H + '\n');
    expect(r.nextId).toBe(0);
    expect(r.trials()).toEqual([]);
  });
});
