/**
 * Who runs where, for the journal file's lock and worker ids (Node only;
 * node modules are passed in): this process's nonce, whether a pid on this
 * host still runs, the host's key, and the worker ids of this process's
 * open backends. Kept apart from the lock itself (./file-lock), which judges
 * a holder by them.
 */
import type * as FsPromises from 'node:fs/promises';
import { randomHex } from './mutex';

const NONCE_KEY = Symbol.for('webgpu-bayesopt.process-nonce');

/** A random id for this process, shared by every copy of this module loaded in it. */
export function processNonce(): string {
  const g = globalThis as unknown as Record<symbol, string | undefined>;
  return (g[NONCE_KEY] ??= randomHex(6));
}

/**
 * Whether a process with this pid exists on this host (an exited one not yet
 * reaped, a zombie, included: see processGone). Only ESRCH says it does not:
 * EPERM (another user's) and an error with no code at all (Deno without
 * --allow-run throws NotCapable for any pid but its own) leave it alive, so
 * that its lock and trials are taken only once they go stale; read as gone,
 * two Deno workers broke each other's lock and retried live trials.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Whether process `pid` has ended: no such process, or (Linux) one that
 * exited and waits to be reaped, state Z in `/proc/<pid>/stat`. kill(pid, 0)
 * still finds a zombie, and in a container whose first process reaps no
 * children a killed worker stays one for good: its trials were never retried
 * and its lock was waited out.
 */
export async function processGone(fs: typeof FsPromises, pid: number): Promise<boolean> {
  if (!pidAlive(pid)) return true;
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) S ...": the command may hold spaces and parentheses, the state follows the last ')'
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return false; // no /proc (not Linux), or not readable: kill(pid, 0)'s answer stands
  }
}

/**
 * This host as its workers name it in locks and worker ids: the host name,
 * and on Linux the boot and the pid namespace. Processes of one host name
 * need not see each other's pids: containers sharing the machine's name
 * (host networking) or cloned machines, sharing a journal's folder. Judged
 * as one host, each took the other's live pid for gone (or its own pid,
 * reused, for an earlier run of itself), broke its lock at once and retried
 * its running trials. Named apart, they judge each other by age, as hosts do.
 */
export async function hostKey(fs: typeof FsPromises, hostname: string): Promise<string> {
  try {
    const [boot, ns] = await Promise.all([fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8'), fs.readlink('/proc/self/ns/pid')]);
    const inode = /^pid:\[(\d+)\]$/.exec(ns)?.[1];
    const id = /^[0-9a-f]{8}/.exec(boot.trim())?.[0];
    if (inode && id) return `${hostname}/${id}-${inode}`;
  } catch {
    // not Linux, or /proc not readable (Deno without --allow-all): the name alone
  }
  return hostname;
}

/** A hostKey's boot and pid namespace, after the host name. */
const HOST_SUFFIX = /\/[0-9a-f]{8}-\d+$/;

/**
 * Whether two hostKeys name one host: equal keys; or, where one is the name
 * alone (a process that could not read /proc: Deno without --allow-all, or
 * an earlier release), equal names, as hosts were told apart before.
 */
export function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  if (HOST_SUFFIX.test(a) && HOST_SUFFIX.test(b)) return false;
  return a.replace(HOST_SUFFIX, '') === b.replace(HOST_SUFFIX, '');
}

/** `host:pid:nonce`, the worker id of this process. */
export function nodeWorkerId(host: string): string {
  return `${host}:${process.pid}:${processNonce()}`;
}

const LIVE_KEY = Symbol.for('webgpu-bayesopt.live-workers');

/** The worker ids of this process's open backends, shared by every copy of this module loaded in it. */
function liveWorkers(): { next: number; ids: Set<string> } {
  const g = globalThis as unknown as Record<symbol, { next: number; ids: Set<string> } | undefined>;
  return (g[LIVE_KEY] ??= { next: 0, ids: new Set() });
}

/**
 * `host:pid:nonce.n`, the worker id of one backend of this process, alive
 * until `releaseWorker`: so a study resumed in the same process, after the
 * optimizer that asked its pending trials was disposed, retries them
 * instead of waiting for a worker that will never tell them.
 */
export function openWorker(host: string): string {
  const live = liveWorkers();
  const id = `${nodeWorkerId(host)}.${++live.next}`;
  live.ids.add(id);
  return id;
}

/** Ends a worker id of `openWorker`: its pending trials are another worker's to retry from now on. */
export function releaseWorker(id: string): void {
  liveWorkers().ids.delete(id);
}

/**
 * Whether the worker behind a `host:pid:nonce` or `host:pid:nonce.n`
 * worker id runs: known only for this host (undefined otherwise). In this
 * process, a backend's worker (`.n`) runs until it is released; another
 * process's, while its pid lives (a zombie does not: see processGone): a
 * live pid counts as running even if the pid was reused, so a trial is
 * never taken from a worker that may live.
 */
export async function nodeWorkerAlive(worker: string, host: string, fs: typeof FsPromises): Promise<boolean | undefined> {
  const m = /^(.*):(\d+):([0-9a-f]+)(\.\d+)?$/.exec(worker);
  if (!m || !sameHost(m[1], host)) return undefined;
  const pid = Number(m[2]);
  if (pid === process.pid) return m[3] === processNonce() && (m[4] === undefined || liveWorkers().ids.has(worker));
  return !(await processGone(fs, pid));
}
