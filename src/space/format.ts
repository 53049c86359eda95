/** Value formatting shared by the space's error messages. */

/**
 * A short, unambiguous rendering of any value for an error message:
 * strings are JSON-quoted (`"abc"`), numbers use `String` (`0.0001`, `NaN`),
 * arrays and objects are named rather than dumped.
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return typeof value === 'bigint' ? `${value}n` : String(value);
  }
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return String(value);
  return 'an object';
}

/** `"relu", "tanh"`: a list of choices as they appear in messages. */
export function describeList(values: readonly unknown[]): string {
  return values.map(describe).join(', ');
}
