/**
 * Worker threads for the bounding pass of screened scoring, and for blocks
 * of its exact stage (exactSolver: the first worker solves each round's
 * second block while the calling thread solves the first). The pass is
 * split into contiguous chunks of candidates, claimed in turn by the
 * workers and by the calling thread, which works too. Every candidate gets
 * the same arithmetic wherever it runs (bounding-kernel.ts), so results are
 * bit for bit those of `workers: 0`, and runs with `randomState` repeat
 * exactly with any count.
 *
 * Workers start from source text (the kernel's Function.prototype.toString,
 * put together by ./bounding-worker-script), so they need no file on disk
 * and work alike from TypeScript sources and from the built bundle. In Node
 * (and Deno, through its node:worker_threads) they are `worker_threads`
 * with `eval: true`; they are unref'ed while idle, so they never keep a
 * process alive. In browsers they are Web Workers from
 * a Blob URL of the same script (pool-worker.ts).
 */
import type { WorkersOption } from '../util/workers';
export { AUTO_WORKERS_MAX, resolveWorkers, type WorkersOption } from '../util/workers';
import { startPoolWorkers, type PoolWorker as NodeWorker } from './pool-worker';
import type { BoundingResult, BoundingTask } from './bounding-kernel';
import { boundingBackend, resolveBoundingBackend, runBoundingPass } from './bounding-wasm';
import { workerSource } from './bounding-worker-script';
import type { ExactConfig, ExactRequest, ExactResult } from './exact-stage';
import type { RemoteSolver } from './screening';
import { guidedCuts, headOnly, MIN_SLICE_WORK, yieldTurn } from './bounding-chunks';
export { CHUNKS_PER_THREAD, guidedCuts, headOnly, MIN_SLICE_WORK } from './bounding-chunks';
// Kept importable from here, where it was first defined.
export { workerSource } from './bounding-worker-script';

/** Splits bounding passes over worker threads and the calling thread. */
export class BoundingPool {
  private readonly pending = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  /**
   * The posterior factor shared with the first worker: one buffer, reused
   * from fit to fit (a fresh 8 MB at n = 1,000 cost the calling thread about
   * 20 ms of page faults per suggestion), and `sharedFor`, the factor it now
   * holds (a screening of the same factor, as round two of a suggestion,
   * copies nothing).
   */
  private shared: SharedArrayBuffer | null = null;
  private sharedFor: WeakRef<Float64Array> | null = null;
  /**
   * S's factor for the worker's exact stage, the same way: posted as a copy,
   * its 2 MB at n = 1,000 cost the calling thread about 7 ms of structured
   * clone per screening, against a fraction of a millisecond to copy here.
   */
  private sharedS: SharedArrayBuffer | null = null;
  /**
   * Whether a screening holds the worker's exact stage: the worker has one
   * (its memory laid out for one factor), so a screening that runs while
   * another holds it solves all its blocks on its own thread.
   */
  private exactHeld = false;
  private nextSetup = 0;
  private nextId = 0;
  private disposed = false;
  private broken = false;

  private constructor(private readonly workers: NodeWorker[]) {
    for (const w of workers) {
      w.on('message', (msg: { id: number; r?: never; error?: string }) => {
        const job = this.pending.get(msg.id);
        if (!job) return;
        this.pending.delete(msg.id);
        if (this.pending.size === 0) for (const x of this.workers) x.unref();
        if (msg.error !== undefined) job.reject(new Error(`bounding worker failed: ${msg.error}`));
        else job.resolve(msg.r!);
      });
      // a broken pool is not used again: later passes run on the calling thread
      w.on('error', (e: Error) => { this.broken = true; this.failAll(e); });
      w.on('exit', () => { this.broken = true; this.failAll(new Error('bounding worker exited')); });
      w.unref();
    }
  }

  /**
   * Starts the workers `workers` asks for on this machine
   * ({@link resolveWorkers}): worker_threads in Node and Deno, Web Workers
   * in browsers ({@link startPoolWorkers}); null where there are none to
   * start (the caller then runs the pass itself).
   */
  static async create(workers: WorkersOption | undefined): Promise<BoundingPool | null> {
    const started = await startPoolWorkers(workerSource(), workers);
    return started ? new BoundingPool(started) : null;
  }

  /** Helper threads (the calling thread comes on top). */
  get size(): number {
    return this.workers.length;
  }

  /** Candidates bounded so far by the helper threads and by the calling thread, in split passes (for tests and benchmarks). */
  readonly bounded = { workers: 0, here: 0 };

  /**
   * The pass over `task`'s candidates, in contiguous chunks that shrink as
   * the pass goes ({@link guidedCuts}) and that the threads claim in turn:
   * each worker keeps two in flight, the calling thread takes the next one
   * whenever it is free. So a thread slowed by other load does less of the
   * pass, not the whole pass waits for it, and the calling thread's wait for
   * the workers' last chunks is short. Small tasks run here alone.
   * `meanwhile` runs once on this thread, after the workers have their first
   * chunks and before this thread takes one (before the pass where it runs
   * here alone): work the pass does not need, done while they start.
   */
  async run(task: BoundingTask, meanwhile?: () => void): Promise<BoundingResult> {
    const { count, d, head } = task;
    const small = Math.floor((task.count * task.n) / MIN_SLICE_WORK) <= 1;
    if (this.disposed || this.broken || small) {
      meanwhile?.();
      return runBoundingPass(task);
    }
    const cuts = guidedCuts(count, this.workers.length + 1, MIN_SLICE_WORK / Math.max(1, task.n));
    const chunks = cuts.length - 1;
    const results: BoundingResult[] = [];
    let next = 0;
    // each pass's shared arrays under an id of its own, so passes that overlap (one
    // engine proposing for two studies at once) never read each other's
    const sid = this.nextSetup++;
    const feed = async (w: NodeWorker): Promise<void> => {
      while (next < chunks) {
        const i = next++;
        // slice(), not subarray(): posting a view would copy its whole buffer
        const points = task.points.slice(cuts[i] * d, cuts[i + 1] * d);
        results[i] = await this.send(w, { sid, points, count: cuts[i + 1] - cuts[i] }, [points.buffer]);
        this.bounded.workers += cuts[i + 1] - cuts[i];
      }
    };
    // the arrays every chunk shares go once per worker and pass
    // the workers follow this thread's choice (its exp check included)
    const backend = resolveBoundingBackend(task.backend ?? boundingBackend());
    const base: BoundingTask = { ...headOnly(task), backend, points: new Float64Array(0), count: 0 };
    for (const w of this.workers) w.postMessage({ setup: base, sid });
    const drop = () => { for (const w of this.workers) w.postMessage({ drop: sid }); };
    const remote = Promise.all(this.workers.flatMap((w) => [feed(w), feed(w)]));
    remote.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile
    try {
      meanwhile?.(); // this thread's other work, while the workers start on their first chunks
      while (next < chunks) {
        const i = next++;
        results[i] = runBoundingPass({ ...task, backend: base.backend, points: task.points.subarray(cuts[i] * d, cuts[i + 1] * d), count: cuts[i + 1] - cuts[i] });
        this.bounded.here += cuts[i + 1] - cuts[i];
        await yieldTurn(); // lets answered workers claim their next chunks
      }
    } finally {
      await Promise.allSettled([remote]); // after an error here too: no chunk left unanswered behind it
      drop();
    }
    await remote;
    const out: BoundingResult = {
      mean: new Float64Array(count), varianceBound: new Float64Array(count),
      wHead: new Float64Array(task.keepHead === true ? count * head : 0), qHead: new Float64Array(count),
    };
    results.forEach((r, i) => {
      out.mean.set(r.mean, cuts[i]);
      out.varianceBound.set(r.varianceBound, cuts[i]);
      if (r.wHead.length > 0) out.wHead.set(r.wHead, cuts[i] * head);
      out.qHead.set(r.qHead, cuts[i]);
    });
    return out;
  }

  /**
   * A solver of exact-stage blocks on the first worker, for one screening
   * (exact-stage.ts: the same results as on the calling thread, bit for
   * bit; screening.ts asks only where the pass ran in WebAssembly); null
   * where the pool cannot take them: disposed, broken, or no
   * SharedArrayBuffer, as in a page that is not cross-origin isolated (the
   * factor would then be copied into every screening's message, 8 MB at
   * n = 1,000, which cost Chromium more than the worker saves). The factor
   * L goes to the worker through shared memory, once per factor.
   */
  exactSolver(cfg: ExactConfig): RemoteSolver | null {
    if (this.disposed || this.broken || this.workers.length === 0 || this.exactHeld) return null;
    if (typeof SharedArrayBuffer !== 'function') return null;
    this.exactHeld = true;
    const w = this.workers[0];
    const L = this.sharedCopy(cfg.L);
    const sL = this.sharedSubset(cfg.sL);
    // the buffers and where the factors lie in them, not views: Deno's node:worker_threads
    // passes a SharedArrayBuffer as is but copies a view's elements (8 MB: 60-250 ms)
    const shared = [L.buffer, L.byteOffset, L.length, sL.buffer, sL.byteOffset, sL.length];
    w.postMessage({ exactSetup: { ...cfg, L: null, sL: null, shared } });
    let held = true;
    const solve: RemoteSolver = (req: ExactRequest) => this.send<ExactResult>(w, { exact: req });
    solve.release = () => {
      if (!held) return;
      held = false;
      this.exactHeld = false;
    };
    return solve;
  }

  /**
   * `L` in the pool's shared buffer (grown to fit), copied unless the buffer
   * already holds it (called only where there is a SharedArrayBuffer).
   * Only the holder of the exact stage calls it, so the buffer is never
   * rewritten under a screening that reads it.
   */
  private sharedCopy(L: Float64Array): Float64Array {
    if (L.buffer instanceof SharedArrayBuffer) return L; // the GP's factor lives in shared memory: no copy
    if (this.shared && this.sharedFor?.deref() === L) return new Float64Array(this.shared, 0, L.length);
    if (!this.shared || this.shared.byteLength < L.length * 8) {
      // room for the factor to grow by an eighth (about 60 more points at n = 1,000) before the next buffer
      this.shared = new SharedArrayBuffer(8 * Math.ceil(L.length * 1.125));
    }
    const view = new Float64Array(this.shared, 0, L.length);
    view.set(L);
    this.sharedFor = new WeakRef(L);
    return view;
  }

  /**
   * S's factor in the pool's second shared buffer (grown to fit). Rewritten
   * at every setup: only the holder of the exact stage calls it, and a
   * screening's blocks are all answered before it lets the stage go.
   */
  private sharedSubset(sL: Float64Array): Float64Array {
    if (sL.buffer instanceof SharedArrayBuffer) return sL;
    if (!this.sharedS || this.sharedS.byteLength < sL.byteLength) {
      // room for S to grow by an eighth (it grows with n, a row about every second suggestion)
      this.sharedS = new SharedArrayBuffer(8 * Math.ceil(sL.length * 1.125));
    }
    const view = new Float64Array(this.sharedS, 0, sL.length);
    view.set(sL);
    return view;
  }

  private send<T = BoundingResult>(w: NodeWorker, msg: object, transfer?: ArrayBuffer[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      w.ref(); // a pending chunk keeps the process alive until it is answered
      w.postMessage({ id, ...msg }, transfer);
    });
  }

  private failAll(e: Error): void {
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const j of jobs) j.reject(e);
  }

  /** Terminates the workers; safe to call twice. Pending passes are rejected. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new Error('bounding pool disposed'));
    for (const w of this.workers) void w.terminate();
  }
}
