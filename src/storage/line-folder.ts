/**
 * Folds append-only journal text line by line. Incremental: each `update`
 * parses only the lines added since the last one. Lines that do not parse or
 * apply are kept as skipped, with their 1-based line number and the reason; a
 * torn last line (no newline, not valid JSON) is reported until it is
 * completed or followed by new lines.
 *
 * A whole JSON last line without its newline is used at once (a write cut
 * just before its '\n'). When another writer then appends without looking
 * (Optuna's file storage does), its line is glued to that one: `{A}{B}`.
 * A fold that met `{A}` alone used it and then `{B}`, so a line that starts
 * with whole JSON objects glued together is folded as those objects and
 * what follows them (splitGlued in ./line-checks.ts), all under the line's
 * own number, wherever it is met: reading the journal afresh gives what the
 * live fold gave, and appends cut only what follows the whole objects.
 */
import type { Params } from '../space/types';
import { bomLength, splitGlued } from './line-checks';
import type { JournalTrial, SkippedLine } from './types';
import { escapeUnsafe } from '../util/terminal-text';

export const TRUNCATED_REASON = 'truncated last line (no newline at the end, not valid JSON)';

/** Canonical text of a params object (key order ignored), for equality. */
export function paramsKey(p: Params): string {
  return JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k]]));
}

export function copyTrial(t: JournalTrial): JournalTrial {
  const c: JournalTrial = { ...t, params: { ...t.params } };
  if (t.intermediate) c.intermediate = { ...t.intermediate };
  if (t.rungs) c.rungs = { ...t.rungs };
  if (t.prunerAttrs) c.prunerAttrs = { ...t.prunerAttrs };
  if (t.userAttrs) c.userAttrs = structuredClone(t.userAttrs);
  return c;
}

export type Parsed<E> = { ok: true; event: E } | { ok: false; reason: string };

export abstract class LineFolder<E> {
  private offset = 0;
  private lines = 0;
  /** `feed`: the text after the last line folded */
  private rest = '';
  /** the text up to `offset` ended without '\n' and that line was used: the next '\n' only closes it */
  private openTail = false;
  private tailSkip: SkippedLine | null = null;
  protected readonly skippedLines: SkippedLine[] = [];
  private used = 0;

  protected abstract parse(line: string): Parsed<E>;
  /** Applies an event; returns why it was not used, or null. */
  protected abstract apply(e: E, line: number): string | null;
  /** Forgets everything folded so far (the text was replaced). */
  protected abstract clear(): void;

  /**
   * Feeds the whole journal text. It must extend the text fed before
   * (append-only); a shorter text means the journal was replaced, and the
   * fold starts over.
   */
  update(text: string): void {
    this.updateWindow(text, 0);
  }

  /** Characters of the text folded so far (`update`'s and `updateWindow`'s offset). */
  get foldedChars(): number {
    return this.offset;
  }

  /**
   * `update` given only the whole text's end: `text` is the whole text from
   * character `start` on, and `start` is at most what was folded (a reader
   * that re-reads from its last complete line, JournalBackend.readWindow).
   * A text shorter than what was folded, given whole (`start` 0), starts
   * the fold over as `update` does.
   */
  updateWindow(text: string, start: number): void {
    if (start + text.length < this.offset) {
      if (start !== 0) throw new Error(`line folder: a window at ${start} of a text shorter than the ${this.offset} characters folded`);
      this.reset();
    }
    if (start > this.offset) throw new Error(`line folder: a window at ${start}, after the ${this.offset} characters folded`);
    // a byte order mark (some editors add one) is not part of the first line
    this.offset = start + this.foldFrom(text, this.offset === 0 ? bomLength(text) : this.offset - start);
  }

  /**
   * Feeds the text appended after all the text fed so far, without the
   * earlier text (the incremental twin of `update`, for a reader that gets
   * only what is new; do not mix the two on one folder).
   */
  feed(chunk: string): void {
    const text = this.rest + chunk;
    const end = this.foldFrom(text, this.lines === 0 && this.rest === '' ? bomLength(text) : 0);
    this.rest = text.slice(end);
  }

  /** Folds the complete lines of `text` from `pos`, and a whole-JSON last line; returns where the unfolded rest begins. */
  private foldFrom(text: string, pos: number): number {
    if (pos >= text.length) return pos;
    // text glued straight after a used tail continues that line: it keeps its number
    let sameLine = this.openTail;
    if (this.openTail && text[pos] === '\n') {
      pos++;
      sameLine = false;
    }
    this.openTail = false;
    for (let nl = text.indexOf('\n', pos); nl >= 0; nl = text.indexOf('\n', pos)) {
      this.consume(text.slice(pos, nl), sameLine ? this.lines : ++this.lines);
      sameLine = false;
      pos = nl + 1;
    }
    this.tailSkip = null;
    const tail = stripCr(text.slice(pos));
    if (tail.trim() === '') {
      this.openTail = sameLine;
      return pos;
    }
    const line = sameLine ? this.lines : this.lines + 1;
    const r = this.parse(tail);
    if (r.ok) {
      // whole JSON without its newline (a write cut just before it): use it
      this.lines = line;
      this.use(r.event, line);
      this.openTail = true;
      return text.length;
    }
    const glued = r.reason === 'invalid JSON' ? splitGlued(tail) : null;
    if (!glued) {
      // a journal line is a JSON object, so only text opening one can be a write cut short
      // ('hello world' alone in a file is no journal, not an empty one)
      const torn = r.reason === 'invalid JSON' && tail.trimStart().startsWith('{');
      this.tailSkip = { line, reason: torn ? TRUNCATED_REASON : clipReason(r.reason) };
      this.openTail = sameLine;
      return pos;
    }
    // whole objects, then perhaps a torn write glued after them: the objects are used, the rest waits
    this.lines = line;
    for (const v of glued.values) this.consumeValue(v, line);
    this.openTail = true;
    if (glued.rest.trim() === '') return text.length;
    this.tailSkip = { line, reason: TRUNCATED_REASON };
    return pos + tail.length - glued.rest.length; // the rest's start (a '\r' stripped from the tail's end does not move it)
  }

  /**
   * Forgets everything folded, to fold the text again from its start: a
   * reader fed from an operation number (`feed`) cannot say so with a
   * shorter text, as `update` can.
   */
  restart(): void {
    this.reset();
  }

  private reset(): void {
    this.offset = 0;
    this.rest = '';
    this.lines = 0;
    this.openTail = false;
    this.tailSkip = null;
    this.skippedLines.length = 0;
    this.used = 0;
    this.clear();
  }

  private consume(raw: string, line: number): void {
    const text = stripCr(raw);
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return;
    const r = this.parse(text);
    if (r.ok) return this.use(r.event, line);
    const glued = r.reason === 'invalid JSON' ? splitGlued(text) : null;
    if (!glued) return void this.skippedLines.push({ line, reason: clipReason(r.reason) });
    for (const v of glued.values) this.consumeValue(v, line);
    if (glued.rest.trim() !== '') this.consumeValue(glued.rest, line);
  }

  /** One piece of a glued line: used, or skipped under the line's number. */
  private consumeValue(text: string, line: number): void {
    const r = this.parse(text);
    if (r.ok) this.use(r.event, line);
    else this.skippedLines.push({ line, reason: clipReason(r.reason) });
  }

  private use(e: E, line: number): void {
    const problem = this.apply(e, line);
    if (problem) this.skippedLines.push({ line, reason: clipReason(problem) });
    else this.used++;
  }

  /** How many lines folded so far were used (parsed and applied). */
  get usedLines(): number {
    return this.used;
  }

  /** Skipped lines by line number, the torn tail (if any) last. */
  skipped(): SkippedLine[] {
    const out = [...this.skippedLines].sort((a, b) => a.line - b.line);
    if (this.tailSkip) out.push({ ...this.tailSkip });
    return out;
  }
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/** A skipped line's reason cut to 200 characters: it quotes the line's own text (a 20 MB op_code made a 20 MB line on stderr). */
function clipReason(reason: string): string {
  return reason.length > 200 ? `${reason.slice(0, 197)}...` : reason;
}

/** "line 5: reason; line 9: reason": the first 5 skipped lines, then how many more. */
export function describeSkipped(skipped: readonly SkippedLine[]): string {
  // a reason quotes the line's own text, which may hold C1 controls or bidi overrides JSON does not escape
  const shown = skipped.slice(0, 5).map((s) => `line ${s.line}: ${escapeUnsafe(s.reason)}`).join('; ');
  return skipped.length > 5 ? `${shown}; and ${skipped.length - 5} more` : shown;
}

/** "3 damaged line(s) skipped (line 5: reason; ...)": how the optimizer and the command line say them. */
export function damagedLinesNote(skipped: readonly SkippedLine[]): string {
  return `${skipped.length} damaged line(s) skipped (${describeSkipped(skipped)})`;
}
