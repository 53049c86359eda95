/**
 * Constructor options shared by BayesianOptimization, RandomSearch and
 * GridSearch, and their validation: an unknown name or a bad value is an
 * InvalidOptionError that names the option (single values: ./option-values).
 */
import type { AcquisitionKind } from '../acquisition/functions';
import { MAX_CANDIDATES, type Engine } from '../acquisition/engine';
import { InvalidOptionError } from '../errors';
import { storageTargetProblem, type StorageTarget } from '../storage/study';
import type { KernelName } from '../gp/kernels';
import type { PboundsInput, SpaceSpec } from '../space/types';
import type { NoPbounds, ObjectiveParams, PairsOnly, Uninferred } from './objective-params';
import type { Objective } from './objective';
import type { FailedTrialPolicy } from './observations';
import { parsePruner, type PrunerOption } from '../pruners';
import { PENDING_STRATEGIES, type PendingStrategy } from './pending';
import { show } from '../util/format-value';
import { bad, bayesOptHint, checkGpOptions, parseAcquisition, parseStallExploration } from './option-values';

export type AcquisitionOption = AcquisitionKind | { kind: AcquisitionKind; xi?: number | undefined; kappa?: number | undefined };
export type EngineOption = 'auto' | 'webgpu' | 'cpu' | Engine;
export type { Direction } from '../study/types';
export { DEFAULT_KAPPA, DEFAULT_XI, parseAcquisition, parseStallExploration } from './option-values';
import type { Direction } from '../study/types';
export type { NoPbounds, ObjectiveParams } from './objective-params';

/**
 * Options of every optimizer. Defaults in brackets. `S` and `B` are inferred
 * from `space` and `pbounds`, and type the params `f` receives:
 * ```ts
 * new BayesianOptimization({
 *   space: { lr: { type: 'float', low: 1e-4, high: 0.1, log: true }, act: { type: 'categorical', choices: ['relu', 'tanh'] } },
 *   f: ({ lr, act }) => score(lr, act), // lr: number, act: 'relu' | 'tanh'
 * });
 * ```
 */
export interface OptimizerOptions<S extends SpaceSpec = SpaceSpec, B extends PboundsInput = NoPbounds> {
  /** the objective, called as `f(params, { trialId, signal, report, shouldPrune, setUserAttr })` (see TrialContext); may be async. Needed by `maximize` and lazy probes. */
  f?: Objective<ObjectiveParams<S, Uninferred<B>>> | undefined;
  /** bayes_opt shorthand: name -> [low, high] linear floats (see PboundsInput). Give this or `space`. */
  pbounds?: (B & PairsOnly<B>) | undefined;
  /** typed parameters (float, int, categorical). Give this or `pbounds`. */
  space?: S | undefined;
  /** seed; the same seed gives the same run bit for bit on the CPU engine, one trial at a time (with `maximize`'s `concurrency` above 1, what is asked depends on which call ends first) [random] */
  randomState?: number | undefined;
  /** 'maximize' (like bayes_opt) or 'minimize' ['maximize'] */
  direction?: Direction | undefined;
  /**
   * 'ei' | 'logei' | 'pi' | 'ucb', or { kind, xi, kappa }; giving it (even
   * 'ei') also makes the suggestions made while trials are pending use it
   * (`pendingAcquisition` then defaults to 'same') ['ei', xi 0.01
   * (standardized units), kappa 2.576]
   */
  acquisition?: AcquisitionOption | undefined;
  /** 0 silent, 1 new bests, 2 every step, as bayes_opt's table [0] */
  verbose?: 0 | 1 | 2 | undefined;
  /**
   * where to compute acquisitions: 'auto' is WebGPU on a hardware adapter;
   * on a software adapter (llvmpipe, SwiftShader) whichever of WebGPU and the
   * CPU engine measures faster for the problem's shape, except with
   * `randomState`: then the CPU engine, untimed, so that the seeded run
   * repeats bit for bit; the CPU engine without an adapter ['auto']
   */
  engine?: EngineOption | undefined;
  /** candidates scored per suggestion, at most 2^24; the CPU engine scores at most what fits 256 MiB and says so once [65,536 on WebGPU, 10,000 on the CPU; `engine: 'auto'` on a software adapter 10,000 below 1,000 observations, 65,536 from there] */
  candidates?: number | undefined;
  /** GP kernel ['matern52'] */
  kernel?: KernelName | undefined;
  /** design of the initial points ['lhs'] */
  initDesign?: 'random' | 'lhs' | 'sobol' | undefined;
  /**
   * how failed trials enter the GP: 'worst' imputes them at the worst
   * completed value, so the model learns where the objective fails;
   * 'below-worst' half the observed range lower; 'ignore' leaves them out ['worst'].
   * A failure retried since (its worker stopped mid-trial) is never imputed.
   */
  failedTrials?: FailedTrialPolicy | undefined;
  /**
   * 'winsorize' clips disastrous targets (below Q1 - 1.5 IQR, after the sign for direction) before the GP fit;
   * 'power' fits the GP to a Box-Cox transform of the gap below the best target (lambda by maximum likelihood,
   * used when a GP on it has higher evidence than on the raw targets: a log warp
   * for targets spanning orders of magnitude, see src/gp/transforms.ts), then winsorizes on that scale;
   * 'none' fits raw values ['power']
   */
  outputWarping?: 'winsorize' | 'power' | 'none' | undefined;
  /** polish the engine's best candidate by gradient ascent of the acquisition (float64, CPU) [true] */
  refine?: boolean | undefined;
  /**
   * exploration when the incumbent stalls (see src/optimizer/stall.ts): after
   * `every` completed trials without an improvement of more than `tolerance`
   * standard deviations of the targets, one suggestion maximizes UCB with
   * `kappa` instead of the acquisition, on a GP fitted without the 'power'
   * output warp (winsorized targets); in `suggestBatch(q)` with q >= 2, the batch's
   * first point when a multiple of `batchEvery` falls among its q counts
   * (2: a batch's results arrive together; measured, see exploreInBatch); `true` for the defaults
   * ({ every: 4, kappa: 2.576, tolerance: 1e-3, batchEvery: 2 }), `false` for never [true]
   */
  stallExploration?: boolean | { every?: number | undefined; kappa?: number | undefined; tolerance?: number | undefined; batchEvery?: number | undefined } | undefined;
  /** GP fitting knobs; `lengthscales`: 'ard', 'shared' or 'auto' (chosen by evidence) ['auto'] */
  gp?: {
    restarts?: number | undefined; noiseFloor?: number | undefined; priors?: boolean | undefined; maxFitPoints?: number | undefined;
    refit?: 'always' | 'auto' | undefined;
    lengthscales?: 'ard' | 'shared' | 'auto' | undefined;
    /** the lengthscale each encoded column uses, 0 .. G - 1 [one per column; one per categorical of more than TIE_CHOICES (16) choices] */
    lengthscaleGroups?: number[] | undefined;
    /** constant prior mean in standard deviations from the targets' mean (negative: pessimistic) [-1] */
    priorMean?: number | undefined;
    /** helper threads for the hyperparameter fit's restarts (same result with any count; Node only) ['auto' = min(3, cores - 1)] */
    workers?: number | 'auto' | undefined;
  } | undefined;
  /**
   * journal file path (a file under Node, OPFS/IndexedDB in a browser) or a
   * JournalBackend: every ask and tell is written to it; a new optimizer on the
   * same journal resumes (see `ready()`, and `maximize({ resume: true })` to
   * finish a budget), and several processes may share it [none]
   */
  journal?: StorageTarget | undefined;
  /**
   * where the study is kept: a journal file path (a file under Node,
   * OPFS/IndexedDB in a browser), a `redis://` URL, a JournalBackend or a
   * StudyStorage; `journal` is an alias. A path or URL is opened here and
   * closed by `dispose()`; a backend object stays the caller's to close
   * [memory only]
   */
  storage?: StorageTarget | undefined;
  /** the study within the storage (Optuna's study_name); several studies may share one journal ['default'] */
  studyName?: string | undefined;
  /**
   * stops bad trials early from the values the objective reports
   * (`context.report(step, value)`): 'none', 'median' (5 startup trials, 0
   * warm-up steps), 'asha' (reduction factor 4, minimum resource 1),
   * 'hyperband' (reduction factor 3), or a Pruner ['none']
   */
  pruner?: PrunerOption | undefined;
  /**
   * how Bayesian optimization models pruned trials: 'last' (at their last
   * reported value), 'extrapolate' (that value plus the completed curves'
   * median gain from the same step), 'worst' (at the worst completed value),
   * 'ignore', or 'fidelity' (one GP over the parameters and the training
   * progress, fitted to every trial's learning curve, suggesting at the end of
   * training; see src/optimizer/fidelity.ts) (measured: `npm run
   * bench:pruned-model`) ['last']
   */
  prunedTrials?: 'worst' | 'last' | 'extrapolate' | 'ignore' | 'fidelity' | undefined;
  /** a trial still running after this many ms fails (a synchronous objective by its wall time, one that waits by its timer, so that time the event loop spent on other trials' suggestions is not charged to it); `Infinity` is no timeout, and delays above 2^31 - 1 ms are honored [none] */
  trialTimeoutMs?: number | undefined;
  /**
   * how trials asked but not yet told (other workers', earlier suggestions)
   * enter the model: 'believer' at the posterior mean, 'lcb-believer' one
   * posterior standard deviation below it, 'liar' at the worst
   * observed value, 'fantasy' at one joint draw from the posterior,
   * 'fantasies' the believer's point against candidates scored by the
   * acquisition averaged over 16 draws (on the GPU with the WebGPU engine),
   * 'qei' the believer's point against candidates scored by the qEI of the
   * running points and the candidate together (on the GPU with WebGPU),
   * 'penalization' the believer's point against candidates scored by the
   * acquisition times local penalizers around the running points (González
   * et al. 2016), all with hyperparameters fitted on completed trials only; 'refit-liar'
   * (for comparison) refits the hyperparameters to the lies too ['believer']
   */
  pending?: PendingStrategy | undefined;
  /**
   * the acquisition of a model-guided suggestion made while other trials are
   * pending (asynchronous workers, `concurrency`, several processes), with
   * `pending` 'believer', 'lcb-believer', 'liar', 'fantasy' or 'refit-liar':
   * the running points enter the model as `pending` says and this
   * acquisition picks the next point (UCB on the believer is GP-BUCB,
   * Desautels et al. 2014). 'same' keeps `acquisition`. Suggestions with
   * nothing pending, and `suggestBatch`, use `acquisition`. 4 asynchronous
   * workers (bench:parallel, 20 seeds) ended lower with UCB (kappa 2) than
   * with EI on 6 of 7 problems (see the README's Parallel workers)
   * [{ kind: 'ucb', kappa: 2 }; 'same' when `acquisition` is given]
   */
  pendingAcquisition?: AcquisitionOption | 'same' | undefined;
  /**
   * with `pending: 'lcb-believer'`, how many posterior standard deviations
   * below its mean a pending point enters (0 is the believer); other
   * strategies ignore it. With 4 asynchronous workers (bench:parallel,
   * 20 seeds) 0.5 is ahead of the believer on Dixon-Price-4 and
   * Rosenbrock-4 and behind it on Ackley-5; no value meets every row
   * (docs/benchmarks/parallel.md) [1]
   */
  pendingKappa?: number | undefined;
  /**
   * how `suggestBatch(q)` picks its model-guided points: 'greedy' (each with
   * the earlier ones pending, as `suggest()` would) or 'joint' (the greedy
   * batch, then points swapped in from a pool while a Monte-Carlo qEI of
   * the whole batch rises; on the GPU with the WebGPU engine; EI and log EI
   * only, other acquisitions stay greedy). 'joint' measured ahead on
   * bench:parallel's Branin and level on Hartmann6 (see the README) ['joint']
   */
  batchSelection?: 'greedy' | 'joint' | undefined;
  /** size of the initial design `suggest()` hands out before model-guided points; `maximize`'s default initPoints [5] */
  initPoints?: number | undefined;
  /** receives the progress table and engine lines [console.log] */
  log?: ((line: string) => void) | undefined;
}

export const OPTION_NAMES: readonly (keyof OptimizerOptions)[] = [
  'f', 'pbounds', 'space', 'randomState', 'direction', 'acquisition', 'verbose', 'engine',
  'candidates', 'kernel', 'initDesign', 'outputWarping', 'refine', 'stallExploration', 'failedTrials', 'gp', 'journal', 'storage', 'studyName', 'pruner', 'prunedTrials', 'trialTimeoutMs', 'log',
  'pending', 'initPoints', 'batchSelection', 'pendingKappa', 'pendingAcquisition',
];

/** Throws on unknown keys and bad values; returns the options unchanged. */
export function checkOptions(opts: unknown): OptimizerOptions {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new InvalidOptionError(`options: expected an object, got ${show(opts)}`, 'options');
  }
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(OPTION_NAMES as readonly string[]).includes(k)) {
      throw bad(k, `unknown option (known: ${OPTION_NAMES.join(', ')})${bayesOptHint(k, OPTION_NAMES)}`);
    }
  }
  if (o.f !== undefined && typeof o.f !== 'function') throw bad('f', `expected a function, got ${show(o.f)}`);
  if (o.randomState !== undefined && !(typeof o.randomState === 'number' && Number.isFinite(o.randomState))) {
    throw bad('randomState', `expected a finite number, got ${show(o.randomState)}`);
  }
  if (o.direction !== undefined && o.direction !== 'maximize' && o.direction !== 'minimize') {
    throw bad('direction', `expected "maximize" or "minimize", got ${show(o.direction)}`);
  }
  if (o.acquisition !== undefined) parseAcquisition(o.acquisition as AcquisitionOption);
  if (o.pendingAcquisition !== undefined && o.pendingAcquisition !== 'same') parseAcquisition(o.pendingAcquisition as AcquisitionOption, 'pendingAcquisition');
  if (o.verbose !== undefined && o.verbose !== 0 && o.verbose !== 1 && o.verbose !== 2) {
    throw bad('verbose', `expected 0, 1 or 2, got ${show(o.verbose)}`);
  }
  if (o.engine !== undefined) {
    const e = o.engine;
    const isEngine = typeof e === 'object' && e !== null && typeof (e as Engine).propose === 'function';
    if (!isEngine && e !== 'auto' && e !== 'webgpu' && e !== 'cpu') {
      throw bad('engine', `expected "auto", "webgpu", "cpu" or an Engine, got ${show(e)}`);
    }
  }
  if (o.candidates !== undefined && !(Number.isInteger(o.candidates) && (o.candidates as number) >= 1 && (o.candidates as number) <= MAX_CANDIDATES)) {
    throw bad('candidates', `expected an integer from 1 to ${MAX_CANDIDATES} (2^24), got ${show(o.candidates)}`);
  }
  if (o.kernel !== undefined && o.kernel !== 'matern52' && o.kernel !== 'rbf') {
    throw bad('kernel', `expected "matern52" or "rbf", got ${show(o.kernel)}`);
  }
  if (o.initDesign !== undefined && !['random', 'lhs', 'sobol'].includes(o.initDesign as string)) {
    throw bad('initDesign', `expected "random", "lhs" or "sobol", got ${show(o.initDesign)}`);
  }
  if (o.outputWarping !== undefined && !['winsorize', 'power', 'none'].includes(o.outputWarping as string)) {
    throw bad('outputWarping', `expected "winsorize", "power" or "none", got ${show(o.outputWarping)}`);
  }
  if (o.failedTrials !== undefined && !['worst', 'below-worst', 'ignore'].includes(o.failedTrials as string)) {
    throw bad('failedTrials', `expected "worst", "below-worst" or "ignore", got ${show(o.failedTrials)}`);
  }
  if (o.refine !== undefined && typeof o.refine !== 'boolean') throw bad('refine', `expected a boolean, got ${show(o.refine)}`);
  if (o.gp !== undefined) checkGpOptions(o.gp);
  if (o.stallExploration !== undefined) parseStallExploration(o.stallExploration);
  for (const k of ['journal', 'storage'] as const) {
    const problem = storageTargetProblem(o[k]);
    if (problem) throw bad(k, problem);
  }
  if (o.journal !== undefined && o.storage !== undefined) {
    throw bad('journal', 'give "storage" or its alias "journal", not both');
  }
  if (o.trialTimeoutMs !== undefined && !(typeof o.trialTimeoutMs === 'number' && o.trialTimeoutMs > 0)) {
    throw bad('trialTimeoutMs', `expected a positive number of milliseconds, got ${show(o.trialTimeoutMs)}`);
  }
  if (o.studyName !== undefined && !(typeof o.studyName === 'string' && o.studyName !== '')) {
    throw bad('studyName', `expected a non-empty string, got ${show(o.studyName)}`);
  }
  if (o.log !== undefined && typeof o.log !== 'function') throw bad('log', `expected a function, got ${show(o.log)}`);
  if (o.pruner !== undefined) parsePruner(o.pruner);
  if (o.prunedTrials !== undefined && !['worst', 'last', 'extrapolate', 'ignore', 'fidelity'].includes(o.prunedTrials as string)) {
    throw bad('prunedTrials', `expected "worst", "last", "extrapolate", "ignore" or "fidelity", got ${show(o.prunedTrials)}`);
  }
  if (o.batchSelection !== undefined && o.batchSelection !== 'greedy' && o.batchSelection !== 'joint') {
    throw bad('batchSelection', `expected "greedy" or "joint", got ${show(o.batchSelection)}`);
  }
  if (o.pending !== undefined && !(PENDING_STRATEGIES as readonly unknown[]).includes(o.pending)) {
    throw bad('pending', `expected ${PENDING_STRATEGIES.map((s) => `"${s}"`).join(', ')}, got ${show(o.pending)}`);
  }
  if (o.pendingKappa !== undefined && !(typeof o.pendingKappa === 'number' && Number.isFinite(o.pendingKappa) && o.pendingKappa >= 0)) {
    throw bad('pendingKappa', `expected a finite number >= 0, got ${show(o.pendingKappa)}`);
  }
  if (o.initPoints !== undefined && !(Number.isInteger(o.initPoints) && (o.initPoints as number) >= 0)) {
    throw bad('initPoints', `expected an integer >= 0, got ${show(o.initPoints)}`);
  }
  return o as OptimizerOptions;
}
