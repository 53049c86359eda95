/**
 * A journal on Redis, in Optuna's Redis journal layout
 * (`JournalRedisStorage`): `<prefix>:log_number` holds the number of the last
 * operation (-1 before the first), `<prefix>:log:<n>` operation n as JSON.
 * Workers on many machines share a study through one Redis server, Optuna's
 * Python workers included.
 *
 * Appends are atomic and conditional: a Lua script appends the operations of
 * one write only if the log still ends where this worker last read it, so an
 * ask chosen from a stale read (another worker, or Optuna, appended meanwhile)
 * is refused and re-run on fresh data instead of being numbered wrongly.
 * Workers of this library also exclude each other with a lock key, so they
 * rarely conflict at all. Each worker keeps a heartbeat key alive; a pending
 * trial whose owner's heartbeat has expired is failed by a running worker and
 * its params retried as a new trial (see Journal.reclaim).
 *
 * A lost connection is a StorageError for a single command; a step under the
 * lock (ask, tell, a locked read) waits up to `reconnectMs` for the client to
 * reconnect and then runs again on a fresh read: a tell whose write may or
 * may not have landed finds its trial finished and writes nothing more, an
 * ask finds its trial by the `wbo:ask` id it carries.
 *
 * The connection, its heartbeat and that wait are ./redis-connection; the
 * client is `ioredis` (an optional dependency), loaded on first use
 * (./redis-client).
 */
import { StorageError } from '../errors';
import { nodeWorkerId } from './process-identity';
import { Mutex, randomHex, sleep } from './mutex';
import { ConnectionLost, RedisConflict, RedisConnection } from './redis-connection';
import type { RedisCommands } from './redis-client';
import { RedisLog } from './redis-log';
import { APPEND, LOCK, RELEASE } from './redis-scripts';
import { redactRedisUrl, redisUrlOptions, type RedisJournalOptions } from './redis-url';
import type { JournalBackend } from './types';

export type { RedisJournalOptions } from './redis-url';
export { ConnectionLost, RedisConflict } from './redis-connection';

/** A step's time limit (withLock's `timeoutMs`): its length, and when it ends (performance.now(): monotonic, so a clock set forward does not end a wait). */
interface Limit {
  ms: number;
  until: number;
}

/**
 * A journal on Redis in Optuna's JournalRedisStorage layout, for workers on
 * many machines (Optuna's too): what a `redis://` URL opens. Made directly,
 * it takes every RedisJournalOptions, `heartbeatThread` and `worker` too (a
 * URL's query carries the others).
 * @example
 * ```ts
 * const backend = new RedisJournalBackend('redis://localhost:6379/0', { prefix: 'lab', worker: 'gpu-box-1' });
 * const opt = new BayesianOptimization({ f, pbounds, storage: backend, studyName: 'lr-sweep' });
 * await opt.maximize({ nIter: 20 });
 * await opt.dispose();
 * await backend.close(); // a backend object stays the caller's to close
 * ```
 */
export class RedisJournalBackend implements JournalBackend {
  readonly name: string;
  private readonly prefix: string;
  private readonly opts: Required<Omit<RedisJournalOptions, 'worker' | 'prefix'>>;
  private readonly worker: string;
  private readonly conn: RedisConnection;
  /** the operations read or written so far, and the checks of the log on the server */
  private readonly log: RedisLog;
  /** the log's last operation number as the lock was taken: the read that follows needs not ask again */
  private lockedAt: number | null = null;
  /**
   * Reads of the log and appends to this worker's copy go one at a time:
   * Journals sharing this backend read without the lock, and two reads (or
   * a read and an append) that both started from the copy's length pushed
   * the same operations twice, then took the server for one that lost data.
   */
  private readonly copying = new Mutex();
  /** lock tokens whose release failed (connection lost), or whose LOCK's reply was lost: released once it is back */
  private readonly stale: string[] = [];
  /** lock tokens a step of this backend holds or is taking: any other token of this worker on the lock key is no step's */
  private readonly held = new Set<string>();
  /** `withLock` calls under way: close() lets them end before it frees their lock and quits */
  private readonly locking = new Set<Promise<unknown>>();

  /** the URL the client connects to (without the options query) */
  readonly url: string;

  /**
   * @param url `redis://host:port/db`, optionally with options as query
   *   parameters (`?heartbeatMs=2000&reconnectMs=60000`, see ./redis-url);
   *   `opts` given here take precedence over them
   * @throws InvalidOptionError naming a query parameter that is unknown or not a valid value
   */
  constructor(url: string, given: RedisJournalOptions = {}) {
    const parsed = redisUrlOptions(url, given);
    const opts: RedisJournalOptions = parsed.opts;
    this.url = parsed.url;
    this.name = redactRedisUrl(url); // every message names the journal by it: no password
    this.prefix = opts.prefix ?? '';
    this.opts = { lockTimeoutMs: opts.lockTimeoutMs ?? 60_000, heartbeatMs: opts.heartbeatMs ?? 10_000, gapWaitMs: opts.gapWaitMs ?? 10_000,
      reconnectMs: opts.reconnectMs ?? 30_000, heartbeatThread: opts.heartbeatThread ?? true,
    };
    this.worker = opts.worker ?? nodeWorkerId(`redis-${randomHex(4)}`);
    this.log = new RedisLog(this.name, this.prefix, this.opts.gapWaitMs);
    this.conn = new RedisConnection(this.url, parsed.db, this.name, this.opts, `${this.prefix}:wbo:heartbeat:${this.worker}`);
  }

  private call<T>(what: string, fn: (c: RedisCommands) => Promise<T>): Promise<T> {
    return this.conn.call(what, fn);
  }
  /** Brings the log up to the server's last operation. */
  private fetch(): Promise<void> {
    const max = this.lockedAt;
    this.lockedAt = null;
    return this.copying.run(() => this.call('cannot read', (c) => this.log.readOn(c, max)));
  }

  /**
   * Throws the StorageError a script's array reply stands for (the log on the
   * server is not one to write on; see ./redis-scripts): nothing was written.
   */
  private refused(r: unknown[]): never {
    if (r[0] === 'log_number') throw this.log.notANumber(String(r[1]));
    if (r[0] === 'diverged') throw this.log.diverged(this.log.ops.length - 1);
    if (r[0] === 'orphans') throw this.log.orphans();
    throw new StorageError(`journal ${JSON.stringify(this.name)}: unexpected reply of a script: ${JSON.stringify(r)}`);
  }

  /** Whether any operation was ever written under this prefix (Optuna's `log_number` key). */
  async exists(): Promise<boolean> {
    // operations without their number key (see RedisLog.orphans) are a log too: never taken for a fresh prefix
    return this.call('cannot read', async (c) => (await c.exists(this.log.numberKey)) === 1 || (await c.exists(this.log.key(0))) === 1);
  }

  async readAll(): Promise<string> {
    await this.fetch();
    const ops = this.log.ops;
    return ops.length ? `${ops.join('\n')}\n` : '';
  }

  async readFrom(from: number): Promise<string> {
    await this.fetch();
    const ops = this.log.ops;
    return from < ops.length ? `${ops.slice(from).join('\n')}\n` : '';
  }

  /** Appends if nothing was appended since the last read; else throws RedisConflict (the Journal re-runs the step). */
  async append(lines: string): Promise<void> {
    const ops = lines.split('\n').filter((l) => l !== '');
    await this.copying.run(async () => {
      const n = this.log.ops.length - 1;
      const sha = await this.log.lastSha();
      await this.call('cannot append', async (c) => {
        const r = await c.eval(APPEND, 2, this.log.numberKey, this.log.key(n), this.prefix, n, sha, ...ops);
        if (Array.isArray(r)) this.refused(r);
        if (r === -2) throw new RedisConflict(`journal ${JSON.stringify(this.name)}: cannot append: the journal moved on since it was read (another worker appended; read it again)`);
        this.log.ops.push(...ops);
      });
    });
  }

  /**
   * Runs `fn` holding the lock key. The step is run again on a fresh read when
   * an Optuna worker appended in between (RedisConflict), and when the
   * connection was lost, once it is back (up to `reconnectMs`). `timeoutMs`:
   * the lock is given up (a StorageError) when another worker still holds
   * it, or the connection is still lost, that long after the call (a
   * journal's mark on closing waits 2 s at most); by default the wait is
   * timed per holder (see take).
   */
  withLock<T>(fn: () => Promise<T>, opts?: { timeoutMs?: number }): Promise<T> {
    const run = this.lockedRun(fn, opts?.timeoutMs);
    this.locking.add(run);
    void run.then(() => this.locking.delete(run), () => this.locking.delete(run));
    return run;
  }

  private get lockKey(): string {
    return `${this.prefix}:wbo:lock`;
  }

  private async lockedRun<T>(fn: () => Promise<T>, timeoutMs?: number): Promise<T> {
    const key = this.lockKey;
    const limit = timeoutMs === undefined ? undefined : { ms: timeoutMs, until: performance.now() + timeoutMs };
    let lostSince: number | null = null;
    for (let attempt = 0; ; attempt++) {
      const token = `${this.worker}:${randomHex(6)}`;
      try {
        await this.lock(key, token, limit);
        try {
          return await fn();
        } finally {
          this.lockedAt = null;
          this.held.delete(token);
          // not awaited: this client's next command queues behind it, and a failure is retried at the next
          // lock, or by close(). On the client itself: a step that close() ended must still let its lock go,
          // or every other worker waits for the key to expire (lockTimeoutMs)
          const c = this.conn.current;
          if (c) void c.eval(RELEASE, 1, key, token).catch(() => this.stale.push(token));
          else this.stale.push(token);
        }
      } catch (e) {
        // an Optuna worker appended between this step's read and its write: run the step again
        if (e instanceof RedisConflict && attempt < 100) continue;
        if (!(e instanceof ConnectionLost)) throw e;
        lostSince ??= e.since;
        // a step with a time limit does not wait for the connection past it (reconnectMs is 30 s by default)
        if (limit && performance.now() >= limit.until) throw e;
        await this.conn.reconnected(lostSince, e, limit?.until);
      }
    }
  }

  private async lock(key: string, token: string, limit?: Limit): Promise<void> {
    this.held.add(token);
    try {
      await this.take(key, token, limit);
    } catch (e) {
      this.held.delete(token);
      // a LOCK whose reply was lost (no reply in time, the connection gone) may have taken the lock
      if (e instanceof ConnectionLost) this.stale.push(token);
      throw e;
    }
  }

  private async take(key: string, token: string, limit?: Limit): Promise<void> {
    // a lock this worker held when the connection went (a server that kept its data still has it)
    while (this.stale.length) await this.call('cannot unlock', (c) => c.eval(RELEASE, 1, key, this.stale[0])).then(() => this.stale.shift());
    // The wait is timed per holder: while the lock changes hands the study moves on, and a waiter that
    // counted from its own start gave up just as a dead holder's key expired (losing that race to
    // another waiter), failing a live worker. One holder past twice lockTimeoutMs (its key expires
    // after one) means a lock this code cannot take: given up.
    let holder: string | null = null;
    let since = performance.now();
    for (let delay = 2; ; delay = Math.min(delay * 1.5, 100)) {
      // no takeover for one heartbeatMs after this worker's connection came back (see isWorkerAlive)
      const takeover = this.conn.justReconnected ? '0' : '1';
      const n = this.log.ops.length - 1;
      const sha = await this.log.lastSha();
      const r = await this.call('cannot lock', (c) => c.eval(LOCK, 3, key, this.log.numberKey, this.log.key(n), token, this.opts.lockTimeoutMs,
        `${this.prefix}:wbo:heartbeat:`, takeover, sha, n));
      if (typeof r === 'number') {
        // the script checked the last operation read only where it had its SHA-1 (see RedisLog.lastSha):
        // else the read that follows checks it itself. Taking the script's number as read then folded a
        // log the server had lost and regrown onto this worker's copy, right after a read was refused
        this.lockedAt = n < 0 || sha !== '' ? r : null;
        return;
      }
      if (Array.isArray(r)) this.refused(r);
      // a holder's token; anything else would be taken for one, and a holder that flips restarts the wait
      if (typeof r !== 'string') throw new StorageError(`journal ${JSON.stringify(this.name)}: unexpected reply of the lock script: ${JSON.stringify(r)}`);
      // A token of this worker that no step of it holds: a LOCK whose reply was lost, whose copy
      // reached the server after its release (a dropped connection's commands are sent again on the
      // next, and a paused server still runs what it had read): released at once, not waited out
      if (r.startsWith(`${this.worker}:`) && !this.held.has(r)) {
        await this.call('cannot unlock', (c) => c.eval(RELEASE, 1, key, r));
        continue;
      }
      if (r !== holder) {
        holder = r;
        since = performance.now();
      } else if (performance.now() - since > 2 * this.opts.lockTimeoutMs) {
        throw new StorageError(`journal ${JSON.stringify(this.name)}: lock held by another worker; gave up after ${2 * this.opts.lockTimeoutMs} ms`);
      }
      if (limit && performance.now() >= limit.until) {
        throw new StorageError(`journal ${JSON.stringify(this.name)}: lock held by another worker; gave up after ${limit.ms} ms`);
      }
      await sleep(delay * (0.5 + Math.random()));
    }
  }

  workerId(): string {
    return this.worker;
  }

  /**
   * Alive while its heartbeat key lives (workers of this library only; others
   * are unknown). Unknown, too, for one heartbeatMs after this worker's
   * connection came back: the others' keys may have expired in the outage
   * itself, and they beat again as they reconnect.
   */
  async isWorkerAlive(worker: string): Promise<boolean | undefined> {
    if (worker === this.worker) return true;
    if (!/^.+:\d+:[0-9a-f]+$/.test(worker)) return undefined;
    if (this.conn.justReconnected) return undefined;
    return this.call('cannot read heartbeats', async (c) => (await c.exists(`${this.prefix}:wbo:heartbeat:${worker}`)) === 1);
  }

  /**
   * Whether this worker's heartbeat also runs on a thread of its own;
   * resolves once that thread has beaten (false without one). Connects.
   */
  async heartbeatOnThread(): Promise<boolean> {
    return this.conn.heartbeatOnThread();
  }

  /** Closes the connection; within a reply's wait (replyMs) on a server that stopped answering, which then keeps a lock key of this worker until it expires. */
  close(): Promise<void> {
    // a second call while the first still ends the connection settles with it, not at once
    if (this.closing) return this.closing;
    if (this.conn.closed) return Promise.resolve();
    const first = this.closeOnce();
    this.closing = first.catch(() => undefined); // a failed close fails once; later calls resolve
    return first;
  }

  private closing: Promise<void> | null = null;

  private async closeOnce(): Promise<void> {
    await this.conn.bounded((async () => {
      const c = await this.conn.closing();
      // steps under the lock end at their next command (the backend is closed); then no lock of this
      // worker may outlive it: one it failed to release is released here
      await Promise.allSettled([...this.locking]);
      if (c) {
        for (const token of this.stale.splice(0)) await c.eval(RELEASE, 1, this.lockKey, token).catch(() => undefined);
      }
      await this.conn.end(c);
    })());
  }
}
