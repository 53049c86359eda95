/**
 * The optimizer's GP settings: its defaults (GP_DEFAULTS), the lengthscale
 * groups of its space (TIE_CHOICES), then the user's `kernel` and `gp`.
 */
import type { GPOptions } from '../gp/gaussian-process';
import { lengthscaleGroupsProblem } from '../gp/gp-options';
import { columnGroups } from '../space/encode';
import type { Space } from '../space/space';
import { definedEntries } from '../util/option-keys';
import type { Rng } from '../util/rng';
import { bad } from './option-values';
import type { OptimizerOptions } from './options';

/**
 * GP settings of the optimizer unless `options.gp` says otherwise: the
 * lengthscale model (one per dimension, or one shared as bayes_opt's) is
 * chosen by evidence at each fit; on bench:regret this made Ackley-5,
 * Rastrigin-4 and Schwefel-4 better. The prior mean sits one standard
 * deviation below the targets' mean (pessimistic), so the model no longer
 * expects average values in unexplored corners and edges, where EI spent a
 * third of the suggestions on Branin (see the README's quality section).
 */
export const GP_DEFAULTS = { lengthscales: 'auto', priorMean: -1 } as const;

/**
 * A categorical with more choices than this has one lengthscale for all its
 * one-hot columns, not one per choice. Each lengthscale costs the fit a
 * prior term and the evidence comparison of 'auto' a Hessian row (a gradient
 * evaluation): with 1,000 choices and 100 trials a suggestion took 19 s,
 * tied 2.7 s. Tied, the 40-choice problem of bench/mixed.ts searched as well
 * (the same median regret); with 3 and 5 choices one lengthscale per choice
 * searched better, so small categoricals keep theirs (README, bench:mixed).
 */
export const TIE_CHOICES = 16;

/** The options of a GP of this optimizer drawing from `rng`: GP_DEFAULTS, the space's groups, `kernel`, `gp`. */
export function gpOptions(options: OptimizerOptions, space: Space, rng: Rng): GPOptions {
  // with 'fidelity' ARD lengthscales, so the training progress gets its own (./fidelity)
  const defaults = options.prunedTrials === 'fidelity' ? { ...GP_DEFAULTS, lengthscales: 'ard' as const } : GP_DEFAULTS;
  return { ...defaults, kernel: options.kernel ?? 'matern52', lengthscaleGroups: groups(options, space), ...definedEntries(options.gp), rng };
}

/**
 * Checked with the space, before the storage opens (the option's own check has no space).
 * @throws InvalidOptionError naming `gp.lengthscaleGroups` when it is no list of group indices or has not one entry per encoded column
 */
export function checkLengthscaleGroups(options: OptimizerOptions, space: Space): void {
  const given = options.gp?.lengthscaleGroups;
  const width = groups(options, space).length;
  if (given === undefined) return;
  const why = lengthscaleGroupsProblem(given);
  if (why !== null) throw bad('gp.lengthscaleGroups', why);
  if (given.length !== width) throw bad('gp.lengthscaleGroups', `expected ${width} entries (one per encoded column of the space), got ${given.length}`);
}

/**
 * The GP's lengthscale per column: one each, but one shared by the one-hot
 * columns of a categorical with more than TIE_CHOICES choices (and one for
 * the training progress with 'fidelity').
 */
function groups(options: OptimizerOptions, space: Space): Int32Array {
  const g = columnGroups(space.layout, TIE_CHOICES);
  if (options.prunedTrials !== 'fidelity') return g;
  const out = new Int32Array(g.length + 1);
  out.set(g);
  out[g.length] = g.length === 0 ? 0 : g[g.length - 1] + 1;
  return out;
}
