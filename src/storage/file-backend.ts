/**
 * A journal in a file (Node, and runtimes with `node:fs` such as Deno).
 * Appends open the file with 'a+', cut off a torn last line (kept in
 * `<path>.torn`) or close a whole one with '\n', write, fsync and close.
 * The lock is a `<path>.lock` file (see ./file-lock). Node modules are
 * imported on first use, so this module loads (and bundles, with `node:*`
 * marked external) anywhere.
 */
import type * as FsPromises from 'node:fs/promises';
import { InvalidOptionError, StorageError } from '../errors';
import { checkBackendOptions, type OptionKind } from './backend-options';
import { filePathProblem } from './target-checks';
import { FileLock } from './file-lock';
import { hostKey, nodeWorkerAlive, openWorker, releaseWorker } from './process-identity';
import { readFileWindow } from './file-window';
import { planAppend } from './line-checks';
import { Mutex } from './mutex';
import type { JournalBackend, TextWindow } from './types';

export interface FileJournalOptions {
  /** waiting longer than this for the lock is a StorageError [60,000 ms] */
  lockTimeoutMs?: number;
  /**
   * a lock not refreshed for this long is taken over [10,000 ms]; one whose
   * holder process on this host has exited is taken over at once
   */
  staleMs?: number;
  /** fsync after every append [true] */
  fsync?: boolean;
}

const FILE_JOURNAL_OPTIONS: Readonly<Record<keyof FileJournalOptions, OptionKind>> = { lockTimeoutMs: 'ms', staleMs: 'ms', fsync: 'boolean' };

interface NodeMods {
  fs: typeof FsPromises;
  host: string;
  dirname: (p: string) => string;
}

let mods: Promise<NodeMods> | undefined;

function loadNode(): Promise<NodeMods> {
  mods ??= Promise.all([import('node:fs/promises'), import('node:os'), import('node:path')]).then(async ([fs, os, path]) => ({
    fs,
    host: await hostKey(fs, os.hostname()),
    dirname: path.dirname,
  }));
  return mods;
}

/** This host as the journal's lock and worker ids name it (see hostKey). */
export async function journalHost(): Promise<string> {
  return (await loadNode()).host;
}

export class FileJournalBackend implements JournalBackend {
  readonly name: string;
  readonly lockPath: string;
  private readonly opts: Required<FileJournalOptions>;
  private readonly mutex = new Mutex();
  private lock?: FileLock;
  private dirReady = false;
  private worker?: string;

  /** @throws InvalidOptionError naming `path` (empty, or not a string) or an option that is unknown or not of its kind */
  constructor(path: string, opts: FileJournalOptions = {}) {
    // an empty path was taken, and failed at the first read as the lock file's error
    const problem = filePathProblem(path);
    if (problem) throw new InvalidOptionError(`FileJournalBackend: path: ${problem}`, 'path');
    checkBackendOptions('FileJournalBackend', opts, FILE_JOURNAL_OPTIONS);
    this.name = path;
    this.lockPath = `${path}.lock`;
    this.opts = { lockTimeoutMs: opts.lockTimeoutMs ?? 60_000, staleMs: opts.staleMs ?? 10_000, fsync: opts.fsync ?? true };
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
    const { fs } = await loadNode();
    let fh: FsPromises.FileHandle | undefined;
    try {
      fh = await fs.open(this.name, 'r');
      return await readFileWindow(fh, after);
    } catch (e) {
      // gone: what a reader folded from it no longer holds
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', start: 0, mark: null, reread: after !== null };
      throw this.fail('cannot read', e);
    } finally {
      await fh?.close();
    }
  }

  /** Whether the file is there (a directory is, and fails to read). */
  async exists(): Promise<boolean> {
    const { fs } = await loadNode();
    try {
      await fs.stat(this.name);
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
   */
  async append(lines: string): Promise<void> {
    const m = await loadNode();
    await this.ensureDir(m);
    let fh: FsPromises.FileHandle | undefined;
    try {
      fh = await m.fs.open(this.name, 'a+');
      const { size } = await fh.stat();
      const plan = await planAppend(size, async (from, to) => {
        const buf = new Uint8Array(to - from);
        await fh!.read(buf, 0, buf.length, from);
        return buf;
      });
      let prefix = plan.prefix;
      if (plan.cutAt !== null) {
        if (await this.setAside(m, plan.torn)) await fh.truncate(plan.cutAt);
        else prefix = '\n';
      }
      await fh.appendFile(prefix + lines, 'utf8');
      if (this.opts.fsync) await fh.sync();
    } catch (e) {
      throw this.fail('cannot append', e);
    } finally {
      await fh?.close();
    }
  }

  /**
   * Keeps a torn tail's text in `<path>.torn` before it is cut off; false
   * when that file cannot be written: the tail then stays in the journal,
   * closed with '\n' (skipped here, refused by Optuna's reader), rather than
   * lost or blocking the append.
   */
  private async setAside(m: NodeMods, bytes: Uint8Array): Promise<boolean> {
    if (bytes.length === 0) return true;
    try {
      // the bytes as they were (a tail cut mid-character stays so), then a newline
      const kept = new Uint8Array(bytes.length + 1);
      kept.set(bytes);
      kept[bytes.length] = 0x0a;
      await m.fs.appendFile(`${this.name}.torn`, kept);
      return true;
    } catch {
      return false;
    }
  }

  withLock<T>(fn: () => Promise<T>, opts?: { timeoutMs?: number }): Promise<T> {
    return this.mutex.run(async () => {
      const m = await loadNode();
      await this.ensureDir(m);
      this.lock ??= new FileLock(m.fs, this.lockPath, m.host, { timeoutMs: this.opts.lockTimeoutMs, staleMs: this.opts.staleMs });
      const release = await this.lock.acquire(opts?.timeoutMs);
      try {
        return await fn();
      } finally {
        await release();
      }
    });
  }

  /** This backend's worker id (see openWorker), alive until `close()`. */
  async workerId(): Promise<string> {
    const host = (await loadNode()).host;
    return (this.worker ??= openWorker(host));
  }

  /** Ends this backend's worker id: pending trials it asked become another worker's to retry. Idempotent. */
  async close(): Promise<void> {
    if (this.worker !== undefined) releaseWorker(this.worker);
    this.worker = undefined;
  }

  async isWorkerAlive(worker: string): Promise<boolean | undefined> {
    const { host, fs } = await loadNode();
    return nodeWorkerAlive(worker, host, fs);
  }
}
