/**
 * Several processes on one journal file: ids are unique and nothing is lost,
 * also when workers are killed with SIGKILL between ask and tell or at any
 * moment (possibly while holding the lock).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/storage/index';
import { Rng } from '../../src/util/rng';
import { journalEvents } from './journal-lines';

const WORKER = fileURLToPath(new URL('./fixtures/journal-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Worker {
  child: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** resolves with the first stdout line matching `re` */
  waitFor(re: RegExp): Promise<string>;
}

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
});

function startWorker(...args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let buf = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.splice(0)) (w.re.test(line) ? w.resolve(line) : waiters.push(w));
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stderr });
    }),
  );
  const waitFor = (re: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const hit = lines.find((l) => re.test(l));
      if (hit) return resolve(hit);
      waiters.push({ re, resolve });
      void exited.then((e) => reject(new Error(`worker exited (${e.code ?? e.signal}) before printing ${re}: ${e.stderr}`)));
    });
  return { child, lines, exited, waitFor };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function journalPath(): string {
  const d = mkdtempSync(join(tmpdir(), 'journal-mp-'));
  dirs.push(d);
  return join(d, 'study.jsonl');
}

describe('journal shared by processes', () => {
  it('4 workers x 25 ask+tell give 100 distinct ids and 100 tells, none lost', async () => {
    const path = journalPath();
    const workers = Array.from({ length: 4 }, () => startWorker('work', path, '25'));
    const results = await Promise.all(workers.map((w) => w.exited));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const asked = workers.map((w) => JSON.parse(w.lines[0]).asked as number[]);
    for (const ids of asked) expect(new Set(ids).size).toBe(25);
    expect([...asked.flat()].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));

    const ev = journalEvents(path);
    expect(ev.filter((e) => e.type === 'study')).toHaveLength(1);
    expect(ev.filter((e) => e.type === 'ask')).toHaveLength(100);
    expect(ev.filter((e) => e.type === 'tell')).toHaveLength(100);
    const s = await (await Journal.open(path, { readOnly: true })).load();
    expect(s.skipped).toEqual([]);
    expect(s.nextId).toBe(100);
    expect(s.trials.filter((t) => t.status === 'complete')).toHaveLength(100);
    expect(new Set(s.trials.map((t) => t.worker)).size).toBe(4);
  });

  it('a worker killed between ask and tell, 4 times: every completed trial is there exactly once', async () => {
    const path = journalPath();
    const killed: number[] = [];
    for (let round = 0; round < 4; round++) {
      const w = startWorker('crash', path, '3');
      const line = await w.waitFor(/^ASKED \d+$/);
      killed.push(Number(line.split(' ')[1]));
      w.child.kill('SIGKILL');
      expect((await w.exited).signal).toBe('SIGKILL');
    }
    // each round retries the trial the previous round left, then does 3 trials, then one more it never tells
    const ev = journalEvents(path);
    expect(ev.filter((e) => 'torn' in e)).toEqual([]);
    const tells = ev.filter((e) => e.type === 'tell');
    expect(new Set(tells.map((e) => e.id)).size).toBe(tells.length);
    const s = await (await Journal.open(path, { worker: 'inspector' })).load();
    expect(s.skipped).toEqual([]);
    const complete = s.trials.filter((t) => t.status === 'complete').map((t) => t.id);
    expect(complete.sort((a, b) => a - b)).toEqual(tells.filter((e) => e.status === 'complete').map((e) => e.id).sort((a, b) => a - b));
    expect(complete).toHaveLength(4 * 3 + 3);
    // each killed trial was failed by the next round and its params retried (and completed) as a new trial, once
    expect(s.trials.filter((t) => t.status === 'failed').map((t) => t.id)).toEqual(killed.slice(0, 3));
    for (const id of killed.slice(0, 3)) {
      expect(s.trials[id].error).toMatch(/^interrupted: worker .* stopped mid-trial/);
      const retries = s.trials.filter((t) => t.retryOf === id);
      expect(retries.map((t) => [t.status, t.params])).toEqual([['complete', s.trials[id].params]]);
    }
    // the last killed trial is pending and its owner is known to be gone
    expect(s.pending.map((t) => t.id)).toEqual([killed[3]]);
    expect(s.orphaned.map((t) => t.id)).toEqual([killed[3]]);
    expect(s.nextId).toBe(s.trials.length);
  });

  it('workers killed at random moments (maybe holding the lock) lose no told trial and block no one', async () => {
    const path = journalPath();
    const rng = new Rng(7);
    const told = new Set<number>();
    for (let round = 0; round < 3; round++) {
      const w = startWorker('chaos', path);
      await w.waitFor(/^TOLD \d+$/);
      await new Promise((r) => setTimeout(r, 5 + rng.int(60)));
      w.child.kill('SIGKILL');
      await w.exited;
      for (const l of w.lines) if (l.startsWith('TOLD ')) told.add(Number(l.slice(5)));
    }
    // a fresh worker still gets the lock (a stale one is taken over) and finishes its work
    const after = startWorker('work', path, '5');
    expect(await after.exited).toMatchObject({ code: 0 });
    const s = await (await Journal.open(path, { readOnly: true })).load();
    const byId = new Map(s.trials.map((t) => [t.id, t]));
    for (const id of told) expect(byId.get(id)?.status).toBe('complete');
    expect(s.trials.map((t) => t.id)).toEqual(Array.from({ length: s.nextId }, (_, i) => i));
    // a kill mid-write may at worst leave one torn line per kill, reported and skipped
    expect(s.skipped.length).toBeLessThanOrEqual(3);
    for (const sk of s.skipped) expect(sk.reason).toBe('invalid JSON');
    expect(JSON.parse(after.lines[0]).asked).toHaveLength(5);
  });
});
