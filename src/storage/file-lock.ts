/**
 * The journal lock, shared with Optuna (Node only; node modules are passed
 * in, so this file imports none).
 *
 * `<journal>.lock` is a symbolic link, created as Optuna's default
 * JournalFileSymlinkLock creates it (symlink() fails when the name exists, on
 * NFS too), so Python and Node processes exclude each other. Its target names
 * the holder's pid, host, process nonce and a per-acquisition token in under
 * 60 bytes (./lock-target; Optuna never reads the target). A plain lock file
 * (Optuna's JournalFileOpenLock, or this library before) excludes just as well
 * and is read as JSON for the same fields. Waiters retry with jittered
 * exponential backoff. A lock is taken over when its holder is a process on
 * this host that no longer exists (at once), or when it has not been
 * refreshed for `staleMs` (holders touch it every staleMs/3): watched that
 * long by the waiter's monotonic clock (no machine's clock is compared with
 * another's), or, for another host's or Optuna's lock, at once where its
 * mtime is older than staleMs plus CLOCK_SKEW_MS by this clock (a dead
 * holder's old lock, which a wait shorter than staleMs never took). Takeovers go
 * through a second lock file, `<journal>.lock.break`, and re-check that the
 * lock is still the one judged stale, so two waiters cannot both take over.
 */
import type * as Fs from 'node:fs';

/**
 * How far machines' clocks may disagree (15 minutes): a lock whose mtime is older than staleMs plus
 * this by the waiter's clock is taken at once; a younger one only once watched unchanged for staleMs.
 */
const CLOCK_SKEW_MS = 15 * 60_000;
import type { Stats } from 'node:fs';
import { StorageError } from '../errors';
import { sleep } from './mutex';
import { processGone, processNonce } from './process-identity';
import { lockTarget, onHost, parseLock } from './lock-target';

/** A lock's holder. */
export interface LockInfo {
  pid: number;
  /** its hostKey; its hostTag where `tagged` */
  host: string;
  nonce: string;
  /** this acquisition: `<nonce>-<counter>` */
  token: string;
  /** read from a link of the short form (./lock-target), which names the host by its tag */
  tagged: boolean;
}

/** A held lock's release, and whether the lock is still held (see FileLock.acquire). */
export interface LockRelease {
  (): Promise<void>;
  held(): boolean;
}

export interface FileLockOptions {
  timeoutMs: number;
  staleMs: number;
}

/** a break lock older than this belongs to a waiter that died mid-takeover */
const BREAK_STALE_MS = 2000;
const MAX_DELAY_MS = 100;

interface Seen {
  stat: Stats;
  info: LockInfo | null;
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

/** Removes `path`; whether it is gone (removed now, or not there). */
function tryUnlink(fs: typeof Fs, path: string): boolean {
  try {
    fs.unlinkSync(path);
    return true;
  } catch (e) {
    return code(e) === 'ENOENT';
  }
}

function lstatOrNull(fs: typeof Fs, path: string): Stats | null {
  try {
    return fs.lstatSync(path);
  } catch {
    return null;
  }
}

/** Acquisitions in this process, over every FileLock: two locks on one journal here had the same tokens, and one took the other's for its own. */
let acquisitions = 0;

export class FileLock {
  /** the lock (inode, mtime, token) last judged whose holder lives on this host, and when it was first seen so (monotonic ms) */
  private watched: { key: string; since: number } | null = null;

  constructor(
    /** `node:fs`: the lock's steps are synchronous calls (microseconds on a local disk, see ./file-backend) */
    private readonly fs: typeof Fs,
    readonly path: string,
    private readonly host: string,
    private readonly opts: FileLockOptions,
  ) {}

  /**
   * Waits for the lock (up to `timeoutMs`, the options' by default); resolves
   * to its release function, whose `held()` says (synchronously) whether the
   * lock is still this acquisition's: a holder stopped or blocked for longer
   * than `staleMs` (SIGSTOP, a paused machine, a long synchronous step) has
   * it taken over, and must not write on as if it held it.
   */
  async acquire(timeoutMs = this.opts.timeoutMs): Promise<LockRelease> {
    const info: LockInfo = { pid: process.pid, host: this.host, nonce: processNonce(), token: `${processNonce()}-${++acquisitions}`, tagged: false };
    const start = performance.now(); // monotonic: a clock set forward does not end the wait
    let delay = 2;
    for (;;) {
      if (await this.tryCreate(info)) break;
      const seen = await this.inspect();
      if (!seen) continue; // released in between
      // a folder in the lock's place is never released (nor unlinked): waiting on it spun for good
      if (seen.stat.isDirectory()) throw new StorageError(`journal lock ${JSON.stringify(this.path)}: is a directory, not a lock; remove it`);
      // a stale lock that could not be removed is waited on as a live one, up to the timeout; a takeover
      // another waiter holds goes round again, up to the timeout too (it skipped the check and spun)
      const broken = (await this.isStale(seen)) && (await this.breakStale(seen));
      if (broken && performance.now() - start <= timeoutMs) continue;
      if (performance.now() - start > timeoutMs) {
        const who = !seen.info ? 'a process that has not written its pid yet'
          : `pid ${seen.info.pid} on ${!seen.info.tagged ? JSON.stringify(seen.info.host) : onHost(seen.info, this.host) ? JSON.stringify(this.host) : 'another host'}`;
        throw new StorageError(`journal lock ${JSON.stringify(this.path)}: held by ${who}; gave up after ${timeoutMs} ms`);
      }
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 1.5, MAX_DELAY_MS);
    }
    const timer = setInterval(() => {
      const now = new Date();
      try {
        this.fs.lutimes(this.path, now, now, () => undefined); // asynchronous, its failure ignored
      } catch {
        // a runtime without it: the lock is judged by its holder's pid, or goes stale
      }
    }, Math.max(10, this.opts.staleMs / 3));
    (timer as { unref?: () => void }).unref?.();
    const release = async (): Promise<void> => {
      clearInterval(timer);
      // only remove the lock if it is still ours (not taken over as stale)
      if (release.held()) tryUnlink(this.fs, this.path);
    };
    release.held = (): boolean => this.read()?.info?.token === info.token;
    return release;
  }

  private async tryCreate(info: LockInfo): Promise<boolean> {
    const target = lockTarget(info);
    try {
      this.fs.symlinkSync(target, this.path);
    } catch (e) {
      if (code(e) === 'EEXIST') return false;
      // the system's message names the link's long encoded target: say what failed in a few words
      const why = code(e) === 'ENOENT' ? 'its folder does not exist or does not take links'
        : code(e) === 'EACCES' || code(e) === 'EPERM' ? 'no permission to create a file in its folder'
          : code(e) === 'EROFS' ? 'its folder is on a read-only file system' : (e as Error).message;
      throw new StorageError(`journal lock ${JSON.stringify(this.path)}: cannot create it (${code(e) ?? 'error'}: ${why})`, { cause: e });
    }
    return true;
  }

  /** The lock's stat and content, or null when there is no lock. */
  private async inspect(): Promise<Seen | null> {
    return this.read();
  }

  /** The lock as it is now (synchronous calls); null when there is none. */
  private read(): Seen | null {
    try {
      const stat = this.fs.lstatSync(this.path);
      let info: LockInfo | null;
      try {
        const link = stat.isSymbolicLink();
        // empty or partly written: null, judged by age alone
        // only a link or a regular file is read: a FIFO's read would hold the process for good
        info = link ? parseLock(this.fs.readlinkSync(this.path), true) : stat.isFile() ? parseLock(this.fs.readFileSync(this.path, 'utf8'), false) : null;
      } catch (e) {
        if (code(e) === 'ENOENT') return null;
        info = null; // unreadable: judged by age alone
      }
      return { stat, info };
    } catch (e) {
      if (code(e) === 'ENOENT') return null;
      throw new StorageError(`journal lock ${JSON.stringify(this.path)}: ${(e as Error).message}`, { cause: e });
    }
  }

  private async isStale({ stat, info }: Seen): Promise<boolean> {
    if (info && onHost(info, this.host)) {
      if (info.pid === process.pid) {
        // this pid, another nonce: an earlier run that had the same pid (containers)
        if (info.nonce !== processNonce()) return true;
      } else if (await processGone(this.fs.promises, info.pid)) {
        return true;
      }
    }
    // A live holder of this library refreshes the lock every staleMs/3 and an Optuna writer holds it for
    // milliseconds: stale once it has not changed for staleMs by this process's monotonic clock (a
    // holder hung, dead on another host, or its pid taken by another process). The wall clock against
    // the lock's mtime compared two machines' clocks: a host 10 minutes ahead took a live holder's
    // lock at once (an Optuna worker's release then failed), one behind waited its skew more.
    // another host's (or Optuna's) lock with an mtime older than any clock skew allows is a dead
    // holder's; a live process of this host keeps its lock whatever this clock says (set forward)
    const here = info !== null && onHost(info, this.host);
    if (!here && Date.now() - stat.mtimeMs > this.opts.staleMs + CLOCK_SKEW_MS) return true;
    const key = `${stat.ino}:${stat.mtimeMs}:${info?.token ?? ''}`;
    const now = performance.now();
    if (this.watched?.key !== key) this.watched = { key, since: now };
    return now - this.watched.since > this.opts.staleMs;
  }

  /** Takes a stale lock over; false where it could not be removed (it stays, and is waited on). */
  private async breakStale(seen: Seen): Promise<boolean> {
    const breakPath = `${this.path}.break`;
    try {
      this.fs.closeSync(this.fs.openSync(breakPath, 'wx'));
    } catch (e) {
      if (code(e) !== 'EEXIST') throw new StorageError(`journal lock ${JSON.stringify(breakPath)}: ${(e as Error).message}`, { cause: e });
      const st = lstatOrNull(this.fs, breakPath);
      if (st && Date.now() - st.mtimeMs > BREAK_STALE_MS) {
        // a break file left by a waiter that died; one that cannot be removed (a folder, another owner's)
        // leaves the lock as it is, waited on up to the timeout
        const removed = tryUnlink(this.fs, breakPath);
        if (!removed) return false;
      }
      await sleep(2);
      return true; // another waiter is taking it over: look again
    }
    try {
      const now = await this.inspect();
      const same =
        now !== null &&
        now.stat.ino === seen.stat.ino &&
        now.stat.mtimeMs === seen.stat.mtimeMs &&
        now.stat.size === seen.stat.size &&
        (now.info?.token ?? null) === (seen.info?.token ?? null);
      if (!same) return true;
      return tryUnlink(this.fs, this.path);
    } finally {
      tryUnlink(this.fs, breakPath);
    }
  }
}
