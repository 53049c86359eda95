/** Which processes count as gone: a killed worker that nobody reaped (a zombie) is gone, so its trials and lock are taken over. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../src/errors';
import { FileJournalBackend } from '../../src/storage';
import { FileLock } from '../../src/storage/file-lock';
import { pidAlive, processGone } from '../../src/storage/process-identity';
import { journalHost } from '../../src/storage/file-backend';
import { useTempDirs } from './temp-dirs';

/** this host as locks and worker ids name it (see hostKey) */
const HOST = await journalHost();

const tmp = useTempDirs('file-lock-test-');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/**
 * A process that exited and is never reaped: a child forked by a Python
 * process that never waits for it (a shell's background job raced the
 * shell's own reaping under load).
 */
async function zombie(): Promise<{ pid: number; parent: ChildProcess }> {
  const code = 'import os, sys, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(20)\n';
  const parent = spawn('/usr/bin/python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(parent);
  const line = await new Promise<string>((resolve) => parent.stdout!.once('data', (b: Buffer) => resolve(b.toString())));
  const pid = Number(line.trim());
  for (let i = 0; ; i++) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (stat[stat.lastIndexOf(')') + 2] === 'Z') return { pid, parent };
    if (i === 500) throw new Error(`process ${pid} did not become a zombie in 5 s: ${JSON.stringify(stat)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const linux = process.platform === 'linux' ? describe : describe.skip;

linux('processGone', () => {
  it('a zombie is gone though kill(pid, 0) still finds it; a running process is not; a pid without a process is', async () => {
    const z = await zombie();
    expect(pidAlive(z.pid)).toBe(true);
    expect(await processGone(fs, z.pid)).toBe(true);
    expect(await processGone(fs, z.parent.pid!)).toBe(false);
    expect(await processGone(fs, process.pid)).toBe(false);
    expect(await processGone(fs, 2 ** 22 + 12345)).toBe(true); // above Linux's pid_max
  });

  it('a worker whose process is a zombie is not alive: its pending trials go to the next resume', async () => {
    const z = await zombie();
    const backend = new FileJournalBackend(join(tmp(), 'j.jsonl'));
    expect(await backend.isWorkerAlive(`${HOST}:${z.pid}:abc123`)).toBe(false);
    expect(await backend.isWorkerAlive(`${HOST}:${z.parent.pid}:abc123`)).toBe(true);
  });

  it('a lock held by a zombie is taken over at once, not waited out', async () => {
    const z = await zombie();
    const path = join(tmp(), 'j.jsonl');
    // a plain lock file (Optuna's JournalFileOpenLock form, read as JSON) naming the zombie on this host
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: z.pid, host: HOST, nonce: 'abc123', token: 'abc123-1', t: Date.now() }));
    const backend = new FileJournalBackend(path);
    let ran = false;
    await backend.withLock(async () => void (ran = true), { timeoutMs: 1000 });
    expect(ran).toBe(true);
  });

  it('a directory in the lock\'s place is an error at once (waiting on it spun at full speed past the timeout)', async () => {
    const path = join(tmp(), 'j.jsonl');
    mkdirSync(`${path}.lock`);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(`${path}.lock`, hourAgo, hourAgo); // stale by age: its takeover's unlink fails
    const e = await new FileJournalBackend(path).withLock(async () => undefined, { timeoutMs: 60_000 }).then(() => null, (x: unknown) => x as Error);
    expect(e).toEqual(new StorageError(`journal lock ${JSON.stringify(`${path}.lock`)}: is a directory, not a lock; remove it`));
  });

  it('a stale lock that cannot be removed is waited on up to the timeout, sleeping between looks', async () => {
    const path = join(tmp(), 'j.jsonl');
    writeFileSync(`${path}.lock`, '');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(`${path}.lock`, hourAgo, hourAgo);
    // a file system that refuses to remove the lock (a read-only mount, another owner)
    let looks = 0;
    const refusing = {
      ...fsSync,
      lstatSync: (p: string) => (looks++, fsSync.lstatSync(p)),
      unlinkSync: (p: string) => {
        if (p.endsWith('.lock')) throw Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
        return fsSync.unlinkSync(p);
      },
    } as unknown as typeof fsSync;
    const e = await new FileLock(refusing, `${path}.lock`, HOST, { timeoutMs: 300, staleMs: 10_000 }).acquire().then(() => null, (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(StorageError);
    expect(e!.message).toBe(`journal lock ${JSON.stringify(`${path}.lock`)}: held by a process that has not written its pid yet; gave up after 300 ms`);
    expect(looks).toBeLessThan(200); // backoff between looks, not a spin (thousands)
  });

  it('a takeover blocked by a break file that cannot be removed (a folder) ends at the timeout, not in a spin', async () => {
    const path = join(tmp(), 'j.jsonl');
    writeFileSync(`${path}.lock`, '');
    mkdirSync(`${path}.lock.break`);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(`${path}.lock`, hourAgo, hourAgo);
    utimesSync(`${path}.lock.break`, hourAgo, hourAgo);
    // stale after 50 ms unchanged, so the takeover (and its break file) is tried well before the timeout
    const e = await new FileJournalBackend(path, { staleMs: 50 }).withLock(async () => undefined, { timeoutMs: 300 }).then(() => null, (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(StorageError);
    expect(e!.message).toMatch(/gave up after 300 ms$/);
  });

  it('a lock that cannot be created says why in a few words, not with the link\'s encoded target', async () => {
    const backend = new FileJournalBackend('/proc/wbo-test.jsonl'); // /proc takes no new files
    const e = await backend.withLock(async () => undefined).then(() => null, (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(StorageError);
    expect(e!.message).toBe('journal lock "/proc/wbo-test.jsonl.lock": cannot create it (ENOENT: its folder does not exist or does not take links)');
  });
});

describe('pidAlive', () => {
  it('only "no such process" (ESRCH) is gone: a refusal (EPERM) or an error without a code (Deno without --allow-run) is alive', () => {
    const thrown = (e: object) => vi.spyOn(process, 'kill').mockImplementation(() => { throw e; });
    try {
      thrown(Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' }));
      expect(pidAlive(4242)).toBe(false);
      thrown(Object.assign(new Error('kill EPERM'), { code: 'EPERM' }));
      expect(pidAlive(4242)).toBe(true);
      // Deno's NotCapable has no code: read as gone, two Deno workers broke each other's lock
      thrown(Object.assign(new Error('Requires run access to "kill"'), { name: 'NotCapable' }));
      expect(pidAlive(4242)).toBe(true);
    } finally {
      vi.restoreAllMocks();
    }
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(2 ** 22 + 12345)).toBe(false); // above Linux's pid_max
  });
});
