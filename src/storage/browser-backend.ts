/**
 * A journal in the browser (or a worker): a file in the origin private file
 * system (OPFS) when `navigator.storage.getDirectory` exists, else records in
 * IndexedDB. Tabs and workers of one origin share it through the Web Locks API
 * (`navigator.locks`); without it, calls are only serialized within this page.
 * Imports no node modules.
 *
 * Worker liveness: each backend holds a Web Lock named after its worker id
 * while open, so another tab can tell whether the owner of a pending trial
 * still runs (`navigator.locks.query()`).
 */
import { InvalidOptionError, StorageError } from '../errors';
import { describe } from '../space/format';
import { planAppend } from './line-checks';
import { Mutex, randomHex } from './mutex';
import { readByteWindow } from './file-window';
import type { JournalBackend, TextWindow } from './types';

/** Where a reader of an IndexedDB journal stands: `seq` records read (`chars` characters), the last of them `last`. */
interface IdbMark {
  seq: number;
  chars: number;
  last: string;
}

function isIdbMark(m: unknown): m is IdbMark {
  return typeof m === 'object' && m !== null && typeof (m as IdbMark).seq === 'number' && typeof (m as IdbMark).last === 'string';
}

/* Structural types of the few browser APIs used (so tests can pass fakes). */
export interface OpfsWritable {
  write(d: { type: 'write'; position: number; data: string }): Promise<void>;
  truncate(size: number): Promise<void>;
  close(): Promise<void>;
}
export interface OpfsSyncHandle {
  getSize(): number;
  write(data: Uint8Array, opts: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
export interface OpfsFileHandle {
  getFile(): Promise<Blob>;
  createWritable?(opts: { keepExistingData: boolean }): Promise<OpfsWritable>;
  createSyncAccessHandle?(): Promise<OpfsSyncHandle>;
}
export interface OpfsDirectoryHandle {
  getDirectoryHandle(name: string, opts: { create: boolean }): Promise<OpfsDirectoryHandle>;
  getFileHandle(name: string, opts: { create: boolean }): Promise<OpfsFileHandle>;
}
export interface LocksLike {
  request<T>(name: string, opts: { mode: 'exclusive' }, cb: () => Promise<T>): Promise<T>;
  query?(): Promise<{ held?: { name?: string }[] }>;
}

export interface BrowserJournalOptions {
  /** where to keep the journal ['auto': OPFS when available, else IndexedDB] */
  store?: 'auto' | 'opfs' | 'indexeddb';
  /** IndexedDB database holding all journals ['webgpu-bayesopt-journals'] */
  dbName?: string;
  /** overrides `navigator.storage` (tests) */
  storage?: { getDirectory(): Promise<OpfsDirectoryHandle> } | null;
  /** overrides `indexedDB` (tests) */
  indexedDB?: IDBFactory | null;
  /** overrides `IDBKeyRange` (tests) */
  keyRange?: { bound(lower: unknown, upper: unknown): IDBKeyRange } | null;
  /** overrides `navigator.locks`; null disables Web Locks */
  locks?: LocksLike | null;
}

const LOCK_PREFIX = 'webgpu-bayesopt-journal:';
const WORKER_PREFIX = 'webgpu-bayesopt-worker:';
const STORE = 'chunks';

interface Store {
  kind: 'opfs' | 'indexeddb';
  read(): Promise<string>;
  /** the text after what a reader read (see JournalBackend.readWindow) */
  readWindow(after: unknown): Promise<TextWindow>;
  append(text: string): Promise<void>;
  close(): void;
}

function nav(): Record<string, unknown> | undefined {
  return (globalThis as unknown as { navigator?: Record<string, unknown> }).navigator;
}

export class BrowserJournalBackend implements JournalBackend {
  readonly name: string;
  private readonly worker = `tab:${randomHex(8)}`;
  private readonly mutex = new Mutex();
  private releaseWorkerLock?: () => void;
  private closed = false;

  private constructor(
    name: string,
    private readonly store: Store,
    private readonly locks: LocksLike | null,
  ) {
    this.name = name;
  }

  /** Opens (creating if needed) the journal `name`; '/' in the name makes OPFS folders. */
  static async open(name: string, opts: BrowserJournalOptions = {}): Promise<BrowserJournalBackend> {
    const n = nav();
    const storage = opts.storage !== undefined ? opts.storage : ((n?.storage as BrowserJournalOptions['storage']) ?? null);
    const idb = opts.indexedDB !== undefined ? opts.indexedDB : ((globalThis as { indexedDB?: IDBFactory }).indexedDB ?? null);
    const keyRange = opts.keyRange !== undefined ? opts.keyRange : ((globalThis as { IDBKeyRange?: BrowserJournalOptions['keyRange'] }).IDBKeyRange ?? null);
    const locks = opts.locks !== undefined ? opts.locks : ((n?.locks as LocksLike | undefined) ?? null);
    const want = opts.store ?? 'auto';
    if (want !== 'auto' && want !== 'opfs' && want !== 'indexeddb') {
      throw new InvalidOptionError(`option "store": expected "auto", "opfs" or "indexeddb", got ${describe(want)}`, 'store');
    }
    let store: Store;
    if ((want === 'auto' || want === 'opfs') && storage && typeof storage.getDirectory === 'function') {
      store = await opfsStore(storage, name);
    } else if ((want === 'auto' || want === 'indexeddb') && idb && keyRange) {
      store = await idbStore(idb, keyRange, opts.dbName ?? 'webgpu-bayesopt-journals', name);
    } else {
      throw new StorageError(`journal ${JSON.stringify(name)}: no ${want === 'auto' ? 'OPFS or IndexedDB' : want} storage in this environment`);
    }
    const b = new BrowserJournalBackend(name, store, locks);
    await b.holdWorkerLock();
    return b;
  }

  /** 'opfs' or 'indexeddb': where the journal went. */
  get kind(): 'opfs' | 'indexeddb' {
    return this.store.kind;
  }

  private async holdWorkerLock(): Promise<void> {
    if (!this.locks) return;
    await new Promise<void>((granted) => {
      this.locks!.request(WORKER_PREFIX + this.worker, { mode: 'exclusive' }, () => {
        granted();
        return new Promise<void>((release) => (this.releaseWorkerLock = release));
      }).catch(() => granted()); // no worker lock: liveness of this tab stays unknown to others
    });
  }

  readAll(): Promise<string> {
    return this.store.read();
  }

  /** The text after what a reader read (JournalBackend.readWindow): a growing study is not read whole at every step. */
  readWindow(after: unknown): Promise<TextWindow> {
    return this.store.readWindow(after);
  }

  async append(lines: string): Promise<void> {
    if (this.closed) throw new StorageError(`journal ${JSON.stringify(this.name)}: closed`);
    await this.store.append(lines);
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(() => (this.locks ? this.locks.request(LOCK_PREFIX + this.store.kind + ':' + this.name, { mode: 'exclusive' }, fn) : fn()));
  }

  workerId(): string {
    return this.worker;
  }

  /** Known only with Web Locks: whether the tab or worker holding that id's lock still runs. */
  async isWorkerAlive(worker: string): Promise<boolean | undefined> {
    if (worker === this.worker) return !this.closed;
    if (!this.locks?.query || !worker.startsWith('tab:')) return undefined;
    const { held = [] } = await this.locks.query();
    return held.some((l) => l.name === WORKER_PREFIX + worker);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.releaseWorkerLock?.();
    this.store.close();
  }
}

async function opfsStore(storage: { getDirectory(): Promise<OpfsDirectoryHandle> }, name: string): Promise<Store> {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new StorageError(`journal ${JSON.stringify(name)}: not a usable OPFS file name`);
  let handle: OpfsFileHandle;
  try {
    let dir = await storage.getDirectory();
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
    handle = await dir.getFileHandle(parts[parts.length - 1], { create: true });
  } catch (e) {
    // the browser's own DOMException (QuotaExceededError, NotAllowedError, a folder in the file's place) as the library's error
    throw new StorageError(`journal ${JSON.stringify(name)}: cannot open OPFS file: ${String(e)}`, { cause: e });
  }
  return {
    kind: 'opfs',
    read: async () => (await handle.getFile()).text(),
    async readWindow(after) {
      const file = await handle.getFile();
      // an OPFS file has no inode: the bytes before the mark tell a file put in its place
      return readByteWindow({ size: file.size, id: '', read: async (from, to) => new Uint8Array(await file.slice(from, to).arrayBuffer()) }, after);
    },
    async append(lines) {
      // the JournalBackend contract: a torn tail is written over (cut off), a whole last line closed
      const file = await handle.getFile();
      const size = file.size;
      const plan = await planAppend(size, async (from, to) => new Uint8Array(await file.slice(from, to).arrayBuffer()));
      const cut = plan.cutAt !== null;
      const at = plan.cutAt ?? size;
      const data = plan.prefix + lines;
      if (handle.createWritable) {
        // the swap file replaces the original atomically on close
        const w = await handle.createWritable({ keepExistingData: true });
        if (cut) await w.truncate(at);
        await w.write({ type: 'write', position: at, data });
        await w.close();
      } else if (handle.createSyncAccessHandle) {
        const h = await handle.createSyncAccessHandle();
        try {
          if (cut) h.truncate(at);
          h.write(new TextEncoder().encode(data), { at: cut ? at : h.getSize() });
          h.flush();
        } finally {
          h.close();
        }
      } else {
        throw new StorageError(`journal ${JSON.stringify(name)}: this browser cannot write OPFS files`);
      }
    },
    close() {},
  };
}

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function idbStore(
  idb: IDBFactory,
  keyRange: { bound(lower: unknown, upper: unknown): IDBKeyRange },
  dbName: string,
  name: string,
): Promise<Store> {
  const open = idb.open(dbName, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: ['journal', 'seq'] });
  };
  let db: IDBDatabase;
  try {
    db = await req(open);
  } catch (e) {
    throw new StorageError(`journal ${JSON.stringify(name)}: cannot open IndexedDB ${JSON.stringify(dbName)}: ${String(e)}`, { cause: e });
  }
  const range = keyRange.bound([name, 0], [name, Number.MAX_SAFE_INTEGER]);
  /** The texts of the records from number `from` on; each holds whole lines, and one that does not is closed so lines never join. */
  const records = async (from: number): Promise<string[]> => {
    const r = from === 0 ? range : keyRange.bound([name, from], [name, Number.MAX_SAFE_INTEGER]);
    const rows = (await req(db.transaction(STORE, 'readonly').objectStore(STORE).getAll(r))) as { text: string }[];
    return rows.map((row) => (row.text.endsWith('\n') ? row.text : row.text + '\n'));
  };
  return {
    kind: 'indexeddb',
    async read() {
      return (await records(0)).join('');
    },
    async readWindow(after) {
      // records never change once added: a reader reads those after the ones it read, unless the one
      // before them is not the one it read last (the journal was cleared and written again)
      const m = isIdbMark(after) ? after : null;
      const rows = m && m.seq > 0 ? await records(m.seq - 1) : null;
      if (!m || !rows || rows[0] !== m.last) {
        const all = await records(0);
        const text = all.join('');
        return { text, start: 0, reread: m !== null, mark: { seq: all.length, chars: text.length, last: all[all.length - 1] ?? '' } satisfies IdbMark };
      }
      const text = rows.slice(1).join('');
      return { text, start: m.chars, mark: { seq: m.seq + rows.length - 1, chars: m.chars + text.length, last: rows[rows.length - 1] } satisfies IdbMark };
    },
    append(lines) {
      return new Promise<void>((resolve, reject) => {
        const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
        const store = tx.objectStore(STORE);
        const count = store.count(range);
        count.onsuccess = () => store.add({ journal: name, seq: count.result, text: lines });
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(new StorageError(`journal ${JSON.stringify(name)}: cannot append: ${String(tx.error)}`));
        tx.onabort = () => reject(new StorageError(`journal ${JSON.stringify(name)}: append aborted: ${String(tx.error)}`));
      });
    },
    close() {
      db.close();
    },
  };
}
