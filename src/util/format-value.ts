/** Number formatting shared by progress lines, the printed tables and the HTML report. */

/**
 * A parameter or objective value with 3 significant digits (strings, and
 * integers below 2^53, as they are: every float from 2^53 on is an integer,
 * and 9.993188152990597e+299 printed whole).
 */
export function formatValue(v: string | number | boolean): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 53) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/** `n` and `word`, plural past one: "1 epoch", "3 epochs". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A value as error messages quote it: strings quoted, NaN and Infinity by name (JSON would say null). */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return `${v}n`; // 1n, not 1: a bigint is refused where a number is asked for
  if (typeof v === 'function') return 'a function';
  if (typeof (v as { then?: unknown } | null)?.then === 'function') return 'a Promise';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
