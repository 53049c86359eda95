/**
 * What JSON would not carry as it is in a value to be journaled (user
 * attributes): a function, a Date, NaN, a cycle. JSON.stringify writes NaN
 * and Infinity as null and drops functions silently, so callers refuse such
 * values with a typed error instead of losing them.
 */

/** What a journal can store, for error messages. */
export const JSON_KINDS = ' (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)';

/** JSON nested deeper than this is refused (a recursion bound; Optuna has none, its JSON has Python's 1,000). */
const JSON_DEPTH_MAX = 1000;

/**
 * Where `v` holds something JSON does not carry as it is (a function, a
 * Date, NaN, a cycle, ...), as `path.key[i]: what`; null when nothing.
 * `within`: the arrays and objects above `v` (a cycle refers to one of them).
 */
export function jsonProblem(v: unknown, path: string, within: Set<object> = new Set()): string | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${path} is ${v}`;
  if (typeof v === 'object' && within.has(v)) return `${path} holds itself (a cycle)`;
  if (within.size >= JSON_DEPTH_MAX) return `${path} is nested more than ${JSON_DEPTH_MAX} deep`;
  const plain = typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
  if (!Array.isArray(v) && !plain) {
    if (v === undefined) return `${path} is undefined`;
    return `${path} is ${typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'non-plain object'}` : `a ${typeof v}`}`;
  }
  within.add(v as object);
  try {
    // Array.from visits holes too (map keeps them as holes), which JSON would write as null
    const entries: [string, unknown][] = Array.isArray(v)
      ? Array.from(v, (x, i) => [`[${i}]`, x])
      : Object.entries(v as Record<string, unknown>).map(([k, x]) => [`.${k}`, x]);
    for (const [at, x] of entries) {
      const p = jsonProblem(x, path + at, within);
      if (p) return p;
    }
    return null;
  } finally {
    within.delete(v as object);
  }
}

