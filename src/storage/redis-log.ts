/**
 * The operations of a Redis journal that a worker has read or written (its
 * copy of the log, `<prefix>:log:<n>`), brought up to the server's last one,
 * and what is checked of the log on the server on the way: that
 * `<prefix>:log_number` is an operation number.
 */
import { StorageError } from '../errors';
import { sleep } from './mutex';
import type { RedisClient } from './redis-client';

/** How many operations one MGET reads. */
const CHUNK = 1000;

export class RedisLog {
  /** the operations read or written so far: operation n is ops[n] */
  readonly ops: string[] = [];
  /** `<prefix>:log_number`: the number of the log's last operation (-1 before the first), Optuna's key */
  readonly numberKey: string;

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
   * Brings `ops` up to the server's last operation: `max` where the lock
   * script has just read it, else read here.
   */
  async readOn(c: RedisClient, max: number | null): Promise<void> {
    const last = max ?? this.lastNumber(await c.get(this.numberKey));
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
        const start = Date.now();
        for (let wait = 2; got[i] === null && Date.now() - start < this.gapWaitMs; wait = Math.min(wait * 2, 200)) {
          await sleep(Math.min(wait, Math.max(1, this.gapWaitMs - (Date.now() - start))));
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
