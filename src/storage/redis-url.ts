/**
 * Options of a Redis journal (RedisJournalOptions, at the end), and those
 * given in its URL's query, so that a plain
 * `storage: 'redis://...'` string (a CLI argument, a config file) reaches the
 * heartbeat and reconnect settings too:
 *
 * ```text
 * redis://10.0.0.5:6379/0?heartbeatMs=2000&reconnectMs=60000&prefix=lab
 * ```
 *
 * Durations (`heartbeatMs`, `reconnectMs`, `lockTimeoutMs`, `gapWaitMs`) are
 * milliseconds, integers >= 1; `prefix` is a string. The query is removed
 * from the URL the client connects to. Options passed to RedisJournalBackend
 * in code take precedence over the URL's.
 */
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { checkBackendOptions, type OptionKind } from './backend-options';

/** The options a `redis://` URL's query may carry. */
export interface RedisUrlOptions {
  prefix?: string;
  lockTimeoutMs?: number;
  heartbeatMs?: number;
  gapWaitMs?: number;
  reconnectMs?: number;
}

const DURATIONS = ['heartbeatMs', 'reconnectMs', 'lockTimeoutMs', 'gapWaitMs'] as const;
const KNOWN = [...DURATIONS, 'prefix'];

/**
 * Splits `url` into the URL to connect to (no query) and the options in its query.
 * @throws InvalidOptionError naming the parameter: unknown, given twice, or not an integer >= 1
 * @example parseRedisUrl('redis://h:6379/1?heartbeatMs=500') // { url: 'redis://h:6379/1', opts: { heartbeatMs: 500 }, db: 1 }
 */
export function parseRedisUrl(given: string): { url: string; opts: RedisUrlOptions; db?: number } {
  // a scheme is case-insensitive (RFC 3986): REDIS:// is a Redis URL, written here as the client expects it
  const url = given.replace(/^rediss?:/i, (m) => m.toLowerCase());
  const q = url.indexOf('?');
  const db = redisDatabase(q < 0 ? url : url.slice(0, q));
  // the database as this parse read it ('/%31' is 1): the client parses the path itself, and sent
  // `SELECT NaN` for that one in the background, an error no caller could catch
  const base = canonicalPath(q < 0 ? url : url.slice(0, q), db);
  if (q < 0) return { url: base, opts: {}, ...(db === undefined ? {} : { db }) };
  const params = new URLSearchParams(url.slice(q + 1));
  const opts: RedisUrlOptions = {};
  const seen = new Set<string>();
  for (const [key, value] of params) {
    const where = `storage URL parameter "${key}"`;
    if (!KNOWN.includes(key)) {
      throw new InvalidOptionError(`${where}: unknown; expected one of ${KNOWN.join(', ')}`, key);
    }
    if (seen.has(key)) throw new InvalidOptionError(`${where}: given more than once`, key);
    seen.add(key);
    if (key === 'prefix') {
      opts.prefix = value;
      continue;
    }
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new InvalidOptionError(`${where}: expected an integer number of milliseconds >= 1, got ${JSON.stringify(value)}`, key);
    }
    opts[key as (typeof DURATIONS)[number]] = n;
  }
  return { url: base, opts, ...(db === undefined ? {} : { db }) };
}

/**
 * The database index in a `redis://host:port/db` URL (undefined without
 * one). The client would send `SELECT NaN` for `/abc`, and fall back to
 * database 0 when the index is past the server's `databases`, so the index
 * is checked here and selected explicitly on connecting (RedisJournalBackend).
 * @throws InvalidOptionError naming `storage` when the path is not a non-negative integer, or `url` is not a URL
 */
export function redisDatabase(url: string): number | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch (e) {
    // a port past 65535, say: refused here, not later as a StorageError from the first locked step
    throw new InvalidOptionError(`storage URL: not a valid URL (${(e as Error).message}): ${JSON.stringify(redactRedisUrl(url))}`, 'storage');
  }
  if (path === '' || path === '/') return undefined;
  const n = /^\/\d+$/.test(path) ? Number(path.slice(1)) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new InvalidOptionError(`storage URL: the database must be a non-negative integer (as in redis://host:6379/0), got ${JSON.stringify(path.slice(1))}`, 'storage');
  }
  return n;
}

/** `url` (no query) with its path written as `/db`, or none; `url` itself where it is already so. */
function canonicalPath(url: string, db: number | undefined): string {
  const u = new URL(url);
  const path = db === undefined ? '' : `/${db}`;
  if (u.pathname === path || (path === '' && u.pathname === '/')) return url;
  u.pathname = path;
  return u.toString();
}

/** The URL to connect to, and `given` over the options in `url`'s query (entries of `given` that are undefined do not hide the URL's). */
export function redisUrlOptions<T extends RedisUrlOptions>(url: string, given: T): { url: string; opts: T; db?: number } {
  // a number failed as `url.indexOf is not a function`, and an http:// URL was taken
  if (typeof url !== 'string' || !isRedisUrl(url)) {
    const got = typeof url === 'string' ? JSON.stringify(redactRedisUrl(url)) : show(url); // its password left out
    throw new InvalidOptionError(`RedisJournalBackend: url: expected a redis:// or rediss:// URL, got ${got}`, 'url');
  }
  checkBackendOptions('RedisJournalBackend', given, REDIS_JOURNAL_OPTIONS);
  const parsed = parseRedisUrl(url);
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { url: parsed.url, opts: { ...parsed.opts, ...set } as T, ...(parsed.db === undefined ? {} : { db: parsed.db }) };
}

/** Options of RedisJournalBackend (those of {@link RedisUrlOptions} may also come in its URL). */
export interface RedisJournalOptions extends RedisUrlOptions {
  /** key prefix, as Optuna's `JournalRedisStorage(prefix=...)` [''] */
  prefix?: string;
  /** how long a lock key lives; waiting for one holder past twice this is a StorageError (a holder without a heartbeat is taken over at once) [60,000 ms] */
  lockTimeoutMs?: number;
  /** a worker whose heartbeat is older than this counts as stopped [10,000 ms] */
  heartbeatMs?: number;
  /**
   * beat on a thread of its own as well (Node, Deno), so that a synchronous
   * step on the main thread longer than the heartbeat (a cold GP fit) does
   * not make this live worker look stopped [true]
   */
  heartbeatThread?: boolean;
  /** this worker's id [host:pid:nonce] */
  worker?: string;
  /**
   * how long a read waits for an operation whose number was taken but whose
   * line is not set yet (Optuna's `use_cluster=True` writes INCR, then SET)
   * before it is a StorageError [10,000 ms]
   */
  gapWaitMs?: number;
  /**
   * how long a step (an ask, a tell, a read under the lock) waits for a lost
   * connection to come back before it is a StorageError; the step is then
   * run again on the fresh log, so a tell is retried, never dropped. A
   * server that stops answering without closing the connection counts as
   * lost: each command's reply is waited for half of this (1 s at least),
   * which also bounds a read outside the lock and close() [30,000 ms]
   */
  reconnectMs?: number;
}

/**
 * Whether a storage path is a Redis URL (redis:// or rediss://, in any case:
 * a scheme is case-insensitive) rather than a file or browser journal name.
 */
export function isRedisUrl(path: string): boolean {
  return /^rediss?:\/\//i.test(path);
}

/**
 * `url` as messages may show it: a password replaced by `***` (errors reach
 * logs and a terminal; `redis://:pw@host` and `redis://user:pw@host`).
 */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^/@]*):[^/@]*@/, '//$1:***@');
  }
}

/** Every option of RedisJournalOptions and what it must be. */
const REDIS_JOURNAL_OPTIONS: Readonly<Record<keyof RedisJournalOptions, OptionKind>> = {
  prefix: 'string', lockTimeoutMs: 'ms', heartbeatMs: 'ms', heartbeatThread: 'boolean', worker: 'name', gapWaitMs: 'ms', reconnectMs: 'ms',
};
