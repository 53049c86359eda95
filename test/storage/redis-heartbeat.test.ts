/**
 * A Redis worker busy on its main thread (a synchronous step longer than its
 * heartbeat, like a cold GP fit) is not taken for stopped: its heartbeat
 * also runs on a thread of its own. Watched from another thread polling the
 * heartbeat key, against a real redis-server on a free loopback port.
 */
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Journal, RedisJournalBackend } from '../../src/storage';
import { startHeartbeatThread } from '../../src/storage/heartbeat-thread';
import { CuttableProxy, hasRedis, rawRedis, sharedRedisServer } from './redis-server';

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

  it('a heartbeat thread whose connection goes half-open (a partition) makes it again: the busy worker keeps its key', async () => {
    // The thread's beats had no bound on their reply: on a connection that never answers they waited
    // for good (piling up), and the thread never connected again, while the main thread's commands,
    // bounded, did: the thread's heartbeat had silently stopped, and a busy step let the key expire.
    const u = url();
    const proxy = await CuttableProxy.start(Number(new URL(u).port));
    const busy = new RedisJournalBackend(u.replace(/:\d+\//, `:${proxy.port}/`), { heartbeatMs: 1500, reconnectMs: 2000 }); // replies waited 1 s
    try {
      const j = await Journal.open(busy, { space: SPACE });
      await j.ask({ x: 0.5 });
      expect(await busy.heartbeatOnThread()).toBe(true);
      await new Promise((r) => setTimeout(r, 1000)); // the thread's connection is up and beating
      await proxy.cut(); // the main thread's connection and the thread's: open, silent
      await j.load(); // the main thread's read gets no reply in 1 s, connects again, and reads
      await new Promise((r) => setTimeout(r, 3000)); // as long again for the thread, and more
      const seen = await watchWhileBusy(u, `:wbo:heartbeat:${j.worker}`, 4500); // 3 heartbeats
      expect(seen.polls).toBeGreaterThan(10);
      expect(seen.misses).toBe(0);
      await j.close();
    } finally {
      await busy.close();
      await proxy.stop();
    }
  }, 30_000);

  it('a heartbeat thread whose connection\'s handshake is never answered makes it again once the network is back', async () => {
    // Beats fail at once while the handshake waits (no offline queue), so none timed out: the
    // thread waited on that connection for good and never beat.
    const u = url();
    const raw = await rawRedis(u);
    const proxy = await CuttableProxy.start(Number(new URL(u).port));
    await proxy.cut(true); // a partition that takes connections and answers nothing
    const thread = await startHeartbeatThread(u.replace(/:\d+\//, `:${proxy.port}/`), 'hb:shake', 1500, 500, 1000);
    try {
      expect(thread).not.toBeNull();
      await new Promise((r) => setTimeout(r, 500));
      expect(await raw.exists('hb:shake')).toBe(0);
      await proxy.heal(); // new connections get through again
      const t0 = Date.now();
      while (!(await raw.exists('hb:shake')) && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 50));
      expect(await raw.exists('hb:shake')).toBe(1);
    } finally {
      await thread?.stop();
      await proxy.stop();
      raw.disconnect();
    }
  }, 30_000);

  it('an optimizer disposed with suggestions out: the next one on the same URL, in the same process, retries them at once', async () => {
    const { RandomSearch } = await import('../../src/optimizer');
    const u = `${url()}?heartbeatMs=60000`; // a key that would outlive the test
    const a = new RandomSearch({ space: SPACE, storage: u, randomState: 1, log: () => undefined });
    const asked = [await a.suggest(), await a.suggest()];
    const worker = a.study.worker;
    a.dispose();
    // the key goes with the backend's close(), long before its 60 s would run out
    const probe = new RedisJournalBackend(u);
    const t0 = Date.now();
    while ((await probe.isWorkerAlive(worker)) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(await probe.isWorkerAlive(worker)).toBe(false);
    await probe.close();
    const seen: unknown[] = [];
    const b = new RandomSearch({ space: SPACE, storage: u, randomState: 2, log: () => undefined, f: ({ x }) => (seen.push(x), x as number) });
    await b.maximize({ initPoints: 2, nIter: 2, resume: true });
    expect(seen.slice(0, 2)).toEqual(asked.map((p) => p.x));
    expect(b.res.map((t) => [t.id, t.status, t.retryOf]).sort((x, y) => (x[0] as number) - (y[0] as number))).toEqual([
      [0, 'failed', undefined], [1, 'failed', undefined], [2, 'complete', 0], [3, 'complete', 1], [4, 'complete', undefined], [5, 'complete', undefined],
    ]);
    b.dispose();
  });

  it('the backend\'s close() stops the thread and removes its key at once; a journal\'s close() leaves a backend it was given open', async () => {
    const u = url();
    const b = new RedisJournalBackend(u, { heartbeatMs: 600 });
    const j = await Journal.open(b, { space: SPACE });
    expect(await b.heartbeatOnThread()).toBe(true);
    await j.close();
    const other = new RedisJournalBackend(u);
    await new Promise((r) => setTimeout(r, 900)); // past the heartbeat: still beating
    expect(await other.isWorkerAlive(j.worker)).toBe(true);
    await b.close();
    expect(await other.isWorkerAlive(j.worker)).toBe(false); // no wait for the key to expire
    await other.close();
  });

  it('a backend closed while its journal opens lets its lock go: no lock key, no heartbeat key is left for 60 s', async () => {
    const u = url();
    const raw = await rawRedis(u);
    for (const delay of [0, 1, 20]) {
      const b = new RedisJournalBackend(u);
      const opening = Journal.open(b, { space: SPACE, studyName: `early-${delay}` }).then((j) => j, (e: Error) => e);
      if (delay) await new Promise((r) => setTimeout(r, delay));
      await b.close();
      await opening;
      // the lock taken by the open's first step was left for its 60 s timeout: every other worker stalled
      expect(await raw.exists(':wbo:lock')).toBe(0);
      expect(await raw.keys(':wbo:heartbeat:*')).toEqual([]);
    }
    // closed while its first heartbeat is on the wire: the beat interval and the thread started after close() and beat on for good
    for (let i = 0; i < 3; i++) {
      const b = new RedisJournalBackend(u, { heartbeatMs: 600, prefix: `race${i}` });
      const connecting = b.exists().catch(() => undefined);
      while (!(b as unknown as { conn: { current: unknown } }).conn.current) await new Promise((r) => setImmediate(r));
      await b.close();
      await connecting;
      await new Promise((r) => setTimeout(r, 900)); // past the key's 600 ms: a key now was beaten after close
      expect(await raw.keys(`race${i}:wbo:heartbeat:*`)).toEqual([]);
    }
    // and another worker takes the lock at once (a short lock timeout would fail it otherwise)
    const other = new RedisJournalBackend(u, { lockTimeoutMs: 2000 });
    const j = await Journal.open(other, { space: SPACE, studyName: 'early-0' });
    expect((await j.ask({ x: 0.5 })).trial.id).toBe(0);
    await j.close();
    await other.close();
    raw.disconnect();
  });

  it('a process whose program is done exits with its heartbeat thread running (a ref\'d thread kept it, and its key, alive for good)', async () => {
    const script = fileURLToPath(new URL('./fixtures/heartbeat-exit.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, url()], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(killer);
    expect([out, code]).toEqual(['started\n', 0]);
  });
});

/** A plain ioredis client on `u`, for looking at keys. */
