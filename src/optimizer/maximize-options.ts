/**
 * The arguments of `maximize`, their defaults and their checks (an unknown
 * or bayes_opt-style snake_case key, a wrong type or range is an
 * InvalidOptionError naming the option, before anything runs).
 */
import { InvalidOptionError } from '../errors';
import type { Params } from '../space/types';
import type { Trial } from '../study/types';
import { show } from '../util/format-value';
import { given } from '../util/option-keys';
import { bayesOptHint } from './option-values';

/**
 * Arguments of `maximize`.
 *
 * Without `resume` (bayes_opt's semantics) each call evaluates queued probes,
 * then `initPoints` new initial points, then `nIter` new model-guided points,
 * whatever the study already holds.
 *
 * With `resume: true`, `initPoints + nIter` is the size of the whole study:
 * every trial it already holds (finished ones, and pending ones asked by a
 * running worker; with a journal, every worker's) counts against it, and those
 * count first against `initPoints`. So a script that calls
 * `maximize({ initPoints: 5, nIter: 25, resume: true })` with a journal can be
 * run again after a crash and finishes the study at 30 trials; run once more,
 * it evaluates nothing. Several workers sharing a journal this way finish 30
 * trials between them. Failed trials count (a failing objective cannot loop
 * for ever); interrupted trials are failed and their points retried first,
 * each retry filling its failed trial's slot.
 *
 * Five things end a run early. `maxTimeMs`, `targetValue` and the
 * optimizer's `stop()` stop asking for new trials and let the running ones
 * finish (they are recorded as they end, and `maximize` resolves); aborting
 * `signal` fails the running trials at
 * once and `maximize` rejects; an `onTrial` that throws stops asking, lets
 * the running trials finish, then `maximize` rejects with its error. Running
 * trials are left to finish rather than aborted because an aborted trial is
 * recorded as failed, and failed trials enter the model at the worst value
 * (see the `failedTrials` option): stopping early should not teach the model
 * that good points fail. For a hard wall-clock limit, pass
 * `signal: AbortSignal.timeout(ms)` as well: `maximize` rejects at most
 * 0.5 s after it aborts, even while the storage waits for a lock.
 *
 * `P` is the params type (from the optimizer's space), `O` the optimizer's
 * type; both type `onTrial`.
 *
 * @example
 * ```ts
 * await opt.maximize({
 *   initPoints: 5, nIter: 25, concurrency: 4,
 *   maxTimeMs: 10 * 60_000, // no new trial after 10 minutes
 *   targetValue: 0.98, // stop once the best value reaches 0.98 (<= with direction 'minimize')
 *   onTrial: (trial, opt) => console.log(trial.id, trial.status, trial.target, opt.max?.target),
 *   progress: true, // a progress bar on stderr (Node)
 * });
 * ```
 */
export interface MaximizeOptions<P = Params, O = unknown> {
  /** initial design points evaluated first (after queued probes) [the constructor's `initPoints`, 5] */
  initPoints?: number | undefined;
  /** model-guided iterations after that [25] */
  nIter?: number | undefined;
  /** count the trials already in the study against initPoints + nIter [false] */
  resume?: boolean | undefined;
  /**
   * stops the run when aborted: the running trials fail (their objective's
   * signal is aborted too) and are recorded, then `maximize` rejects with
   * StateError, its `cause` the signal's reason [none]
   */
  signal?: AbortSignal | undefined;
  /**
   * objective calls in flight at once, like Optuna's n_jobs: a new point is
   * asked (accounting for the running ones) as each call finishes; `res`
   * stays in completion order. Above 1 a seeded run does not repeat: which
   * call ends first, and so what is asked next, depends on timing [1]
   */
  concurrency?: number | undefined;
  /**
   * wall time in ms, from the call, after which no new trial is asked; the
   * running ones finish and are recorded, then `maximize` resolves. Checked
   * before each ask, so a trial asked just in time may end later. `Infinity`
   * is no limit [none]
   */
  maxTimeMs?: number | undefined;
  /**
   * stop once the study's best completed value reaches this: >= it with
   * direction 'maximize', <= it with 'minimize'. Checked before each ask
   * (trials from earlier runs, and other workers' with a shared journal,
   * count: a study that already reached it runs no trial); the running trials
   * finish and are recorded, then `maximize` resolves [none]
   */
  targetValue?: number | undefined;
  /**
   * called with each trial this `maximize` finishes (complete, failed or
   * pruned, aborted ones included), after the trial is recorded (written to
   * the journal, if any), and with the optimizer; what it returns is
   * ignored, but a promise is awaited (so `(t) => seen.push(t)` is fine).
   * `dispose()`/`close()` meanwhile (also from within it) end the wait for it:
   * `maximize` rejects with StateError. Calls never overlap, also with `concurrency` > 1. If it throws
   * (or rejects), the trial stays recorded, no new trial is asked, the
   * running ones finish and are recorded (and still passed to `onTrial`),
   * then `maximize` rejects with the first error it threw [none]
   */
  onTrial?: ((trial: Trial<P>, optimizer: O) => unknown) | undefined;
  /**
   * show the command line's progress bar on stderr (one line per trial when
   * stderr is not a terminal), and route the optimizer's default log through
   * it meanwhile. Node only; elsewhere (browsers, Deno) it does nothing [false]
   */
  progress?: boolean | undefined;
}

type OptionalKeys = 'signal' | 'maxTimeMs' | 'targetValue' | 'onTrial';

/** MaximizeOptions with the defaults applied (the options without a default stay optional). */
export type CheckedMaximizeOptions = Required<Omit<MaximizeOptions, OptionalKeys>> & Pick<MaximizeOptions, OptionalKeys>;

const MAXIMIZE_KEYS = ['initPoints', 'nIter', 'resume', 'signal', 'concurrency', 'maxTimeMs', 'targetValue', 'onTrial', 'progress'];

/**
 * The largest initial design (`initPoints`) a design-based search draws: the
 * design is drawn at once, before the first trial (2^16 points of 3
 * parameters take about 0.2 s; 2^32 did not fit an array). Grid search, whose
 * budget `initPoints` may be, has no such limit; a longer random search
 * goes on with `nIter`.
 */
export const MAX_DESIGN_POINTS = 65_536;

/** @throws InvalidOptionError naming `initPoints` above MAX_DESIGN_POINTS */
export function checkDesignSize(initPoints: number): void {
  if (initPoints > MAX_DESIGN_POINTS) {
    throw new InvalidOptionError(`option "initPoints": expected at most ${MAX_DESIGN_POINTS} points of initial design (drawn at once; use nIter for more), got ${initPoints}`, 'initPoints');
  }
}

/**
 * Applies the defaults of MaximizeOptions and checks the values.
 * @param defaultInitPoints `initPoints` when the call gives none (the constructor's option)
 * @throws InvalidOptionError naming the option
 */
export function checkMaximizeOptions(arg: unknown, defaultInitPoints = 5): CheckedMaximizeOptions {
  if (arg === undefined) arg = {};
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg)) {
    throw new InvalidOptionError(
      `maximize: options must be an object like { initPoints: 5, nIter: 25 }, got ${arg === null ? 'null' : Array.isArray(arg) ? 'an array' : typeof arg}`,
      'options',
    );
  }
  const opts = arg as MaximizeOptions;
  for (const k of Object.keys(opts)) {
    if (MAXIMIZE_KEYS.includes(k)) continue;
    throw new InvalidOptionError(`option "${k}": unknown option of maximize (known: ${MAXIMIZE_KEYS.join(', ')})${bayesOptHint(k, MAXIMIZE_KEYS)}`, k);
  }
  const initPoints = given(opts.initPoints, defaultInitPoints);
  const nIter = given(opts.nIter, 25);
  for (const [k, v] of Object.entries({ initPoints, nIter })) {
    if (!Number.isInteger(v) || v < 0) {
      throw new InvalidOptionError(`option "${k}": expected an integer >= 0, got ${show(v)}`, k);
    }
  }
  const resume = given(opts.resume, false);
  if (typeof resume !== 'boolean') {
    throw new InvalidOptionError(`option "resume": expected a boolean, got ${show(resume)}`, 'resume');
  }
  const signal = opts.signal;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')) {
    throw new InvalidOptionError(`option "signal": expected an AbortSignal, got ${show(signal)}`, 'signal');
  }
  const concurrency = given(opts.concurrency, 1);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError(`option "concurrency": expected an integer >= 1, got ${show(concurrency)}`, 'concurrency');
  }
  const { maxTimeMs, targetValue, onTrial } = opts;
  if (maxTimeMs !== undefined && !(typeof maxTimeMs === 'number' && maxTimeMs >= 0)) {
    throw new InvalidOptionError(`option "maxTimeMs": expected a number of milliseconds >= 0, got ${show(maxTimeMs)}`, 'maxTimeMs');
  }
  if (targetValue !== undefined && !(typeof targetValue === 'number' && Number.isFinite(targetValue))) {
    throw new InvalidOptionError(`option "targetValue": expected a finite number, got ${show(targetValue)}`, 'targetValue');
  }
  if (onTrial !== undefined && typeof onTrial !== 'function') {
    throw new InvalidOptionError(`option "onTrial": expected a function (trial, optimizer) => void, got ${show(onTrial)}`, 'onTrial');
  }
  const progress = given(opts.progress, false);
  if (typeof progress !== 'boolean') {
    throw new InvalidOptionError(`option "progress": expected a boolean, got ${show(progress)}`, 'progress');
  }
  return { initPoints, nIter, resume, signal, concurrency, maxTimeMs, targetValue, onTrial, progress };
}
