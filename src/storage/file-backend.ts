/**
 * A journal in a file (Node, and runtimes with `node:fs` such as Deno).
 * Appends open the file with 'a+', cut off a torn last line (kept in
 * `<path>.torn`) or close a whole one with '\n', write, fsync (see
 * FileJournalOptions.fsync) and close. The lock is a `<path>.lock` symbolic link
 * (see ./file-lock). Node modules are imported on first use, so this module
 * loads (and bundles, with `node:*` marked external) anywhere.
 *
 * The small steps of a read, an append and the lock (open, stat, a read of
 * new lines, a write, close) are synchronous calls: a few microseconds each
 * on a local disk, against 30-80 µs each through the thread pool, where a
 * pruner's report on a journal file took about 20 of them (1.2 ms of 2).
 * The fsync and a read of the whole file stay asynchronous: they may take
 * milliseconds, and the event loop is not held for them.
 */
import type * as FsPromises from 'node:fs/promises';
import type * as Fs from 'node:fs';
import { InvalidOptionError, StorageError } from '../errors';
import { checkBackendOptions, type OptionKind } from './backend-options';
import { filePathProblem } from './target-checks';
import { FileLock, type LockRelease } from './file-lock';
import { hostKey, nodeWorkerAlive, openWorker, releaseWorker } from './process-identity';
import { closeQuietly, readBytes, readFileWindow, regularFile, writeAll } from './file-window';
import { planAppend } from './line-checks';
import { Mutex } from './mutex';
import type { AppendOptions, JournalBackend, TextWindow } from './types';

export interface FileJournalOptions {
  /** waiting longer than this for the lock is a StorageError [60,000 ms] */
  lockTimeoutMs?: number;
  /**
   * a lock not refreshed for this long is taken over [10,000 ms]: watched
   * that long by this process's monotonic clock (so a process waits this
   * long on any lock it finds, another host's or Optuna's too), unless its
   * time is older than this plus 15 minutes of clock skew (another host's:
   * taken at once); one whose holder process on this host has exited is
   * taken over at once
   */
  staleMs?: number;
  /**
   * which appends are fsynced ['except-progress']: 'always' (true) every
   * append, as Optuna's JournalFileStorage does; 'except-progress' every
   * append but those that only record a running trial's progress
   * (intermediate values with a pruner's rung attributes, user attributes:
   * see AppendOptions.progress), which the trial's next fsynced append (its
   * end) makes durable with it: a process that crashes loses none of them,
   * a machine that crashes may lose those of trials then running, which it
   * fails anyway; 'never' (false) none
   */
  fsync?: FsyncPolicy;
}

/** Steps run afresh when their lock was taken over (see FileJournalBackend.withLock) before the error is the caller's. */
const LOCK_ATTEMPTS = 3;

/** An append refused because the step's lock was taken over as stale: nothing was written. */
class LockTakenOver extends StorageError {
  constructor(path: string, staleMs: number) {
    super(`journal ${JSON.stringify(path)}: the lock was taken over while this worker held it (its process stopped or blocked for longer than staleMs, ${staleMs} ms, ${LOCK_ATTEMPTS} times); nothing was written`);
  }
}

/** When the file backend fsyncs an append (see FileJournalOptions.fsync). */
export type FsyncPolicy = 'always' | 'except-progress' | 'never' | boolean;

const FILE_JOURNAL_OPTIONS: Readonly<Record<keyof FileJournalOptions, OptionKind>> = {
  lockTimeoutMs: 'ms', staleMs: 'ms', fsync: { oneOf: ['always', 'except-progress', 'never', true, false], expected: "'always', 'except-progress', 'never' or a boolean" },
};

interface NodeMods {
  fs: typeof FsPromises;
  sync: typeof Fs;
  dirname: (p: string) => string;
  hostname: () => string;
}

let mods: Promise<NodeMods> | undefined;
let host: Promise<string> | undefined;

function loadNode(): Promise<NodeMods> {
  mods ??= Promise.all([import('node:fs/promises'), import('node:fs'), import('node:os'), import('node:path')]).then(([fs, sync, os, path]) => ({
    fs,
    sync: sync.default ?? sync,
    dirname: path.dirname,
    hostname: () => os.hostname(),
  }));
  return mods;
}

/**
 * This host as the journal's lock and worker ids name it (see hostKey),
 * read when a lock or a worker id first needs it: a reader never does, so
 * readStudy in Deno needs --allow-read alone (the host name is --allow-sys).
 */
export function journalHost(): Promise<string> {
  host ??= loadNode().then((m) => hostKey(m.fs, m.hostname()));
  return host;
}

/**
 * A journal in a file, locked by a `<path>.lock` symbolic link: what a path
 * opens under Node. Made directly, it carries its FileJournalOptions (lock
 * waits, fsync) to an optimizer or Study.open, which take a path without them.
 * @example
 * ```ts
 * const backend = new FileJournalBackend('study.jsonl', { fsync: 'never' }); // a scratch study: speed over durability
 * const opt = new BayesianOptimization({ f, pbounds, storage: backend });
 * await opt.maximize({ nIter: 10 });
 * await opt.dispose();
 * await backend.close(); // a backend object stays the caller's to close
 * ```
 */
export class FileJournalBackend implements JournalBackend {
  readonly name: string;
  readonly lockPath: string;
  private readonly opts: Required<Omit<FileJournalOptions, 'fsync'>> & { fsync: 'always' | 'except-progress' | 'never' };
  private readonly mutex = new Mutex();
  private lock?: FileLock;
  /** the lock while a step holds it (see append) */
  private hold: LockRelease | null = null;
  private dirReady = false;
  private worker?: string;

  /** @throws InvalidOptionError naming `path` (empty, or not a string) or an option that is unknown or not of its kind */
  constructor(path: string, opts: FileJournalOptions = {}) {
    // an empty path was taken, and failed at the first read as the lock file's error
    const problem = filePathProblem(path);
    if (problem) throw new InvalidOptionError(`FileJournalBackend: path: ${problem}`, 'path');
    checkBackendOptions('FileJournalBackend', opts, FILE_JOURNAL_OPTIONS);
    const fsync = opts.fsync ?? 'except-progress';
    this.name = path;
    this.lockPath = `${path}.lock`;
    this.opts = {
      lockTimeoutMs: opts.lockTimeoutMs ?? 60_000, staleMs: opts.staleMs ?? 10_000, fsync: fsync === true ? 'always' : fsync === false ? 'never' : fsync,
    };
  }

  private fail(what: string, e: unknown): StorageError {
    return new StorageError(`journal ${JSON.stringify(this.name)}: ${what}: ${(e as Error).message}`, { cause: e });
  }

  private async ensureDir(m: NodeMods): Promise<void> {
    if (this.dirReady) return;
    await m.fs.mkdir(m.dirname(this.name), { recursive: true }).catch((e) => {
      throw this.fail('cannot create its folder', e);
    });
    this.dirReady = true;
  }

  async readAll(): Promise<string> {
    const { fs } = await loadNode();
    try {
      return await fs.readFile(this.name, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw this.fail('cannot read', e);
    }
  }

  /** The text from `after`'s mark on (see JournalBackend.readWindow, readFileWindow); '' from 0 when there is no file. */
  async readWindow(after: unknown): Promise<TextWindow> {
    const { sync } = await loadNode();
    let fd: number | undefined;
    try {
      fd = sync.openSync(this.name, nonBlocking(sync, 'O_RDONLY'));
      return await readFileWindow(sync, fd, after);
    } catch (e) {
      // gone: what a reader folded from it no longer holds
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', start: 0, mark: null, reread: after !== null };
      throw this.fail('cannot read', e);
    } finally {
      if (fd !== undefined) closeQuietly(sync, fd);
    }
  }

  /** Whether the file is there (a directory is, and fails to read). */
  async exists(): Promise<boolean> {
    const { sync } = await loadNode();
    try {
      sync.statSync(this.name);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw this.fail('cannot stat', e);
    }
  }

  /**
   * Appends under the lock the caller holds. A torn tail (see tornTailStart)
   * is cut off first and its bytes kept in `<path>.torn`; a whole last line
   * (a JSON object as the readers parse it) without its newline gets one.
   * Fsynced as `fsync` says (a progress append, see AppendOptions).
   */
  async append(lines: string, options: AppendOptions = {}): Promise<void> {
    const m = await loadNode();
    await this.ensureDir(m);
    const { sync } = m;
    let fd: number | undefined;
    try {
      fd = sync.openSync(this.name, nonBlocking(sync, 'O_RDWR', 'O_CREAT', 'O_APPEND'), 0o666);
      // the last look before the write (synchronous calls from here): a lock taken over while this
      // process stood still means others may have written since the step read the file, and its
      // lines (a trial numbered as the next one) would land after theirs, on their numbers
      if (this.hold !== null && !this.hold.held()) throw new LockTakenOver(this.name, this.opts.staleMs);
      const at = fd;
      const plan = await planAppend(Number(regularFile(sync, at).size), async (from, to) => readBytes(sync, at, from, to));
      let prefix = plan.prefix;
      if (plan.cutAt !== null) {
        if (this.setAside(sync, plan.torn)) sync.ftruncateSync(at, plan.cutAt);
        else prefix = '\n';
      }
      writeAll(sync, at, new TextEncoder().encode(prefix + lines));
      const { fsync } = this.opts;
      if (fsync === 'always' || (fsync === 'except-progress' && !options.progress)) {
        // off the event loop: an fsync may take milliseconds
        await new Promise<void>((resolve, reject) => sync.fsync(at, (e) => (e ? reject(e) : resolve())));
      }
    } catch (e) {
      if (e instanceof LockTakenOver) throw e;
      throw this.fail('cannot append', e);
    } finally {
      if (fd !== undefined) closeQuietly(sync, fd);
    }
  }

  /**
   * Keeps a torn tail's text in `<path>.torn` before it is cut off; false
   * when that file cannot be written: the tail then stays in the journal,
   * closed with '\n' (skipped here, refused by Optuna's reader), rather than
   * lost or blocking the append.
   */
  private setAside(sync: typeof Fs, bytes: Uint8Array): boolean {
    if (bytes.length === 0) return true;
    try {
      // the bytes as they were (a tail cut mid-character stays so), then a newline
      const kept = new Uint8Array(bytes.length + 1);
      kept.set(bytes);
      kept[bytes.length] = 0x0a;
      sync.appendFileSync(`${this.name}.torn`, kept);
      return true;
    } catch {
      return false;
    }
  }

  withLock<T>(fn: () => Promise<T>, opts?: { timeoutMs?: number }): Promise<T> {
    return this.mutex.run(async () => {
      const m = await loadNode();
      await this.ensureDir(m);
      this.lock ??= new FileLock(m.sync, this.lockPath, await journalHost(), { timeoutMs: this.opts.lockTimeoutMs, staleMs: this.opts.staleMs });
      // a step whose lock was taken over wrote nothing at that append (see append): run afresh under
      // the lock again, reading what the others wrote meanwhile (the steps find what of theirs landed)
      for (let attempt = 1; ; attempt++) {
        const release = await this.lock.acquire(opts?.timeoutMs);
        this.hold = release;
        try {
          return await fn();
        } catch (e) {
          if (!(e instanceof LockTakenOver) || attempt >= LOCK_ATTEMPTS) throw e;
        } finally {
          this.hold = null;
          await release();
        }
      }
    });
  }

  /** This backend's worker id (see openWorker), alive until `close()`. */
  async workerId(): Promise<string> {
    const host = await journalHost();
    return (this.worker ??= openWorker(host));
  }

  /** Ends this backend's worker id: pending trials it asked become another worker's to retry. Idempotent. */
  async close(): Promise<void> {
    if (this.worker !== undefined) releaseWorker(this.worker);
    this.worker = undefined;
  }

  async isWorkerAlive(worker: string): Promise<boolean | undefined> {
    const { fs } = await loadNode();
    // the host name unreadable (Deno without --allow-sys): whether the worker runs is unknown, and a
    // reader (readStudy of a journal with a running trial) goes on where it failed
    const host = await journalHost().catch(() => null);
    return host === null ? undefined : nodeWorkerAlive(worker, host, fs);
  }
}

/**
 * Open flags `names` with O_NONBLOCK: a FIFO or a device in the journal's
 * place is then refused (see regularFile) instead of an open or a write
 * that never returns, which, the steps being synchronous, would hold the
 * whole process (its timers too).
 */
function nonBlocking(fs: typeof Fs, ...names: ('O_RDONLY' | 'O_RDWR' | 'O_CREAT' | 'O_APPEND')[]): number {
  return names.reduce((flags, n) => flags | fs.constants[n], fs.constants.O_NONBLOCK ?? 0);
}

