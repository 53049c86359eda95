/**
 * A Redis server that stops answering without closing its connections (the
 * process SIGSTOPped: its kernel still takes connections and data, as a hung
 * server does, or one behind a half-open TCP connection after a network
 * partition). Every wait on it is bounded by the backend's `reconnectMs`: a
 * command's reply is waited for half of it, a locked step all of it, and
 * close() returns; a TLS handshake such a server never answers says so.
 * Against a real redis-server on a free loopback port.
 */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { Journal, RedisJournalBackend } from '../../src/storage';
import { hasRedis, pausableRedisServer, rawRedis, within } from './redis-server';

const maybe = hasRedis || process.env.CI ? describe : describe.skip;
const SPACE = { x: { type: 'float' as const, low: -2, high: 2 } };
const f = (p: Params): number => -(((p.x as number) - 0.5) ** 2);

maybe('a Redis server that stops answering (SIGSTOP)', () => {
  const { server, url } = pausableRedisServer();

  it('a tell waits reconnectMs, then is a StorageError that keeps the result, written once the server answers again', async () => {
    // Nothing bounded a command: the tell, and the whole maximize, waited for good (ioredis only
    // counts a connection lost once the socket reports it, and a paused server's socket is open).
    const u = url();
    const backend = new RedisJournalBackend(u, { reconnectMs: 2000 });
    let pausedAt = 0;
    const opt = new RandomSearch({
      space: SPACE, storage: backend, randomState: 3, log: () => undefined,
      f: (p, ctx) => {
        if (ctx.trialId === 1) {
          server().pause();
          pausedAt = Date.now();
        }
        return f(p);
      },
    });
    const e = await within(opt.maximize({ initPoints: 3, nIter: 0 }), 10_000).catch((x: unknown) => x);
    const waited = Date.now() - pausedAt;
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(`journal ${JSON.stringify(u)}: the connection was lost and did not come back in 2000 ms ` +
      `(journal ${JSON.stringify(u)}: cannot lock: connection lost: no reply in 1000 ms); ` +
      'the result of trial 1 is kept: its write may have landed, and the next call that reaches the storage checks and writes it only if not');
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(waited).toBeLessThan(4000);
    server().resume();
    await within(Promise.resolve(opt.study.load()), 10_000); // the next call writes the kept result
    const j = await Journal.open(u, { readOnly: true });
    const s = await j.load();
    await j.close();
    expect(s.trials.map((t) => [t.id, t.status, t.target])).toEqual([[0, 'complete', opt.res[0].target], [1, 'complete', f(s.trials[1].params)]]);
    opt.dispose();
    await within(backend.close(), 5000);
  }, 30_000);

  it('a read outside the lock (a read-only journal\'s load) is a StorageError after half reconnectMs, and close() returns within as long', async () => {
    const u = url();
    await (await Journal.open(u, { space: SPACE })).close();
    const backend = new RedisJournalBackend(u, { reconnectMs: 2000 });
    const j = await Journal.open(backend, { readOnly: true });
    server().pause();
    const t0 = Date.now();
    const e = await within(j.load(), 10_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(`journal ${JSON.stringify(u)}: cannot read: connection lost: no reply in 1000 ms`);
    expect(Date.now() - t0).toBeLessThan(2500);
    await j.close();
    // the heartbeat thread's and this client's last commands get no answer either: close() drops the connection
    const t1 = Date.now();
    await within(backend.close(), 10_000);
    expect(Date.now() - t1).toBeLessThan(2000);
  }, 30_000);

  it('an idle worker closes within half reconnectMs on a paused server', async () => {
    const u = url();
    const backend = new RedisJournalBackend(u, { reconnectMs: 2000 });
    await backend.readAll();
    server().pause();
    const t0 = Date.now();
    await within(backend.close(), 10_000);
    expect(Date.now() - t0).toBeLessThan(2000);
  }, 30_000);

  it('a pause longer than a reply\'s wait but shorter than reconnectMs: the tell runs again once the server answers, and is written once', async () => {
    const u = url();
    let paused = false;
    /** Pauses the server as the tell's write goes out: the write waits unanswered, then lands when the server resumes. */
    class PausedAtTell extends RedisJournalBackend {
      override async append(lines: string): Promise<void> {
        if (!paused && lines.includes('"op_code":6')) {
          paused = true;
          server().pause();
          setTimeout(() => server().resume(), 2000);
        }
        return super.append(lines);
      }
    }
    const backend = new PausedAtTell(u, { reconnectMs: 3000, heartbeatThread: false }); // a reply is waited for 1.5 s
    const j = await Journal.open(backend, { space: SPACE });
    const { trial } = await j.ask({ x: 0.25 });
    const t0 = Date.now();
    await within(j.tell(trial.id, { target: 1.5 }), 10_000); // true, or false where the first write landed
    expect(paused).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    // the write went unanswered for 1.5 s: the connection was dropped and made again, then the step ran again
    expect((backend as unknown as { conn: { readyCount: number } }).conn.readyCount).toBe(2);
    const ops = (await backend.readAll()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { op_code: number });
    expect(ops.filter((o) => o.op_code === 6)).toHaveLength(1);
    // the worker goes on, and no lock of the step that timed out is left to wait out
    const next = await within(j.ask({ x: -1 }), 5000);
    expect(await within(j.tell(next.trial.id, { target: 2 }), 5000)).toBe(true);
    const s = await j.load();
    expect(s.trials.map((t) => [t.id, t.status, t.target])).toEqual([[0, 'complete', 1.5], [1, 'complete', 2]]);
    const raw = await rawRedis(u);
    expect(await raw.exists(':wbo:lock')).toBe(0);
    raw.disconnect();
    await j.close();
    await backend.close();
  }, 30_000);

  it('opening on a paused server is a StorageError, not a hang', async () => {
    const u = url();
    server().pause();
    const t0 = Date.now();
    const e = await within(Journal.open(new RedisJournalBackend(u, { reconnectMs: 1000 }), { space: SPACE }), 15_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(`journal ${JSON.stringify(u)}: cannot connect: the server took the connection but did not answer in 6000 ms`);
    expect(Date.now() - t0).toBeLessThan(8000);
  }, 30_000);

  it('a rediss:// URL on a server without TLS says to check that, where it said only "connect ETIMEDOUT"', async () => {
    // The TLS handshake gets no answer from a plain server (it waits for a command's end of line).
    const u = url().replace(/^redis:/, 'rediss:');
    const e = await within(Journal.open(u, { space: SPACE }), 15_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toMatch(/^journal "rediss:\/\/[^"]+": cannot connect: connect ETIMEDOUT \(a rediss:\/\/ URL: is the server TLS\? One without TLS never answers its handshake; it takes redis:\/\/\)$/);
  }, 30_000);
});
