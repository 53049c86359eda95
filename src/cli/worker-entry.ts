/**
 * A worker process of `compare` (started by ./worker-pool): it loads the
 * data and its own tfjs backend once, then runs the jobs it is sent, one at
 * a time, and sends back each job's record and its progress lines. The
 * search and the retraining are the in-process ones (runStrategy without
 * its retraining, retrainOnce), on the study bound the same way (bindStudy),
 * so a seeded job gives the numbers it gives in-process.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors';
import { Space } from '../space';
import { digitsStudy, taxiStudy } from '../studies';
import { bindStudy, warmUp } from './bind';
import { prepareData, type StudyData } from './data';
import { setupEnvironment, type RunEnvironment } from './environment';
import type { Progress } from './progress';
import { retrainOnce } from './retrain';
import { strategyBudget } from './options';
import { prunedTrials, runStrategy, sharedInitialPoints, type BoundStudy } from './run-strategy';
import type { ResolvedOptions } from './types';
import type { FromWorker, ToWorker, WorkerJob } from './worker-protocol';

const send = (m: FromWorker): void => void process.send?.(m);

const progress: Progress = {
  start: () => {},
  stop: () => {},
  status: (text) => send({ type: 'status', text }),
  advance: (text) => send({ type: 'advance', text }),
  note: (text) => send({ type: 'note', text }),
};

let o: ResolvedOptions | null = null;
let env: RunEnvironment | null = null;
let dataFor: ((seed: number) => Promise<StudyData>) | null = null;
let warm = false;
/** tensors alive after the warm-up: every job must leave the count there (the taxi and digits trainings dispose all they make) */
let baseTensors = 0;
const bound = new Map<number, BoundStudy>();

async function boundFor(seed: number): Promise<BoundStudy> {
  let b = bound.get(seed);
  if (b === undefined) {
    const study = (o!.study === 'taxi' ? taxiStudy : digitsStudy) as BoundStudy['study'];
    b = bindStudy(o!, study, await dataFor!(seed), seed);
    bound.set(seed, b);
  }
  if (!warm) {
    await warmUp(b, Space.fromOptions({ space: b.study.space }), progress);
    warm = true;
    baseTensors = tf.memory().numTensors;
  }
  return b;
}

async function runJob(job: WorkerJob) {
  const opts = o!;
  const b = await boundFor(job.seed);
  if (job.kind === 'retrain') {
    return retrainOnce(b, job.params, {
      seed: job.seed, k: job.k, repeats: opts.retrainRepeats, epochs: opts.retrainEpochs, label: job.label, progress,
    });
  }
  const space = Space.fromOptions({ space: b.study.space });
  return runStrategy(job.name, b, {
    budget: strategyBudget(opts, job.name), initPoints: sharedInitialPoints(space, job.seed, opts.init), seed: job.seed, retrainEpochs: 0,
    engine: env!.engine, progress, pruner: job.pruner, grace: opts.grace, concurrency: opts.concurrency, ...prunedTrials(opts),
    ...(opts.timeBudget !== null ? { timeBudgetMs: 1000 * opts.timeBudget } : {}),
  });
}

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'init') {
    o = m.options;
    dataFor = await prepareData(o);
    env = await setupEnvironment(o.backend, o.engine, () => {});
    return;
  }
  try {
    const result = await runJob(m.job);
    send({ type: 'done', id: m.id, result, tensorsLeft: tf.memory().numTensors - baseTensors });
  } catch (err) {
    sendError(m.id, err);
  }
}

function sendError(id: number | null, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  send({ type: 'error', id, name: e.name, message: e.message, ...(e instanceof InvalidOptionError ? { option: e.option } : {}) });
}

// One message at a time, in order: a job starts after the one before it ends.
let chain = Promise.resolve();
process.on('message', (m: ToWorker) => {
  chain = chain.then(() => handle(m)).catch((err) => {
    sendError(null, err);
    process.exitCode = 1;
    process.disconnect?.();
  });
});
process.on('disconnect', () => {
  void chain.finally(() => {
    env?.dispose();
    process.exit(process.exitCode ?? 0);
  });
});
