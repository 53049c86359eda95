/**
 * The connection of a RedisJournalBackend: its client, connected on first
 * use (./redis-client), the worker's heartbeat key kept alive over it, the
 * commands of the backend's steps, and the wait for a lost connection to
 * come back (`reconnectMs`).
 *
 * A lost connection is a ConnectionLost (a StorageError) for a single
 * command; the backend's locked steps wait here for the client to reconnect
 * and run again on a fresh read. A server that stops answering without
 * closing the connection (a hung or SIGSTOPped server, a connection left
 * half-open by a network partition) is a lost connection too: ioredis
 * reports nothing until the socket closes, so every command's reply is
 * waited for `replyMs` (half of reconnectMs) at most, and then the
 * connection is dropped and made again; so is a new connection whose
 * handshake gets no answer in as long (see unstick). Dropping it matters: a
 * half-open one never answers, and commands still queued on it are sent
 * again on the new one, in order, before any of the next step's (harmless:
 * appends are conditional, and a lock token of a lost reply is released by
 * the backend).
 */
import { StorageError } from '../errors';
import { startHeartbeatThread, type HeartbeatThread } from './heartbeat-thread';
import { sleep } from './mutex';
import { connectRedis, NoReply, redisFailure, within, type RedisClient, type RedisCommands } from './redis-client';

/**
 * The log moved on between this worker's read and its append: a
 * StorageError (a journal's step reads again and runs again; a caller of
 * the backend's own `append` reads again itself).
 */
export class RedisConflict extends StorageError {}

/**
 * A command failed because the connection is down (not an error reply of
 * the server): the step is run again once it is back. `since`: when the
 * connection was last known to answer (performance.now(), monotonic), from which a step's wait
 * for it counts `reconnectMs`.
 */
export class ConnectionLost extends StorageError {
  constructor(message: string, options?: { cause?: unknown }, readonly since: number = performance.now()) {
    super(message, options);
  }
}

/**
 * Extra wait for a reply per operation or key beyond the first 100 of a
 * command: reading a long log (1,000 operations an MGET) or appending a
 * migrated study takes longer than a lock on a slow link.
 */
const PER_ITEM_MS = 10;

/** What the connection needs of the backend's options. */
export interface ConnectionOptions {
  heartbeatMs: number;
  heartbeatThread: boolean;
  reconnectMs: number;
}

export class RedisConnection {
  private client: RedisClient | null = null;
  private connecting: Promise<RedisClient> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  /** beats on while the main thread is busy (see ./heartbeat-thread) */
  private beating: Promise<HeartbeatThread | null> | null = null;
  private shut = false;
  /** when the connection last became ready (its first connect or a reconnect), epoch ms, and how often it did */
  private readyAt = 0;
  private readyCount = 0;
  /** when a new connection was made and its handshake (database, ready check) went out unanswered; 0 once ready, or down */
  private shakingSince = 0;
  /**
   * How long a command's reply is waited for: half of reconnectMs, so a
   * locked step that timed out still has the other half to reconnect and run
   * again; 1 s at least, as a busy server or event loop may hold a reply that long.
   */
  readonly replyMs: number;

  /**
   * @param url the URL to connect to (no options query)
   * @param db the URL's database index, selected explicitly (see redisDatabase)
   * @param name the journal's name in messages (no password)
   * @param heartbeatKey this worker's heartbeat key
   */
  constructor(private readonly url: string, private readonly db: number | undefined, readonly name: string,
    private readonly opts: ConnectionOptions, readonly heartbeatKey: string) {
    this.replyMs = Math.max(1000, Math.floor(opts.reconnectMs / 2));
  }

  /** Whether close() has begun. */
  get closed(): boolean {
    return this.shut;
  }

  /** The client as it is now (null before the first connect): for commands that must not wait for one. */
  get current(): RedisClient | null {
    return this.client;
  }

  /**
   * Whether this worker's connection came back less than one heartbeatMs
   * ago: other workers' heartbeat keys may have lapsed in the outage itself,
   * and they beat again as they reconnect (see isWorkerAlive).
   */
  get justReconnected(): boolean {
    return this.readyCount > 1 && performance.now() - this.readyAt < this.opts.heartbeatMs;
  }

  /** The client, connected (on first use) and beating. */
  async redis(): Promise<RedisClient> {
    if (this.shut) throw new StorageError(`journal ${JSON.stringify(this.name)}: closed`);
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      // Back from an outage, beat at once (the heartbeat key may have expired meanwhile: the next
      // interval beat came up to heartbeatMs / 3 later, and other workers failed this one's trials
      // as stale), and judge no other worker stale for one heartbeatMs (see isWorkerAlive)
      const c = await connectRedis(this.url, this.db, this.name, (ready) => {
        this.shakingSince = 0;
        this.readyAt = performance.now();
        this.readyCount++;
        if (this.client === ready && !this.shut) void this.beat().catch(() => undefined);
      }, this.replyMs);
      this.client = c;
      c.on('connect', () => {
        this.shakingSince = performance.now();
      });
      c.on('close', () => {
        this.shakingSince = 0;
      });
      // closed while connecting: no heartbeat to start (close() quits this client)
      if (this.shut) return c;
      // a first beat that fails (the server stopped answering just now) is the interval's to make up:
      // failing the connect here would fail every later call of this backend with it
      await this.beat().catch(() => undefined);
      if (this.shut) return c; // closed during the first beat: close() waits for this and deletes the key
      const every = Math.max(50, this.opts.heartbeatMs / 3);
      this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), every);
      (this.heartbeat as { unref?: () => void }).unref?.();
      if (this.opts.heartbeatThread) this.beating = startHeartbeatThread(this.url, this.heartbeatKey, this.opts.heartbeatMs, every, this.replyMs);
      return c;
    })();
    return this.connecting;
  }

  private beat(): Promise<unknown> {
    // bounded too: beats are what an idle worker sends, so a silent server is noticed (and the
    // connection made again) while the worker evaluates its objective
    return this.timed(this.client as RedisClient).set(this.heartbeatKey, String(Date.now()), 'PX', this.opts.heartbeatMs);
  }

  /**
   * Makes the connection again when a reconnect's handshake has gone
   * unanswered for replyMs (the first connect's is bounded by connectRedis):
   * commands fail at once behind it (no offline queue), so no reply of theirs
   * is timed, and ioredis waits on it for good. A half-open one never answers:
   * the worker, its heartbeat included, failed every step after the network
   * was back.
   */
  private unstick(c: RedisClient): void {
    if (this.shakingSince && performance.now() - this.shakingSince > this.replyMs && !this.shut) {
      this.shakingSince = 0;
      c.disconnect(true);
    }
  }

  /** `c`'s commands, each of whose replies is waited for replyMs (more for many keys), after which the connection is made again. */
  private timed(c: RedisClient): RedisCommands {
    this.unstick(c);
    const w = <T>(p: Promise<T>, items = 1): Promise<T> =>
      within(p, this.replyMs + PER_ITEM_MS * Math.max(0, items - 100), () => {
        // reconnects (a closed backend's client stays closed): replies of the dropped connection are never read
        if (!this.shut) c.disconnect(true);
      });
    return {
      get: (k) => w(c.get(k)),
      mget: (...k) => w(c.mget(...k), k.length),
      set: (k, v, ...a) => w(c.set(k, v, ...a)),
      eval: (script, n, ...a) => w(c.eval(script, n, ...a), a.length),
      exists: (k) => w(c.exists(k)),
      del: (k) => w(c.del(k)),
    };
  }

  /**
   * Runs `fn` on the client's commands, each reply waited for replyMs. An
   * error reply of the server is a StorageError saying `what` failed; a
   * connection that is down or a reply that did not come, a ConnectionLost.
   */
  async call<T>(what: string, fn: (c: RedisCommands) => Promise<T>): Promise<T> {
    const c = await this.redis();
    try {
      return await fn(this.timed(c));
    } catch (e) {
      if (e instanceof RedisConflict || e instanceof StorageError) throw e;
      if ((e as Error).name === 'ReplyError') throw redisFailure(this.name, what, e);
      // unanswered, the connection has been silent since the command went
      const since = e instanceof NoReply ? performance.now() - e.ms : performance.now();
      throw new ConnectionLost(`journal ${JSON.stringify(this.name)}: ${what}: connection lost: ${(e as Error).message}`, { cause: e }, since);
    }
  }

  /**
   * Waits until the client has reconnected (ioredis reconnects by itself);
   * StorageError once `reconnectMs` have passed since `since`, and `lost`
   * itself at `until` (performance.now() ms), a step's own time limit, if sooner.
   */
  async reconnected(since: number, lost: StorageError, until = Infinity): Promise<void> {
    const c = await this.redis();
    for (let wait = 20; ; wait = Math.min(wait * 1.5, 250)) {
      this.unstick(c);
      if ((c as unknown as { status: string }).status === 'ready') {
        try {
          await this.timed(c).exists(this.heartbeatKey);
          return;
        } catch {
          // not yet
        }
      }
      if (this.shut || performance.now() - since > this.opts.reconnectMs) {
        throw new StorageError(`journal ${JSON.stringify(this.name)}: the connection was lost and did not come back in ${this.opts.reconnectMs} ms (${lost.message})`, { cause: lost });
      }
      if (performance.now() >= until) throw lost;
      await sleep(Math.min(wait, Math.max(0, until - performance.now())));
    }
  }

  /**
   * Whether this worker's heartbeat also runs on a thread of its own;
   * resolves once that thread has beaten (false without one). Connects.
   */
  async heartbeatOnThread(): Promise<boolean> {
    await this.redis();
    return this.beating !== null && (await this.beating) !== null;
  }

  /**
   * The first half of close(): no command starts from now on; resolves to
   * the client once its set-up has ended (null without one), its interval
   * heartbeat stopped. The backend then lets its steps end and releases
   * their locks on it before `end`.
   */
  async closing(): Promise<RedisClient | null> {
    this.shut = true;
    // the connection's set-up ends first, heartbeat included (a close during its first beat left one beating)
    const c = this.connecting ? await this.connecting.catch(() => null) : this.client;
    if (this.heartbeat) clearInterval(this.heartbeat);
    return c;
  }

  /**
   * Waits for `closing` (the steps of a close) for replyMs at most; then
   * drops the connection, so that what is left of them fails at once rather
   * than wait on a server that does not answer, and waits for the rest.
   */
  async bounded(closing: Promise<void>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.replyMs);
    });
    if (await Promise.race([closing.then(() => false, () => false), late])) this.client?.disconnect();
    clearTimeout(timer);
    await closing;
  }

  /** The second half of close(): the heartbeat key deleted, the heartbeat thread stopped, the client quit. */
  async end(c: RedisClient | null): Promise<void> {
    // This worker has stopped: its pending trials are another worker's to retry now, not once
    // its key expires. The key goes before the heartbeat thread has wound down, and again after,
    // in case a beat of the thread landed in between.
    const forget = async () => {
      if (c) await c.del(this.heartbeatKey).catch(() => undefined);
    };
    const stopping = this.beating?.then((b) => b?.stop());
    await forget();
    await stopping;
    await forget();
    if (c) await c.quit().catch(() => c.disconnect());
  }
}
