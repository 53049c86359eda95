/**
 * The Redis connection of a RedisJournalBackend: `ioredis` (an optional
 * dependency) loaded on first use, a client that fails a command at once
 * when the connection is down (no offline queue, one try), connected, and
 * on the URL's database.
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
  disconnect(): void;
  on(event: string, fn: (e: unknown) => void): unknown;
}

/** A StorageError about journal `name`: `what` failed, with `e`'s message. */
export function redisFailure(name: string, what: string, e: unknown): StorageError {
  return new StorageError(`journal ${JSON.stringify(name)}: ${what}: ${(e as Error).message}`, { cause: e });
}

/**
 * A client connected to `url` and on database `db` (when given); `onReady`
 * runs at every 'ready' of the connection, its first connect and each
 * reconnect.
 * @throws MissingDependencyError without ioredis; StorageError (named `name`) saying why it cannot connect
 */
export async function connectRedis(url: string, db: number | undefined, name: string, onReady: (c: RedisClient) => void): Promise<RedisClient> {
  let Redis: new (url: string, o: Record<string, unknown>) => RedisClient;
  try {
    const spec = 'ioredis';
    Redis = (await loadWithPeers(() => import(/* @vite-ignore */ spec) as Promise<{ default: typeof Redis }>, `journal ${JSON.stringify(name)}: a redis:// storage`, ['ioredis'])).default;
  } catch (e) {
    // not installed: MissingDependencyError (as for the tfjs subpaths); installed but broken: a StorageError
    throw e instanceof MissingDependencyError ? e : redisFailure(name, 'cannot load ioredis', e);
  }
  // no offline queue and one try per command: a lost connection is a StorageError now, not a hang
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 });
  // surfaced by the failing command; at connect, the reason itself (ECONNREFUSED, WRONGPASS, NOAUTH,
  // ENOTFOUND), where connect() rejects only with "Connection is closed."
  let why: unknown = null;
  c.on('error', (e: unknown) => {
    why = e;
  });
  c.on('ready', () => onReady(c));
  try {
    await (c as unknown as { connect(): Promise<void> }).connect();
  } catch (e) {
    c.disconnect();
    throw redisFailure(name, 'cannot connect', why ?? e);
  }
  // the client selects the URL's database in the background and stays on 0 when that fails
  // ("DB index is out of range"): a journal must not land in another database unnoticed
  if (db !== undefined) {
    try {
      await c.select(db);
    } catch (e) {
      c.disconnect();
      throw redisFailure(name, `cannot use database ${db}`, e);
    }
  }
  return c;
}
