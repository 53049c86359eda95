/**
 * The bounding pool's workers in one shape wherever they run: Node's
 * `worker_threads` (Deno's too, through node:worker_threads), started from
 * source text with `eval: true`, or, in browsers, Web Workers started from a
 * Blob URL of the same text. The pool (bounding-pool.ts) sees only
 * {@link PoolWorker}; the worker's script sees only `parentPort`
 * ({@link WORKER_PORT_SOURCE}), so one script serves both.
 */
import { resolveWorkers, type WorkersOption } from '../util/workers';

/**
 * A started worker, in the shape of Node's `Worker` (which is used as is).
 * 'message' gives the posted value; 'error' an Error; 'exit' comes only from
 * Node's workers (a Web Worker does not exit on its own). ref/unref decide
 * whether the worker keeps a Node process alive; in browsers they do nothing.
 */
export interface PoolWorker {
  postMessage(v: unknown, transfer?: readonly Transferable[]): void;
  on(ev: 'message' | 'error' | 'exit', f: (v: never) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

/**
 * Source text that binds `parentPort` in a worker's script: Node's
 * (`require` exists in an eval worker), else the Web Worker's `self` in the
 * same shape (`on('message', f)` gets the posted value, `postMessage(v, transfer)`).
 */
export const WORKER_PORT_SOURCE = `const parentPort = typeof require === 'function' ? require('node:worker_threads').parentPort : {
  on: (ev, f) => self.addEventListener(ev, (e) => f(e.data)),
  postMessage: (v, transfer) => self.postMessage(v, transfer ?? []),
};`;

interface WebWorkerLike {
  postMessage(v: unknown, transfer: Transferable[]): void;
  addEventListener(ev: string, f: (e: { data?: unknown; message?: string; preventDefault?: () => void }) => void): void;
  terminate(): void;
}
type WebWorkerCtor = new (url: string, opts?: { name?: string }) => WebWorkerLike;

/** A Web Worker in the pool's shape; `release` runs once, at terminate (revokes the script's URL). */
function webPoolWorker(w: WebWorkerLike, release: () => void): PoolWorker {
  let terminated = false;
  return {
    postMessage: (v, transfer) => w.postMessage(v, transfer ? [...transfer] : []),
    on(ev, f) {
      const g = f as (v: unknown) => void;
      if (ev === 'message') w.addEventListener('message', (e) => g(e.data));
      // an uncaught error in the worker (its script failed to load or threw outside a task)
      else if (ev === 'error') w.addEventListener('error', (e) => {
        e.preventDefault?.();
        g(new Error(e.message ?? 'Web Worker error'));
      });
    },
    ref() {},
    unref() {},
    terminate() {
      if (!terminated) {
        terminated = true;
        w.terminate();
        release();
      }
      return Promise.resolve(0);
    },
  };
}

/**
 * Starts the workers `workers` asks for on this machine ({@link resolveWorkers};
 * the core count from os.availableParallelism in Node and Deno,
 * navigator.hardwareConcurrency in browsers), each running `source`.
 * Null where there are none to start (0 asked, one core, or neither
 * worker_threads nor Web Workers here).
 */
export async function startPoolWorkers(source: string, workers: WorkersOption | undefined): Promise<PoolWorker[] | null> {
  if (resolveWorkers(workers, 2) === 0) return null;
  const g = globalThis as {
    process?: { versions?: { node?: string } };
    navigator?: { hardwareConcurrency?: number };
    Worker?: WebWorkerCtor;
  };
  if (g.process?.versions?.node) {
    const os = (await import(/* @vite-ignore */ 'node:os')) as typeof import('node:os');
    const count = resolveWorkers(workers, os.availableParallelism?.() ?? os.cpus().length);
    if (count === 0) return null;
    const spec = 'node:worker_threads';
    const { Worker } = (await import(/* @vite-ignore */ spec)) as { Worker: new (src: string, o: { eval: true }) => PoolWorker };
    return Array.from({ length: count }, () => new Worker(source, { eval: true }));
  }
  if (typeof g.Worker !== 'function' || typeof Blob !== 'function' || typeof URL.createObjectURL !== 'function') return null;
  const count = resolveWorkers(workers, g.navigator?.hardwareConcurrency ?? 1);
  if (count === 0) return null;
  // one URL for all the pool's workers, revoked once they are all terminated
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  let live = count;
  const release = () => {
    if (--live === 0) URL.revokeObjectURL(url);
  };
  const Ctor = g.Worker;
  return Array.from({ length: count }, (_, i) => webPoolWorker(new Ctor(url, { name: `bounding-${i}` }), release));
}
