/**
 * Folds a journal in the v1 format (this library's own JSON lines, before
 * Optuna's journal format) into trials. Read only: v1 journals are loaded,
 * never written (see migrateJournal).
 */
import { copyTrial, LineFolder, paramsKey, type Parsed } from './line-folder';
import { parseEvent } from './v1-events';
import type { AskEvent, JournalEvent, StudyEvent, TellEvent } from './v1-events';
import type { JournalTrial, ModelState, StudyHeader } from './types';
import type { RngState } from '../util/rng';
import type { SpaceSpec } from '../space/types';
import { PointCheck } from './line-checks';

interface Entry {
  trial: JournalTrial;
  askLine: number;
  tellLine?: number;
}

export class V1Reducer extends LineFolder<JournalEvent> {
  private readonly entries = new Map<number, Entry>();
  private maxId = -1;
  private v1Header: StudyEvent | null = null;
  headerLine = 0;
  rngState: RngState | null = null;
  modelState: ModelState | null = null;
  /** the version-1 format records no design stream (see JournalState.designRngState) */
  readonly designRngState: RngState | null = null;
  /** checks ask params: against the header's space, else the one given to the constructor */
  private check: PointCheck | null;
  /** ids of asks skipped for params outside the space, with their line */
  private readonly skippedAsks = new Map<number, number>();

  /** @param space checks asks when the journal's header stores no space */
  constructor(private readonly space?: SpaceSpec) {
    super();
    this.check = space ? new PointCheck(space) : null;
  }

  /** The study's header in the common shape. */
  get header(): StudyHeader | null {
    const h = this.v1Header;
    if (!h) return null;
    const out: StudyHeader = { name: 'default', created: h.created };
    if (h.space) out.space = h.space;
    if (h.direction) out.direction = h.direction;
    if (h.meta) out.meta = h.meta;
    return out;
  }

  protected parse(line: string): Parsed<JournalEvent> {
    return parseEvent(line);
  }

  protected clear(): void {
    this.entries.clear();
    this.maxId = -1;
    this.v1Header = null;
    this.headerLine = 0;
    this.rngState = null;
    this.modelState = null;
    this.check = this.space ? new PointCheck(this.space) : null;
    this.skippedAsks.clear();
  }

  protected apply(e: JournalEvent, line: number): string | null {
    return e.type === 'study' ? this.applyStudy(e, line) : e.type === 'ask' ? this.applyAsk(e, line) : this.applyTell(e, line);
  }

  private applyStudy(e: StudyEvent, line: number): string | null {
    if (this.v1Header) return `study: a second header (the header is line ${this.headerLine})`;
    this.v1Header = e;
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
}
