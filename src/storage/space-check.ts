/** Comparing the space a journal was created with to the one a resumed study passes. */
import type { ParamSpec, SpaceSpec } from '../space/types';
import { gridLevel } from '../space/steps';
import { ownValue } from '../util/own-key';
import { distributionOf, incompatibility, type Distribution } from './optuna-format';

/** A spec with defaults filled in and keys in a fixed order, as JSON. */
function canonical(p: ParamSpec): string {
  if (p.type === 'categorical') return JSON.stringify({ type: p.type, choices: p.choices });
  return JSON.stringify({ type: p.type, low: p.low, high: p.high, log: p.log ?? false, ...(p.step === undefined ? {} : { step: p.step }) });
}

/**
 * The first difference between two spaces, in words, or null when they are the
 * same (`log: false` and a missing `log` count as equal; parameter order counts,
 * since it is the order of the encoded dimensions).
 */
export function spaceDifference(stored: SpaceSpec, current: SpaceSpec): string | null {
  const a = Object.keys(stored);
  const b = Object.keys(current);
  // own keys only: a journal's parameter may be named `constructor` or `toString`
  const has = (o: SpaceSpec, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  for (const k of a) if (!has(current, k)) return `parameter ${JSON.stringify(k)} is in the journal but not in the space given now`;
  for (const k of b) if (!has(stored, k)) return `parameter ${JSON.stringify(k)} is in the space given now but not in the journal`;
  for (const k of a) {
    const x = canonical(ownValue(stored, k) as ParamSpec);
    const y = canonical(ownValue(current, k) as ParamSpec);
    if (x !== y) return `parameter ${JSON.stringify(k)} is ${x} in the journal but ${y} now`;
  }
  if (a.join('\u0000') !== b.join('\u0000')) {
    return `parameter order differs: [${a.join(', ')}] in the journal, [${b.join(', ')}] now`;
  }
  return null;
}

/**
 * Whether `current` takes every point of `stored` and widens it somewhere or
 * equals it: the same parameters in the same order, each the same kind and
 * scale (log), a categorical's choices the same (Optuna refuses other
 * choices for a parameter), a numeric parameter's bounds the same or moved
 * outwards on the same grid (its step, the old low a whole number of steps
 * above the new). A study this library created may be resumed with such a
 * space: no trial of it falls outside.
 *
 * @example
 * widens({ lr: { type: 'float', low: 1e-4, high: 1e-2, log: true } }, { lr: { type: 'float', low: 1e-5, high: 1e-1, log: true } }); // true
 */
export function widens(stored: SpaceSpec, current: SpaceSpec): boolean {
  return wideningDifference(stored, current) === null;
}

function paramWidens(x: ParamSpec, y: ParamSpec): boolean {
  if (canonical(x) === canonical(y)) return true;
  if (x.type === 'categorical' || y.type !== x.type) return false;
  if ((x.log ?? false) !== (y.log ?? false) || stepOf(x) !== stepOf(y)) return false;
  if (!(y.low <= x.low && y.high >= x.high)) return false;
  // the old grid's levels are levels of the new one: its low is, by the rule points are checked by
  return x.step === undefined || gridLevel(y, x.low) !== null;
}

/**
 * Why `current` does not widen `stored` (see widens), or null where it
 * does: the parameters' difference, or the first parameter whose new spec
 * does not take its old one (not merely the first that changed: a widened
 * one may come first).
 */
export function wideningDifference(stored: SpaceSpec, current: SpaceSpec): string | null {
  const keys = Object.keys(stored);
  // parameters added, dropped or reordered: said as spaceDifference says them
  if (keys.join('\u0000') !== Object.keys(current).join('\u0000')) return spaceDifference(stored, current);
  for (const k of keys) {
    const x = ownValue(stored, k) as ParamSpec;
    const y = ownValue(current, k) as ParamSpec;
    if (!paramWidens(x, y)) return `parameter ${JSON.stringify(k)} is ${canonical(x)} in the journal but ${canonical(y)} now`;
  }
  return null;
}

/** A numeric parameter's grid step: its own, an integer's 1, or none. */
function stepOf(p: ParamSpec & { type: 'float' | 'int' }): number | null {
  return p.step ?? (p.type === 'int' ? 1 : null);
}

/**
 * For a study with no stored space (Optuna created it): the first difference
 * between the distributions its trials used (each parameter's variants, see
 * ParamDecoder.variants) and `current`, by Optuna's compatibility rule (same
 * kind, same log scale, same choices; bounds may differ), or null. A
 * parameter of the journal missing from `current` is a difference; one of
 * `current` that no trial used yet is not.
 */
export function distributionDifference(stored: ReadonlyMap<string, readonly Distribution[]>, current: SpaceSpec): string | null {
  for (const [k, ds] of stored) {
    const spec = ownValue(current, k);
    if (!spec) return `parameter ${JSON.stringify(k)} is in the journal but not in the space given now`;
    const now = distributionOf(spec);
    for (const d of ds) {
      const why = incompatibility(d, now);
      if (why) return `parameter ${JSON.stringify(k)}: ${why}`;
    }
  }
  return null;
}
