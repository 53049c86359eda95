/**
 * The browser backend against in-memory fakes of OPFS, IndexedDB and Web
 * Locks (./fixtures/fake-browser): this checks the backend's own logic (tail
 * repair, record layout, lock use, worker liveness), not browser behaviour;
 * browser-real.test.ts runs it in Chromium when one is installed.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, StorageError } from '../../src/errors';
import { BrowserJournalBackend, Journal } from '../../src/storage/index';
import { journalEvents } from './journal-lines';
import { FakeDirectory, FakeIndexedDb, fakeKeyRange, FakeLocks, fakeStorage } from './fixtures/fake-browser';

const opfsOpts = (root: FakeDirectory, locks: FakeLocks | null = new FakeLocks()) => ({
  storage: fakeStorage(root),
  indexedDB: null,
  keyRange: null,
  locks,
});
const idbOpts = (idb: FakeIndexedDb, locks: FakeLocks | null = new FakeLocks()) => ({
  storage: null,
  indexedDB: idb.factory,
  keyRange: fakeKeyRange,
  locks,
});

/** Operations as study, op (study attrs), ask and tell. */
const kinds = (text: string): string[] => journalEvents(text, true).map((e) => e.type);

async function roundTrip(backend: BrowserJournalBackend): Promise<void> {
  const j = await Journal.open(backend, { space: { x: { type: 'float', low: 0, high: 1 } } });
  for (let i = 0; i < 3; i++) {
    const { trial } = await j.ask({ x: i / 4 }, { rng: [i, 1, 2, 3] });
    expect(trial.id).toBe(i);
    if (i < 2) await j.tell(trial.id, { target: i });
  }
}

describe('an OPFS journal deleted under its study (fakes)', () => {
  it('reads as empty, to be read afresh, and the next write makes the file again: its cached handle failed every later call', async () => {
    const root = new FakeDirectory();
    const b = await BrowserJournalBackend.open('d.jsonl', opfsOpts(root));
    const line = (k: number) => JSON.stringify({ op_code: 9, k }) + '\n';
    await b.append(line(0) + line(1));
    const w0 = await b.readWindow(null);
    root.remove('d.jsonl');
    const w1 = await b.readWindow(w0.mark);
    expect([w1.text, w1.start, w1.reread]).toEqual(['', 0, true]);
    expect(await b.readAll()).toBe('');
    await b.append(line(2));
    expect(root.read('d.jsonl')).toBe(line(2));
    expect((await b.readWindow(null)).text).toBe(line(2));
    await b.close();
  });
});

describe('BrowserJournalBackend.readWindow (fakes)', () => {
  for (const store of ['opfs', 'indexeddb'] as const) {
    it(`reads only what follows what it read, the window's start in characters, and whole again when the journal was replaced (${store})`, async () => {
      const root = new FakeDirectory();
      const idb = new FakeIndexedDb();
      const open = () => BrowserJournalBackend.open('w.jsonl', store === 'opfs' ? opfsOpts(root) : idbOpts(idb));
      const b = await open();
      const line = (k: number) => JSON.stringify({ op_code: 9, k, note: 'é€😀' }) + '\n';
      await b.append(line(0) + line(1));
      const w0 = await b.readWindow(null);
      expect([w0.text, w0.start]).toEqual([line(0) + line(1), 0]);
      await b.append(line(2));
      const w1 = await b.readWindow(w0.mark);
      expect([w1.text, w1.start]).toEqual([line(2), (line(0) + line(1)).length]);
      expect(await b.readWindow(w1.mark)).toMatchObject({ text: '', start: (line(0) + line(1) + line(2)).length });
      // a journal put in its place (OPFS: rewritten with other bytes; IndexedDB: cleared and written again)
      if (store === 'opfs') root.write('w.jsonl', line(7) + line(8) + line(9) + line(10));
      else {
        const fresh = new FakeIndexedDb();
        const c = await BrowserJournalBackend.open('w.jsonl', idbOpts(fresh));
        for (const k of [7, 8, 9, 10]) await c.append(line(k));
        const w = await c.readWindow(w1.mark); // the mark of another database's records
        expect([w.text, w.start]).toEqual([line(7) + line(8) + line(9) + line(10), 0]);
        return;
      }
      // another tab's view of the file now: the old mark's bytes are not there
      expect(await (await open()).readWindow(w1.mark)).toMatchObject({ text: line(7) + line(8) + line(9) + line(10), start: 0 });
    });
  }
});

describe('BrowserJournalBackend (fakes)', () => {
  it('keeps the journal in an OPFS file, folders made from the name', async () => {
    const root = new FakeDirectory();
    const b = await BrowserJournalBackend.open('studies/mlp.jsonl', opfsOpts(root));
    expect(b.kind).toBe('opfs');
    await roundTrip(b);
    const text = root.read('studies/mlp.jsonl');
    expect(kinds(text)).toEqual(['study', 'op', 'op', 'ask', 'tell', 'ask', 'tell', 'ask']);
    const s = await (await Journal.open(await BrowserJournalBackend.open('studies/mlp.jsonl', opfsOpts(root)))).load();
    expect(s.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'pending']);
    expect(s.rngState).toEqual([2, 1, 2, 3]);
  });

  it('writes through a sync access handle where createWritable is missing (workers)', async () => {
    const root = new FakeDirectory('sync');
    await roundTrip(await BrowserJournalBackend.open('s.jsonl', opfsOpts(root)));
    expect(root.read('s.jsonl').split('\n')).toHaveLength(9); // 8 operations and the final ''
  });

  for (const mode of ['writable', 'sync'] as const) {
    it(`cuts a torn OPFS tail off before appending, and closes a whole last line (${mode})`, async () => {
      const root = new FakeDirectory(mode);
      root.write('t.jsonl', '{"v":1,"type":"study","created":1}\n{"v":1,"ty' + 'x'.repeat(70_000));
      const b = await BrowserJournalBackend.open('t.jsonl', opfsOpts(root));
      await b.append('{"x":1}\n');
      expect(root.read('t.jsonl')).toBe('{"v":1,"type":"study","created":1}\n{"x":1}\n');
      root.write('w.jsonl', '{"v":1,"type":"study","created":1}\n{"y":2}');
      await (await BrowserJournalBackend.open('w.jsonl', opfsOpts(root))).append('{"x":1}\n');
      expect(root.read('w.jsonl')).toBe('{"v":1,"type":"study","created":1}\n{"y":2}\n{"x":1}\n');
    });
  }

  it('keeps the journal as IndexedDB records when there is no OPFS', async () => {
    const idb = new FakeIndexedDb();
    const b = await BrowserJournalBackend.open('study', idbOpts(idb));
    expect(b.kind).toBe('indexeddb');
    await roundTrip(b);
    await (await BrowserJournalBackend.open('other', idbOpts(idb))).append('{"other":1}\n');
    const again = await BrowserJournalBackend.open('study', idbOpts(idb));
    const text = await again.readAll();
    expect(kinds(text)).toEqual(['study', 'op', 'op', 'ask', 'tell', 'ask', 'tell', 'ask']);
    const s = await (await Journal.open(again)).load();
    expect(s.trials.map((t) => [t.id, t.status])).toEqual([
      [0, 'complete'],
      [1, 'complete'],
      [2, 'pending'],
    ]);
    expect(await (await BrowserJournalBackend.open('other', idbOpts(idb))).readAll()).toBe('{"other":1}\n');
  });

  it('two tabs asking at once through Web Locks get distinct ids', async () => {
    for (const make of [
      (locks: FakeLocks, root: FakeDirectory) => BrowserJournalBackend.open('shared.jsonl', opfsOpts(root, locks)),
      (locks: FakeLocks, _root: FakeDirectory, idb = new FakeIndexedDb()) => BrowserJournalBackend.open('shared', idbOpts(idb, locks)),
    ]) {
      const locks = new FakeLocks();
      const root = new FakeDirectory();
      const idb = new FakeIndexedDb();
      const [a, b] = await Promise.all([Journal.open(await make(locks, root, idb)), Journal.open(await make(locks, root, idb))]);
      const asks = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).ask({ x: i }).then((r) => r.trial.id)),
      );
      expect([...asks].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      const s = await a.load();
      expect(s.trials).toHaveLength(20);
      expect(s.skipped).toEqual([]);
    }
  });

  it('knows through Web Locks whether another tab that owns a trial is still open', async () => {
    const locks = new FakeLocks();
    const root = new FakeDirectory();
    const tabA = await BrowserJournalBackend.open('live.jsonl', opfsOpts(root, locks));
    const tabB = await BrowserJournalBackend.open('live.jsonl', opfsOpts(root, locks));
    const a = await Journal.open(tabA);
    const b = await Journal.open(tabB);
    expect(a.worker).toMatch(/^tab:[0-9a-f]{16}$/);
    const { trial } = await a.ask({ x: 1 });
    expect(await tabB.isWorkerAlive(a.worker)).toBe(true);
    expect((await b.load()).orphaned).toEqual([]);
    await a.close(); // the journal ends; the tab's backend, the caller's, stays open
    expect(await tabB.isWorkerAlive(a.worker)).toBe(true);
    await tabA.close();
    expect(await tabB.isWorkerAlive(a.worker)).toBe(false);
    expect((await b.load()).orphaned.map((t) => t.id)).toEqual([trial.id]);
    expect(await b.reclaim(trial.id)).toMatchObject({ failed: { id: trial.id, status: 'failed' }, retry: { id: trial.id + 1, worker: b.worker, retryOf: trial.id } });
    expect(await b.reclaim(trial.id)).toBeNull(); // retried once
    expect(await tabB.isWorkerAlive('host:1:ab')).toBeUndefined();
  });

  it('without Web Locks, liveness is unknown and calls are serialized within the page', async () => {
    const b = await BrowserJournalBackend.open('n.jsonl', opfsOpts(new FakeDirectory(), null));
    expect(await b.isWorkerAlive('tab:0011223344556677')).toBeUndefined();
    const order: string[] = [];
    await Promise.all([
      b.withLock(async () => {
        order.push('1:start');
        await new Promise((r) => setTimeout(r, 20));
        order.push('1:end');
      }),
      b.withLock(async () => void order.push('2')),
    ]);
    expect(order).toEqual(['1:start', '1:end', '2']);
  });

  it('is a StorageError where there is no storage at all', async () => {
    await expect(BrowserJournalBackend.open('x', { storage: null, indexedDB: null, locks: null })).rejects.toThrow(
      new StorageError('journal "x": no OPFS or IndexedDB storage in this environment'),
    );
    await expect(BrowserJournalBackend.open('../x', opfsOpts(new FakeDirectory()))).rejects.toThrow(
      new StorageError('journal "../x": not a usable OPFS file name'),
    );
  });

  it('a browser refusing to open the OPFS file (over quota) is a StorageError naming the journal, its error the cause', async () => {
    // the browser's own QuotaExceededError went out as it came: not a BayesOptError
    const quota = Object.assign(new Error('The operation failed because it would cause the application to exceed its storage quota.'), { name: 'QuotaExceededError' });
    const refusing = { getDirectory: async () => { throw quota; } };
    const e = await BrowserJournalBackend.open('full.log', { storage: refusing, indexedDB: null, keyRange: null, locks: null } as never).then(() => null, (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(StorageError);
    expect(e!.message).toBe(`journal "full.log": cannot open OPFS file: ${String(quota)}`);
    expect(e!.cause).toBe(quota);
  });

  it('an unknown store is an InvalidOptionError naming it (a known one that is missing stays a StorageError)', async () => {
    const e = await BrowserJournalBackend.open('x', { ...opfsOpts(new FakeDirectory()), store: 'bogus' as never }).then(() => null, (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(e!.message).toBe('option "store": expected "auto", "opfs" or "indexeddb", got "bogus"');
    await expect(BrowserJournalBackend.open('x', { storage: null, indexedDB: null, locks: null, store: 'indexeddb' })).rejects.toThrow(
      new StorageError('journal "x": no indexeddb storage in this environment'),
    );
  });
});

describe('BrowserJournalBackend names, missing journals and unusable stores (fakes)', () => {
  it('two spellings of one OPFS file take one lock (they took two, and their appends overwrote each other)', async () => {
    const root = new FakeDirectory();
    const locks = new FakeLocks();
    const a = await BrowserJournalBackend.open('runs/j.log', opfsOpts(root, locks));
    const b = await BrowserJournalBackend.open('/runs//./j.log', opfsOpts(root, locks));
    const names: string[] = [];
    await a.withLock(async () => { names.push(...locks.held); });
    await b.withLock(async () => { names.push(...locks.held); });
    expect(names.filter((n) => n.startsWith('webgpu-bayesopt-journal:'))).toEqual(['webgpu-bayesopt-journal:opfs:runs/j.log', 'webgpu-bayesopt-journal:opfs:runs/j.log']);
  });

  it('a journal that does not exist is said so to a read-only open, and reading it creates nothing', async () => {
    const root = new FakeDirectory();
    for (const opts of [opfsOpts(root), idbOpts(new FakeIndexedDb())]) {
      const b = await BrowserJournalBackend.open('typo/study.log', opts);
      expect(await b.exists()).toBe(false);
      expect(await b.readAll()).toBe('');
      await expect(Journal.open(b, { readOnly: true })).rejects.toThrow(new StorageError('journal "typo/study.log": does not exist'));
      expect(await b.exists()).toBe(false);
      if (b.kind === 'opfs') expect([...root.dirs.keys()]).toEqual([]); // no folder, no file
      await b.append('{"op_code": 9}\n');
      expect(await b.exists()).toBe(true);
    }
  });

  it("'auto' takes IndexedDB where OPFS is there but refuses (a private window) or cannot be written from this page", async () => {
    const denied = Object.assign(new Error('The request is not allowed'), { name: 'SecurityError' });
    const both = (storage: unknown) => ({ storage, indexedDB: new FakeIndexedDb().factory, keyRange: fakeKeyRange, locks: new FakeLocks() }) as never;
    expect((await BrowserJournalBackend.open('j', both({ getDirectory: async () => { throw denied; } }))).kind).toBe('indexeddb');
    // asked for OPFS by name, the refusal is the error
    await expect(BrowserJournalBackend.open('j', { ...(both({ getDirectory: async () => { throw denied; } }) as object), store: 'opfs' } as never))
      .rejects.toThrow(`journal "j": cannot open OPFS file: ${String(denied)}`);
    // a folder in the file's place is said, not a reason to keep this one name in IndexedDB
    const root = new FakeDirectory();
    await (await BrowserJournalBackend.open('a/b', opfsOpts(root))).append('{"op_code": 9}\n');
    await expect(BrowserJournalBackend.open('a', both(fakeStorage(root)))).rejects.toThrow(/^journal "a": cannot open OPFS file: /);
    // an empty file holds nothing yet
    root.write('empty', '');
    expect(await (await BrowserJournalBackend.open('empty', opfsOpts(root))).exists()).toBe(false);
    // file handles that write only from a worker (createSyncAccessHandle, no createWritable): IndexedDB in
    // pages and workers alike, so that one name never lands in two stores
    const g = globalThis as { FileSystemFileHandle?: unknown };
    const before = g.FileSystemFileHandle;
    g.FileSystemFileHandle = class { createSyncAccessHandle(): void {} };
    try {
      expect((await BrowserJournalBackend.open('j', both(fakeStorage(new FakeDirectory())))).kind).toBe('indexeddb');
      // a journal an earlier release kept in OPFS there (from a worker) is found where it is
      const old = new FakeDirectory('sync');
      old.write('kept.log', '{"op_code": 9}\n');
      const kept = await BrowserJournalBackend.open('kept.log', both(fakeStorage(old)));
      expect([kept.kind, await kept.readAll()]).toEqual(['opfs', '{"op_code": 9}\n']);
    } finally {
      g.FileSystemFileHandle = before;
    }
    // and the other way: a journal 'auto' kept in IndexedDB then is found there once OPFS can be written
    const idb = new FakeIndexedDb();
    const then = await BrowserJournalBackend.open('moved.log', { storage: null, indexedDB: idb.factory, keyRange: fakeKeyRange, locks: null });
    await then.append('{"op_code": 9}\n');
    const now = await BrowserJournalBackend.open('moved.log', { storage: fakeStorage(new FakeDirectory()), indexedDB: idb.factory, keyRange: fakeKeyRange, locks: null });
    expect([now.kind, await now.readAll()]).toEqual(['indexeddb', '{"op_code": 9}\n']);
    const fresh = await BrowserJournalBackend.open('new.log', { storage: fakeStorage(new FakeDirectory()), indexedDB: idb.factory, keyRange: fakeKeyRange, locks: null });
    expect(fresh.kind).toBe('opfs');
  });

  it('IndexedDB denied (a sandboxed frame throws from open itself) is a StorageError naming the journal', async () => {
    const denied = Object.assign(new Error("Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context."), { name: 'SecurityError' });
    const idb = { open: () => { throw denied; } } as unknown as IDBFactory;
    const e = await BrowserJournalBackend.open('j', { storage: null, indexedDB: idb, keyRange: fakeKeyRange, locks: null }).then(() => null, (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(StorageError);
    expect(e!.message).toBe(`journal "j": cannot open IndexedDB "webgpu-bayesopt-journals": ${String(denied)}`);
    expect(e!.cause).toBe(denied);
  });
});
