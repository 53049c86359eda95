/**
 * What a Redis journal checks of the log on the server before it reads on
 * or writes: that `<prefix>:log_number` is an operation number. Against a
 * real redis-server on a free loopback port.
 */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import { RedisJournalBackend } from '../../src/storage';
import { hasRedis, rawRedis, sharedRedisServer } from './redis-server';

const maybe = hasRedis || process.env.CI ? describe : describe.skip;
const SPACE = { x: { type: 'float' as const, low: 0, high: 1 } };
const OP = '{"op_code":0,"worker_id":"a","study_name":"s","directions":[2]}\n';

/** `p` settled within `ms`, or a rejection saying it had not (a hang fails the test at once, not at its timeout). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);
}

maybe('Redis journal: the log on the server is checked', () => {
  const { url } = sharedRedisServer();

  it('a log_number that is not an operation number (a prefix clash) is a StorageError at once, for the lock, a read and an append; nothing written', async () => {
    // The lock script read it as nil and its caller as a lock holder: the holder flipped between
    // none and this worker's own token, the wait's timer restarted each time, and the lock was
    // waited for without end (a whole maximize hung). A read took it for an empty log.
    const u = url();
    const raw = await rawRedis(u);
    await raw.set(':log_number', 'abc');
    const b = new RedisJournalBackend(u, { lockTimeoutMs: 1500, heartbeatThread: false });
    const message = `journal ${JSON.stringify(u)}: :log_number holds "abc", not an operation number`;
    const t0 = Date.now();
    const e = await within(b.withLock(async () => 'ran'), 5000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(message);
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(within(b.readAll(), 5000)).rejects.toThrow(new StorageError(message));
    await expect(within(b.append(OP), 5000)).rejects.toThrow(new StorageError(message));
    expect(await raw.get(':log_number')).toBe('abc');
    expect(await raw.keys(':log:*')).toEqual([]);
    expect(await raw.exists(':wbo:lock')).toBe(0); // refused before the lock was taken
    await b.close();
    // a long value is shown cut, and a negative number is not an operation number either
    await raw.set(':log_number', 'x'.repeat(100));
    const c = new RedisJournalBackend(u, { heartbeatThread: false });
    await expect(within(c.readAll(), 5000)).rejects.toThrow(`: :log_number holds "${'x'.repeat(40)}…", not an operation number`);
    await raw.set(':log_number', '-5');
    await expect(within(c.withLock(async () => 'ran'), 5000)).rejects.toThrow(`: :log_number holds "-5", not an operation number`);
    await c.close();
    raw.disconnect();
  }, 30_000);

  it('a maximize worker on such a key fails at once, typed, where it hung', async () => {
    const u = url();
    const raw = await rawRedis(u);
    await raw.set('lab:log_number', 'abc');
    const opt = new RandomSearch({ space: SPACE, storage: `${u}?prefix=lab&lockTimeoutMs=1500`, randomState: 1, log: () => undefined, f: (p) => p.x as number });
    const e = await within(opt.maximize({ initPoints: 2, nIter: 0 }), 10_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toMatch(/: lab:log_number holds "abc", not an operation number/);
    expect(await raw.keys('lab:log:*')).toEqual([]);
    opt.dispose();
    raw.disconnect();
  }, 30_000);
});
