import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError, StateError, StorageError } from '../../src/errors';
import { FileJournalBackend, Journal, MemoryJournalBackend } from '../../src/storage/index';
import type { SpaceSpec } from '../../src/space/types';
import { Rng } from '../../src/util/rng';
import { useTempDirs } from './temp-dirs';

const SPACE: SpaceSpec = {
  lr: { type: 'float', low: 1e-4, high: 0.1, log: true },
  units: { type: 'int', low: 8, high: 256 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};

const tmp = useTempDirs('journal-test-');

const lines = (text: string): Record<string, any>[] =>
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
    expect(raw[0]).toEqual({ op_code: 0, worker_id: 'w1', study_name: 'default', directions: [1] });
    const studyAttrs = raw.filter((e) => e.op_code === 3).map((e) => e.system_attr);
    expect(studyAttrs).toEqual([{ 'wbo:space': SPACE }, { 'wbo:created': expect.any(Number) }, { 'wbo:meta': { name: 'mlp' } }]);
    // the first ask is one CREATE_TRIAL with the params in Optuna's internal form and our extras as system attrs
    expect(raw[4]).toMatchObject({
      op_code: 4, study_id: 0, state: 0, params: { lr: 0.01, units: 64, act: 0 },
      system_attrs: { 'wbo:source': 'init', 'wbo:worker': 'w1', 'wbo:engine': 'cpu', 'wbo:suggest_ms': 5, 'wbo:rng': [1, 2, 3, 4] },
    });
    expect(JSON.parse(raw[4].distributions.act as string)).toEqual({ name: 'CategoricalDistribution', attributes: { choices: ['relu', 'tanh'] } });
    // NaN and -Infinity are stored as failures (state 3, no values) with the reason
    const ofTrial = (id: number) => raw.filter((e) => e.trial_id === id).map((e) => e.system_attr ?? { state: e.state, values: e.values });
    expect(ofTrial(2)).toEqual([{ 'wbo:error': 'objective returned NaN' }, { state: 3, values: null }]);
    expect(ofTrial(3)).toEqual([{ 'wbo:error': 'objective returned -Infinity' }, { state: 3, values: null }]);
    expect(ofTrial(0)).toEqual([{ 'wbo:duration_ms': 12 }, { state: 1, values: [0.25] }]);

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

  it('a study of several objectives is refused as such, whatever space it is opened with', async () => {
    const dist = JSON.stringify({ name: 'FloatDistribution', attributes: { step: null, low: 0, high: 1, log: false } });
    const text = [
      { op_code: 0, worker_id: 'py', study_name: 'mo', directions: [1, 2] },
      { op_code: 4, worker_id: 'py', study_id: 0, datetime_start: '2026-12-04T10:00:00.000000' },
      { op_code: 5, worker_id: 'py', trial_id: 0, param_name: 'x', param_value_internal: 0.5, distribution: dist },
    ].map((o) => JSON.stringify(o)).join('\n') + '\n';
    for (const space of [{ x: { type: 'float', low: 0, high: 1 } }, { y: { type: 'float', low: 0, high: 1 } }] as SpaceSpec[]) {
      await expect(Journal.open(new MemoryJournalBackend(text), { space, studyName: 'mo' }))
        .rejects.toThrow('study "mo" has several objectives; only single-objective studies are supported');
    }
  });

  it('a tell after another worker deleted the study (and created it again) is a StateError, and touches no new trial', async () => {
    const backend = new MemoryJournalBackend();
    const j = await Journal.open(backend, { space: SPACE });
    const { trial } = await j.ask({ lr: 0.01, units: 32, act: 'relu' });
    // Optuna deletes the study and a worker creates it again and asks a trial under the same number
    const w = 'py';
    await backend.append([
      { op_code: 1, worker_id: w, study_id: 0 },
      { op_code: 0, worker_id: w, study_name: 'default', directions: [2] },
      { op_code: 4, worker_id: w, study_id: 1, datetime_start: '2026-12-04T10:00:00.000000', params: {}, distributions: {} },
    ].map((o) => JSON.stringify(o)).join('\n') + '\n');
    await expect(j.tell(trial.id, { target: 1 })).rejects.toThrow(new StateError(
      `journal "memory": tell: trial ${trial.id}'s study was deleted and created again by another worker while it ran; its result was not recorded`));
    expect(backend.text).not.toContain('"state":1');
    await j.close();
  });

  it('opening twice writes one header', async () => {
    const b = new MemoryJournalBackend();
    await Journal.open(b, { space: SPACE });
    await Journal.open(b, { space: SPACE });
    expect(lines(b.text).filter((e) => e.op_code === 0)).toHaveLength(1);
  });

  it('readOnly writes nothing and refuses asks, and asks the backend for no worker id (Deno reads a file without --allow-sys)', async () => {
    const b = new MemoryJournalBackend();
    let asked = 0;
    (b as { workerId?: () => string }).workerId = () => (asked++, 'w');
    const j = await Journal.open(b, { readOnly: true });
    expect(asked).toBe(0);
    expect(b.text).toBe('');
    await expect(j.ask({ x: 1 })).rejects.toThrow(new StateError('journal "memory": opened read-only'));
  });

  it('readOnly on a path with no file is a StorageError, for readStudy, listStudies and migrateJournal too; nothing is created', async () => {
    const path = join(tmp(), 'typo.jsonl');
    const { listStudies, migrateJournal } = await import('../../src/storage/index');
    const { readStudy } = await import('../../src/report/index');
    const want = new StorageError(`journal ${JSON.stringify(path)}: does not exist`);
    await expect(Journal.open(path, { readOnly: true })).rejects.toThrow(want);
    await expect(listStudies(path)).rejects.toThrow(want);
    await expect(readStudy(path)).rejects.toThrow(want);
    await expect(migrateJournal(path, join(tmp(), 'to.jsonl'))).rejects.toThrow(want);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.lock`)).toBe(false);
    // an empty file is a journal with no study yet, and opening to write creates one
    writeFileSync(path, '');
    expect(await listStudies(path)).toEqual([]);
    await (await Journal.open(path, { space: SPACE })).close();
    expect((await listStudies(path)).map((s) => s.name)).toEqual(['default']);
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

  it('rejects params outside the space before writing anything', async () => {
    const backend = new MemoryJournalBackend();
    const j = await Journal.open(backend, { worker: 'w', space: { n: { type: 'int', low: 1, high: 5 }, x: { type: 'float', low: 0, high: 1 } } });
    const before = await backend.readAll();
    await expect(j.ask({ n: 7, x: 0.5 })).rejects.toThrow(new InvalidPointError('journal "memory": ask: parameter "n": value 7 is outside [1, 5]', 'n'));
    await expect(j.ask({ n: 2, x: 3 })).rejects.toMatchObject({ param: 'x' });
    expect(await backend.readAll()).toBe(before);
    const s = await j.load();
    expect([s.trials, s.skipped]).toEqual([[], []]);
    expect((await j.ask({ n: 5, x: 1 })).trial.id).toBe(0);
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

describe('Journal and Study options', () => {
  it('the constructor, called from JavaScript, is a StateError pointing to Journal.open (undefined, null, {} or a backend was a TypeError reading studyName)', async () => {
    const b = new MemoryJournalBackend();
    for (const args of [[undefined], [null], [{}], [b], [b, b, 'w', {}, false]]) {
      const e = (() => {
        try {
          new (Journal as unknown as new (...a: unknown[]) => Journal)(...args);
        } catch (x) {
          return x as Error;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(StateError);
      expect(e!.message).toBe('Journal: the constructor is private; open a journal with await Journal.open(target, options)');
    }
    const j = await Journal.open(b, { space: SPACE });
    expect(j.format).toBe('optuna');
  });

  it('a study name that is not a non-empty string, or an unknown direction, is refused before anything is written', async () => {
    // 5 was written as Optuna reads it but skipped here: the two numbered the studies after it differently
    const path = join(tmp(), 'study.jsonl');
    const { Study } = await import('../../src/storage/index');
    const space = { x: { type: 'float' as const, low: 0, high: 1 } };
    await expect(Journal.open(path, { space, studyName: 5 as never }))
      .rejects.toThrow(new InvalidOptionError('option "studyName": expected a non-empty string, got 5', 'studyName'));
    expect(() => Study.open(path, { space, studyName: '' }))
      .toThrow(new InvalidOptionError('option "studyName": expected a non-empty string, got ""', 'studyName'));
    // 'up' minimized in memory and was written as maximize
    expect(() => Study.open(path, { space, direction: 'up' as never }))
      .toThrow(new InvalidOptionError('option "direction": expected "maximize" or "minimize", got "up"', 'direction'));
    expect(() => Study.open(undefined, { direction: 'up' as never })).toThrow(InvalidOptionError);
    // a misspelt studyName opened the study "default"; null options were a TypeError
    const e = (() => { try { Study.open(path, { space, studyname: 'mine' } as never); } catch (err) { return err as InvalidOptionError; } })();
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect([e!.message, e!.option]).toEqual(['option "studyname": unknown option of Study.open (known: space, direction, studyName)', 'studyname']);
    expect(() => Study.open(undefined, null as never)).toThrow(new InvalidOptionError('Study.open: options must be an object, got null', 'options'));
    expect(existsSync(path)).toBe(false);
  });

  it('Journal.open refuses an unknown key, a value of the wrong type and a target that is neither a path nor a backend, opening nothing', async () => {
    const path = join(tmp(), 'study.jsonl');
    const cases: [unknown, unknown, string, string][] = [
      // readOnly misspelt was ignored, and the file was created
      [path, { readonly: true }, 'readonly', 'option "readonly": unknown option of Journal.open (known: space, direction, meta, studyName, checkSpace, readOnly, worker, isWorkerAlive, file)'],
      [path, null, 'options', 'Journal.open: options must be an object, got null'],
      [path, { checkSpace: 'false' }, 'checkSpace', 'Journal.open: checkSpace: expected a boolean, got "false"'],
      [path, { readOnly: 'no' }, 'readOnly', 'Journal.open: readOnly: expected a boolean, got "no"'],
      [path, { worker: 5 }, 'worker', 'Journal.open: worker: expected a non-empty string, got 5'],
      [path, { worker: '' }, 'worker', 'Journal.open: worker: expected a non-empty string, got ""'],
      [path, { meta: 5 }, 'meta', 'Journal.open: meta: expected an object, got 5'],
      [path, { isWorkerAlive: true }, 'isWorkerAlive', 'Journal.open: isWorkerAlive: expected a function, got true'],
      [path, { file: 'x' }, 'file', 'Journal.open: file: expected an object, got "x"'],
      [5, {}, 'target', 'Journal.open: target: expected a path or a JournalBackend (readAll, append, withLock), got 5'],
      [{}, {}, 'target', 'Journal.open: target: expected a path or a JournalBackend (readAll, append, withLock), got {}'],
      ['', {}, 'target', 'Journal.open: target: expected a path, got ""'],
    ];
    for (const [target, opts, option, message] of cases) {
      const e = await Journal.open(target as string, opts as never).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect(e).toMatchObject({ option, message });
    }
    expect(existsSync(path)).toBe(false);
    // undefined is not given
    const j = await Journal.open(new MemoryJournalBackend(), { worker: undefined, readOnly: undefined });
    expect(j.worker).toMatch(/^w-/);
  });
});

describe('Journal resume', () => {
  it('journals on one backend are workers <id>, <id>~2, ...; a caller\'s isWorkerAlive judges those ids as written, a closed one is stopped', async () => {
    const backend = Object.assign(new MemoryJournalBackend(), { workerId: () => 'host:1:abc' });
    const space = { x: { type: 'float' as const, low: 0, high: 1 } };
    const a = await Journal.open(backend, { space });
    const b = await Journal.open(backend, { space });
    expect([a.worker, b.worker]).toEqual(['host:1:abc', 'host:1:abc~2']);
    await b.ask({ x: 0.5 });
    const asked: string[] = [];
    const c = await Journal.open(backend, { space, worker: 'observer', isWorkerAlive: (w) => (asked.push(w), w === b.worker) });
    // the caller's test was given the id stripped to the backend's, and b's live trial came back orphaned
    expect((await c.load()).orphaned).toEqual([]);
    expect(asked).toEqual(['host:1:abc~2']);
    await b.close();
    expect((await c.load()).orphaned.map((t) => t.worker)).toEqual(['host:1:abc~2']); // closed in this process: known stopped
    await a.close();
  });

  it('a journal closing with trials pending writes so, and another process then takes them as abandoned', async () => {
    const space = { x: { type: 'float' as const, low: 0, high: 1 } };
    const backend = Object.assign(new MemoryJournalBackend(), { workerId: () => 'host:1:def' });
    const a = await Journal.open(backend, { space });
    await a.ask({ x: 0.25 });
    await a.tell((await a.ask({ x: 0.5 })).trial.id, { target: 1 });
    const before = backend.text;
    await a.close();
    const added = backend.text.slice(before.length).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    expect(added).toEqual([{ op_code: 3, worker_id: 'host:1:def', study_id: 0, system_attr: { 'wbo:closed:host:1:def': expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } }]);
    // as another process reads it: a worker id this process never closed, whose backend says it runs
    const elsewhere = (text: string) => new MemoryJournalBackend(text.replaceAll('host:1:def', 'host:2:xyz'));
    const read = async (text: string) => (await (await Journal.open(elsewhere(text), { space, worker: 'observer', isWorkerAlive: () => true })).load()).orphaned.map((t) => t.id);
    expect(await read(backend.text)).toEqual([0]);
    expect(await read(before)).toEqual([]); // without the mark: taken as running
    // a trial asked later under the same id (a backend naming its worker alike in every process) is not abandoned by the old mark
    const later = elsewhere(backend.text);
    const b = await Journal.open(later, { space, worker: 'host:2:xyz' });
    await b.ask({ x: 0.75 });
    expect(await read(later.text.replaceAll('host:2:xyz', 'host:1:def'))).toEqual([0]);
  });

  it('closing gives up the mark (2 s) rather than wait out a lock another holder keeps', async () => {
    const path = join(tmp(), 'held.jsonl');
    const j = await Journal.open(path, { space: { x: { type: 'float' as const, low: 0, high: 1 } } });
    await j.ask({ x: 0.5 });
    const text = readFileSync(path, 'utf8');
    let release!: () => void;
    let released = false;
    const held = new FileJournalBackend(path).withLock(() => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    await j.close(); // resolves while the lock is still held (its own wait would be 60 s)
    expect(released).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(text);
    released = true;
    release();
    await held;
  });

  it('closing writes nothing where it leaves no trial pending, read-only, or under a worker id the caller chose', async () => {
    const space = { x: { type: 'float' as const, low: 0, high: 1 } };
    const done = new MemoryJournalBackend();
    const a = await Journal.open(done, { space });
    await a.tell((await a.ask({ x: 0.5 })).trial.id, { target: 1 });
    let text = done.text;
    await a.close();
    expect(done.text).toBe(text);
    const chosen = new MemoryJournalBackend();
    const b = await Journal.open(chosen, { space, worker: 'mine' });
    await b.ask({ x: 0.5 });
    text = chosen.text;
    await b.close();
    expect(chosen.text).toBe(text);
    const reader = await Journal.open(chosen, { readOnly: true });
    await reader.load();
    await reader.close();
    expect(chosen.text).toBe(text);
  });

  it('fails, without retrying, an interrupted trial whose very point another trial completed (it would be evaluated twice)', async () => {
    const path = join(tmp(), 'study.jsonl');
    const space = { x: { type: 'float', low: 0, high: 1 } } as const;
    const first = await Journal.open(path, { space, worker: 'run1' });
    const { trial } = await first.ask({ x: 0.25 });
    await first.ask({ x: 0.75 });
    const second = await Journal.open(path, { space, worker: 'run2', isWorkerAlive: (w) => (w === 'run1' ? false : undefined) });
    await second.load();
    const { trial: twin } = await second.ask({ x: 0.25 });
    await second.tell(twin.id, { target: 1 });
    const re = await second.reclaim(trial.id);
    expect(re?.retry).toBeNull();
    expect(re?.failed).toMatchObject({ id: 0, status: 'failed', target: null });
    expect(re?.failed.error).toBe('interrupted: worker run1 stopped mid-trial (its process ended or its heartbeat expired); not retried: trial 2 completed the same point');
    // the other interrupted trial, whose point nobody completed, is retried as before
    expect((await second.reclaim(1))?.retry).toMatchObject({ id: 3, params: { x: 0.75 }, retryOf: 1 });
    await first.close();
    await second.close();
  });

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

    const re = await second.reclaim(4, { rng: [1, 2, 3, 4] });
    // Optuna's semantics: the stopped worker's trial fails, its params are retried as a new trial
    expect(re?.failed).toMatchObject({ id: 4, worker: 'run1', status: 'failed', target: null });
    expect(re?.failed.error).toBe('interrupted: worker run1 stopped mid-trial (its process ended or its heartbeat expired); its params are retried as a new trial');
    expect(re?.retry).toMatchObject({ id: 5, worker: 'run2', params: s.orphaned[0].params, status: 'pending', retryOf: 4 });
    expect(await second.reclaim(4)).toBeNull(); // failed now: retried once only
    const again = await second.reclaim(5); // own trial: may be retried again; the chain keeps its first trial
    expect(again?.retry).toMatchObject({ id: 6, retryOf: 4, params: s.orphaned[0].params });
    await second.tell(6, { target: 1 });
    expect(await second.reclaim(6)).toBeNull(); // finished
    const { trial } = await second.ask({ x: 0.5 });
    expect(trial.id).toBe(7);
    const end = await second.load();
    expect(end.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'complete', 'complete', 'failed', 'failed', 'complete', 'pending']);
    expect(end.rngState).toEqual([1, 2, 3, 4]);
    // as Optuna's fail_stale_trials + RetryFailedTrialCallback write them
    const ops = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(ops.filter((o) => o.op_code === 9 && o.trial_id === 4 && 'fail_reason' in o.system_attr)).toHaveLength(1);
    expect(ops.filter((o) => o.op_code === 6 && o.trial_id === 4).map((o) => o.state)).toEqual([3]);
    expect(ops.filter((o) => o.op_code === 4).map((o) => o.system_attrs.failed_trial)).toEqual([undefined, undefined, undefined, undefined, undefined, 4, 4, undefined]);
    expect(end.skipped).toEqual([]);
  });

  it('does not take a trial whose owner may still run, unless forced', async () => {
    const b = new MemoryJournalBackend();
    const a = await Journal.open(b, { worker: 'A' });
    await a.ask({ x: 1 });
    const other = await Journal.open(b, { worker: 'B' });
    expect((await other.load()).orphaned).toEqual([]);
    expect(await other.reclaim(0)).toBeNull();
    expect(await other.reclaim(0, { force: true })).toMatchObject({ failed: { id: 0, worker: 'A', status: 'failed' }, retry: { id: 1, worker: 'B', retryOf: 0 } });
  });

  it('throws StorageError when the space or direction differ', async () => {
    const b = new MemoryJournalBackend();
    await Journal.open(b, { space: SPACE, direction: 'maximize' });
    await expect(
      Journal.open(b, { space: { ...SPACE, units: { type: 'int', low: 16, high: 512 } } }),
    ).rejects.toThrow(
      new StorageError(
        'journal "memory": the search space differs from the one the study was created with: parameter "units" is ' +
          '{"type":"int","low":8,"high":256,"log":false} in the journal but {"type":"int","low":16,"high":512,"log":false} now' +
          ' (a study\'s space may only widen: the same parameters, scales, steps and choices, bounds kept or moved outwards; ' +
          'else continue in a new study, under another study name, enqueuing or registering the points to keep)',
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
      new StorageError('journal "memory": the study was created to maximize, not to minimize (open it with direction \'maximize\', the option or an objective module\'s export, or give another study name)'),
    );
    // log: false and a missing log are the same; checkSpace: false skips the test
    await Journal.open(b, { space: { lr, units: { ...units, log: false } as typeof units, act } });
    await Journal.open(b, { space: { lr }, checkSpace: false });
  });
});
