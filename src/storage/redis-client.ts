/**
 * The Redis connection of a RedisJournalBackend: `ioredis` (an optional
 * dependency) loaded on first use, a client that fails a command at once
 * when the connection is down (no offline queue, one try), connected, and
 * on the URL's database; and the bound on a wait for a reply (`within`).
 */
import { MissingDependencyError, StorageError } from '../errors';
import { loadWithPeers } from '../util/optional-peer';

/** What the backend uses of an ioredis client. */
export interface RedisClient {
  get(key: string): Promise<string | null>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ...args: (string | number)[]): Promise<string | null>;
  eval(script: string, nKeys: number, ...args: (string | number)[]): Promise<unknown>;
  exists(key: string): Promise<number>;
  del(key: string): Promise<number>;
  select(db: number): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(reconnect?: boolean): void;
  on(event: string, fn: (e: unknown) => void): unknown;
}

/** The commands a step sends, each bounded by a wait for its reply (see RedisConnection.call). */
export type RedisCommands = Pick<RedisClient, 'get' | 'mget' | 'set' | 'eval' | 'exists' | 'del'>;

/** A command whose reply did not come in `ms`: the server stopped answering, or the connection went half-open. */
export class NoReply extends Error {
  constructor(readonly ms: number) {
    super(`no reply in ${ms} ms`);
  }
}

/**
 * `p`, or a NoReply rejection once `ms` have passed without it (after
 * `onTimeout` has run). The timer is judged after one more turn of I/O: a
 * synchronous step of the caller (a cold GP fit) can hold the event loop
 * past `ms` while the reply waits unread in the socket, and is read first.
 */
export function within<T>(p: Promise<T>, ms: number, onTimeout: () => void = () => undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      const judge = () => {
        if (settled) return;
        settled = true;
        onTimeout();
        reject(new NoReply(ms));
      };
      const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
      if (immediate) immediate(judge);
      else setTimeout(judge, 0);
    }, ms);
    // a wait that nothing else holds the process open for does not hold it either
    (timer as { unref?: () => void }).unref?.();
    p.then((v) => {
      settled = true;
      clearTimeout(timer);
      resolve(v);
    }, (e: unknown) => {
      settled = true;
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** A StorageError about journal `name`: `what` failed, with `e`'s message. */
export function redisFailure(name: string, what: string, e: unknown): StorageError {
  return new StorageError(`journal ${JSON.stringify(name)}: ${what}: ${(e as Error).message}`, { cause: e });
}

/** How long the TCP (and TLS) connect may take, as ioredis times it. */
const CONNECT_MS = 5000;

/**
 * A client connected to `url` and on database `db` (when given); `onReady`
 * runs at every 'ready' of the connection, its first connect and each
 * reconnect. The connect and the database's selection are bounded: after
 * the TCP connect (CONNECT_MS), the server's answers get `replyMs` more (a
 * paused server takes connections in its kernel and answers nothing).
 * @throws MissingDependencyError without ioredis; StorageError (named `name`) saying why it cannot connect
 */
export async function connectRedis(url: string, db: number | undefined, name: string, onReady: (c: RedisClient) => void, replyMs: number): Promise<RedisClient> {
  let Redis: new (url: string, o: Record<string, unknown>) => RedisClient;
  try {
    const spec = 'ioredis';
    Redis = (await loadWithPeers(() => import(/* @vite-ignore */ spec) as Promise<{ default: typeof Redis }>, `journal ${JSON.stringify(name)}: a redis:// storage`, ['ioredis'])).default;
  } catch (e) {
    // not installed: MissingDependencyError (as for the tfjs subpaths); installed but broken: a StorageError
    throw e instanceof MissingDependencyError ? e : redisFailure(name, 'cannot load ioredis', e);
  }
  // No offline queue and one try per command: a lost connection is a StorageError now, not a hang.
  // TCP keepalive probes an idle connection, so one left half-open by a partition ends in minutes
  // rather than the system's default two hours (a step's command finds out sooner: see within).
  // A connection dropped because its server stopped answering waits for no goodbye from it: the
  // default 2 s for the socket's close held every command queued on it, close() and the new
  // connection up that long (the quit of a normal close is answered before that matters).
  const c = new Redis(url, {
    lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: CONNECT_MS, keepAlive: 10_000, disconnectTimeout: 200,
  });
  // surfaced by the failing command; at connect, the reason itself (ECONNREFUSED, WRONGPASS, NOAUTH,
  // ENOTFOUND), where connect() rejects only with "Connection is closed."
  let why: unknown = null;
  c.on('error', (e: unknown) => {
    why = e;
  });
  c.on('ready', () => onReady(c));
  const bound = CONNECT_MS + replyMs;
  try {
    await within((c as unknown as { connect(): Promise<void> }).connect(), bound);
  } catch (e) {
    c.disconnect();
    const silent = e instanceof NoReply && why === null;
    const reason = (silent ? new Error(`the server took the connection but did not answer in ${bound} ms`) : why ?? e) as Error & { code?: string };
    // A plain server reads a TLS handshake as the start of a command and waits for its end of line:
    // rediss:// to it timed out as a bare "connect ETIMEDOUT", which reads as a network fault
    if (url.startsWith('rediss://') && (silent || reason.code === 'ETIMEDOUT')) {
      throw redisFailure(name, 'cannot connect', new Error(`${reason.message} (a rediss:// URL: is the server TLS? One without TLS never answers its handshake; it takes redis://)`, { cause: reason }));
    }
    throw redisFailure(name, 'cannot connect', reason);
  }
  // the client selects the URL's database in the background and stays on 0 when that fails
  // ("DB index is out of range"): a journal must not land in another database unnoticed
  if (db !== undefined) {
    try {
      await within(c.select(db), replyMs);
    } catch (e) {
      c.disconnect();
      throw redisFailure(name, `cannot use database ${db}`, e);
    }
  }
  return c;
}
