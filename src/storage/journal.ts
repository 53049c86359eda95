/**
 * The study journal: ask/tell events appended to a shared log (schema in
 * ./types). Several processes (or tabs) may use one journal at once: ids are
 * allocated under the backend's lock, so none is lost or given twice, and
 * every ask returns the trials other workers have pending at that moment.
 *
 * Typical use by an optimizer:
 * ```ts
 * const journal = await Journal.open('study.jsonl', { space, direction });
 * const state = await journal.load();          // resume: trials, rngState, orphaned
 * for (const t of state.orphaned) await journal.reclaim(t.id); // re-ask interrupted trials
 * const { trial, othersPending } = await journal.ask(params, { source: 'suggest', rng: rng.state() });
 * await journal.tell(trial.id, { target, durationMs });
 * ```
 */
import { InvalidPointError, StateError, StorageError } from '../errors';
import type { TrialSource } from '../study/types';
import type { Params, SpaceSpec } from '../space/types';
import type { RngState } from '../util/rng';
import { formatEvent, paramsProblem } from './events';
import type { FileJournalOptions } from './file-backend';
import { randomHex } from './mutex';
import { openPathBackend } from './open-backend';
import { spaceDifference } from './space-check';
import { copyTrial, JournalReducer } from './state';
import type { AskEvent, Direction, JournalBackend, JournalState, JournalTrial, LoadedJournal, ModelState, StudyEvent, TellEvent } from './types';
import { JOURNAL_VERSION } from './types';

export interface JournalOptions {
  /** search space: written into a new journal's header, compared with the header on resume */
  space?: SpaceSpec;
  /** written into a new journal's header; a different stored direction is a StorageError */
  direction?: Direction;
  /** free-form data for a new journal's header */
  meta?: Record<string, unknown>;
  /** compare `space` with the stored one [true] */
  checkSpace?: boolean;
  /** write nothing, not even a header, and read without taking the lock [false] */
  readOnly?: boolean;
  /** this process's worker id [the backend's, else a random one] */
  worker?: string;
  /** overrides the backend's test of whether a worker still runs */
  isWorkerAlive?: (worker: string) => boolean | undefined | Promise<boolean | undefined>;
  /** lock settings when `open` is given a path (Node) */
  file?: FileJournalOptions;
}

/** Details of an ask besides its params. */
export interface AskExtra {
  /** where the point came from ['suggest'] */
  source?: TrialSource;
  engine?: 'cpu' | 'webgpu';
  /** the optimizer's `Rng.state()` after producing this point */
  rng?: RngState;
  /** its surrogate model's state after producing this point */
  model?: ModelState;
  suggestMs?: number;
}

export interface AskResult {
  /** the new pending trial */
  trial: JournalTrial;
  /** the journal right after the ask, other workers' trials included */
  state: JournalState;
  /** trials other workers had pending at that moment: points to stay away from */
  othersPending: JournalTrial[];
}

/** How a trial ended: a target, or an error. */
export interface TellInput {
  /** objective value; NaN, ±Infinity, null or undefined make the trial failed */
  target?: number | null;
  /** a thrown error or message: makes the trial failed */
  error?: unknown;
  durationMs?: number;
  /** when it was told, epoch ms [now] */
  at?: number;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return typeof e === 'string' ? e : String(e);
}

export class Journal {
  readonly backend: JournalBackend;
  /** the id written into this process's asks */
  readonly worker: string;
  private readonly reducer: JournalReducer;
  private readonly opts: JournalOptions;
  private closed = false;
  /** the journal text as of the last read or write under the lock */
  private text = '';

  private constructor(backend: JournalBackend, worker: string, opts: JournalOptions) {
    this.backend = backend;
    this.worker = worker;
    this.opts = opts;
    this.reducer = new JournalReducer(opts.space);
  }

  /**
   * Opens a journal: a path (a file under Node, OPFS/IndexedDB in a browser)
   * or a backend. Reads it, checks the stored space and direction against
   * `opts` (StorageError on mismatch) and, unless `readOnly`, writes a header
   * into a journal that has none.
   */
  static async open(target: string | JournalBackend, opts: JournalOptions = {}): Promise<Journal> {
    const backend = typeof target === 'string' ? await openPathBackend(target, opts.file) : target;
    const worker = opts.worker ?? (await backend.workerId?.()) ?? `w-${randomHex(8)}`;
    const j = new Journal(backend, worker, opts);
    try {
      await j.locked(async () => {
        await j.refresh();
        j.checkHeader();
        if (!j.reducer.header && !opts.readOnly) {
          const h: StudyEvent = { v: JOURNAL_VERSION, type: 'study', created: Date.now() };
          if (opts.space) h.space = opts.space;
          if (opts.direction) h.direction = opts.direction;
          if (opts.meta) h.meta = opts.meta;
          await j.write(formatEvent(h));
        }
      });
    } catch (e) {
      // a backend opened here is closed here; a caller's backend stays the caller's
      if (typeof target === 'string') await backend.close?.();
      throw e;
    }
    return j;
  }

  /**
   * Runs `fn` under the backend's lock. A read-only journal reads without it,
   * so readers never hold up writers (a line being written may then show as a
   * torn last line until the next read).
   */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.opts.readOnly ? fn() : this.backend.withLock(fn);
  }

  private get label(): string {
    return `journal ${JSON.stringify(this.backend.name ?? 'journal')}`;
  }

  private checkHeader(): void {
    const h = this.reducer.header;
    if (!h) return;
    const { space, direction, checkSpace } = this.opts;
    if (space && h.space && checkSpace !== false) {
      const diff = spaceDifference(h.space, space);
      if (diff) throw new StorageError(`${this.label}: the search space differs from the one the study was created with: ${diff}`);
    }
    if (direction && h.direction && direction !== h.direction) {
      throw new StorageError(`${this.label}: the study was created to ${h.direction}, not to ${direction}`);
    }
  }

  private async refresh(): Promise<void> {
    this.text = await this.backend.readAll();
    this.reducer.update(this.text);
  }

  /** Appends under the lock (taken by the caller) and folds the lines in without reading back. */
  private async write(lines: string): Promise<void> {
    await this.backend.append(lines);
    // the backend contract: a torn tail gets a '\n' before the new lines
    this.text += (this.text.length > 0 && !this.text.endsWith('\n') ? '\n' : '') + lines;
    this.reducer.update(this.text);
  }

  private assertOpen(write = false): void {
    if (this.closed) throw new StateError(`${this.label}: closed`);
    if (write && this.opts.readOnly) throw new StateError(`${this.label}: opened read-only`);
  }

  private async snapshot(): Promise<JournalState> {
    const r = this.reducer;
    const trials = r.trials();
    const pending = trials.filter((t) => t.status === 'pending');
    const orphaned: JournalTrial[] = [];
    for (const t of pending) if ((await this.ownerAlive(t)) === false) orphaned.push(t);
    return {
      header: r.header ? structuredClone(r.header) : null,
      trials,
      pending,
      orphaned,
      nextId: r.nextId,
      rngState: r.rngState ? [...r.rngState] : null,
      modelState: r.modelState ? structuredClone(r.modelState) : null,
      skipped: r.skipped(),
    };
  }

  /** true/false when the owner of a pending trial is known to run or not; undefined when unknown. */
  private async ownerAlive(t: JournalTrial): Promise<boolean | undefined> {
    if (t.worker === undefined) return undefined;
    if (t.worker === this.worker) return true;
    const test = this.opts.isWorkerAlive ?? this.backend.isWorkerAlive?.bind(this.backend);
    return test ? await test(t.worker) : undefined;
  }

  /** Reads the journal (under the lock) and returns everything in it. */
  async load(): Promise<LoadedJournal> {
    this.assertOpen();
    return this.locked(async () => {
      await this.refresh();
      return this.snapshot();
    });
  }

  /**
   * Records a new pending trial at `params` under the next free id.
   * Params values must be strings, booleans or finite numbers (InvalidPointError).
   */
  async ask(params: Params, extra: AskExtra = {}): Promise<AskResult> {
    return this.askWith(() => params, extra);
  }

  /**
   * Like `ask`, but the point is chosen by `choose` while the journal lock is
   * held, seeing every trial and pending point of every worker: no other
   * worker can ask in between. Keep `choose` short; it blocks other workers.
   * `extra` is read after `choose` returns, so `choose` may fill it in (say,
   * the random state after the draws it made).
   */
  async askWith(
    choose: (state: JournalState) => Params | Promise<Params>,
    extra: AskExtra = {},
  ): Promise<AskResult> {
    this.assertOpen(true);
    return this.backend.withLock(async () => {
      await this.refresh();
      const before = await this.snapshot();
      const params = await choose(before);
      const problem = paramsProblem(params);
      if (problem) {
        const bad = Object.entries(params ?? {}).find(([, v]) => paramsProblem({ v }) !== null);
        throw new InvalidPointError(`${this.label}: ask: ${problem}`, bad?.[0]);
      }
      const id = this.reducer.nextId;
      const e: AskEvent = { v: JOURNAL_VERSION, type: 'ask', id, params, source: extra.source ?? 'suggest', t: Date.now(), worker: this.worker };
      if (extra.engine) e.engine = extra.engine;
      if (extra.rng) e.rng = [...extra.rng];
      if (extra.model) e.model = structuredClone(extra.model);
      if (extra.suggestMs !== undefined) e.suggestMs = extra.suggestMs;
      await this.write(formatEvent(e));
      const state = await this.snapshot();
      const trial = copyTrial(this.reducer.get(id) as JournalTrial);
      const othersPending = before.pending.filter((t) => t.worker !== this.worker);
      return { trial, state, othersPending };
    });
  }

  /**
   * Re-asks a pending trial whose owner has stopped, making this worker its
   * owner. Returns the trial, or null when it is no longer pending or its owner
   * is not known to have stopped (`force` skips that test).
   */
  async reclaim(id: number, extra: { rng?: RngState; model?: ModelState; force?: boolean } = {}): Promise<JournalTrial | null> {
    this.assertOpen(true);
    return this.backend.withLock(async () => {
      await this.refresh();
      const t = this.reducer.get(id);
      if (!t || t.status !== 'pending') return null;
      if (t.worker !== this.worker && !extra.force && (await this.ownerAlive(t)) !== false) return null;
      const e: AskEvent = { v: JOURNAL_VERSION, type: 'ask', id, params: t.params, source: t.source, t: Date.now(), worker: this.worker };
      if (t.engine) e.engine = t.engine;
      if (extra.rng) e.rng = [...extra.rng];
      if (extra.model) e.model = structuredClone(extra.model);
      await this.write(formatEvent(e));
      return copyTrial(this.reducer.get(id) as JournalTrial);
    });
  }

  /**
   * Finishes trial `id`. A finite target makes it complete; an error or a
   * non-finite target makes it failed (stored with `target: null`). Returns
   * false, writing nothing, when the trial had already finished (another
   * worker told it first); an id never asked is a StateError.
   */
  async tell(id: number, result: TellInput): Promise<boolean> {
    this.assertOpen(true);
    return this.backend.withLock(async () => {
      await this.refresh();
      const t = this.reducer.get(id);
      if (!t) throw new StateError(`${this.label}: tell: unknown trial id ${id}`);
      if (t.status !== 'pending') return false;
      await this.write(formatEvent(tellEvent(id, result)));
      return true;
    });
  }

  /**
   * Asks and tells in one step: a point evaluated elsewhere (registered,
   * imported from bayes_opt). Returns the finished trial.
   */
  async record(params: Params, result: TellInput, extra: AskExtra = {}): Promise<JournalTrial> {
    const { trial } = await this.ask(params, { source: 'register', ...extra });
    await this.tell(trial.id, result);
    const t = this.reducer.get(trial.id) as JournalTrial;
    return copyTrial(t);
  }

  /** Releases the backend. Later calls throw StateError. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.close?.();
  }
}

/** The tell line for a result; non-finite targets become failures. */
export function tellEvent(id: number, r: TellInput): TellEvent {
  const e: TellEvent = { v: JOURNAL_VERSION, type: 'tell', id, status: 'complete', target: null, t: r.at ?? Date.now() };
  if (r.error !== undefined) {
    e.status = 'failed';
    e.error = errorText(r.error);
  } else if (typeof r.target === 'number' && Number.isFinite(r.target)) {
    e.target = r.target;
  } else {
    e.status = 'failed';
    e.error = `objective returned ${String(r.target)}`;
  }
  if (r.durationMs !== undefined && Number.isFinite(r.durationMs) && r.durationMs >= 0) e.durationMs = r.durationMs;
  return e;
}
