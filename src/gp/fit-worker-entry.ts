/**
 * The message loop of a fit worker thread (./fit-pool). Bundled with the
 * task code into ./fit-worker-source.ts by scripts/gen-fit-worker.mjs, so
 * the worker starts from source text, with no file on disk and no loader,
 * alike from TypeScript sources and from the built package.
 *
 * A job is a list of tasks and a shared control block: every thread (this
 * worker, the others and the calling thread) claims the next task index by
 * an atomic add on slot 0, posts the result on its reply port, then counts
 * it done in slot 1 and wakes the calling thread.
 */
import { runFitTask, type FitJob, type FitTask } from './fit-tasks';

interface Port { postMessage(v: unknown): void; on(ev: string, f: (m: never) => void): void }
declare const require: (id: string) => { parentPort: Port; workerData: { port: Port } };

const { parentPort, workerData } = require('node:worker_threads');
const reply = workerData.port;

parentPort.on('message', (m: { id: number; job: FitJob; tasks: FitTask[]; ctl: SharedArrayBuffer }) => {
  const ctl = new Int32Array(m.ctl);
  for (;;) {
    const i = Atomics.add(ctl, 0, 1);
    if (i >= m.tasks.length) break;
    try {
      reply.postMessage({ id: m.id, i, r: runFitTask(m.job, m.tasks[i]) });
    } catch (e) {
      // the calling thread runs this task again itself (and meets the error there)
      reply.postMessage({ id: m.id, i, error: String(e) });
    }
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
});
