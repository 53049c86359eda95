/**
 * The options of the bayes_opt interchange functions and their checks. A
 * misspelt or unknown direction ('min', `Direction`) read as maximize, which
 * flipped the sign of every target imported or written.
 */
import { InvalidOptionError } from '../errors';
import type { Pbounds, SpaceSpec } from '../space/types';
import { normalizeSpec, pboundsToSpec } from '../space/validate';
import { show } from '../util/format-value';
import { ownValue, setOwn } from '../util/own-key';
import { checkOptionKeys } from '../util/option-keys';
import { checkStudyNaming } from './journal-io';
import type { Direction } from './types';

export interface BayesOptImportOptions {
  /** 'minimize' negates the targets read ['maximize'] */
  direction?: Direction;
}

export interface BayesOptExportOptions {
  /** 'minimize' negates the targets written, as bayes_opt maximizes ['maximize'] */
  direction?: Direction;
  /**
   * the log only: the trials are in the order they were told already (a
   * study's `finished()`, an optimizer's `res`) and are written so, not
   * sorted by `finishedAt`, which Optuna's naive local times misorder
   * across workers in other time zones and a daylight-saving change [false]
   */
  ordered?: boolean;
}

/** The options each function takes. */
export const BAYES_OPT_KEYS = {
  import: ['direction'],
  state: ['direction'],
  log: ['direction', 'space', 'ordered'],
} as const;

/**
 * Checks `opts` of the function `what` (its keys `known`, the direction) and
 * returns the targets' sign: -1 for 'minimize'.
 * @throws InvalidOptionError naming the option, or 'options' when `opts` is not an object
 */
export function bayesOptSign(opts: unknown, what: string, known: readonly string[]): 1 | -1 {
  checkOptionKeys(opts, what, known);
  const o = opts as { direction?: unknown; ordered?: unknown; space?: unknown };
  checkStudyNaming({ direction: o.direction });
  if (o.ordered !== undefined && typeof o.ordered !== 'boolean') {
    throw new InvalidOptionError(`option "ordered": expected a boolean, got ${show(o.ordered)}`, 'ordered');
  }
  if (o.space !== undefined && (o.space === null || typeof o.space !== 'object' || Array.isArray(o.space))) {
    throw new InvalidOptionError(`option "space": expected pbounds or a space spec (an object), got ${show(o.space)}`, 'space');
  }
  return o.direction === 'minimize' ? -1 : 1;
}

/**
 * Checks the text given to an import function `what`: a non-string was a
 * TypeError about `charCodeAt` (the optimizer's importBayesOpt said it).
 * @throws InvalidOptionError naming `text`
 */
export function checkBayesOptText(text: unknown, what: string): void {
  if (typeof text !== 'string') throw new InvalidOptionError(`${what}: text: expected the bayes_opt file's text (a string), got ${show(text)}`, 'text');
}

/**
 * Checks the trials given to an export function `what`: an array of trials,
 * each with its params an object.
 * @throws InvalidOptionError naming `trials`
 */
export function checkBayesOptTrials(trials: unknown, what: string): void {
  if (!Array.isArray(trials)) throw new InvalidOptionError(`${what}: trials: expected an array of trials, got ${show(trials)}`, 'trials');
  trials.forEach((t: unknown, i) => {
    const o = t as { params?: unknown } | null;
    if (typeof o !== 'object' || o === null || typeof o.params !== 'object' || o.params === null || Array.isArray(o.params)) {
      throw new InvalidOptionError(`${what}: trials[${i}]: expected a trial ({ id, status, params, target, ... }), got ${show(t)}`, 'trials');
    }
  });
}

/**
 * Checks a space given to an export function as the optimizer checks its
 * own (bounds a [low, high] pair in order, specs whole): {x: 5} was a
 * TypeError, reversed bounds were written as they were.
 * @throws InvalidSpaceError naming the parameter
 */
export function checkBayesOptSpace(space: Pbounds | SpaceSpec): void {
  if (typeof space !== 'object' || space === null || Array.isArray(space)) {
    normalizeSpec(space); // throws, naming what it got
    return;
  }
  const spec: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(space)) {
    setOwn(spec, k, Array.isArray(s) || typeof s !== 'object' || s === null ? ownValue(pboundsToSpec({ [k]: s }), k) : s);
  }
  normalizeSpec(spec);
}
