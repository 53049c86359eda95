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
import { Mutex, randomHex } from './mutex';
import type { JournalBackend, TextWindow } from './types';
import { idbStore, opfsRoot, opfsStore, opfsWritable, type OpfsDirectoryHandle, type Store } from './browser-stores';

export type { OpfsDirectoryHandle, OpfsFileHandle, OpfsSyncHandle, OpfsWritable } from './browser-stores';

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

function nav(): Record<string, unknown> | undefined {
  return (globalThis as unknown as { navigator?: Record<string, unknown> }).navigator;
}

/**
 * A journal in the browser, in OPFS or IndexedDB, shared by an origin's tabs
 * and workers through Web Locks: what a path opens in a page or a web
 * worker. Opened directly ({@link BrowserJournalBackend.open}), it takes
 * BrowserJournalOptions, such as the store to use.
 * @example
 * ```ts
 * const backend = await BrowserJournalBackend.open('studies/lr.jsonl', { store: 'indexeddb' });
 * const opt = new BayesianOptimization({ f, pbounds, storage: backend });
 * await opt.maximize({ nIter: 20 });
 * await opt.dispose();
 * await backend.close(); // a backend object stays the caller's to close
 * ```
 */
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
    let store: Store | null = null;
    const hasIdb = (want === 'auto' || want === 'indexeddb') && idb !== null && keyRange !== null;
    if ((want === 'opfs' || want === 'auto') && storage && typeof storage.getDirectory === 'function') {
      let root: OpfsDirectoryHandle | null = null;
      try {
        root = await opfsRoot(storage, name);
      } catch (e) {
        // 'auto' where OPFS refuses as a whole (a private window): IndexedDB, as where it is missing; an error
        // of this name's file (a folder in its place) is said, or one name could land in either store
        if (want === 'opfs' || !hasIdb) throw e;
      }
      if (root && (want === 'opfs' || opfsWritable() || !hasIdb)) store = await opfsStore(root, name);
      else if (root) {
        // file handles without createWritable: new journals go to IndexedDB, from pages and workers alike; one
        // an earlier release kept here (a worker's createSyncAccessHandle) stays here, or it would look gone
        const kept = await opfsStore(root, name).catch(() => null);
        if (kept && (await kept.exists().catch(() => false))) store = kept;
      }
    }
    const inIdb = () => idbStore(idb!, keyRange!, opts.dbName ?? 'webgpu-bayesopt-journals', name);
    if (want === 'auto' && store?.kind === 'opfs' && hasIdb && !(await store.exists())) {
      // a journal 'auto' kept in IndexedDB while this browser's file handles lacked createWritable stays there
      const earlier = await inIdb();
      if (await earlier.exists()) store = earlier;
      else earlier.close();
    }
    if (store === null && hasIdb) store = await inIdb();
    if (store === null) {
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

  /** Whether the journal holds anything yet: a read-only open of one that does not is refused, and creates nothing. */
  exists(): Promise<boolean> {
    return this.store.exists();
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
    return this.mutex.run(() => (this.locks ? this.locks.request(LOCK_PREFIX + this.store.kind + ':' + this.store.key, { mode: 'exclusive' }, fn) : fn()));
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
