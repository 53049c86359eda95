/**
 * Text from a study (parameter names, categorical choices, study names,
 * error messages: some written by other machines into a shared journal)
 * made safe to print on a terminal: characters that move the cursor, change
 * the terminal's state (ESC, C1 controls such as U+009B CSI), break a table's
 * row (newlines, tabs, carriage returns), reorder text (bidi overrides) or
 * hide in it (zero-width characters) are written as `\uXXXX` escapes.
 */

/** The characters written escaped: C0 and C1 controls, DEL, zero-width and bidi formatting characters, line and paragraph separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

const escapeOne = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `s` with every unsafe character written as `\uXXXX` (for text inside a
 * message that quotes its own parts).
 * @example
 * escapeUnsafe('a\u202eb'); // 'a\\u202eb'
 */
export function escapeUnsafe(s: string): string {
  return s.replace(UNSAFE_ALL, escapeOne);
}

/**
 * `s` as it is, or, when it holds an unsafe character, JSON-quoted with
 * those characters escaped (a table cell or a name: `"a\nb"` stays on its row).
 * @example
 * terminalText('lr');   // 'lr'
 * terminalText('a\nb'); // '"a\\nb"'
 */
export function terminalText(s: string): string {
  return UNSAFE.test(s) ? escapeUnsafe(JSON.stringify(s)) : s;
}

/**
 * `s` cut to at most `max` characters (code points: never half a surrogate
 * pair), the last one an ellipsis when cut.
 */
export function clipText(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
