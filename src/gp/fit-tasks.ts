/**
 * The independent pieces of a hyperparameter fit (./hyperparameter-fit): one
 * probe of one start, or one lengthscale model's final run with its Laplace
 * evidence. Each is a pure function of plain data (typed arrays, numbers,
 * strings), so it can be posted to a worker thread (./fit-pool) and gives
 * there the very floats it gives on the calling thread: a fit split over
 * threads finds, bit for bit, the hyperparameters of a sequential one.
 *
 * This module and its imports are bundled into the worker's script
 * (scripts/gen-fit-worker.mjs writes ./fit-worker-source.ts from
 * ./fit-worker-entry.ts); run `node scripts/gen-fit-worker.mjs` after
 * changing any of them (test/gp/fit-pool.test.ts checks it is fresh).
 */
import { minimizeLbfgsb } from '../util/lbfgsb';
import type { KernelName } from './kernels';
import { groupCount, laplaceLogEvidence, reduceToShared, reduceToTied, sharedObjective, tiedObjective, type Objective } from './lengthscale-model';
import { MarginalLikelihood } from './likelihood';
import { defaultHyperPriors, hyperparameterBounds } from './priors';

/** Per-start optimizer budget; hyperparameter MAP needs no more precision than this. */
export const FIT_OPTIONS = { maxIterations: 100, pgtol: 1e-4, ftol: 1e-9 };
/** Iterations each start gets before only the best one is continued. */
export const PROBE_ITERATIONS = 8;

/** The data and settings every task of one fit shares. */
export interface FitJob {
  kernel: KernelName;
  /** `n x d` row-major inputs */
  X: Float64Array;
  /** `n` standardized targets */
  y: Float64Array;
  n: number;
  d: number;
  usePriors: boolean;
  noiseFloor: number;
  /** the lengthscale each column uses (`d` entries, see tiedObjective); absent: one per column */
  groups?: Int32Array;
}

/**
 * One task: 'probe' runs PROBE_ITERATIONS of L-BFGS from `start`; 'final'
 * continues a model's best probe (`start`, value `f`) to convergence unless
 * it `converged`, and adds its Laplace log evidence when `evidence` is set.
 * 'shared' points are the reduced [log l, log s2, log noise]; 'ard' points
 * of a job with `groups` the tied ones (see tiedObjective).
 */
export interface FitTask {
  kind: 'probe' | 'final';
  model: 'ard' | 'shared';
  start: Float64Array;
  f?: number;
  converged?: boolean;
  evidence?: boolean;
}

/** A task's result; `evaluations` counts the likelihood evaluations it made. */
export interface FitTaskResult {
  x: Float64Array;
  f: number;
  converged: boolean;
  evaluations: number;
  /** Laplace log evidence of the final point (when asked) */
  evidence?: number;
}

/** The MAP objective of a model, counting its evaluations, and its box. */
export function modelObjective(job: FitJob, model: 'ard' | 'shared'): {
  fg: Objective; lower: Float64Array; upper: Float64Array; count: () => number;
} {
  const { kernel, X, y, n, d, groups } = job;
  // the priors' dimension scaling counts lengthscales, not columns: a categorical's one-hot is one
  const G = groups ? groupCount(groups) : d;
  const pri = job.usePriors ? defaultHyperPriors(G) : null;
  let count = 0;
  const { lower, upper } = hyperparameterBounds(d, job.noiseFloor);
  if (model === 'ard' && !groups) {
    const ml = new MarginalLikelihood({ kernel, X, y, n, d }, pri);
    return { fg: (t, g) => (count++, ml.evaluate(t, g)), lower, upper, count: () => count };
  }
  const plain = new MarginalLikelihood({ kernel, X, y, n, d }, null);
  if (model === 'ard') {
    const fg = tiedObjective((t, g) => (count++, plain.evaluate(t, g)), groups!, G, pri);
    return { fg, lower: reduceToTied(lower, groups!, G), upper: reduceToTied(upper, groups!, G), count: () => count };
  }
  const fg = sharedObjective((t, g) => (count++, plain.evaluate(t, g)), d, pri);
  return { fg, lower: reduceToShared(lower, d), upper: reduceToShared(upper, d), count: () => count };
}

/** Runs one task (see {@link FitTask}). */
export function runFitTask(job: FitJob, task: FitTask): FitTaskResult {
  const { fg, lower, upper, count } = modelObjective(job, task.model);
  if (task.kind === 'probe') {
    const r = minimizeLbfgsb(fg, task.start, { lower, upper, ...FIT_OPTIONS, maxIterations: PROBE_ITERATIONS });
    return { x: r.x, f: r.f, converged: r.converged, evaluations: count() };
  }
  let x = task.start;
  let f = task.f ?? Infinity;
  if (!task.converged) {
    const r = minimizeLbfgsb(fg, x, { lower, upper, ...FIT_OPTIONS });
    if (r.f <= f) { x = r.x; f = r.f; }
  }
  const evidence = task.evidence ? laplaceLogEvidence(fg, x, f, lower, upper) : undefined;
  return { x, f, converged: true, evaluations: count(), ...(evidence === undefined ? {} : { evidence }) };
}
