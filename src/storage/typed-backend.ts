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
 * the backend's: they pass through unchanged.
 *
 * @example
 * ```ts
 * const io = typedBackend(myBackend);
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
  const call = async <T>(op: string, fn: () => T | Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const t = typed(op, e);
      if (t !== e) rawOf.set(t as object, e);
      throw t;
    }
  };
  const out: JournalBackend & { [TYPED]: true } = {
    [TYPED]: true,
    name: backend.name,
    readAll: () => call('readAll', () => backend.readAll()),
    append: (lines, options) => call('append', () => backend.append(lines, options)),
    async withLock<T>(fn: () => Promise<T>, opts?: { timeoutMs?: number }): Promise<T> {
      const own = new Set<unknown>();
      const relayed = new Map<unknown, unknown>();
      try {
        return await backend.withLock(async () => {
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
    },
  };
  if (backend.readFrom) out.readFrom = (from) => call('readFrom', () => backend.readFrom!(from));
  if (backend.readWindow) out.readWindow = (after) => call('readWindow', () => backend.readWindow!(after));
  if (backend.exists) out.exists = () => call('exists', () => backend.exists!());
  if (backend.workerId) out.workerId = () => call('workerId', () => backend.workerId!());
  if (backend.isWorkerAlive) out.isWorkerAlive = (w) => call('isWorkerAlive', () => backend.isWorkerAlive!(w));
  if (backend.close) out.close = () => call('close', () => backend.close!());
  return out;
}
