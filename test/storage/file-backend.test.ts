import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError, StorageError } from '../../src/errors';
import { FileJournalBackend } from '../../src/storage/index';
import { hostKey, processNonce, sameHost } from '../../src/storage/process-identity';
import { journalHost } from '../../src/storage/file-backend';
import { thrown } from '../optimizer/caught';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'journal-file-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function writeLock(path: string, info: object, ageMs = 0): void {
  writeFileSync(`${path}.lock`, JSON.stringify(info));
  if (ageMs > 0) {
    const t = new Date(Date.now() - ageMs);
    utimesSync(`${path}.lock`, t, t);
  }
}

/** Whether a path exists, a dangling symbolic link (the lock) included. */
const present = (p: string): boolean => lstatSync(p, { throwIfNoEntry: false }) !== undefined;
/** this host as locks and worker ids name it (see hostKey) */
const HOST = await journalHost();

describe('hostKey: a host is its name, boot and pid namespace', () => {
  const fakeFs = (boot: string, ns: string) => ({
    readFile: async () => boot,
    readlink: async () => ns,
  }) as unknown as Parameters<typeof hostKey>[0];

  it('names the boot and the pid namespace (containers sharing the machine\'s name, cloned machines, see each other\'s pids apart)', async () => {
    expect(await hostKey(fakeFs('af107da0-9444-45f1-bd56-ae8452e44703\n', 'pid:[4026531836]'), 'box')).toBe('box/af107da0-4026531836');
    expect(await hostKey(fakeFs('af107da0-9444-45f1-bd56-ae8452e44703\n', 'pid:[4026532999]'), 'box')).toBe('box/af107da0-4026532999');
  });

  it('is the name alone where /proc says nothing usable (not Linux, no permission)', async () => {
    const failing = { readFile: async () => { throw new Error('ENOENT'); }, readlink: async () => 'pid:[1]' } as unknown as Parameters<typeof hostKey>[0];
    expect(await hostKey(failing, 'box')).toBe('box');
    expect(await hostKey(fakeFs('', 'pid:[1]'), 'box')).toBe('box');
    expect(await hostKey(fakeFs('af107da0-1', 'net:[1]'), 'box')).toBe('box');
  });

  it('keys name one host when equal; a bare name (no /proc to read: Deno without --allow-all, an earlier release) matches any key of that name', () => {
    expect(sameHost('box/af107da0-4026531836', 'box/af107da0-4026531836')).toBe(true);
    expect(sameHost('box/af107da0-4026531836', 'box/af107da0-4026532999')).toBe(false); // another pid namespace
    expect(sameHost('box/af107da0-4026531836', 'box/0b1c2d3e-4026531836')).toBe(false); // another boot (a cloned machine)
    expect(sameHost('box/af107da0-4026531836', 'box')).toBe(true);
    expect(sameHost('box', 'box')).toBe(true);
    expect(sameHost('box', 'other/af107da0-4026531836')).toBe(false);
    expect(sameHost('a.b/c', 'a.b/c')).toBe(true);
  });

  it('a worker id or lock of the bare host name (a Deno worker on this machine) is judged as this host\'s', async () => {
    const b = new FileJournalBackend(join(tmp(), 'x.jsonl'));
    expect(await b.isWorkerAlive(`${hostname()}:${deadPid()}:abc.1`)).toBe(false);
    expect(await b.isWorkerAlive(`${hostname()}:1:abc.1`)).toBe(true);
    const path = join(tmp(), 'study.jsonl');
    writeLock(path, { pid: deadPid(), host: hostname(), nonce: 'x', token: 'x-1', t: Date.now() });
    expect(await new FileJournalBackend(path, { lockTimeoutMs: 5000, staleMs: 60_000 }).withLock(async () => 'taken')).toBe('taken');
  });

  it('this process: on Linux its name, boot and namespace, as every process in the namespace computes them', async () => {
    if (process.platform !== 'linux') return;
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').slice(0, 8);
    const ns = /\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0];
    expect(HOST).toBe(`${hostname()}/${boot}-${ns}`);
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/storage/file-backend.ts').then(async (m) => console.log(await m.journalHost()))"], { encoding: 'utf8' });
    expect(child.stdout.trim()).toBe(HOST);
  });
});

describe('FileJournalBackend', () => {
  it('refuses an empty path or one that is not a string', () => {
    for (const [path, message] of [['', 'FileJournalBackend: path: expected a path, got ""'], [5, 'FileJournalBackend: path: expected a path, got 5'], [null, 'FileJournalBackend: path: expected a path, got null']] as const) {
      const e = thrown(() => new FileJournalBackend(path as never));
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect(e).toMatchObject({ option: 'path', message });
    }
  });

  it.each([
    [{ staleMs: -5 }, 'staleMs', 'FileJournalBackend: staleMs: expected an integer number of milliseconds >= 1, got -5'],
    [{ staleMs: 'x' }, 'staleMs', 'FileJournalBackend: staleMs: expected an integer number of milliseconds >= 1, got "x"'],
    [{ lockTimeoutMs: 1.5 }, 'lockTimeoutMs', 'FileJournalBackend: lockTimeoutMs: expected an integer number of milliseconds >= 1, got 1.5'],
    [{ fsync: 1 }, 'fsync', "FileJournalBackend: fsync: expected 'always', 'except-progress', 'never' or a boolean, got 1"],
    [{ fsync: 'sometimes' }, 'fsync', "FileJournalBackend: fsync: expected 'always', 'except-progress', 'never' or a boolean, got \"sometimes\""],
    [{ bogus: 1 }, 'bogus', 'option "bogus": unknown option of FileJournalBackend (known: lockTimeoutMs, staleMs, fsync)'],
  ])('refuses options that are unknown or not of their kind, naming them: %j', (opts, option, message) => {
    const path = join(tmp(), 'j.log');
    const err = thrown(() => new FileJournalBackend(path, opts as never));
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as InvalidOptionError).option).toBe(option);
    expect((err as Error).message).toBe(message);
    expect(present(path)).toBe(false);
  });

  it('reads a missing file as empty, creates folders, and appends', async () => {
    const path = join(tmp(), 'a', 'b', 'study.jsonl');
    const b = new FileJournalBackend(path);
    expect(await b.readAll()).toBe('');
    await b.append('one\n');
    await b.append('two\n');
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n');
  });

  it('cuts a torn tail off before appending and keeps its text in <path>.torn', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeFileSync(path, '{"v":1}\n{"v":1,"ty');
    await new FileJournalBackend(path).append('next\n');
    expect(readFileSync(path, 'utf8')).toBe('{"v":1}\nnext\n');
    expect(readFileSync(`${path}.torn`, 'utf8')).toBe('{"v":1,"ty\n');
    // a second torn write: kept after the first
    writeFileSync(path, '{"v":1}\nnext\n{"op_code":6,"wor');
    await new FileJournalBackend(path).append('more\n');
    expect(readFileSync(path, 'utf8')).toBe('{"v":1}\nnext\nmore\n');
    expect(readFileSync(`${path}.torn`, 'utf8')).toBe('{"v":1,"ty\n{"op_code":6,"wor\n');
  });

  it('keeps a torn tail in the journal, closed with a newline, where <path>.torn cannot be written', async () => {
    const path = join(tmp(), 'study.jsonl');
    mkdirSync(`${path}.torn`); // a folder in its place
    writeFileSync(path, '{"v":1}\n{"v":1,"ty');
    await new FileJournalBackend(path).append('next\n');
    expect(readFileSync(path, 'utf8')).toBe('{"v":1}\n{"v":1,"ty\nnext\n');
  });

  it('closes a whole-JSON last line with a newline, and cuts a blank one without keeping it', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeFileSync(path, '{"v":1}\n{"v":2}');
    await new FileJournalBackend(path).append('next\n');
    expect(readFileSync(path, 'utf8')).toBe('{"v":1}\n{"v":2}\nnext\n');
    writeFileSync(path, '{"v":1}\n  ');
    await new FileJournalBackend(path).append('next\n');
    expect(readFileSync(path, 'utf8')).toBe('{"v":1}\nnext\n');
    expect(present(`${path}.torn`)).toBe(false);
  });

  it('keeps the bytes of a tail cut mid-character, and a byte order mark before a torn first line', async () => {
    const path = join(tmp(), 'study.jsonl');
    const bytes = Buffer.concat([Buffer.from('{"v":1}\n{"note":"'), Buffer.from('€').subarray(0, 2)]);
    writeFileSync(path, bytes);
    await new FileJournalBackend(path).append('next\n');
    expect(readFileSync(`${path}.torn`)).toEqual(Buffer.concat([bytes.subarray(8), Buffer.from('\n')]));
    writeFileSync(path, '\ufeff{"op_co');
    await new FileJournalBackend(path).append('next\n');
    expect(readFileSync(path, 'utf8')).toBe('\ufeffnext\n');
  });

  it('gives up waiting for a held lock after timeoutMs when asked to', async () => {
    const path = join(tmp(), 'study.jsonl');
    let release!: () => void;
    const held = new FileJournalBackend(path).withLock(() => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    await expect(new FileJournalBackend(path).withLock(async () => 'never', { timeoutMs: 300 })).rejects.toThrow(/gave up after 300 ms/);
    release();
    await held;
  });

  it('finds a torn tail longer than its 64 KiB read steps, multi-byte text split across them', async () => {
    const path = join(tmp(), 'study.jsonl');
    const torn = '{"op_code":4,"user_attrs":{"note":"' + 'é€'.repeat(50_000); // 250,000 bytes, no newline
    writeFileSync(path, '{"v":1}\n' + torn);
    await new FileJournalBackend(path).append('next\n');
    expect(readFileSync(path, 'utf8')).toBe('{"v":1}\nnext\n');
    expect(readFileSync(`${path}.torn`, 'utf8')).toBe(torn + '\n');
    // a file that is one torn line
    writeFileSync(path, torn);
    await new FileJournalBackend(path).append('next\n');
    expect(readFileSync(path, 'utf8')).toBe('next\n');
  });

  it('removes its lock file after use, also when fn throws', async () => {
    const path = join(tmp(), 'study.jsonl');
    const b = new FileJournalBackend(path);
    // the lock is a symbolic link, as Optuna's default JournalFileSymlinkLock makes it
    expect(await b.withLock(async () => lstatSync(`${path}.lock`).isSymbolicLink())).toBe(true);
    expect(present(`${path}.lock`)).toBe(false);
    await expect(
      b.withLock(async () => {
        throw new Error('inside');
      }),
    ).rejects.toThrow('inside');
    expect(present(`${path}.lock`)).toBe(false);
  });

  it('takes over at once a lock whose holder process on this host is gone', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeLock(path, { pid: deadPid(), host: HOST, nonce: 'x', token: 'x-1', t: Date.now() });
    // the lock is fresh and would go stale by age only after a minute: taken within 5 s, it was taken for its dead holder
    expect(await new FileJournalBackend(path, { lockTimeoutMs: 5000, staleMs: 60_000 }).withLock(async () => 'taken')).toBe('taken');
    expect(present(`${path}.lock`)).toBe(false);
    expect(present(`${path}.lock.break`)).toBe(false);
  });

  it('several waiters on a dead holder`s lock: one takes over, none overlap', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeLock(path, { pid: deadPid(), host: HOST, nonce: 'x', token: 'x-1', t: Date.now() });
    let inside = 0;
    let most = 0;
    let runs = 0;
    const backends = Array.from({ length: 6 }, () => new FileJournalBackend(path, { lockTimeoutMs: 10_000 }));
    await Promise.all(
      backends.flatMap((b) =>
        [0, 1, 2].map(() =>
          b.withLock(async () => {
            most = Math.max(most, ++inside);
            await new Promise((r) => setTimeout(r, 2));
            inside--;
            runs++;
          }),
        ),
      ),
    );
    expect([runs, most]).toEqual([18, 1]);
    expect(present(`${path}.lock`)).toBe(false);
    expect(present(`${path}.lock.break`)).toBe(false);
  });

  it('takes over a lock left by an earlier run with this same pid (another nonce)', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeLock(path, { pid: process.pid, host: HOST, nonce: 'earlier', token: 'earlier-1', t: Date.now() });
    await new FileJournalBackend(path, { lockTimeoutMs: 1000 }).withLock(async () => undefined);
  });

  it('waits for a live holder and gives up with a StorageError naming it', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeLock(path, { pid: process.pid, host: HOST, nonce: processNonce(), token: 'other', t: Date.now() });
    const b = new FileJournalBackend(path, { lockTimeoutMs: 150 });
    await expect(b.withLock(async () => 1)).rejects.toThrow(
      new StorageError(`journal lock "${path}.lock": held by pid ${process.pid} on "${HOST}"; gave up after 150 ms`),
    );
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).token).toBe('other'); // left alone
  });

  it('takes over a lock of another host only once seen unchanged for staleMs by the waiter\'s own clock: its mtime, another machine\'s clock, is not compared with this one\'s', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeLock(path, { pid: 1, host: 'elsewhere', nonce: 'n', token: 'n-1', t: 0 });
    await expect(new FileJournalBackend(path, { lockTimeoutMs: 100, staleMs: 60_000 }).withLock(async () => 1)).rejects.toThrow(
      'held by pid 1 on "elsewhere"',
    );
    // a holder whose clock is 10 minutes behind this one refreshes its lock: it is live, and kept
    // (compared with this clock it was 10 minutes old, and was taken at once)
    writeLock(path, { pid: 1, host: 'elsewhere', nonce: 'n', token: 'n-1', t: 0 }, 600_000);
    const refresh = setInterval(() => {
      const t = new Date(Date.now() - 600_000);
      utimesSync(`${path}.lock`, t, t);
    }, 50);
    try {
      await expect(new FileJournalBackend(path, { lockTimeoutMs: 1200, staleMs: 300 }).withLock(async () => 1)).rejects.toThrow(
        'held by pid 1 on "elsewhere"; gave up after 1200 ms',
      );
    } finally {
      clearInterval(refresh);
    }
    // no longer refreshed (its holder died): taken once seen unchanged for staleMs
    const t0 = performance.now();
    expect(await new FileJournalBackend(path, { lockTimeoutMs: 5000, staleMs: 300 }).withLock(async () => 2)).toBe(2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300);
  });

  it('keeps a live holder\'s lock on this host whatever the clocks say: stale only once the waiter saw it unchanged for staleMs', async () => {
    const path = join(tmp(), 'study.jsonl');
    // a live process of this host (pid 1) whose lock's mtime is an hour old, as a waiter whose clock was set an hour forward sees a fresh one
    writeLock(path, { pid: 1, host: HOST, nonce: 'n', token: 'n-1', t: 0 }, 3_600_000);
    await expect(new FileJournalBackend(path, { lockTimeoutMs: 300, staleMs: 60_000 }).withLock(async () => 1)).rejects.toThrow(
      `held by pid 1 on ${JSON.stringify(HOST)}`,
    );
    // never refreshed (its holder hung, or the pid is another process's now): taken once seen unchanged for staleMs
    const t0 = performance.now();
    expect(await new FileJournalBackend(path, { lockTimeoutMs: 5000, staleMs: 300 }).withLock(async () => 2)).toBe(2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300);
  });

  it('takes a dead holder\'s lock at once where its mtime is older than staleMs plus 15 minutes of clock skew, also with a wait shorter than staleMs', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeLock(path, { pid: 1, host: 'elsewhere', nonce: 'n', token: 'n-1', t: 0 }, 3_600_000);
    const t0 = performance.now();
    expect(await new FileJournalBackend(path, { lockTimeoutMs: 3000, staleMs: 10_000 }).withLock(async () => 4)).toBe(4);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('gives up at its timeout while another waiter\'s takeover file stays (one dated ahead, by a clock that runs fast, kept it waiting past the timeout in a loop)', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeLock(path, { pid: 1, host: 'elsewhere', nonce: 'n', token: 'n-1', t: 0 }, 3_600_000);
    writeFileSync(`${path}.lock.break`, '');
    const ahead = new Date(Date.now() + 3_600_000);
    utimesSync(`${path}.lock.break`, ahead, ahead);
    const t0 = performance.now();
    await expect(new FileJournalBackend(path, { lockTimeoutMs: 800, staleMs: 10_000 }).withLock(async () => 5)).rejects.toThrow(/gave up after 800 ms$/);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('treats an empty lock file (holder died before writing) as stale once seen unchanged for staleMs', async () => {
    const path = join(tmp(), 'study.jsonl');
    writeFileSync(`${path}.lock`, '');
    await expect(new FileJournalBackend(path, { lockTimeoutMs: 100, staleMs: 60_000 }).withLock(async () => 1)).rejects.toThrow(
      'held by a process that has not written its pid yet',
    );
    expect(await new FileJournalBackend(path, { lockTimeoutMs: 2000, staleMs: 200 }).withLock(async () => 3)).toBe(3);
  });

  it('keeps a long-held lock fresh, so a waiter with a short staleMs does not break it', async () => {
    const path = join(tmp(), 'study.jsonl');
    // held 3.3 x staleMs; touched every staleMs / 3 (200 ms), so only a pause of the whole process for
    // 400 ms would let the waiter see it stale (with staleMs 90, a 60 ms pause on a loaded machine could)
    const a = new FileJournalBackend(path, { staleMs: 600 });
    const b = new FileJournalBackend(path, { staleMs: 600 });
    const events: string[] = [];
    let started!: () => void;
    const aStarted = new Promise<void>((r) => (started = r));
    const pa = a.withLock(async () => {
      events.push('a:start');
      started();
      await new Promise((r) => setTimeout(r, 2000));
      events.push('a:end');
    });
    await aStarted;
    const pb = b.withLock(async () => {
      events.push('b:start');
    });
    await Promise.all([pa, pb]);
    expect(events).toEqual(['a:start', 'a:end', 'b:start']);
  });

  it('names each backend host:pid:nonce.n, alive until closed, and knows which workers run', async () => {
    const b = new FileJournalBackend(join(tmp(), 'x.jsonl'));
    const me = await b.workerId();
    expect(me).toMatch(new RegExp(`^${HOST.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${process.pid}:${processNonce()}\\.\\d+$`));
    expect(await b.workerId()).toBe(me);
    const other = new FileJournalBackend(join(tmp(), 'x.jsonl'));
    const them = await other.workerId();
    expect(them).not.toBe(me);
    expect(await b.isWorkerAlive(me)).toBe(true);
    expect(await b.isWorkerAlive(them)).toBe(true);
    // a closed backend's worker has stopped; the process's own id (the id of journals written by earlier releases) still runs
    await other.close();
    await other.close();
    expect(await b.isWorkerAlive(them)).toBe(false);
    expect(await other.workerId()).not.toBe(them);
    expect(await b.isWorkerAlive(`${HOST}:${process.pid}:${processNonce()}`)).toBe(true);
    expect(await b.isWorkerAlive(`${HOST}:${process.pid}:abcdef`)).toBe(false);
    expect(await b.isWorkerAlive(`${HOST}:${process.pid}:abcdef.1`)).toBe(false);
    expect(await b.isWorkerAlive(`${HOST}:${deadPid()}:abc`)).toBe(false);
    expect(await b.isWorkerAlive(`${HOST}:${deadPid()}:abc.3`)).toBe(false);
    expect(await b.isWorkerAlive(`${HOST}:1:abc.3`)).toBe(true); // pid 1 runs
    expect(await b.isWorkerAlive(`elsewhere:${process.pid}:abc`)).toBeUndefined();
    expect(await b.isWorkerAlive('tab:1234')).toBeUndefined();
  });
});
