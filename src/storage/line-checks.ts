/**
 * Checks every journal loader applies, whatever the line format: a leading
 * UTF-8 byte order mark is not part of the first line, and a trial whose
 * params lie outside the study's space (out of range, not a listed choice, a
 * non-integer int, a missing or unknown parameter) is skipped and reported
 * with its line, as any other damaged line: loading it would make every
 * later suggestion fail on it.
 */
import { InvalidOptionError } from '../errors';
import { Space } from '../space/space';
import type { Params, SpaceSpec } from '../space/types';
import { isObject, parseJsonObject } from './params-check';
import { widens } from './space-check';
import { show, showBrief } from '../util/format-value';

/** @throws InvalidOptionError naming `text` unless it is a string, after `who` (undefined was a TypeError reading charCodeAt) */
export function checkText(text: unknown, who: string): asserts text is string {
  if (typeof text !== 'string') throw new InvalidOptionError(`${who}: text: expected a string, got ${showBrief(text)}`, 'text');
}

/**
 * Length of a leading UTF-8 byte order mark (U+FEFF) of `text`: 1 or 0.
 * @throws InvalidOptionError naming `text` unless it is a string
 */
export function bomLength(text: string): number {
  checkText(text, 'bomLength');
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/**
 * `text` without a leading byte order mark.
 * @throws InvalidOptionError naming `text` unless it is a string
 */
export function stripBom(text: string): string {
  checkText(text, 'stripBom');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Where a journal text's torn tail begins, or -1 when it has none: the text
 * after the last '\n' (and after a leading byte order mark) when it is not
 * a whole JSON object as the readers parse one (Python's bare NaN and
 * Infinity included): a write cut short by a crash or a full disk; only
 * blanks, or JSON that is no object (which Optuna's reader cannot take),
 * count too. A whole last line without its newline is a record and is kept
 * (the next append closes it), and so are the whole objects at the start of
 * a last line another writer glued its write onto ({@link splitGlued}: the
 * readers use them): only what follows them is cut, and the append closes
 * the kept objects' line.
 * Appends cut a torn tail off rather than close it with '\n': a broken line
 * in mid-file is skipped by this library's readers but makes Optuna's refuse
 * the whole journal (3.1 raises its JSONDecodeError).
 *
 * @example
 * tornTailStart('{"a":1}\n{"op_co'); // 8
 * tornTailStart('{"a":1}\n{"b":2}'); // -1
 * tornTailStart('{"a":1}{"op_co'); // 7
 */
export function tornTailStart(text: string): number {
  // a byte order mark before the first line is kept (the fold counts from after it)
  const start = text.lastIndexOf('\n') + 1 || bomLength(text);
  if (start === text.length) return -1;
  const tail = text.slice(start);
  if (tail.trim() === '') return start;
  // whole as the journal's readers judge it: a JSON object, with Python's bare NaN and Infinity
  if (parseJsonObject(tail).ok) return -1;
  const glued = splitGlued(tail);
  if (!glued) return start;
  return glued.rest.trim() === '' ? -1 : start + tail.length - glued.rest.length;
}

/**
 * A line that starts with whole JSON objects or arrays with no newline
 * between them (another writer appended straight after a whole last line
 * that had no newline yet, as Optuna's file storage does): those values and
 * the rest of the line after them ('' when none). Null where the line is
 * not such (it does not start with a whole value, or it is one value and
 * blanks). One pass over the line, strings and escapes respected; no cap on
 * the values, so a reader that met them one at a time (a live fold) and one
 * that meets them at once agree.
 *
 * @example
 * splitGlued('{"a":1}{"b":"}"}{"c"') // { values: ['{"a":1}', '{"b":"}"}'], rest: '{"c"' }
 */
export function splitGlued(line: string): { values: string[]; rest: string } | null {
  const values: string[] = [];
  let from = 0;
  let i = 0;
  for (;;) {
    while (i < line.length && line.charCodeAt(i) <= 32) i++;
    const open = line[i];
    if (open !== '{' && open !== '[') break;
    const end = valueEnd(line, i);
    if (end < 0) break;
    values.push(line.slice(from, end));
    from = i = end;
  }
  const rest = line.slice(from);
  if (values.length === 0 || (values.length === 1 && rest.trim() === '')) return null;
  return { values, rest };
}

/** The index after the JSON object or array opening at `i`, or -1 where the line ends first. */
function valueEnd(line: string, i: number): number {
  let depth = 0;
  let inString = false;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
  }
  return -1;
}

/** `kept`, the journal text before a cut, closed with '\n' where its last line holds something (glued objects kept). */
export function closeKept(kept: string): string {
  const lastLine = kept.slice(kept.lastIndexOf('\n') + 1);
  return lastLine.trim() === '' ? kept : `${kept}\n`;
}

/**
 * The last line of a stored journal of `size` bytes (the text after its last
 * '\n', '' when it ends in one; and its bytes) and the byte offset it starts at, read back
 * from the end in 64 KiB steps through `read(from, to)` (bytes from..to-1).
 */
export async function readLastLine(
  size: number, read: (from: number, to: number) => Promise<Uint8Array>,
): Promise<{ start: number; text: string; bytes: Uint8Array }> {
  const chunks: Uint8Array[] = [];
  let end = size;
  let start = 0;
  while (end > 0) {
    const from = Math.max(0, end - 65_536);
    const buf = await read(from, end);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) {
      chunks.unshift(buf.subarray(nl + 1));
      start = from + nl + 1;
      break;
    }
    chunks.unshift(buf);
    end = from;
  }
  const bytes = new Uint8Array(size - start);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  // ignoreBOM: a byte order mark is kept in the text, as the journal's readers see it
  return { start, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes), bytes };
}

/** What an append must do first to a stored journal's last line (see tornTailStart). */
export interface AppendPlan {
  /** the byte offset to cut the journal at (a torn tail), or null */
  cutAt: number | null;
  /** the bytes cut off, to keep aside (empty when there are none worth keeping: blanks) */
  torn: Uint8Array;
  /** '\n' where the last line is whole but has no newline yet, else '' */
  prefix: string;
}

/**
 * The append plan of a stored journal of `size` bytes read through
 * `read(from, to)`: one byte is read where it ends in '\n' (every append
 * but the one after a crash), the last line otherwise.
 */
export async function planAppend(size: number, read: (from: number, to: number) => Promise<Uint8Array>): Promise<AppendPlan> {
  const none: AppendPlan = { cutAt: null, torn: new Uint8Array(0), prefix: '' };
  if (size === 0 || (await read(size - 1, size))[0] === 0x0a) return none;
  const tail = await readLastLine(size, read);
  const cut = tornTailStart(tail.text); // 0, or after a byte order mark opening the file
  if (cut < 0) return { ...none, prefix: '\n' };
  const at = tail.start + new TextEncoder().encode(tail.text.slice(0, cut)).length;
  const torn = tail.text.slice(cut).trim() === '' ? none.torn : tail.bytes.subarray(at - tail.start);
  // whole objects kept before the cut (a glued last line) are closed with a newline
  return { cutAt: at, torn, prefix: closeKept(tail.text.slice(0, cut)) === tail.text.slice(0, cut) ? '' : '\n' };
}

/**
 * Checks trial params against a stored space. Build it once per space;
 * `problem` returns why the params do not fit (the space's own message,
 * e.g. `parameter "x": value 7.5 is outside [0, 1]`) or null.
 *
 * @example
 * const check = new PointCheck(header.space);
 * check.problem({ x: 7.5 }); // 'parameter "x": value 7.5 is outside [0, 1]'
 */
export class PointCheck {
  private readonly space: Space | null;
  /** a point of the space, filling in the parameters a partial point lacks */
  private readonly fill: Params | null;
  /** why the stored space itself is unusable (then no point is checked) */
  readonly spaceProblem: string | null;

  constructor(spec: SpaceSpec) {
    let space: Space | null = null;
    let problem: string | null = null;
    try {
      space = new Space(spec);
    } catch (e) {
      problem = (e as Error).message;
    }
    this.space = space;
    this.spaceProblem = problem;
    this.fill = space ? space.decode(new Float64Array(space.dim)) : null;
  }

  problem(params: unknown): string | null {
    if (!this.space) return null;
    try {
      this.space.validatePoint(params);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /**
   * Like `problem`, for params still being set one by one (as Optuna does):
   * a missing parameter is not a problem yet, an unknown one or a bad value is.
   */
  partialProblem(params: Readonly<Record<string, unknown>>): string | null {
    if (!this.space || !this.fill) return null;
    return this.problem({ ...this.fill, ...params });
  }
}

/**
 * The check of trial points a stored space (`wbo:space`, value `v`) sets, or
 * why `v` is no space (a damaged line: the study goes on from its trials'
 * own distributions, as one Optuna created). `own`: the reader's space;
 * where it and `v` differ only by a widening (see widens), either way,
 * points are checked by it: a reader opened with the space the study had
 * before another widened it keeps its own (a point outside it is a skipped
 * line for it, not a trial its model cannot encode), and one that widened
 * it takes trials Optuna wrote outside the old space before the widening.
 */
export function storedSpaceCheck(v: unknown, own: SpaceSpec | undefined): PointCheck | string {
  const check = isObject(v) ? new PointCheck(v as SpaceSpec) : null;
  const problem = check === null ? `must be an object of parameter specs, got ${show(v)}` : check.spaceProblem;
  if (problem !== null) return problem;
  return own && (widens(own, v as SpaceSpec) || widens(v as SpaceSpec, own)) ? new PointCheck(own) : (check as PointCheck);
}
