/** Number formatting shared by progress lines, the printed tables and the HTML report. */

/**
 * A parameter or objective value with 3 significant digits (strings, and
 * integers below 2^53, as they are: every float from 2^53 on is an integer,
 * and 9.993188152990597e+299 printed whole).
 */
export function formatValue(v: string | number | boolean): string {
  return typeof v === 'number' ? formatDigits(v, 3) : String(v);
}

/** A number as {@link formatValue} writes it, with `digits` significant digits (1 to 17). */
export function formatDigits(v: number, digits: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 53) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(digits - 1) : String(Number(v.toPrecision(digits)));
}

/**
 * The fewest significant digits, `least` or more (at most 17, which tells
 * every two doubles apart), at which {@link formatDigits} writes any two
 * different `values` differently: lines that set two values side by side
 * (the best trial's and the recommended one's) read "0.01" and "0.01" at 3
 * digits where the values were 0.0100 and 0.0100012.
 */
export function digitsApart(values: readonly number[], least = 3): number {
  for (let d = least; d < 17; d++) {
    const seen = new Map<string, number>();
    const clash = values.some((v) => {
      const s = formatDigits(v, d);
      const other = seen.get(s);
      seen.set(s, v);
      return other !== undefined && other !== v;
    });
    if (!clash) return d;
  }
  return 17;
}

/** `n` and `word`, plural past one: "1 epoch", "3 epochs". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** {@link show} cut to 80 characters (77 and '...'): a long argument quoted in a message. */
export function showBrief(v: unknown): string {
  const s = show(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
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
