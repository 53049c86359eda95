/**
 * A Redis worker busy on its main thread (a synchronous step longer than its
 * heartbeat, like a cold GP fit) is not taken for stopped: its heartbeat
 * also runs on a thread of its own. Watched from another thread polling the
 * heartbeat key, against a real redis-server on a free loopback port.
 */
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { Journal, RedisJournalBackend } from '../../src/storage';
import { hasRedis, sharedRedisServer } from './redis-server';

const maybe = hasRedis || process.env.CI ? describe : describe.skip;
const SPACE = { x: { type: 'float' as const, low: 0, high: 1 } };

/** Polls EXISTS key every 20 ms on its own thread until told to stop; counts polls and misses. */
const WATCHER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const m = require(w.ioredis); const Redis = m.default || m;
const c = new Redis(w.url);
let polls = 0, misses = 0, on = true;
const poll = async () => {
  while (on) {
    if ((await c.exists(w.key)) !== 1) misses++;
    if (++polls === 1) parentPort.postMessage('ready');
    await new Promise((r) => setTimeout(r, 20));
  }
  c.disconnect();
  parentPort.postMessage({ polls, misses });
};
parentPort.on('message', () => { on = false; });
poll();
`;

/** Blocks this thread for `ms` (a synchronous step); the heartbeat key is watched meanwhile. */
async function watchWhileBusy(u: string, key: string, ms: number): Promise<{ polls: number; misses: number }> {
  const w = new Worker(WATCHER, { eval: true, workerData: { url: u, key, ioredis: createRequire(import.meta.url).resolve('ioredis') } });
  const msgs: unknown[] = [];
  const next = () => new Promise<unknown>((resolve) => w.once('message', resolve));
  msgs.push(await next()); // 'ready': it has read the key once
  const end = Date.now() + ms;
  while (Date.now() < end); // busy: no timer of this thread runs
  const done = next();
  w.postMessage('stop');
  const r = (await done) as { polls: number; misses: number };
  await w.terminate();
  return r;
}

maybe('Redis heartbeat', () => {
  const { url } = sharedRedisServer();

  it('a worker whose main thread is busy for 5 heartbeats keeps its heartbeat and its pending trial', async () => {
    const u = url();
    const busy = new RedisJournalBackend(u, { heartbeatMs: 600 });
    const j = await Journal.open(busy, { space: SPACE });
    const { trial } = await j.ask({ x: 0.5 });
    expect(await busy.heartbeatOnThread()).toBe(true);
    const seen = await watchWhileBusy(u, `:wbo:heartbeat:${j.worker}`, 3000);
    expect(seen.polls).toBeGreaterThan(10); // the watcher ran through the busy step
    expect(seen.misses).toBe(0);
    const other = await Journal.open(new RedisJournalBackend(u), { space: SPACE });
    expect(await other.reclaim(trial.id)).toBeNull(); // its owner is alive
    await other.close();
    await j.close();
  });

  it('without the thread (heartbeatThread: false) the same busy step lets the key expire: the watcher sees it', async () => {
    const u = url();
    const busy = new RedisJournalBackend(u, { heartbeatMs: 600, heartbeatThread: false });
    const j = await Journal.open(busy, { space: SPACE });
    await j.ask({ x: 0.5 });
    expect(await busy.heartbeatOnThread()).toBe(false);
    const seen = await watchWhileBusy(u, `:wbo:heartbeat:${j.worker}`, 3000);
    expect(seen.misses).toBeGreaterThan(0);
    await j.close();
  });

  it('close() stops the thread: the key expires after the heartbeat', async () => {
    const u = url();
    const b = new RedisJournalBackend(u, { heartbeatMs: 600 });
    const j = await Journal.open(b, { space: SPACE });
    expect(await b.heartbeatOnThread()).toBe(true);
    await j.close();
    await new Promise((r) => setTimeout(r, 1300));
    const other = new RedisJournalBackend(u);
    expect(await other.isWorkerAlive(j.worker)).toBe(false);
    await other.close();
  });
});
