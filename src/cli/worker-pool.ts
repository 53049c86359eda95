/**
 * Worker processes for `compare`: the searches of its strategies are
 * independent, and so are the retrainings of a recommended configuration,
 * so with `processes` > 1 they run side by side, one training per process,
 * each process with its own tfjs backend (tfjs's wasm backend trains on one
 * core per process). Jobs go to whichever worker is free, in the order they
 * were queued; results come back to the job that asked, so the caller
 * assembles them in its fixed order and the record does not depend on
 * timing. Only progress lines interleave.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BayesOptError, EngineError, InvalidOptionError, StateError } from '../errors';
import type { Progress } from './progress';
import type { RetrainResult } from './retrain';
import type { ResolvedOptions, StrategyRecord } from './types';
import type { FromWorker, ToWorker, WorkerJob } from './worker-protocol';

/**
 * The worker's script: the source next to this file (run through tsx's
 * loader), or the bundle's `cli-worker.js` (this file sits in dist/chunks/ or dist/).
 */
function workerScript(): { path: string; execArgv: string[] } {
  const ts = fileURLToPath(new URL('./worker-entry.ts', import.meta.url));
  if (existsSync(ts)) return { path: ts, execArgv: ['--import', 'tsx'] };
  for (const rel of ['../cli-worker.js', './cli-worker.js']) {
    const js = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(js)) return { path: js, execArgv: [] };
  }
  throw new StateError('worker processes: the worker script (cli-worker.js) was not found next to the command line');
}

/** The error a worker reported, as the typed error it was where that type is known. */
function rebuild(m: Extract<FromWorker, { type: 'error' }>): Error {
  if (m.name === 'InvalidOptionError') return new InvalidOptionError(m.message, m.option ?? '');
  if (m.name === 'EngineError') return new EngineError(m.message);
  return new BayesOptError(`worker process: ${m.name}: ${m.message}`);
}

interface Pending { id: number; job: WorkerJob; resolve: (r: unknown) => void; reject: (e: Error) => void }

interface Worker { child: ChildProcess; busy: Pending | null; stderr: string }

/** `n` worker processes, started on first use; `close()` ends them (idempotent). */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;
  private failure: Error | null = null;
  /** the most tfjs tensors a worker held after a job beyond those it held after its warm-up: 0 when nothing leaks */
  tensorsLeft = 0;

  constructor(private readonly n: number, private readonly options: ResolvedOptions, private readonly progress: Progress) {}

  /** The search of `job.name` on `job.seed`, without its retraining (retrainEpochs 0). */
  search(job: Extract<WorkerJob, { kind: 'search' }>): Promise<StrategyRecord> {
    return this.submit(job) as Promise<StrategyRecord>;
  }

  /** Retraining `job.k` of a recommended configuration. */
  retrain(job: Extract<WorkerJob, { kind: 'retrain' }>): Promise<RetrainResult> {
    return this.submit(job) as Promise<RetrainResult>;
  }

  private submit(job: WorkerJob): Promise<unknown> {
    if (this.closed) return Promise.reject(new StateError('worker processes: the pool is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let w = this.workers.find((x) => x.busy === null);
      if (w === undefined && this.workers.length < this.n) w = this.spawn();
      if (w === undefined) return;
      const p = this.queue.shift()!;
      w.busy = p;
      w.child.send({ type: 'job', id: p.id, job: p.job } satisfies ToWorker);
    }
  }

  private spawn(): Worker {
    const { path, execArgv } = workerScript();
    const child = fork(path, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const w: Worker = { child, busy: null, stderr: '' };
    child.stderr?.on('data', (d: Buffer) => { w.stderr = (w.stderr + d.toString()).slice(-4000); });
    child.on('message', (m: FromWorker) => this.onMessage(w, m));
    child.on('error', (e) => this.fail(new StateError(`worker processes: ${e.message}`)));
    child.on('exit', (code, signal) => {
      if (this.closed && w.busy === null) return;
      const tail = w.stderr.trim().split('\n').slice(-5).join('\n');
      this.fail(new StateError(`worker processes: a worker exited (${signal ?? `code ${code}`}) ${w.busy ? 'during a job' : 'while idle'}${tail ? `: ${tail}` : ''}`));
    });
    child.send({ type: 'init', options: this.options } satisfies ToWorker);
    this.workers.push(w);
    return w;
  }

  private onMessage(w: Worker, m: FromWorker): void {
    switch (m.type) {
      case 'status': this.progress.status(m.text); return;
      case 'advance': this.progress.advance(m.text); return;
      case 'note': this.progress.note(m.text); return;
      case 'done':
      case 'error': {
        const p = w.busy;
        if (p === null || (m.id !== null && m.id !== p.id)) {
          this.fail(new StateError(`worker processes: an answer to no job in flight (${m.type} ${m.id})`));
          return;
        }
        w.busy = null;
        if (m.type === 'done') {
          if (m.tensorsLeft !== 0) this.progress.note(`warning: a worker process holds ${m.tensorsLeft} more tfjs tensors after a job than before (a leak)`);
          this.tensorsLeft = Math.max(this.tensorsLeft, m.tensorsLeft);
          p.resolve(m.result);
        }
        else p.reject(rebuild(m));
        if (m.type === 'error' && m.id === null) this.fail(rebuild(m));
        else this.dispatch();
      }
    }
  }

  /** Rejects every job queued or in flight, and ends the workers. */
  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const w of this.workers) if (w.busy) { w.busy.reject(err); w.busy = null; }
    for (const p of this.queue.splice(0)) p.reject(err);
    this.close();
  }

  /** Ends the workers: each finishes its job in flight, if any, then exits. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) if (w.child.connected) w.child.disconnect();
  }
}
