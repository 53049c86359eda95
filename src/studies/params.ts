/** Reading typed values out of a study's params. */
import { checkOptionKeys } from '../util/option-keys';
import { checkPatience } from '../tfjs/fit';
import { InvalidOptionError, InvalidPointError } from '../errors';
import { describe } from '../space/format';
import type { Params } from '../space/types';
import { show } from '../util/format-value';

/**
 * What a study's hyperparameter may be, beyond finite: a network given a
 * negative learning rate climbs its loss, and tfjs clamps a dropout rate out
 * of [0, 1) without a word (or refuses it, naming its own option, only when
 * the layer is seeded), so such points are refused up front.
 */
export type ParamRange = 'positive' | 'non-negative' | 'rate';

const RANGE_TEXT: Record<ParamRange, string> = { positive: 'must be > 0', 'non-negative': 'must be >= 0', rate: 'must be in [0, 1)' };
const IN_RANGE: Record<ParamRange, (v: number) => boolean> = { positive: (v) => v > 0, 'non-negative': (v) => v >= 0, rate: (v) => v >= 0 && v < 1 };

/**
 * `params[name]` as a finite number (in `range` when given), else an
 * InvalidPointError naming the parameter: `parameter "dropout": must be in
 * [0, 1) (got 1.5)`, `... must be a finite number (got NaN)`.
 */
export function numberParam(params: Params, name: string, range?: ParamRange): number {
  if (typeof params !== 'object' || params === null) throw new InvalidPointError(`params: expected an object of parameter values, got ${describe(params)}`, 'params');
  const v = params[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidPointError(`parameter "${name}": must be a finite number (got ${describe(v)})`, name);
  }
  if (range && !IN_RANGE[range](v)) throw new InvalidPointError(`parameter "${name}": ${RANGE_TEXT[range]} (got ${show(v)})`, name);
  return v;
}

/** Checks an optional positive-integer option. */
export function checkPositiveInt(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new InvalidOptionError(`option "${name}": must be a positive integer (got ${show(value)})`, name);
  }
}

/**
 * The shared options' values, checked whether or not the call reads them (a
 * retraining reads no `patience`, the taxi study no `reportsPerEpoch`): a bad
 * value is a mistake either way, and one study refused what the other took.
 * @throws InvalidOptionError naming the option
 */
export function checkSharedOptions(opts: { epochs?: number; batchSize?: number; maxTrainRows?: number; reportsPerEpoch?: number; patience?: number }): void {
  checkPositiveInt(opts.epochs, 'epochs');
  checkPositiveInt(opts.batchSize, 'batchSize');
  checkPositiveInt(opts.maxTrainRows, 'maxTrainRows');
  checkPositiveInt(opts.reportsPerEpoch, 'reportsPerEpoch');
  checkPatience(opts.patience);
}

/** The options every study's objective and retraining take (StudyTrainOptions' keys). */
export const STUDY_TRAIN_OPTIONS = ['epochs', 'batchSize', 'patience', 'maxTrainRows', 'seed', 'signal', 'onEpoch', 'context', 'reportsPerEpoch'] as const;

/**
 * Checks that `opts` is an object whose keys are all known to `study` (the
 * shared StudyTrainOptions plus `extra`): a misspelt `epoch: 1` would
 * otherwise train the study's default epochs without a word.
 * @throws InvalidOptionError naming the unknown key, or 'options'
 */
export function checkOptionNames(opts: object, study: string, extra: readonly string[]): void {
  checkOptionKeys(opts, `the ${study} study`, [...STUDY_TRAIN_OPTIONS, ...extra]);
}

/** Seed for the i-th seeded initializer, or undefined when unseeded. */
export function layerSeed(seed: number | undefined, i: number): number | undefined {
  return seed === undefined ? undefined : (seed * 7919 + i) >>> 0;
}

/**
 * `data` holds the splits a call needs (`train` and `val` for a trial, `test`
 * too for a retraining), each an object holding `arrays` (typed arrays or
 * arrays) and its count `n`: a missing one was a bare TypeError from deep
 * inside.
 * @throws InvalidOptionError naming `data`
 */
export function checkSplits(data: unknown, names: readonly string[], arrays: readonly string[]): void {
  if (typeof data !== 'object' || data === null) {
    throw new InvalidOptionError(`option "data": must be the study's splits { ${names.join(', ')} } (got ${data === null ? 'null' : typeof data})`, 'data');
  }
  for (const name of names) {
    const s = (data as Record<string, unknown>)[name] as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null) throw new InvalidOptionError(`option "data": no ${name} split`, 'data');
    // a split without its arrays ({}) was a TypeError reading `length` deep in the training
    for (const k of arrays) {
      const a = s[k];
      if (!ArrayBuffer.isView(a) && !Array.isArray(a)) throw new InvalidOptionError(`option "data": the ${name} split's ${k} must be an array (got ${show(a)})`, 'data');
    }
    if (!(Number.isSafeInteger(s.n) && (s.n as number) >= 0)) {
      throw new InvalidOptionError(`option "data": the ${name} split's n must be a non-negative integer (got ${show(s.n)})`, 'data');
    }
  }
}
