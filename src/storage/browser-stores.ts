/**
 * Where a browser journal's text is kept (browser-backend.ts): a file in the
 * origin private file system, or records in IndexedDB, behind one small
 * interface. Imports no node modules.
 */
import { StorageError } from '../errors';
import { planAppend } from './line-checks';
import { readByteWindow } from './file-window';
import type { TextWindow } from './types';

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

const STORE = 'chunks';

/** One journal in one store. */
export interface Store {
  kind: 'opfs' | 'indexeddb';
  /** the journal's name as the store resolves it ('a//b' and '/a/b' are one OPFS file): what the lock is named after */
  key: string;
  exists(): Promise<boolean>;
  read(): Promise<string>;
  /** the text after what a reader read (see JournalBackend.readWindow) */
  readWindow(after: unknown): Promise<TextWindow>;
  append(text: string): Promise<void>;
  close(): void;
}

/**
 * Whether 'auto' keeps journals in OPFS here: where file handles have
 * `createWritable`, which pages and workers alike have or lack (a worker's
 * `createSyncAccessHandle` alone would put a study in OPFS that the pages of
 * a browser without `createWritable` keep in IndexedDB). True where there is
 * no FileSystemFileHandle to ask (fakes).
 */
export function opfsWritable(): boolean {
  const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
  return !proto || 'createWritable' in proto;
}


const isNotFound = (e: unknown): boolean => (e as { name?: unknown } | null)?.name === 'NotFoundError';

/**
 * The OPFS root, or a StorageError where OPFS refuses as a whole (a private
 * window's SecurityError): 'auto' then keeps journals in IndexedDB.
 */
export async function opfsRoot(storage: { getDirectory(): Promise<OpfsDirectoryHandle> }, name: string): Promise<OpfsDirectoryHandle> {
  try {
    return await storage.getDirectory();
  } catch (e) {
    throw opfsFailure(name, e);
  }
}

// the browser's own DOMException (QuotaExceededError, NotAllowedError, a folder in the file's place) as the library's error
const opfsFailure = (name: string, e: unknown) => new StorageError(`journal ${JSON.stringify(name)}: cannot open OPFS file: ${String(e)}`, { cause: e });

/** The journal `name` in OPFS under `root` ('/' makes folders). */
export async function opfsStore(root: OpfsDirectoryHandle, name: string): Promise<Store> {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new StorageError(`journal ${JSON.stringify(name)}: not a usable OPFS file name`);
  const failed = (e: unknown) => opfsFailure(name, e);
  // The file is made by the first write, not by opening: a read of a name that does not exist
  // (a typo) leaves nothing behind, and a read-only open says it does not exist
  let handle: OpfsFileHandle | null = null;
  const locate = async (create: boolean): Promise<OpfsFileHandle | null> => {
    if (handle) return handle;
    try {
      let dir = root;
      for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create });
      handle = await dir.getFileHandle(parts[parts.length - 1], { create });
      return handle;
    } catch (e) {
      if (!create && isNotFound(e)) return null;
      throw failed(e);
    }
  };
  await locate(false); // what is in the way (a folder in the file's place) is said at opening
  /**
   * The file and its handle, null where there is none: a file deleted under
   * the study (removeEntry, another tab) drops the cached handle, so a read
   * sees an empty journal (the reader then reads afresh, as after a file put
   * in its place) and the next write makes the file again; its handle failed
   * every later call with NotFoundError, for good.
   */
  const current = async (create: boolean): Promise<{ handle: OpfsFileHandle; file: Blob } | null> => {
    for (let tries = 0; ; tries++) {
      const h = await locate(create);
      if (!h) return null;
      try {
        return { handle: h, file: await h.getFile() };
      } catch (e) {
        if (!isNotFound(e) || tries > 0) throw failed(e);
        handle = null;
      }
    }
  };
  const fileOf = async (): Promise<Blob> => (await current(false))?.file ?? new Blob([]);
  return {
    kind: 'opfs',
    key: parts.join('/'),
    // "holds anything yet", as IndexedDB's: an empty file (a read-only open of an earlier release made them) is none
    exists: async () => ((await current(false))?.file.size ?? 0) > 0,
    read: async () => (await fileOf()).text(),
    async readWindow(after) {
      const file = await fileOf();
      // an OPFS file has no inode: the bytes before the mark tell a file put in its place
      return readByteWindow({ size: file.size, id: '', read: async (from, to) => new Uint8Array(await file.slice(from, to).arrayBuffer()) }, after);
    },
    async append(lines) {
      // the JournalBackend contract: a torn tail is written over (cut off), a whole last line closed
      const { handle, file } = (await current(true))!;
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
        throw new StorageError(`journal ${JSON.stringify(name)}: this page cannot write OPFS files (no createWritable); it is written from a worker (createSyncAccessHandle)`);
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

export async function idbStore(
  idb: IDBFactory,
  keyRange: { bound(lower: unknown, upper: unknown): IDBKeyRange },
  dbName: string,
  name: string,
): Promise<Store> {
  let db: IDBDatabase;
  try {
    // open() itself throws where IndexedDB is denied (a sandboxed frame), its request fails elsewhere
    const open = idb.open(dbName, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: ['journal', 'seq'] });
    };
    db = await req(open);
  } catch (e) {
    throw new StorageError(`journal ${JSON.stringify(name)}: cannot open IndexedDB ${JSON.stringify(dbName)}: ${String(e)}`, { cause: e });
  }
  // another page deletes the database (or opens a newer version): this connection lets it go, and later calls
  // say why; held open, it blocked the deletion, and every open of the origin's journals queued behind it for good
  let released = false;
  db.onversionchange = () => {
    released = true;
    db.close();
  };
  const conn = (): IDBDatabase => {
    if (released) {
      throw new StorageError(`journal ${JSON.stringify(name)}: IndexedDB ${JSON.stringify(dbName)} was deleted or upgraded by another page while open; ` +
        'its connection was closed to let that go on: open the journal again');
    }
    return db;
  };
  const range = keyRange.bound([name, 0], [name, Number.MAX_SAFE_INTEGER]);
  /** The texts of the records from number `from` on; each holds whole lines, and one that does not is closed so lines never join. */
  const records = async (from: number): Promise<string[]> => {
    const r = from === 0 ? range : keyRange.bound([name, from], [name, Number.MAX_SAFE_INTEGER]);
    const rows = (await req(conn().transaction(STORE, 'readonly').objectStore(STORE).getAll(r))) as { text: string }[];
    return rows.map((row) => (row.text.endsWith('\n') ? row.text : row.text + '\n'));
  };
  return {
    kind: 'indexeddb',
    key: name,
    exists: async () => (await req(conn().transaction(STORE, 'readonly').objectStore(STORE).count(range))) > 0,
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
        const tx = conn().transaction(STORE, 'readwrite', { durability: 'strict' });
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
