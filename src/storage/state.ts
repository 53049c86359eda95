/**
 * Folds journal text into trials. Incremental: the journal is append-only, so
 * each `update` parses only the lines added since the last one.
 */
import type { Params } from '../space/types';
import type { RngState } from '../util/rng';
import type { SpaceSpec } from '../space/types';
import { parseEvent } from './events';
import { bomLength, PointCheck } from './line-checks';
import type { AskEvent, JournalEvent, JournalTrial, ModelState, SkippedLine, StudyEvent, TellEvent } from './types';

export const TRUNCATED_REASON = 'truncated last line (no newline at the end, not valid JSON)';

interface Entry {
  trial: JournalTrial;
  askLine: number;
  tellLine?: number;
}

/** Canonical text of a params object (key order ignored), for equality. */
export function paramsKey(p: Params): string {
  return JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k]]));
}

export function copyTrial(t: JournalTrial): JournalTrial {
  return { ...t, params: { ...t.params } };
}

export class JournalReducer {
  private offset = 0;
  private lines = 0;
  /** the text up to `offset` ended without '\n' and that line was used: the next '\n' only closes it */
  private openTail = false;
  private tailSkip: SkippedLine | null = null;
  private readonly entries = new Map<number, Entry>();
  private readonly skippedLines: SkippedLine[] = [];
  private maxId = -1;
  header: StudyEvent | null = null;
  headerLine = 0;
  rngState: RngState | null = null;
  modelState: ModelState | null = null;
  /** checks ask params: against the header's space, else the one given to the constructor */
  private check: PointCheck | null;
  /** ids of asks skipped for params outside the space, with their line */
  private readonly skippedAsks = new Map<number, number>();

  /** @param space checks asks when the journal's header stores no space */
  constructor(private readonly space?: SpaceSpec) {
    this.check = space ? new PointCheck(space) : null;
  }

  /**
   * Feeds the whole journal text. It must extend the text fed before
   * (append-only); a shorter text means the journal was replaced, and the
   * reducer starts over.
   */
  update(text: string): void {
    if (text.length < this.offset) this.reset();
    // a byte order mark (some editors add one) is not part of the header line
    let pos = this.offset === 0 ? bomLength(text) : this.offset;
    if (this.openTail && pos < text.length) {
      if (text[pos] === '\n') pos++;
      this.openTail = false;
    }
    for (let nl = text.indexOf('\n', pos); nl >= 0; nl = text.indexOf('\n', pos)) {
      this.consume(text.slice(pos, nl), ++this.lines);
      pos = nl + 1;
    }
    this.offset = pos;
    this.tailSkip = null;
    const tail = stripCr(text.slice(pos));
    if (tail.trim() === '') return;
    const r = parseEvent(tail);
    if (r.ok) {
      // whole JSON without its newline (a write cut just before it): use it
      this.apply(r.event, ++this.lines);
      this.offset = text.length;
      this.openTail = true;
    } else {
      this.tailSkip = { line: this.lines + 1, reason: r.reason === 'invalid JSON' ? TRUNCATED_REASON : r.reason };
    }
  }

  private reset(): void {
    this.offset = 0;
    this.lines = 0;
    this.openTail = false;
    this.tailSkip = null;
    this.entries.clear();
    this.skippedLines.length = 0;
    this.maxId = -1;
    this.header = null;
    this.headerLine = 0;
    this.rngState = null;
    this.modelState = null;
    this.check = this.space ? new PointCheck(this.space) : null;
    this.skippedAsks.clear();
  }

  private consume(raw: string, line: number): void {
    const text = stripCr(raw);
    if (text.trim() === '') return;
    const r = parseEvent(text);
    if (r.ok) this.apply(r.event, line);
    else this.skippedLines.push({ line, reason: r.reason });
  }

  private apply(e: JournalEvent, line: number): void {
    const problem = e.type === 'study' ? this.applyStudy(e, line) : e.type === 'ask' ? this.applyAsk(e, line) : this.applyTell(e, line);
    if (problem) this.skippedLines.push({ line, reason: problem });
  }

  private applyStudy(e: StudyEvent, line: number): string | null {
    if (this.header) return `study: a second header (the header is line ${this.headerLine})`;
    this.header = e;
    this.headerLine = line;
    if (e.space) this.check = new PointCheck(e.space);
    return null;
  }

  private applyAsk(e: AskEvent, line: number): string | null {
    const outside = this.check?.problem(e.params);
    if (outside) {
      // ids stay unique: a later ask never reuses this one
      if (!this.entries.has(e.id)) this.skippedAsks.set(e.id, line);
      if (e.id > this.maxId) this.maxId = e.id;
      return `ask: ${outside}`;
    }
    const prev = this.entries.get(e.id);
    if (prev) {
      if (prev.trial.status !== 'pending') return `ask: trial ${e.id} already finished (line ${prev.tellLine})`;
      if (paramsKey(prev.trial.params) !== paramsKey(e.params)) {
        return `ask: trial ${e.id} was already asked with different params (line ${prev.askLine})`;
      }
      // a re-ask: the trial gets a new owner and start time
      prev.trial.worker = e.worker;
      prev.trial.startedAt = e.t;
      prev.askLine = line;
    } else {
      const trial: JournalTrial = { id: e.id, params: { ...e.params }, target: null, status: 'pending', source: e.source, startedAt: e.t };
      if (e.engine !== undefined) trial.engine = e.engine;
      if (e.suggestMs !== undefined) trial.suggestMs = e.suggestMs;
      if (e.worker !== undefined) trial.worker = e.worker;
      this.entries.set(e.id, { trial, askLine: line });
      if (e.id > this.maxId) this.maxId = e.id;
    }
    if (e.rng) this.rngState = [e.rng[0], e.rng[1], e.rng[2], e.rng[3]];
    if (e.model) this.modelState = structuredClone(e.model);
    return null;
  }

  private applyTell(e: TellEvent, line: number): string | null {
    const prev = this.entries.get(e.id);
    const skippedAsk = this.skippedAsks.get(e.id);
    if (!prev && skippedAsk !== undefined) return `tell: trial ${e.id} was skipped (its ask, line ${skippedAsk}, does not fit the space)`;
    if (!prev) return `tell: unknown trial id ${e.id}`;
    if (prev.trial.status !== 'pending') return `tell: trial ${e.id} already finished (line ${prev.tellLine})`;
    const t = prev.trial;
    t.status = e.status;
    t.target = e.status === 'complete' ? e.target : null;
    if (e.error !== undefined) t.error = e.error;
    if (e.durationMs !== undefined) t.durationMs = e.durationMs;
    t.finishedAt = e.t;
    prev.tellLine = line;
    return null;
  }

  /** The id the next ask gets. */
  get nextId(): number {
    return this.maxId + 1;
  }

  /** The live trial with this id (not a copy), if any. */
  get(id: number): JournalTrial | undefined {
    return this.entries.get(id)?.trial;
  }

  /** Copies of every trial, by id. */
  trials(): JournalTrial[] {
    return [...this.entries.values()].map((e) => copyTrial(e.trial)).sort((a, b) => a.id - b.id);
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
