/**
 * Checks of per-call arguments (probe and enqueue options) and matching a
 * registered point to a pending suggestion.
 */
import { InvalidOptionError, InvalidPointError } from '../errors';
import { checkOptionKeys } from '../util/option-keys';
import type { Space } from '../space/space';
import type { Params } from '../space/types';
import type { Trial } from '../study/types';
import { describe } from '../space/format';
import { JSON_KINDS, jsonProblem } from '../util/json-problem';
import { discreteCount } from '../space/distinct';
import { pointKey } from '../study/point-key';
import { plural } from '../util/format-value';

/** `probe`'s options: only `lazy`, a boolean. Returns `lazy` [true]. */
export function checkProbeOptions(opts: unknown): boolean {
  if (opts === undefined) return true;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new InvalidOptionError(`probe: options must be an object like { lazy: false }, got ${opts === null ? 'null' : typeof opts}`, 'options');
  }
  for (const k of Object.keys(opts)) {
    if (k !== 'lazy') throw new InvalidOptionError(`option "${k}": unknown option of probe (known: lazy)`, k);
  }
  const lazy = (opts as { lazy?: unknown }).lazy;
  if (lazy !== undefined && typeof lazy !== 'boolean') {
    throw new InvalidOptionError(`option "lazy": expected a boolean, got ${JSON.stringify(lazy) ?? String(lazy)}`, 'lazy');
  }
  return lazy ?? true;
}

/** What a user attribute may hold, said after a refusal. */

/**
 * `enqueue`'s point and options: `params` names some or all of the space's
 * parameters with values it can take (the rest are drawn when a worker takes
 * the trial); options: `userAttrs`, a plain object. Returns a copy of both.
 * @throws InvalidPointError naming the parameter; InvalidOptionError naming the option
 */
export function checkEnqueue(space: Space, params: unknown, opts: unknown): { params: Params; userAttrs?: Record<string, unknown> } {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new InvalidPointError(`enqueue: params must be an object of parameter values, got ${describe(params)}`);
  }
  // a point of the space under the given values: the space's own checks name the parameter at fault
  space.validatePoint({ ...space.decode(new Float64Array(space.dim)), ...params });
  if (opts === undefined) return { params: { ...(params as Params) } };
  const userAttrs = checkUserAttrsOption(opts, 'enqueue');
  return { params: { ...(params as Params) }, ...(userAttrs ? { userAttrs } : {}) };
}

/**
 * The `{ userAttrs }` options of `enqueue`, `register` and
 * `registerFailure` (`call`): undefined, or an object whose `userAttrs` is a
 * plain object of JSON values. Returns a deep copy of them, or undefined.
 * @throws InvalidOptionError naming the option
 */
export function checkUserAttrsOption(opts: unknown, call: string): Record<string, unknown> | undefined {
  if (opts === undefined) return undefined;
  checkOptionKeys(opts, call, ['userAttrs']);
  const attrs = (opts as { userAttrs?: unknown }).userAttrs;
  if (attrs !== undefined && (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs))) {
    throw new InvalidOptionError(`option "userAttrs": expected an object, got ${describe(attrs)}`, 'userAttrs');
  }
  const bad = attrs === undefined ? null : jsonProblem(attrs, 'userAttrs');
  if (bad) throw new InvalidOptionError(`option "userAttrs": ${bad}${JSON_KINDS}`, 'userAttrs');
  return attrs === undefined ? undefined : structuredClone(attrs as Record<string, unknown>);
}

/**
 * `context.setUserAttr`'s arguments: `key` a non-empty string, `value` JSON.
 * Returns a deep copy of the value (the objective may change its own later).
 * @throws InvalidOptionError naming `key` or `value`
 */
export function checkUserAttr(key: unknown, value: unknown): unknown {
  if (typeof key !== 'string' || key === '') {
    throw new InvalidOptionError(`setUserAttr: key must be a non-empty string, got ${describe(key)}`, 'key');
  }
  if (value === undefined) throw new InvalidOptionError(`setUserAttr: "${key}": value is undefined${JSON_KINDS}`, 'value');
  const bad = jsonProblem(value, 'value');
  if (bad) throw new InvalidOptionError(`setUserAttr: "${key}": ${bad}${JSON_KINDS}`, 'value');
  return structuredClone(value);
}

/** `predict`'s `points`: an array (of points, each checked by the space). */
export function checkPointList(points: unknown): void {
  if (!Array.isArray(points)) throw new InvalidOptionError(`points: expected an array of points, got ${describe(points)}`, 'points');
}

/**
 * The largest `suggestBatch` q per `batchSelection`: a joint batch's swaps
 * cost about q^3 (q = 8: 0.3 s, 16: 0.9 s, 32: 4.2 s on 2 cores, 2-D) and
 * run without a break, so a q of thousands would hold the optimizer (and
 * close()) for hours; a greedy batch is q proposals, each one a turn.
 */
export const MAX_BATCH = { joint: 64, greedy: 1024 } as const;

/**
 * `suggestBatch`'s `q`: an integer from 1 to {@link MAX_BATCH}[selection];
 * `selection` null for a strategy that fills a batch one point at a time
 * (random and grid search: a greedy batch's cap, said without a selection
 * they do not have).
 */
export function checkBatchSize(q: unknown, selection: 'joint' | 'greedy' | null = 'joint'): void {
  if (!Number.isInteger(q) || (q as number) < 1) throw new InvalidOptionError(`q: expected an integer >= 1, got ${describe(q)}`, 'q');
  const max = MAX_BATCH[selection ?? 'greedy'];
  if ((q as number) > max) {
    const other = selection === 'joint' ? `; batchSelection 'greedy' takes up to ${MAX_BATCH.greedy}` : '';
    const kind = selection === null ? 'a batch' : `a '${selection}' batch`;
    throw new InvalidOptionError(`q: ${q} is more than ${kind} takes (${max}); ask for several batches${other}`, 'q');
  }
}

/**
 * `suggestBatch`'s `q` against the room a space of integers and categoricals
 * has left: its points neither tried nor pending, of `trials` (the study as
 * it is now); an enqueued (waiting) point is one of the untried ones, the
 * batch's to hand out. No check for a space with a float.
 * @throws InvalidOptionError naming `q` when fewer points are left
 */
export function checkBatchRoom(space: Space, trials: readonly Trial[], q: number): void {
  const total = discreteCount(space.layout);
  if (total === null) return;
  const taken = trials.filter((t) => t.status !== 'waiting' && space.contains(t.params));
  const left = total - new Set(taken.map((t) => pointKey(t.params))).size;
  if (left < q) throw new InvalidOptionError(`q: ${plural(q, 'point')} asked, but the space has ${left} of its ${total} points neither tried nor pending`, 'q');
}

/**
 * How far (in the unit-cube encoding of a float parameter: a fraction of its
 * range) a registered value may be from the suggested one and still complete
 * that suggestion: 1e-4, so a value printed in f32 or rounded to a few
 * digits of its range still matches, while two suggestions are almost never
 * that close.
 */
export const PENDING_MATCH_TOLERANCE = 1e-4;

/**
 * How close a log float must be, as a fraction of its value, to match
 * without being a rounded copy (1e-4 of a log range of 1e-300..1e300 is 37%,
 * so a log float has no range tolerance).
 */
export const PENDING_MATCH_RELATIVE = 1e-4;

/**
 * Whether `a` is `b` rounded: to f32, or to 4 or more significant digits
 * (28.31494 -> 28.31 moves it by 1.7e-4 of its value, 1000.5907 -> 1001 by
 * 4e-4 of it, half a range of 1000..1001). Only such a copy, not any value
 * that close, matches beyond the tolerances above.
 */
export function isRoundedCopy(a: number, b: number): boolean {
  if (a === b) return true;
  // an f32 copy of b, where f32 holds b: beyond its range fround gives ±Infinity or 0, which matched a
  // register of Infinity, or of x = 0, to any pending suggestion that large or that small
  if (Math.fround(b) === a && Number.isFinite(a) && a !== 0) return true;
  for (let k = 4; k <= 16; k++) if (Number(b.toPrecision(k)) === a) return true;
  return false;
}

/**
 * The pending trial (of `pending`) that `p` is a rounded copy of: ints and
 * categoricals equal, every float within PENDING_MATCH_TOLERANCE of its
 * encoded range (a log float: within PENDING_MATCH_RELATIVE of its value) or
 * its value rounded ({@link isRoundedCopy}); the nearest such trial (the
 * largest of the floats' relative distances), or undefined.
 */
export function matchPending(space: Space, p: Params, pending: readonly Trial[]): Trial | undefined {
  const u = space.encode(p);
  let best: Trial | undefined;
  let bestDist = Infinity;
  for (const t of pending) {
    let v: Float64Array;
    try {
      v = space.encode(t.params);
    } catch {
      continue;
    }
    // the largest float's distance from the suggestion in units of its tolerance: relative to the
    // value on a log parameter, a fraction of the range on a linear one (as the match is judged)
    let dist = 0;
    let ok = true;
    for (const l of space.layout) {
      if (l.kind !== 'continuous') {
        ok = t.params[l.name] === p[l.name];
      } else {
        const [a, b] = [p[l.name] as number, t.params[l.name] as number];
        const off = a === b ? 0 : l.log
          ? Math.abs(a - b) / (PENDING_MATCH_RELATIVE * Math.max(Math.abs(a), Math.abs(b)))
          : Math.abs(u[l.dim] - v[l.dim]) / PENDING_MATCH_TOLERANCE;
        ok = off <= 1 || isRoundedCopy(a, b);
        dist = Math.max(dist, off);
      }
      if (!ok) break;
    }
    if (ok && dist < bestDist) {
      best = t;
      bestDist = dist;
    }
  }
  return best;
}

/** Whether every value of `p` is `q`'s or a rounded copy of it (isRoundedCopy), over the space's parameters and no other. */
export function roundedCopyOf(layout: Space['layout'], p: Params, q: Params): boolean {
  if (Object.keys(p).length !== layout.length) return false;
  return layout.every((l) => {
    const [a, b] = [p[l.name], q[l.name]];
    if (a === b) return true;
    return l.kind === 'continuous' && typeof a === 'number' && typeof b === 'number' && isRoundedCopy(a, b);
  });
}
