/** The `pruner` option: a name with the usual defaults, or a Pruner object. */
import { InvalidOptionError } from '../errors';
import { describe } from '../space/format';
import { HyperbandPruner } from './hyperband';
import { MedianPruner } from './median';
import { SuccessiveHalvingPruner } from './successive-halving';
import type { Pruner } from './types';

/** A pruner name with its defaults, or any object with `name` and `prune(input)`. */
export type PrunerOption = 'none' | 'median' | 'asha' | 'hyperband' | Pruner;

/** The pruners the `pruner` option names by a string (each with the defaults parsePruner gives it). */
export const PRUNER_NAMES = ['none', 'median', 'asha', 'hyperband'] as const;

/** Never prunes: every trial trains to the end (its reports are still recorded). */
export class NopPruner implements Pruner {
  readonly name = 'none';
  prune(): boolean {
    return false;
  }
}

/**
 * The pruner an option names ('none' [default]: {@link NopPruner}; 'median':
 * 5 startup trials, 0 warm-up steps; 'asha': reduction factor 4, minimum
 * resource 1; 'hyperband': reduction factor 3, minimum resource 1, maximum
 * 'auto'), or the Pruner object given. A fresh pruner per call: Hyperband
 * remembers its brackets.
 * @throws InvalidOptionError naming `pruner` for anything else
 *
 * @example
 * parsePruner('asha').name; // 'asha'
 */
export function parsePruner(option: unknown): Pruner {
  switch (option) {
    case undefined:
    case 'none':
      return new NopPruner();
    case 'median':
      return new MedianPruner();
    case 'asha':
      return new SuccessiveHalvingPruner();
    case 'hyperband':
      return new HyperbandPruner();
  }
  if (typeof option === 'object' && option !== null
    && typeof (option as Pruner).prune === 'function' && typeof (option as Pruner).name === 'string') {
    return option as Pruner;
  }
  throw new InvalidOptionError(
    `option "pruner": expected "none", "median", "asha", "hyperband" or a Pruner ({ name, prune(input) }), got ${describe(option)}`,
    'pruner',
  );
}
