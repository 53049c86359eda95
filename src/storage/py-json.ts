/**
 * JSON as Python's `json` module writes and reads it: float repr (`1.0`,
 * `1e-05`), `ensure_ascii` escapes, `indent` layout, and the non-standard
 * `NaN` / `Infinity` / `-Infinity` tokens it emits for non-finite floats.
 */

/** Marks a number to be written as a Python int (`3`, not `3.0`). */
export class PyInt {
  constructor(readonly value: number) {}
}

export type PyValue = null | boolean | number | PyInt | string | readonly PyValue[] | { readonly [k: string]: PyValue };

/**
 * Python's `repr(float)`: the shortest round-trip digits (the same digits as
 * JavaScript's), in positional form when the decimal exponent e of d.ddd x 10^e
 * satisfies -4 <= e < 16, else `d.ddde±XX`; integral values end in `.0`.
 * Non-finite values are spelled as `json.dumps` does.
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expStr] = Math.abs(x).toExponential().split('e');
  const e = Number(expStr);
  const digits = mant.replace('.', '');
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const point = e + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A JSON string as Python writes it with `ensure_ascii=True` (everything outside ' '..'~' escaped). */
export function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * `json.dumps(value)` (indent undefined: separators ', ' and ': ') or
 * `json.dump(value, f, indent=n)`. Plain numbers are floats; wrap ints in PyInt.
 */
export function pyDumps(value: PyValue, indent?: number): string {
  const nl = (depth: number): string => (indent === undefined ? '' : '\n' + ' '.repeat(indent * depth));
  const sep = indent === undefined ? ', ' : ',';
  const walk = (v: PyValue, depth: number): string => {
    if (v === null) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return pyFloat(v);
    if (v instanceof PyInt) return String(v.value);
    if (typeof v === 'string') return pyString(v);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return '[' + v.map((x) => nl(depth + 1) + walk(x, depth + 1)).join(sep) + nl(depth) + ']';
    }
    const entries = Object.entries(v as { [k: string]: PyValue });
    if (entries.length === 0) return '{}';
    return '{' + entries.map(([k, x]) => nl(depth + 1) + pyString(k) + ': ' + walk(x, depth + 1)).join(sep) + nl(depth) + '}';
  };
  return walk(value, 0);
}

const SENTINEL = '\u0000py:';

/**
 * Parses JSON that may hold Python's bare `NaN`, `Infinity` and `-Infinity`
 * (outside strings); they become the corresponding numbers. Throws SyntaxError
 * like JSON.parse on anything else that is not JSON.
 */
export function parsePyJson(text: string): unknown {
  // The bare tokens stand in as strings marked by a prefix no string of the text starts with:
  // a string can hold NUL only as an escape, so most texts need no check at all.
  let sentinel = SENTINEL;
  let { out, literals } = marked(text, sentinel);
  if (/\\u0000/i.test(text)) {
    const strings = literals.map((l) => JSON.parse(l) as string);
    while (strings.some((x) => x.startsWith(sentinel))) sentinel = '\u0000' + sentinel;
    if (sentinel !== SENTINEL) out = marked(text, sentinel).out;
  }
  return JSON.parse(out, (_k, v) => {
    if (typeof v === 'string' && v.startsWith(sentinel)) {
      const t = v.slice(sentinel.length);
      return t === 'NaN' ? NaN : t === 'Infinity' ? Infinity : -Infinity;
    }
    return v;
  });
}

/** `text` with its bare NaN / Infinity / -Infinity as strings `sentinel + token`, and its string literals as written. */
function marked(text: string, sentinel: string): { out: string; literals: string[] } {
  let out = '';
  const literals: string[] = [];
  let from = -1; // where the string being read opened
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (from >= 0) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') {
        literals.push(text.slice(from, i + 1));
        from = -1;
      }
      continue;
    }
    if (ch === '"') {
      from = i;
      out += ch;
      continue;
    }
    const token = text.startsWith('NaN', i) ? 'NaN' : text.startsWith('Infinity', i) ? 'Infinity' : text.startsWith('-Infinity', i) ? '-Infinity' : null;
    if (token) {
      out += JSON.stringify(sentinel + token);
      i += token.length - 1;
      continue;
    }
    out += ch;
  }
  return { out, literals };
}
