/**
 * A Redis storage's heartbeat on a thread of its own (Node's worker_threads,
 * also in Deno). The main thread's interval stops while a synchronous step
 * runs: a cold GP fit takes seconds at n = 1,000, and a heartbeat key that
 * expires meanwhile makes other workers take this live worker for stopped,
 * fail its pending trials and retry them. The thread keeps beating through
 * such steps; it dies with the process, so a killed worker still stops
 * beating at once.
 */

/** A running heartbeat thread. */
export interface HeartbeatThread {
  /** Stops the beats and ends the thread. Idempotent. */
  stop(): Promise<void>;
}

interface NodeWorker {
  terminate(): Promise<number>;
  unref(): void;
  on(event: 'error' | 'message' | 'exit', fn: (v: unknown) => void): void;
}

/**
 * The thread's program (CommonJS, started with `eval: true`): its own client,
 * one SET ... PX every `every` ms. A beat's reply, and a new connection's
 * handshake, are waited for `replyMs`, as the main thread's commands are
 * (./redis-connection): then the connection is made again. Unbounded, on a
 * connection that never answers (left half-open by a partition) beats waited
 * for good, piling up, or failed at once behind a handshake that never
 * ended, and the thread never connected again: its heartbeat had stopped
 * without a word, and a busy main thread let the key expire.
 */
const SOURCE = `
const { parentPort, workerData: w } = require('node:worker_threads');
const m = require(w.ioredis);
const Redis = m.default || m;
const c = new Redis(w.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000, disconnectTimeout: 200, disableClientInfo: true });
c.on('error', () => undefined);
// when the connection was made and its handshake (database, ready check) went out unanswered; 0 once ready, or down
let shaking = 0;
c.on('connect', () => { shaking = performance.now(); });
c.on('close', () => { shaking = 0; });
// the beat waiting for its reply: one at a time, so none piles up on a silent connection
let pending = null;
const beat = () => {
  // no beat is sent while the handshake waits (no offline queue): none of them would time out
  if (shaking && performance.now() - shaking > w.replyMs) {
    shaking = 0;
    c.disconnect(true);
  }
  if (pending) return pending;
  const p = c.set(w.key, String(Date.now()), 'PX', w.ttl).catch(() => undefined);
  pending = p;
  // not left to the dropped beat's promise: a command kept for a later connection may settle late or never
  const timer = setTimeout(() => {
    if (pending !== p) return;
    pending = null;
    c.disconnect(true);
  }, w.replyMs);
  return p.then(() => {
    clearTimeout(timer);
    if (pending === p) pending = null;
  });
};
// a beat before the connection is up fails at once (no offline queue): beat again as soon as it is, and on every reconnect
c.on('ready', () => {
  shaking = 0;
  beat();
});
beat().then(() => parentPort.postMessage('beating'));
setInterval(beat, w.every);
`;

/**
 * Starts a thread that sets `key` (expiring after `ttlMs`) every `everyMs`
 * over its own connection to `url`, made again when a beat's reply, or a
 * new connection's handshake, has not come in `replyMs` [ttlMs, 1 s at
 * least]. Resolves once the thread runs (it beats as soon as its
 * connection is ready, the caller having beaten already), or
 * null where worker threads or ioredis cannot be loaded or the thread ends
 * (the caller's own interval then beats alone).
 *
 * @example
 * ```ts
 * const hb = await startHeartbeatThread('redis://127.0.0.1:6379/0', 'p:wbo:heartbeat:w1', 10_000, 3_333);
 * // ... synchronous work of any length ...
 * await hb?.stop();
 * ```
 */
export async function startHeartbeatThread(url: string, key: string, ttlMs: number, everyMs: number, replyMs = Math.max(1000, ttlMs)): Promise<HeartbeatThread | null> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return null;
  try {
    const threads = 'node:worker_threads';
    const { Worker } = (await import(/* @vite-ignore */ threads)) as { Worker: new (src: string, o: object) => NodeWorker };
    // the thread resolves nothing itself: it loads the copy of ioredis this module resolves
    const mod = 'node:module';
    const { createRequire } = (await import(/* @vite-ignore */ mod)) as typeof import('node:module');
    const ioredis = createRequire(import.meta.url).resolve('ioredis');
    const w = new Worker(SOURCE, { eval: true, workerData: { url, key, ttl: ttlMs, every: everyMs, replyMs, ioredis } });
    let stopped: Promise<void> | null = null;
    const beating: HeartbeatThread = { stop: () => (stopped ??= w.terminate().then(() => undefined)) };
    const thread = await new Promise<HeartbeatThread | null>((resolve) => {
      w.on('message', () => resolve(beating));
      w.on('error', () => resolve(null)); // the main thread's interval still beats
      w.on('exit', () => resolve(null));
    });
    // unref'd once its listeners are on (a 'message' listener refs the thread again): a ref'd thread
    // kept the process, and with it the heartbeat key, alive for good once the program was done
    w.unref();
    return thread;
  } catch {
    return null;
  }
}
