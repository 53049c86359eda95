/**
 * The options of the bayes_opt interchange functions and their checks. A
 * misspelt or unknown direction ('min', `Direction`) read as maximize, which
 * flipped the sign of every target imported or written.
 */
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
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
