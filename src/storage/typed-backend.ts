/**
 * A caller's own JournalBackend, with its failures typed: whatever its
 * methods throw that is not already a BayesOptError becomes a StorageError
 * that names the journal and the operation, the original kept as `cause`.
 * The built-in backends (file, Redis, OPFS/IndexedDB, memory) throw
 * StorageError themselves; a custom one (a database table, a cloud bucket)
 * would otherwise surface as whatever its driver throws, and a caller
 * catching `StorageError` would miss it.
 *
 * Errors thrown by the function run under `withLock` are the caller's, not
 * the backend's: they pass through unchanged. What a method returns is
 * checked too (text a string, a worker id a non-empty string, a lock that
 * ran the step): a read that gave `null` (a key-value store's missing key)
 * was a TypeError deep in the reader, and a numeric worker id wrote lines
 * the reader then skipped as damaged.
 *
 * @example
 * ```ts
 * const io = typedBackend(myBackend); // myBackend.name: 'mine'
 * await io.append('...\n'); // a driver's Error('disk full') arrives as
 * // StorageError: journal "mine": append failed: disk full
 * ```
 */
import { BayesOptError, StorageError } from '../errors';
import type { JournalBackend } from './types';

/** Marks a wrapper so that wrapping it again returns it as it is. */
const TYPED = Symbol('typedBackend');

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** `backend` with every failure a BayesOptError (see the module comment); optional methods stay absent when absent. */
export function typedBackend(backend: JournalBackend): JournalBackend {
  if ((backend as { [TYPED]?: true })[TYPED]) return backend;
  const label = `journal ${JSON.stringify(backend.name ?? 'journal')}`;
  const typed = (op: string, e: unknown): unknown =>
    e instanceof BayesOptError ? e : new StorageError(`${label}: ${op} failed: ${messageOf(e)}`, { cause: e });
  // Each typed error of a call, and what the backend threw. Under the lock the
  // backend is handed back its own error as it threw it, so that a withLock
  // that retries on its own errors (a write conflict, a dropped connection)
  // still sees them; the typed error is restored where it leaves withLock.
  const rawOf = new WeakMap<object, unknown>();
  const call = async <T>(op: string, fn: () => T | Promise<T>, check?: (v: unknown) => string | null): Promise<T> => {
    let v: T;
    try {
      v = await fn();
    } catch (e) {
      const t = typed(op, e);
      if (t !== e) rawOf.set(t as object, e);
      throw t;
    }
    const problem = check?.(v);
    if (problem) throw new StorageError(`${label}: ${op} returned ${problem}`);
    return v;
  };
  const out: JournalBackend & { [TYPED]: true } = {
    [TYPED]: true,
    name: backend.name,
    readAll: () => call('readAll', () => backend.readAll(), text),
    append: (lines, options) => call('append', () => backend.append(lines, options)),
    async withLock<T>(fn: () => Promise<T>, opts?: { timeoutMs?: number }): Promise<T> {
      const own = new Set<unknown>();
      const relayed = new Map<unknown, unknown>();
      let ran = false;
      let result: T;
      try {
        result = await backend.withLock(async () => {
          ran = true;
          try {
            return await fn();
          } catch (e) {
            if (typeof e === 'object' && e !== null && rawOf.has(e)) {
              const raw = rawOf.get(e);
              relayed.set(raw, e);
              throw raw;
            }
            own.add(e);
            throw e;
          }
        }, opts);
      } catch (e) {
        // the locked step's own errors are the caller's; the rest are the backend's
        if (relayed.has(e)) throw relayed.get(e);
        if (own.has(e)) throw e;
        throw typed('withLock', e);
      }
      // going on as if the step had run, under no lock, lost what it was to write
      if (!ran) throw new StorageError(`${label}: withLock returned without running the step it was given`);
      return result;
    },
  };
  if (backend.readFrom) out.readFrom = (from) => call('readFrom', () => backend.readFrom!(from), text);
  if (backend.readWindow) out.readWindow = (after) => call('readWindow', () => backend.readWindow!(after), textWindow);
  if (backend.exists) out.exists = () => call('exists', () => backend.exists!(), boolean);
  if (backend.workerId) out.workerId = () => call('workerId', () => backend.workerId!(), workerName);
  if (backend.isWorkerAlive) out.isWorkerAlive = (w) => call('isWorkerAlive', () => backend.isWorkerAlive!(w), aliveAnswer);
  if (backend.close) out.close = () => call('close', () => backend.close!());
  return out;
}

/** What a value was, for the messages of the checks below (a backend's text can be long: its type only). */
function what(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `${(v as object).constructor?.name ?? 'an object'} object`;
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) : `${typeof v} ${String(v)}`;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? null : `${what(v)}, not the journal's text (a string)`);
const boolean = (v: unknown): string | null => (typeof v === 'boolean' ? null : `${what(v)}, not a boolean`);
const aliveAnswer = (v: unknown): string | null => (v === undefined || typeof v === 'boolean' ? null : `${what(v)}, not true, false or undefined`);
const workerName = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? null : `${what(v)}, not a worker id (a non-empty string)`);

function textWindow(v: unknown): string | null {
  const w = v as { text?: unknown; start?: unknown; reread?: unknown } | null;
  if (typeof w !== 'object' || w === null) return `${what(v)}, not a window ({ text, start, mark })`;
  if (typeof w.text !== 'string') return `a window whose text is ${what(w.text)}, not a string`;
  if (!Number.isSafeInteger(w.start) || (w.start as number) < 0) return `a window whose start is ${what(w.start)}, not an integer >= 0`;
  return w.reread === undefined || typeof w.reread === 'boolean' ? null : `a window whose reread is ${what(w.reread)}, not a boolean`;
}
