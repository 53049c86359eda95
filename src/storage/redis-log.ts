/**
 * The operations of a Redis journal that a worker has read or written (its
 * copy of the log, `<prefix>:log:<n>`), brought up to the server's last one,
 * and what is checked of the log on the server on the way: that
 * `<prefix>:log_number` is an operation number, and that the log still holds
 * the operations this worker read.
 *
 * The second check is of content, not of the count: a server that lost its
 * newest writes (AOF `everysec` after a crash, a failover to a replica that
 * lagged, a restart without persistence) and then took as many operations or
 * more from other workers holds as many as this worker read, or more, and a
 * worker that compared counts only folded the new operations onto its stale
 * copy and appended for trials that do not exist (Optuna takes such lines
 * without a word). Redis loses a log's newest writes, never a middle one, so
 * the last operation this worker read stands for all of them: a read
 * compares it with the server's (fetched in the read's first round trip),
 * and the lock and append scripts compare its SHA-1 on the server. Other
 * workers' appends after it (Optuna's, which take no lock) pass: the check
 * is that what was read is still there, not that nothing was added.
 */
import { StorageError } from '../errors';
import { sleep } from './mutex';
import type { RedisCommands } from './redis-client';

/** How many operations one MGET reads. */
const CHUNK = 1000;

export class RedisLog {
  /** the operations read or written so far: operation n is ops[n] */
  readonly ops: string[] = [];
  /** `<prefix>:log_number`: the number of the log's last operation (-1 before the first), Optuna's key */
  readonly numberKey: string;
  /** the SHA-1 of operation n, once asked for (see lastSha) */
  private sha: { n: number; hex: string } | null = null;

  constructor(private readonly name: string, private readonly prefix: string, private readonly gapWaitMs: number) {
    this.numberKey = `${prefix}:log_number`;
  }

  /** The key of operation `n`. */
  key(n: number): string {
    return `${this.prefix}:log:${n}`;
  }

  /**
   * The log's last operation number as `<prefix>:log_number` holds it (-1
   * when unset).
   * @throws StorageError when it holds anything else (another program's key under this prefix)
   */
  lastNumber(raw: string | null): number {
    if (raw === null) return -1;
    const n = /^(-1|\d+)$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n)) throw this.notANumber(raw);
    return n;
  }

  /**
   * A key that is not an operation number: the lock script read it as nil,
   * which its caller took for a lock holder, and waited for without end; a
   * read took it for an empty log. Nothing is written on top of it.
   */
  notANumber(raw: string): StorageError {
    const shown = raw.length > 40 ? `${JSON.stringify(raw.slice(0, 40)).slice(0, -1)}…"` : JSON.stringify(raw);
    return new StorageError(`journal ${JSON.stringify(this.name)}: ${this.numberKey} holds ${shown}, not an operation number`);
  }

  /**
   * The number key is gone while the log's operations are there (deleted by
   * hand, or evicted): read as empty, a new study was written over them,
   * the rest left behind it. Nothing is written or read on it.
   */
  orphans(): StorageError {
    return new StorageError(`journal ${JSON.stringify(this.name)}: ${this.numberKey} is missing while ${this.key(0)} and maybe more operations are there: ` +
      'the log\'s number was deleted or evicted; nothing is written over its operations. Set it to the last operation\'s number, or delete the log\'s keys');
  }

  /**
   * This worker's copy no longer is the server's log (its operation `n` is
   * another or gone): nothing is written from it, and every later step is
   * refused the same way, since the copy stays as it is.
   */
  diverged(n: number): StorageError {
    return new StorageError(`journal ${JSON.stringify(this.name)}: the log on the server is not the one this worker read (writes lost, or a failover): ` +
      `operation ${n} is not the one it read; nothing is written on it. Open the study again to go on from what the server holds`);
  }

  /**
   * The SHA-1 (hex) of the last operation read, as the scripts compare it
   * with redis.sha1hex; '' (no check) before the first. Also '' for an
   * operation that was not UTF-8 on the server (another program's bytes,
   * read with U+FFFD in their place): hashed here it would differ from the
   * server's bytes, and refuse a log that holds what was read. A read still
   * compares it as decoded, alike on both sides: a lock taken without the
   * check does not spare the read that follows its own (see the backend's take).
   */
  async lastSha(): Promise<string> {
    const n = this.ops.length - 1;
    if (n < 0 || this.ops[n].includes('\uFFFD')) return '';
    if (this.sha?.n !== n) {
      const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(this.ops[n]));
      this.sha = { n, hex: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('') };
    }
    return this.sha.hex;
  }

  /**
   * Brings `ops` up to the server's last operation: `max` where the lock
   * script has just read it (and checked the last operation read), else read
   * here, with that operation, in one round trip.
   */
  async readOn(c: RedisCommands, max: number | null): Promise<void> {
    const n = this.ops.length - 1;
    let last: number;
    if (max !== null) last = max;
    else if (n < 0) {
      const [num, first] = await c.mget(this.numberKey, this.key(0));
      if (num === null && first !== null) throw this.orphans();
      last = this.lastNumber(num);
    }
    else {
      const [num, op] = await c.mget(this.numberKey, this.key(n));
      last = this.lastNumber(num);
      if (last >= n && op !== this.ops[n]) throw this.diverged(n);
    }
    if (last < this.ops.length - 1) {
      throw new StorageError(`journal ${JSON.stringify(this.name)}: the server holds ${last + 1} operations, fewer than the ${this.ops.length} ` +
        'already read: the log was deleted or the server lost its data (a restart without persistence?)');
    }
    for (let from = this.ops.length; from <= last; from += CHUNK) {
      const keys = [];
      for (let n = from; n <= Math.min(last, from + CHUNK - 1); n++) keys.push(this.key(n));
      const got = await c.mget(...keys);
      for (let i = 0; i < got.length; i++) {
        // numbered but not set yet (Optuna's cluster mode writes INCR, then SET): wait for it, as Optuna's reader does
        const start = performance.now();
        for (let wait = 2; got[i] === null && performance.now() - start < this.gapWaitMs; wait = Math.min(wait * 2, 200)) {
          await sleep(Math.min(wait, Math.max(1, this.gapWaitMs - (performance.now() - start))));
          got[i] = await c.get(keys[i]);
        }
        if (got[i] === null) {
          throw new StorageError(`journal ${JSON.stringify(this.name)}: operation ${from + i} is missing: ` +
            `its number was taken but nothing was written there in ${this.gapWaitMs} ms`);
        }
        this.ops.push(got[i] as string);
      }
    }
  }
}
