import type { Params } from '../space/types';

/** A stable identity for a point (key order ignored), for matching suggestions and duplicates. */
export function pointKey(p: Params): string {
  return JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k]]));
}

const KEYS = new WeakMap<object, string>();

/**
 * pointKey(p), kept with `p` when `p` is frozen (a stored trial's params: the
 * storages hand out frozen views shared between reads), so a check against
 * every trial of a study builds each trial's key once, not at every ask (a
 * design point checked against 10,000 other workers' trials rebuilt 10,000
 * keys per ask: 223 ms).
 */
export function storedPointKey(p: Params): string {
  let k = KEYS.get(p);
  if (k === undefined) {
    k = pointKey(p);
    if (Object.isFrozen(p)) KEYS.set(p, k);
  }
  return k;
}

/**
 * Whether pointKey(a) === pointKey(b), without building either string: a
 * check against every trial of a study runs on each suggestion, and a
 * string per trial (1,000 of them, sorted keys and JSON each) cost more
 * than the comparison. Values that differ are compared as JSON writes them
 * only where that can make them equal (NaN, infinities, null, objects):
 * distinct finite numbers, strings and booleans always read differently.
 */
export function samePoint(a: Params, b: Params): boolean {
  let count = 0;
  for (const k in a) {
    if (!Object.prototype.hasOwnProperty.call(a, k)) continue;
    count++;
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (plain(x) && plain(y)) return false;
    if (JSON.stringify([x]) !== JSON.stringify([y])) return false;
  }
  for (const k in b) if (Object.prototype.hasOwnProperty.call(b, k)) count--;
  return count === 0;
}

/** A value JSON writes one way per value: a finite number, a string or a boolean. */
function plain(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}
