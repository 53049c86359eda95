/** Small checks shared by the journal formats. */
import type { TrialSource } from '../study/types';
import { parsePyJson } from './py-json';

export const TRIAL_SOURCES: readonly TrialSource[] = ['init', 'suggest', 'probe', 'register', 'grid', 'random', 'enqueue'];

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * One journal line as a JSON object, or why it is not one (both formats'
 * first check). Python's `json` writes NaN, Infinity and -Infinity bare (an
 * Optuna trial told `float('inf')`, an intermediate value of NaN), so a line
 * JSON.parse refuses is read again with those tokens (the slow path only
 * then).
 */
export function parseJsonObject(line: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    try {
      o = parsePyJson(line);
    } catch {
      return { ok: false, reason: 'invalid JSON' };
    }
  }
  if (!isObject(o)) return { ok: false, reason: 'not a JSON object' };
  // a line no writer of a study makes (Optuna's encoder stops near 1,000 levels): the copies and
  // texts made of its values recurse, and 5,000 levels (10 kB) crashed every reader of the journal
  if (line.length > MAX_NESTING && openers(line) > MAX_NESTING && nestedDeeper(o, MAX_NESTING)) return { ok: false, reason: `nested deeper than ${MAX_NESTING} levels` };
  return { ok: true, value: o };
}

/** How many '[' and '{' the text holds (an upper bound of its nesting, strings included): the walk below only past MAX_NESTING of them. */
function openers(text: string): number {
  let k = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) k++;
  }
  return k;
}

/** Levels of arrays and objects a journal line may nest. */
const MAX_NESTING = 1000;

/** Whether `v` nests arrays or objects more than `max` levels deep (a loop: a recursive walk would overflow on what it guards against). */
function nestedDeeper(v: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const c of Object.values(x as object)) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return false;
}

export const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Checks a params object; returns the problem or null. */
export function paramsProblem(p: unknown): string | null {
  if (!isObject(p)) return '"params" must be an object';
  for (const [k, v] of Object.entries(p)) {
    if (!(typeof v === 'string' || typeof v === 'boolean' || isNum(v))) {
      return `parameter ${JSON.stringify(k)} must be a string, boolean or finite number`;
    }
  }
  return null;
}
