/**
 * Many worker processes on one Redis study (a real redis-server on a free
 * loopback port): 8 processes x 25 trials lose and double nothing; workers
 * killed with SIGKILL mid-trial have their trials failed once their heartbeat
 * has expired and retried, as new trials, exactly once by the others; every
 * completed point is there exactly once.
 *
 * Nothing here depends on how the processes are scheduled: a worker is killed
 * while held inside a known objective call, and the others are held until its
 * trial is orphaned, so they are still running to retry it (see the test).
 * Workers that are not to die keep the default heartbeat (10 s), so a worker
 * starved of the CPU on a loaded machine is never taken for stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/storage';
import { hasRedis, RedisServer } from './redis-server';

const WORKER = fileURLToPath(new URL('./fixtures/redis-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const maybe = hasRedis || process.env.CI ? describe : describe.skip;
/** the library's default heartbeat, for workers that are not to die */
const LIVE_HEARTBEAT_MS = 10_000;

interface Worker {
  child: ChildProcess;
  /** "EVAL <id> <params>" lines, parsed */
  evals: { id: number; params: string }[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
  /** resolves once `n` objective calls have started */
  evaluating(n: number): Promise<void>;
  /** lets a worker held at its `pauseAt` call go on */
  release(): void;
}

const running = new Set<ChildProcess>();

/** A worker process (see the fixture); with `pauseAt`, its objective call of that number waits for `release()`. */
function startWorker(url: string, seed: number, trials: number, heartbeatMs: number, objectiveMs: number, pauseAt?: number): Worker {
  const args = [WORKER, url, String(seed), String(trials), String(heartbeatMs), String(objectiveMs), ...(pauseAt ? [String(pauseAt)] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: [pauseAt ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  running.add(child);
  const evals: { id: number; params: string }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let out = '';
  let err = '';
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const m = /^EVAL (\d+) (.*)$/.exec(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (m) evals.push({ id: Number(m[1]), params: m[2] });
      for (const w of waiters.splice(0)) (evals.length >= w.n ? w.resolve() : waiters.push(w));
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, out, err });
    }),
  );
  const evaluating = (n: number): Promise<void> => new Promise((resolve) => (evals.length >= n ? resolve() : waiters.push({ n, resolve })));
  const release = (): void => void child.stdin!.write('go\n');
  return { child, evals, exited, evaluating, release };
}

async function studyOf(url: string): Promise<Awaited<ReturnType<Journal['load']>>> {
  const j = await Journal.open(url, { readOnly: true, studyName: 'many' });
  const s = await j.load();
  await j.close();
  return s;
}

/** Polls the study every 50 ms until `ready` holds; throws with what it last saw after `ms`. */
async function studyWhen(url: string, ready: (s: Awaited<ReturnType<typeof studyOf>>) => boolean, ms: number): Promise<Awaited<ReturnType<typeof studyOf>>> {
  const start = Date.now();
  for (;;) {
    const s = await studyOf(url);
    if (ready(s)) return s;
    if (Date.now() - start > ms) throw new Error(`the study did not get there in ${ms} ms: orphaned ${JSON.stringify(s.orphaned.map((t) => t.id))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

maybe('many worker processes on one Redis study', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(() => {
    for (const c of running) c.kill('SIGKILL');
    running.clear();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('8 processes x 25 trials: 200 distinct trials, none lost or doubled', async () => {
    const url = `redis://127.0.0.1:${server.port}/1`;
    const workers = Array.from({ length: 8 }, (_, i) => startWorker(url, 100 + i, 25, LIVE_HEARTBEAT_MS, 5));
    for (const w of workers) {
      const r = await w.exited;
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('DONE');
    }
    const s = await studyOf(url);
    expect(s.skipped).toEqual([]);
    expect(s.trials.map((t) => t.id)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(s.trials.every((t) => t.status === 'complete')).toBe(true);
    expect(new Set(s.trials.map((t) => JSON.stringify(t.params))).size).toBe(200);
    // every trial was evaluated by exactly one process, and each process by its own 25
    const evaluated = workers.flatMap((w) => w.evals.map((e) => e.id)).sort((a, b) => a - b);
    expect(evaluated).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(workers.map((w) => w.evals.length)).toEqual(Array(8).fill(25));
    for (const w of workers) expect(s.trials.filter((t) => t.worker === s.trials[w.evals[0].id].worker)).toHaveLength(25);
  }, 180_000);

  it('2 of 8 processes killed mid-trial: their trials are failed by heartbeat and retried once by the others, every completed point once', async () => {
    const url = `redis://127.0.0.1:${server.port}/2`;
    // The victims' heartbeat expires soon after they die. Each is held inside its 3rd objective call and killed
    // there: that trial stays pending. Each survivor is held inside its HOLD-th call until both killed trials
    // are orphaned, so survivors still run (and read the study) after that. Unheld, survivors that were done
    // before the victims' heartbeats expired (victims that started late on a loaded machine) left them pending.
    const victimHeartbeatMs = 2000; // expires 2 s after a victim dies; a live one would have to miss beats for 1.3 s
    const HOLD = 10; // then 15 trials each to go: each survivor reads the study again before its next trial
    const victims = [0, 1].map((i) => startWorker(url, 200 + i, 25, victimHeartbeatMs, 20, 3));
    const survivors = [2, 3, 4, 5, 6, 7].map((i) => startWorker(url, 200 + i, 25, LIVE_HEARTBEAT_MS, 20, HOLD));
    const workers = [...victims, ...survivors];
    await Promise.all([...victims.map((v) => v.evaluating(3)), ...survivors.map((w) => w.evaluating(HOLD))]);
    for (const v of victims) v.child.kill('SIGKILL');
    for (const v of victims) expect((await v.exited).signal).toBe('SIGKILL');
    for (const v of victims) expect(v.evals).toHaveLength(3);
    const killed = victims.map((v) => v.evals[2]);
    const killedIds = killed.map((k) => k.id).sort((a, b) => a - b);
    // once the victims' heartbeats have expired, their held trials, and only those, are orphaned (not the held survivors')
    const seen = await studyWhen(url, (s) => s.orphaned.length >= killed.length, 30_000);
    expect(seen.orphaned.map((t) => t.id).sort((a, b) => a - b)).toEqual(killedIds);
    expect(seen.pending.map((t) => t.id).sort((a, b) => a - b)).toEqual([...killedIds, ...survivors.map((w) => w.evals[HOLD - 1].id)].sort((a, b) => a - b));
    for (const w of survivors) w.release();
    for (const w of survivors) {
      const r = await w.exited;
      expect(r.code, r.err).toBe(0);
    }
    const s = await studyOf(url);
    expect(s.skipped).toEqual([]);
    expect(s.pending).toEqual([]);
    // the victims' started trials, the survivors' 25 each and one retry per killed trial: numbered without gaps
    const victimTrials = victims.reduce((k, v) => k + v.evals.length, 0);
    expect(s.trials.map((t) => t.id)).toEqual(Array.from({ length: 6 * 25 + victimTrials + killed.length }, (_, i) => i));
    // the killed trials failed (heartbeat expired), every other trial complete
    expect(s.trials.filter((t) => t.status === 'failed').map((t) => t.id)).toEqual(killedIds);
    expect(s.trials.filter((t) => t.status === 'complete')).toHaveLength(s.trials.length - killed.length);
    for (const k of killed) expect(s.trials[k.id].error).toMatch(/^interrupted: worker .* stopped mid-trial/);
    // every completed point exactly once
    const done = s.trials.filter((t) => t.status === 'complete');
    expect(new Set(done.map((t) => JSON.stringify(t.params))).size).toBe(done.length);
    // each killed trial was retried exactly once, as a new trial at its point, evaluated and told by one survivor
    const reEvals = survivors.flatMap((w) => w.evals);
    for (const k of killed) {
      const retries = s.trials.filter((t) => t.retryOf === k.id);
      expect(retries).toHaveLength(1);
      const [retry] = retries;
      expect(retry.status).toBe('complete');
      expect(retry.params).toEqual(s.trials[k.id].params);
      const again = reEvals.filter((e) => e.id === retry.id);
      expect(again).toHaveLength(1);
      expect(again[0].params).toBe(k.params);
      // owned by the survivor that retried it (a survivor's first trial is one of its own)
      const by = survivors.find((w) => w.evals.some((e) => e.id === retry.id)) as Worker;
      expect(retry.worker).toBe(s.trials[by.evals[0].id].worker);
      expect(retry.worker).not.toBe(s.trials[k.id].worker);
    }
    // every trial, failed ones included, was evaluated exactly once
    const all = [...workers.flatMap((w) => w.evals.map((e) => e.id))].sort((a, b) => a - b);
    expect(all).toEqual(s.trials.map((t) => t.id));
  }, 180_000);
});
