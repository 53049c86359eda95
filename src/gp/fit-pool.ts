/**
 * Worker threads for the hyperparameter fit's restarts (./fit-tasks). A
 * fit's rounds of independent tasks (the probes of every start, then each
 * lengthscale model's final run) are claimed in turn by the workers and the
 * calling thread, which works too. Every task gives the same floats
 * wherever it runs, so the fitted hyperparameters are bit for bit those of
 * `workers: 0`, and runs with `randomState` repeat exactly with any count.
 *
 * The fit stays synchronous: the calling thread waits for the workers'
 * last tasks with Atomics.wait on a shared control block and reads their
 * answers with receiveMessageOnPort (Node's worker_threads). As it claims
 * tasks itself, a worker that is slow to start or busy only does fewer of
 * them; one that never answers is waited for at most WAIT_LIMIT_MS (or 20
 * times the slowest task here), then its tasks run here and the pool is not
 * used again. Where worker_threads are not at hand synchronously (browsers;
 * Node before 20.16), fits run on the calling thread.
 */
import { resolveWorkers, type WorkersOption } from '../util/workers';
import { runFitTask, type FitJob, type FitTask, type FitTaskResult } from './fit-tasks';
import { FIT_WORKER_SOURCE } from './fit-worker-source';

/** Fits on fewer points than this run on the calling thread (a task is then well under a millisecond). */
export const FIT_POOL_MIN_POINTS = 64;

/** Least time the calling thread waits for a worker's task before it runs the task itself. */
export const WAIT_LIMIT_MS = 30_000;

interface Port { postMessage(v: unknown, transfer?: unknown[]): void; unref?(): void; close(): void }
interface NodeWorker {
  postMessage(v: unknown): void;
  on(ev: string, f: (v: never) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}
interface WorkerThreads {
  Worker: new (src: string, o: object) => NodeWorker;
  MessageChannel: new () => { port1: Port; port2: Port };
  receiveMessageOnPort(p: Port): { message: Reply } | undefined;
}
interface Reply { id: number; i: number; r?: FitTaskResult; error?: string }

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** node:worker_threads and the core count, synchronously; null where not at hand. */
function nodeThreads(): { wt: WorkerThreads; cores: number } | null {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== 'function') return null;
  try {
    const wt = proc.getBuiltinModule('node:worker_threads') as WorkerThreads;
    const os = proc.getBuiltinModule('node:os') as typeof import('node:os');
    return { wt, cores: os.availableParallelism?.() ?? os.cpus().length };
  } catch {
    return null;
  }
}

/** Runs a fit's rounds of tasks over worker threads and the calling thread. */
export class FitPool {
  private nextId = 0;
  /** tasks the workers have answered so far (load-dependent: the calling thread claims tasks too) */
  answered = 0;
  private broken = false;
  private disposed = false;

  private constructor(
    private readonly wt: WorkerThreads,
    private readonly workers: { worker: NodeWorker; port: Port }[],
  ) {
    for (const { worker } of workers) {
      // a broken pool is not used again (events arrive once this thread is free)
      worker.on('error', () => { this.broken = true; });
      worker.on('exit', () => { this.broken = true; });
      worker.unref();
    }
  }

  /**
   * Starts `count` worker threads; null where they cannot start (count 0,
   * or no synchronous worker_threads).
   */
  static create(count: number): FitPool | null {
    const node = nodeThreads();
    if (!node || count <= 0) return null;
    try {
      const workers = Array.from({ length: count }, () => {
        const { port1, port2 } = new node.wt.MessageChannel();
        const worker = new node.wt.Worker(FIT_WORKER_SOURCE, { eval: true, workerData: { port: port2 }, transferList: [port2] });
        port1.unref?.();
        return { worker, port: port1 };
      });
      return new FitPool(node.wt, workers);
    } catch {
      return null;
    }
  }

  /** Helper threads (the calling thread comes on top). */
  get size(): number { return this.workers.length; }

  /** Whether the pool still runs tasks in its workers. */
  get usable(): boolean { return !this.broken && !this.disposed; }

  /**
   * The tasks' results, in task order: those of running each on this thread.
   * @param o.callerClaims whether this thread claims tasks too [true] (tests set it false to have the workers do all)
   * @param o.waitLimitMs least time to wait for the workers' tasks [WAIT_LIMIT_MS]
   */
  run(job: FitJob, tasks: FitTask[], o: { callerClaims?: boolean; waitLimitMs?: number; helpers?: number } = {}): FitTaskResult[] {
    const callerClaims = o.callerClaims ?? true;
    if (!this.usable || tasks.length < 2) return tasks.map((t) => runFitTask(job, t));
    const id = this.nextId++;
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const results: (FitTaskResult | undefined)[] = new Array(tasks.length);
    // only the first `helpers` workers are asked: a GP's `workers` caps its threads in a larger shared pool
    for (const { worker } of this.workers.slice(0, o.helpers ?? this.workers.length)) worker.postMessage({ id, job, tasks, ctl: ctl.buffer });
    let slowest = 0;
    while (callerClaims) {
      const i = Atomics.add(ctl, 0, 1);
      if (i >= tasks.length) break;
      const t = now();
      results[i] = runFitTask(job, tasks[i]);
      slowest = Math.max(slowest, now() - t);
      Atomics.add(ctl, 1, 1);
    }
    const deadline = now() + Math.max(o.waitLimitMs ?? WAIT_LIMIT_MS, 20 * slowest);
    for (;;) {
      const done = Atomics.load(ctl, 1);
      if (done >= tasks.length) break;
      if (now() > deadline) { this.broken = true; break; }
      Atomics.wait(ctl, 1, done, 100);
    }
    for (const { port } of this.workers) {
      for (let m = this.wt.receiveMessageOnPort(port); m; m = this.wt.receiveMessageOnPort(port)) {
        // answers of an earlier job that was given up on are dropped
        if (m.message.id === id && m.message.r) {
          results[m.message.i] = m.message.r;
          this.answered++;
        }
      }
    }
    // a task a worker failed or never answered runs here
    return Array.from(tasks, (t, i) => results[i] ?? runFitTask(job, t));
  }

  /** Terminates the workers; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const { worker, port } of this.workers) {
      void worker.terminate();
      port.close();
    }
  }
}

/** The process-wide pool: not started (undefined), none (threads cannot start), or the pool. */
let shared: FitPool | null | undefined;
/** a broken pool is replaced once */
let replaced = false;

/** A GP's share of the process-wide pool: its `helpers` first workers (see FitPool.run). */
export interface FitPoolShare {
  readonly pool: FitPool;
  readonly helpers: number;
}

/**
 * The share of the process-wide pool for a `workers` value, the pool
 * started on first use and shared by every GP (its idle workers never keep
 * a process alive); null for 0 helpers or where threads cannot start. One
 * pool for the process: a larger `workers` than it has replaces it by a
 * larger one (the smaller one's threads end), a smaller one uses its first
 * workers, so the threads are the largest count asked for, not the sum of
 * every count (a pool per count held 16 + 15 threads for two optimizers).
 * A pool found broken is replaced once.
 * @throws InvalidOptionError for a bad `workers` value
 */
export function sharedFitPool(workers: WorkersOption | undefined): FitPoolShare | null {
  const node = nodeThreads();
  const count = resolveWorkers(workers, node?.cores ?? 1);
  if (!node || count === 0 || shared === null) return null;
  const broken = shared !== undefined && !shared.usable;
  if (shared === undefined || (broken && !replaced) || (!broken && shared.size < count)) {
    if (broken) replaced = true;
    // fits are synchronous, so no job runs on the old pool now
    shared?.dispose();
    shared = FitPool.create(count);
  }
  return shared && shared.usable ? { pool: shared, helpers: count } : null;
}
