/**
 * The lock key Redis workers of this library take around each journal step:
 * a dead holder's lock is taken over at once, a live holder's is waited
 * for, and a wait is timed per holder. Against a real redis-server on a free
 * loopback port.
 */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { Journal, RedisJournalBackend } from '../../src/storage';
import { hasRedis, rawRedis, sharedRedisServer, type RawRedis } from './redis-server';

const maybe = hasRedis || process.env.CI ? describe : describe.skip;

/** A lock token as a worker of this library writes it: `<worker>:<hex>`, the worker `<name>:<pid>:<hex>`. */
const DEAD = 'redis-deadbeef:999999:0123456789ab';
const ALIVE = 'redis-feedface:999998:ba9876543210';

/** Milliseconds a `withLock` step on `u` waits for the lock, and what it saw. */
async function timedStep(u: string, lockTimeoutMs: number): Promise<{ ms: number; result: string }> {
  const b = new RedisJournalBackend(u, { lockTimeoutMs });
  try {
    await b.readAll(); // connected, heartbeat written: the wait below is the lock's alone
    const t0 = performance.now();
    const result = await b.withLock(async () => 'ran');
    return { ms: performance.now() - t0, result };
  } finally {
    await b.close();
  }
}

/** Sets the lock key on `u` as a worker (`ALIVE` with its heartbeat key, or `DEAD` without) holding it for `px` ms. */
async function plant(u: string, worker: string, px: number): Promise<RawRedis> {
  const raw = await rawRedis(u);
  if (worker === ALIVE) await raw.set(`:wbo:heartbeat:${ALIVE}`, String(Date.now()), 'PX', 10_000);
  await raw.set(':wbo:lock', `${worker}:abcdef012345`, 'PX', px);
  return raw;
}

maybe('Redis journal lock', () => {
  const { url } = sharedRedisServer();

  it("takes over at once a lock whose holder has no heartbeat (a worker killed mid-step), where it waited out lockTimeoutMs", async () => {
    const u = url();
    const raw = await plant(u, DEAD, 60_000);
    const { ms, result } = await timedStep(u, 60_000);
    expect(result).toBe('ran');
    expect(ms).toBeLessThan(5_000);
    expect(await raw.exists(':wbo:lock')).toBe(0); // released after the step
    raw.disconnect();
  }, 20_000);

  it('waits out a live holder whatever the wall clock does: a step of an hour forward mid-wait gave up at once (Date.now measured the wait)', async () => {
    const u = url();
    const raw = await plant(u, ALIVE, 1_500);
    const realNow = Date.now.bind(Date);
    const jump = setTimeout(() => (Date.now = () => realNow() + 3_600_000), 300);
    try {
      const { ms, result } = await timedStep(u, 60_000);
      expect(result).toBe('ran');
      expect(ms).toBeGreaterThanOrEqual(1_300);
    } finally {
      clearTimeout(jump);
      Date.now = realNow;
    }
    raw.disconnect();
  }, 20_000);

  it("waits for a live holder's lock (its heartbeat key exists) until the key expires", async () => {
    const u = url();
    const raw = await plant(u, ALIVE, 1_500);
    const { ms, result } = await timedStep(u, 60_000);
    expect(result).toBe('ran');
    expect(ms).toBeGreaterThanOrEqual(1_300);
    raw.disconnect();
  }, 20_000);

  it('times a wait per holder: a lock that expires past the waiter\'s own lockTimeoutMs is waited for, not given up on', async () => {
    // A waiter counted lockTimeoutMs from its own start and failed its live worker with a
    // StorageError when the holder's key outlived that (it had been taken just before).
    const u = url();
    const raw = await plant(u, ALIVE, 1_200);
    const { ms, result } = await timedStep(u, 800);
    expect(result).toBe('ran');
    expect(ms).toBeGreaterThanOrEqual(1_000);
    raw.disconnect();
  }, 20_000);

  it('releases at once a lock of its own worker that no step of it holds (a LOCK whose reply was lost, landing after its release); its own steps still exclude each other', async () => {
    // A dropped connection's commands are sent again on the next one, and a paused server runs what it
    // had read when it resumes: a LOCK given up on could take the lock after the step had let its token
    // go. Its worker is alive, so the lock was waited out (lockTimeoutMs) by that very worker.
    const u = url();
    const b = new RedisJournalBackend(u, { lockTimeoutMs: 60_000, heartbeatThread: false });
    await b.readAll();
    const raw = await rawRedis(u);
    await raw.set(':wbo:lock', `${b.workerId()}:abcdef012345`, 'PX', 60_000);
    const t0 = Date.now();
    expect(await b.withLock(async () => 'ran')).toBe('ran');
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await raw.exists(':wbo:lock')).toBe(0);
    // two steps of this worker at once: the second waits for the first's token, which a step holds
    const spans: [number, number][] = [];
    const step = () => b.withLock(async () => {
      const start = Date.now();
      await new Promise((r) => setTimeout(r, 300));
      spans.push([start, Date.now()]);
    });
    await Promise.all([step(), step()]);
    spans.sort((x, y) => x[0] - y[0]);
    expect(spans[1][0]).toBeGreaterThanOrEqual(spans[0][1]);
    await b.close();
    raw.disconnect();
  }, 20_000);

  it('gives up a step with a time limit (timeoutMs) while a live holder keeps the lock, running nothing; a journal closing with a pending trial does not wait out the holder', async () => {
    const u = url();
    const b = new RedisJournalBackend(u, { lockTimeoutMs: 60_000 });
    const j = await Journal.open(b, { space: { x: { type: 'float', low: 0, high: 1 } } });
    await j.ask({ x: 0.5 }); // pending: close() marks the journal closed under the lock
    const raw = await plant(u, ALIVE, 60_000);
    await raw.set(`:wbo:heartbeat:${ALIVE}`, String(Date.now()), 'PX', 60_000); // alive for the whole test
    let ran = false;
    await expect(b.withLock(async () => (ran = true), { timeoutMs: 300 }))
      .rejects.toThrow(new StorageError(`journal ${JSON.stringify(b.name)}: lock held by another worker; gave up after 300 ms`));
    expect(ran).toBe(false);
    // the mark waits 2 s at most (it waited for the holder's key: a minute)
    await j.close();
    expect(await raw.get(':wbo:lock')).toBe(`${ALIVE}:abcdef012345`);
    await b.close();
    raw.disconnect();
  }, 15_000);

  it('gives up, typed, on one holder that keeps the lock past twice lockTimeoutMs', async () => {
    const u = url();
    const raw = await plant(u, ALIVE, 10_000);
    await expect(timedStep(u, 400)).rejects.toThrow(/: lock held by another worker; gave up after 800 ms$/);
    expect(await raw.get(':wbo:lock')).toBe(`${ALIVE}:abcdef012345`); // a live holder's lock is left alone
    raw.disconnect();
  }, 20_000);

  it('a second close() overlapping the first settles with it: the heartbeat key gone, the closing mark written', async () => {
    const u = url();
    const raw = await rawRedis(u);
    const b = new RedisJournalBackend(u);
    await b.readAll(); // connected: its heartbeat key is written
    const beat = `:wbo:heartbeat:${b.workerId()}`;
    expect(await raw.exists(beat)).toBe(1);
    const first = b.close();
    await b.close(); // as a finally block, or Promise.all([opt.close(), backend.close()]), calls it
    expect(await raw.exists(beat)).toBe(0); // it resolved at once, with the key still there
    await first;
    // a journal that opened its own backend, closing with a pending trial: its mark is in the log once either call resolved
    const j = await Journal.open(u, { space: { x: { type: 'float', low: 0, high: 1 } } });
    await j.ask({ x: 0.5 });
    const jFirst = j.close();
    await j.close();
    const ops = await Promise.all((await raw.keys(':log:*')).map((k) => raw.get(k)));
    expect(ops.some((o) => o !== null && o.includes('wbo:closed:'))).toBe(true);
    await jFirst;
    raw.disconnect();
  }, 20_000);
});
