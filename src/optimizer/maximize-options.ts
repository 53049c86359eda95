/**
 * The arguments of `maximize`, their defaults and their checks (an unknown
 * or bayes_opt-style snake_case key, a wrong type or range is an
 * InvalidOptionError naming the option, before anything runs).
 */
import { InvalidOptionError } from '../errors';

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
 * for ever); interrupted trials are re-asked first and fill their old slots.
 *
 * @example
 * ```ts
 * await opt.maximize({ initPoints: 5, nIter: 25, concurrency: 4, signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface MaximizeOptions {
  /** initial design points evaluated first (after queued probes) [the constructor's `initPoints`, 5] */
  initPoints?: number;
  /** model-guided iterations after that [25] */
  nIter?: number;
  /** count the trials already in the study against initPoints + nIter [false] */
  resume?: boolean;
  /**
   * stops the run when aborted: the running trials fail (their objective's
   * signal is aborted too) and are recorded, then `maximize` rejects with
   * StateError [none]
   */
  signal?: AbortSignal;
  /**
   * objective calls in flight at once, like Optuna's n_jobs: a new point is
   * asked (accounting for the running ones) as each call finishes; `res`
   * stays in completion order [1]
   */
  concurrency?: number;
}

/** MaximizeOptions with the defaults applied (`signal` stays optional). */
export type CheckedMaximizeOptions = Required<Omit<MaximizeOptions, 'signal'>> & Pick<MaximizeOptions, 'signal'>;

const MAXIMIZE_KEYS = ['initPoints', 'nIter', 'resume', 'signal', 'concurrency'];
/** bayes_opt's names, for a message that says what to write instead. */
const SNAKE_CASE: Record<string, string> = { init_points: 'initPoints', n_iter: 'nIter' };

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
    const camel = SNAKE_CASE[k] ?? (/_/.test(k) ? k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : undefined);
    const hint = camel !== undefined && MAXIMIZE_KEYS.includes(camel) ? `; bayes_opt's ${k} is "${camel}" here` : '';
    throw new InvalidOptionError(`option "${k}": unknown option of maximize (known: ${MAXIMIZE_KEYS.join(', ')})${hint}`, k);
  }
  const initPoints = opts.initPoints ?? defaultInitPoints;
  const nIter = opts.nIter ?? 25;
  for (const [k, v] of Object.entries({ initPoints, nIter })) {
    if (!Number.isInteger(v) || v < 0) {
      throw new InvalidOptionError(`option "${k}": expected an integer >= 0, got ${String(v)}`, k);
    }
  }
  const resume = opts.resume ?? false;
  if (typeof resume !== 'boolean') {
    throw new InvalidOptionError(`option "resume": expected a boolean, got ${String(resume)}`, 'resume');
  }
  const signal = opts.signal;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')) {
    throw new InvalidOptionError(`option "signal": expected an AbortSignal, got ${String(signal)}`, 'signal');
  }
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError(`option "concurrency": expected an integer >= 1, got ${String(concurrency)}`, 'concurrency');
  }
  return { initPoints, nIter, resume, signal, concurrency };
}
