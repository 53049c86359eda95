/**
 * The journal reducer (src/storage/state.ts): damaged lines are skipped and
 * reported with their reasons, a torn tail is cut off before an append, and
 * incremental reads fold to the state of one read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Journal, MemoryJournalBackend } from '../../src/storage/index';
import { JournalReducer } from '../../src/storage/state';
import { useTempDirs } from './temp-dirs';

const tmp = useTempDirs('journal-test-');

const S = '{"op_code":0,"worker_id":"w","study_name":"default","directions":[2]}';
const FLOAT = JSON.stringify({ name: 'FloatDistribution', attributes: { low: -10, high: 10, log: false, step: null } });
const CAT = JSON.stringify({ name: 'CategoricalDistribution', attributes: { choices: ['a', 'y', true] } });
/** CREATE_TRIAL of a running trial in study 0 (string values are choices of CAT). */
const ask = (params: Record<string, unknown> = { x: 1 }, study: unknown = 0): string => {
  const dists: Record<string, string> = {};
  const internal: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    dists[k] = typeof v === 'number' ? FLOAT : CAT;
    internal[k] = typeof v === 'number' ? v : ['a', 'y', true].indexOf(v as string);
  }
  return JSON.stringify({ op_code: 4, worker_id: 'w', study_id: study, datetime_start: '2026-01-02T03:04:05.678000', params: internal, distributions: dists, system_attrs: { 'wbo:worker': 'w' } });
};
const tell = (trialId: unknown, values: unknown, state = 1): string => JSON.stringify({ op_code: 6, worker_id: 'w', trial_id: trialId, state, values, datetime_complete: '2026-01-02T03:04:06.000000' });

describe('damaged journals', () => {
  const damaged = [
    S, // 1
    ask({ x: 1 }), // 2: trial 0
    tell(0, [0.5]), // 3
    'garbage{{', // 4
    '[1,2]', // 5
    '{"worker_id":"w"}', // 6
    '{"op_code":42,"worker_id":"w"}', // 7
    tell(1, [2]), // 8: unknown trial
    ask({ x: 2 }), // 9: trial 1
    tell(1, ['0.5']), // 10
    tell(0, [0.7]), // 11: already told
    '', // 12: blank, ignored
    '{"op_code":4,"worker_id":"w","study_id":0,"datetime_start":null,"params":{"x":5},"distributions":{"x":' + JSON.stringify(CAT) + '}}', // 13: trial 2, bad param
    '{"op_code":4,"worker_id":"w"}', // 14
    '{"op_code":0,"worker_id":"v","study_name":"default","directions":[1]}', // 15: name taken: creates nothing
    '{"op_code":0,"worker_id":"v","study_name":"other","directions":[1]}', // 16: study 1
    ask({ x: 3 }, 1), // 17: trial_id 3, of the other study
    tell(3, [1]), // 18: the other study's trial: not ours
    '{"op_code":7,"worker_id":"w","trial_id":1,"step":"a","intermediate_value":1}', // 19
    '{"op_code":3,"worker_id":"w","study_id":0}', // 20
  ].join('\n');
  const tail = '{"op_code":6,"worker_id":"w","trial_id":1,"sta'; // 21: torn, no newline

  const expectedSkipped = [
    { line: 4, reason: 'invalid JSON' },
    { line: 5, reason: 'not a JSON object' },
    { line: 6, reason: 'missing "op_code"' },
    { line: 7, reason: 'unknown op_code 42' },
    { line: 8, reason: 'op 6: unknown trial_id 1' },
    { line: 10, reason: 'set state: state complete needs a finite value' },
    { line: 11, reason: 'op 6: trial 0 already finished (line 3)' },
    { line: 13, reason: 'create trial 2: parameter "x": 5 does not fit its distribution' },
    { line: 14, reason: 'create trial: "study_id" must be an integer' },
    { line: 19, reason: 'intermediate value: needs an integer "step" and a number "intermediate_value"' },
    { line: 20, reason: 'study attr: needs "study_id" and "system_attr"' },
  ];

  it('loads the valid lines and reports each skipped one with its reason', async () => {
    const b = new MemoryJournalBackend(damaged + '\n' + tail);
    const j = await Journal.open(b, { worker: 'me' });
    const s = await j.load();
    expect(s.skipped).toEqual([...expectedSkipped, { line: 21, reason: 'truncated last line (no newline at the end, not valid JSON)' }]);
    expect(s.trials.map((t) => [t.id, t.status, t.target, t.params])).toEqual([
      [0, 'complete', 0.5, { x: 1 }],
      [1, 'pending', null, { x: 2 }],
      [2, 'pending', null, {}],
    ]);
    expect(s.nextId).toBe(3);
    expect(j.studyNames).toEqual(['default', 'other']);
  });

  it('cuts a torn tail off before appending (its text kept beside the journal) and never rewrites good lines', async () => {
    const path = join(tmp(), 'torn.jsonl');
    const original = damaged + '\n' + tail;
    writeFileSync(path, original);
    const j = await Journal.open(path, { worker: 'me' });
    expect(await j.tell(1, { target: 4 })).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith(damaged + '\n')).toBe(true);
    const added = text.slice(damaged.length + 1).split('\n');
    expect(added).toHaveLength(2); // the state change and the final ''
    expect(JSON.parse(added[0])).toMatchObject({ op_code: 6, worker_id: 'me', trial_id: 1, state: 1, values: [4] });
    expect(readFileSync(`${path}.torn`, 'utf8')).toBe(tail + '\n');
    // the same instance (which read the torn line before the append) and a fresh one agree: line 21 is the tell
    for (const s of [await j.load(), await (await Journal.open(path)).load()]) {
      expect(s.skipped).toEqual(expectedSkipped);
      expect(s.trials.map((t) => [t.id, t.status, t.target])).toEqual([
        [0, 'complete', 0.5],
        [1, 'complete', 4],
        [2, 'pending', null],
      ]);
    }
  });

  it('the state an ask returns after cutting a torn tail, folded without reading back, has the ask at the torn line', async () => {
    const path = join(tmp(), 'torn.jsonl');
    writeFileSync(path, damaged + '\n' + tail);
    const asked = await (await Journal.open(path, { worker: 'me' })).ask({ x: 5 });
    expect(asked.state.skipped).toEqual(expectedSkipped);
    expect(asked.state.trials.map((t) => t.id)).toEqual([0, 1, 2, 3]);
    expect(readFileSync(path, 'utf8').split('\n')[20]).toContain('"op_code":4');
  });

  it('keeps a last line of Python JSON (bare Infinity) without its newline, and asks after it', async () => {
    const path = join(tmp(), 'inf.jsonl');
    const attr = '{"op_code":8,"worker_id":"w","trial_id":0,"user_attr":{"a":Infinity}}'; // Optuna's json.dumps of inf
    writeFileSync(path, [S, ask({ x: 1 }), attr].join('\n'));
    const j = await Journal.open(path, { worker: 'me' });
    const asked = await j.ask({ x: 2 });
    expect(asked.trial.id).toBe(1);
    expect(readFileSync(path, 'utf8').split('\n')[2]).toBe(attr);
    for (const s of [await j.load(), await (await Journal.open(path)).load()]) {
      expect(s.skipped).toEqual([]);
      expect(s.trials.map((t) => [t.id, t.userAttrs ?? null])).toEqual([[0, { a: Infinity }], [1, null]]);
    }
  });

  it('a byte order mark before a torn first line stays, and the writer folds what it wrote', async () => {
    const path = join(tmp(), 'bom.jsonl');
    writeFileSync(path, '\ufeff{"op_code":0,"worker_id":"w","study_na');
    const j = await Journal.open(path, { worker: 'me', space: { x: { type: 'float', low: 0, high: 1 } } });
    await j.ask({ x: 0.5 });
    for (const s of [await j.load(), await (await Journal.open(path)).load()]) {
      expect(s.skipped).toEqual([]);
      expect(s.trials.map((t) => t.id)).toEqual([0]);
    }
  });

  it('a backend that closes a torn tail with a newline (the earlier contract) still folds right', async () => {
    const lock = new MemoryJournalBackend();
    const legacy = {
      text: damaged + '\n' + tail,
      readAll: async () => legacy.text,
      append: async (lines: string) => void (legacy.text += (legacy.text.endsWith('\n') ? '' : '\n') + lines),
      withLock: <T>(fn: () => Promise<T>) => lock.withLock(fn),
    };
    const j = await Journal.open(legacy, { worker: 'me' });
    expect(await j.tell(1, { target: 4 })).toBe(true);
    // the torn line stays, a garbage line 21; the tell is line 22, and the journal read it back
    for (const s of [await j.load(), await (await Journal.open(legacy)).load()]) {
      expect(s.skipped).toEqual([...expectedSkipped, { line: 21, reason: 'invalid JSON' }]);
      expect(s.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'pending']);
    }
  });

  it('uses a last line that is whole JSON without its newline, and keeps line numbers right', async () => {
    const b = new MemoryJournalBackend([S, ask()].join('\n'));
    const j = await Journal.open(b, { worker: 'me' });
    expect((await j.load()).pending.map((t) => t.id)).toEqual([0]);
    await j.tell(0, { target: 1 });
    await j.ask({ x: 'y' });
    const raw = b.text.split('\n');
    expect(raw[1]).toBe(ask());
    expect(JSON.parse(raw[2])).toMatchObject({ op_code: 6, trial_id: 0 });
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
      [S, ask(), tell(0, [1]), 'bad', ask({ x: 'a' }), ask({ x: true }), tell(2, null, 3), tell(5, [1]), tell(1, [3])].join('\n') +
      '\n';
    const once = new JournalReducer();
    once.update(text);
    expect(once.trials().map((t) => t.status)).toEqual(['complete', 'complete', 'failed']);
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
    r.update([S, ask(), ask()].join('\n') + '\n');
    expect(r.nextId).toBe(2);
    r.update(S + '\n');
    expect(r.nextId).toBe(0);
    expect(r.trials()).toEqual([]);
  });
});

describe('intermediate values written by another program', () => {
  it('leaves out a key that is no finite step (it made a pruned trial\'s step NaN or Infinity, and its report refused)', async () => {
    const distribution = { name: 'FloatDistribution', attributes: { low: 0, high: 1, step: null, log: false } };
    const pruned = (iv: object) => JSON.stringify({
      op_code: 4, worker_id: 'w', study_id: 0, datetime_start: '2026-01-02T03:04:05.678000', datetime_complete: '2026-01-02T03:04:06.000000',
      state: 2, value: null, values: [0.5], intermediate_values: iv, params: { x: 0.5 }, distributions: { x: JSON.stringify(distribution) }, user_attrs: {}, system_attrs: {},
    });
    const text = [JSON.stringify({ op_code: 0, worker_id: 'w', study_name: 'default', directions: [2] }), pruned({ abc: 0.5 }), pruned({ '1e400': 0.5, 3: 0.25 })].join('\n') + '\n';
    const j = await Journal.open(new MemoryJournalBackend(text), { readOnly: true });
    const { trials } = await j.load();
    expect(trials.map((t) => [t.status, t.step, t.intermediate])).toEqual([['pruned', undefined, undefined], ['pruned', 3, { 3: 0.25 }]]);
    await j.close();
  });
});
