/**
 * A Redis study whose server goes away mid-study (stopped and started again
 * on the same port, keeping its data): a result being told is retried until
 * the server is back, never dropped; a server that stays away is a typed
 * StorageError.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import type { Params, SpaceSpec } from '../../src/space/types';
import { Journal, RedisJournalBackend } from '../../src/storage';
import { ConnectionLost } from '../../src/storage/redis-backend';
import { CuttableProxy, hasRedis, RedisServer, within } from './redis-server';

const maybe = hasRedis || process.env.CI ? describe : describe.skip;
const SPACE: SpaceSpec = { x: { type: 'float', low: -2, high: 2 }, n: { type: 'int', low: 1, high: 100 } };
const f = (p: Params): number => -(((p.x as number) - 0.5) ** 2) - (p.n as number) / 100;

maybe('a Redis study across a lost connection', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  async function persistentServer(): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), 'redis-reconnect-'));
    const server = await RedisServer.start(dir);
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => server.stop());
    return server;
  }

  it('the server restarts while a trial runs: its result is told once the server is back, and the study goes on', async () => {
    const server = await persistentServer();
    const url = `redis://127.0.0.1:${server.port}/0`;
    const backend = new RedisJournalBackend(url, { reconnectMs: 15_000 });
    let calls = 0;
    let downAt = -1;
    const opt = new RandomSearch({
      space: SPACE, storage: backend, randomState: 4, log: () => undefined,
      f: async (p, ctx) => {
        if (++calls === 3) {
          downAt = ctx.trialId;
          await server.stop(); // the connection goes while this trial runs; back 400 ms later
          setTimeout(() => void server.restart(), 400);
        }
        return f(p);
      },
    });
    await opt.maximize({ initPoints: 2, nIter: 4 });
    expect(downAt).toBe(2);
    const j = await Journal.open(url, { readOnly: true });
    const s = await j.load();
    await j.close();
    // every result is there once, the one in flight when the server went included
    expect(s.trials.map((t) => [t.id, t.status, t.target])).toEqual(opt.res.map((t) => [t.id, 'complete', f(t.params)]));
    expect(s.trials.map((t) => t.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.pending).toEqual([]);
    opt.dispose();
    await backend.close();
  }, 60_000);

  it('the server stays away: a typed StorageError, and the result is written by the next call once it is back', async () => {
    const server = await persistentServer();
    const url = `redis://127.0.0.1:${server.port}/0`;
    const backend = new RedisJournalBackend(url, { reconnectMs: 300 });
    const opt = new RandomSearch({
      space: SPACE, storage: backend, randomState: 5, log: () => undefined,
      f: async (p, ctx) => {
        if (ctx.trialId === 1) await server.stop();
        return f(p);
      },
    });
    const e = await opt.maximize({ initPoints: 3, nIter: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toMatch(new RegExp(`^journal "${url}": the connection was lost and did not come back in 300 ms \\(journal "${url}": cannot lock: connection lost: `));
    const told = opt.study.get(1);
    expect((e as Error).message).toMatch(/; the result of trial 1 is kept: its write may have landed, and the next call that reaches the storage checks and writes it only if not$/);
    expect(told?.status).toBe('pending'); // not recorded anywhere yet, but kept
    await server.restart();
    await opt.study.load(); // the next call that reaches the storage writes the kept result first
    const j = await Journal.open(url, { readOnly: true });
    const s = await j.load();
    await j.close();
    expect(s.trials.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [1, 'complete']]);
    expect(s.trials[1].target).toBe(f(s.trials[1].params));
    expect(opt.study.get(1)?.status).toBe('complete');
    opt.dispose();
    await backend.close();
  }, 60_000);

  it('the server gone for good: a journal\'s closing mark waits its 2 s, not the whole reconnectMs, for the connection', async () => {
    const server = await RedisServer.start();
    cleanup.push(() => server.stop());
    const j = await Journal.open(`redis://127.0.0.1:${server.port}/0?reconnectMs=8000`, { space: SPACE });
    await j.ask({ x: 0.5, n: 3 }); // pending: close() writes its closing mark
    await server.stop();
    // the mark's step gave up at its limit only before waiting for the connection, which took reconnectMs (8 s)
    await within(j.close(), 5_000);
  }, 30_000);

  it('a write that landed but whose reply was lost is not written twice when the step runs again (ask by its wbo:ask id, tell by its state)', async () => {
    const server = await persistentServer();
    const url = `redis://127.0.0.1:${server.port}/0`;
    const lost: string[] = [];
    /** Each first CREATE_TRIAL and state change lands, then its reply is "lost" with the connection. */
    class LostReplies extends RedisJournalBackend {
      override async append(lines: string): Promise<void> {
        await super.append(lines);
        const op = /"op_code":(4|6|7)/.exec(lines)?.[1];
        if (op && !lost.includes(op)) {
          lost.push(op);
          throw new ConnectionLost('reply lost');
        }
      }
    }
    const backend = new LostReplies(url);
    const j = await Journal.open(backend, { space: SPACE });
    const { trial } = await j.ask({ x: 0.25, n: 7 }, { source: 'probe' });
    // a report: the retried step finds its own step there (it was refused as not after the last step)
    await j.report(trial.id, 1, 0.5);
    expect(await j.tell(trial.id, { target: 1.5 })).toBe(false); // the retried step found it told
    expect(lost).toEqual(['4', '7', '6']);
    expect(ops7(await backend.readAll())).toBe(1);
    const ops = (await backend.readAll()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { op_code: number });
    expect(ops.filter((o) => o.op_code === 4)).toHaveLength(1);
    expect(ops.filter((o) => o.op_code === 6)).toHaveLength(1);
    const s = await j.load();
    expect(s.trials.map((t) => [t.id, t.status, t.target, t.params])).toEqual([[0, 'complete', 1.5, { x: 0.25, n: 7 }]]);
    expect(s.trials[0].intermediate).toEqual({ 1: 0.5 });
    await j.close();
  }, 60_000);

  it('an outage longer than heartbeatMs fails no live worker: each beats as it reconnects, and none judges another for heartbeatMs after its own', async () => {
    const server = await persistentServer();
    const url = `redis://127.0.0.1:${server.port}/0`;
    const HB = 6000; // interval beats every 2 s: the key lapses in the outage below
    const open = (worker: string) => new RedisJournalBackend(url, { heartbeatMs: HB, heartbeatThread: false, reconnectMs: 20_000, worker });
    const a = open('host-a:1:aa');
    const b = open('host-b:2:bb');
    cleanup.push(() => a.close(), () => b.close());
    await a.readAll();
    await b.readAll();
    expect(await b.isWorkerAlive(a.workerId())).toBe(true);
    await server.stop();
    await new Promise((r) => setTimeout(r, HB + 500));
    await server.restart();
    const ready = async (x: RedisJournalBackend) => {
      for (const t0 = Date.now(); Date.now() - t0 < 15_000; await new Promise((r) => setTimeout(r, 20))) {
        try {
          await x.readAll();
          return;
        } catch {
          // not back yet
        }
      }
      throw new Error('did not reconnect');
    };
    // b back: keys lapsed in the outage and their workers may not be back yet, so for HB it calls none
    // dead, not even one with no key at all
    await ready(b);
    expect(await b.isWorkerAlive('host-z:9:ff')).toBeUndefined();
    expect(await b.isWorkerAlive(a.workerId())).not.toBe(false);
    // a back: its key is there at once (beaten on reconnect, not at its next interval beat), as a fresh worker reads it
    const c = open('host-c:3:cc');
    await c.readAll();
    expect(await c.isWorkerAlive('host-z:9:ff')).toBe(false); // a fresh worker judges at once
    await ready(a);
    cleanup.push(() => c.close());
    await c.readAll();
    expect(await c.isWorkerAlive(a.workerId())).toBe(true);
    expect(await c.isWorkerAlive(b.workerId())).toBe(true);
  }, 60_000);

  it('a partition that takes connections and answers nothing: once it ends, the worker connects again and goes on', async () => {
    // The reconnect's handshake went unanswered and ioredis waited on it for good; commands, heartbeats
    // included, failed at once behind it (no offline queue), so none timed out: every later step failed.
    const server = await RedisServer.start();
    cleanup.push(() => server.stop());
    const proxy = await CuttableProxy.start(server.port);
    cleanup.push(() => proxy.stop());
    const url = `redis://127.0.0.1:${proxy.port}/0`;
    const backend = new RedisJournalBackend(url, { reconnectMs: 2000, heartbeatThread: false }); // replies waited 1 s
    cleanup.push(() => backend.close());
    const j = await Journal.open(backend, { space: SPACE });
    const { trial } = await j.ask({ x: 0.25, n: 5 });
    await proxy.cut(true); // the connection, and those made until heal(): open, silent
    const e = await j.tell(trial.id, { target: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(`journal ${JSON.stringify(url)}: the connection was lost and did not come back in 2000 ms ` +
      `(journal ${JSON.stringify(url)}: cannot lock: connection lost: no reply in 1000 ms)`);
    await proxy.heal();
    const t0 = Date.now();
    expect(await j.tell(trial.id, { target: 1 })).toBe(true);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const s = await j.load();
    expect(s.trials.map((t) => [t.id, t.status, t.target])).toEqual([[0, 'complete', 1]]);
    await j.close();
  }, 30_000);
});

/** How many intermediate-value operations a journal's text holds. */
function ops7(text: string): number {
  return text.split('\n').filter((l) => l.includes('"op_code":7')).length;
}
