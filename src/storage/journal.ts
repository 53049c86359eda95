/**
 * The study journal: Optuna's journal operations appended to a shared log
 * (format in ./types), so Optuna (>= 3.1, JournalFileStorage) reads and writes
 * the same file. Several processes (or tabs, or Python workers) may use one
 * journal at once: trials are created under the backend's lock (the lock
 * Optuna takes), so none is lost or numbered twice, and every ask returns the
 * trials other workers have pending at that moment. A journal in this
 * library's older v1 format opens read-only (see migrateJournal).
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
import type { Params } from '../space/types';
import type { RngState } from '../util/rng';
import { randomHex } from './mutex';
import { openPathBackend } from './open-backend';
import { directionCode, encodeParams, formatOps, isoTime } from './optuna-format';
import { paramsProblem } from './params-check';
import { spaceDifference, distributionDifference } from './space-check';
import { copyTrial, JournalReducer } from './state';
import { OP, TRIAL_STATE, type JournalBackend, type JournalOp, type JournalState, type JournalTrial, type LoadedJournal, type ModelState } from './types';
import { detectFormat, tellEvent, type AskExtra, type AskResult, type JournalFormat, type JournalOptions, type TellInput } from './journal-io';
import { V1Reducer } from './v1-state';
import type { PruneResult } from './study-storage';

export { detectFormat, tellEvent, type AskExtra, type AskResult, type JournalFormat, type JournalOptions, type TellInput } from './journal-io';

export class Journal {
  readonly backend: JournalBackend;
  /** the id written into this process's operations */
  readonly worker: string;
  /** the study's name in the journal */
  readonly studyName: string;
  private reducer: JournalReducer | V1Reducer;
  private readonly opts: JournalOptions;
  private closed = false;
  /** set once the journal has text: its format is known */
  private formatKnown = false;
  /** the journal text as of the last read or write under the lock (a backend read whole) */
  private text = '';
  /** operations folded so far (a backend that reads from an operation number: readFrom) */
  private folded = 0;

  private constructor(backend: JournalBackend, worker: string, opts: JournalOptions) {
    this.backend = backend;
    this.worker = worker;
    this.opts = opts;
    this.studyName = opts.studyName ?? 'default';
    this.reducer = new JournalReducer(this.studyName, opts.space);
  }

  /**
   * Opens the study `studyName` in a journal: a path (a file under Node,
   * OPFS/IndexedDB in a browser) or a backend. Reads it, checks the stored
   * space and direction against `opts` (StorageError on mismatch) and, unless
   * `readOnly`, creates the study when the journal has none of that name.
   * A v1 journal opens only `readOnly` (StorageError otherwise).
   */
  static async open(target: string | JournalBackend, opts: JournalOptions = {}): Promise<Journal> {
    const backend = typeof target === 'string' ? await openPathBackend(target, opts.file) : target;
    const worker = opts.worker ?? (await backend.workerId?.()) ?? `w-${randomHex(8)}`;
    const j = new Journal(backend, worker, opts);
    try {
      await j.locked(async () => {
        await j.refresh();
        if (j.format === 'v1' && !opts.readOnly) {
          throw new StorageError(`${j.label}: written in this library's v1 journal format, which is read only now: ` +
            'convert it with migrateJournal(from, to) (the v1 file is left as it is), or open it with readOnly: true');
        }
        j.checkHeader();
        if (!j.reducer.header && !opts.readOnly) await j.write(j.createStudyOps());
      });
    } catch (e) {
      // a backend opened here is closed here; a caller's backend stays the caller's
      if (typeof target === 'string') await backend.close?.();
      throw e;
    }
    return j;
  }

  /** The format of the journal's text: 'v1' journals are read only. */
  get format(): JournalFormat {
    return this.reducer instanceof V1Reducer ? 'v1' : 'optuna';
  }

  /** Names of the studies in the journal (Optuna format), in creation order. */
  get studyNames(): string[] {
    return this.reducer instanceof JournalReducer ? this.reducer.studyNames : ['default'];
  }

  private createStudyOps(): string {
    const w = this.worker;
    const ops: JournalOp[] = [{ op_code: OP.CREATE_STUDY, worker_id: w, study_name: this.studyName, directions: [directionCode(this.opts.direction ?? 'maximize')] }];
    const sid = (this.reducer as JournalReducer).nextStudy; // the id the new study gets
    const attr = (key: string, value: unknown): JournalOp => ({ op_code: OP.SET_STUDY_SYSTEM_ATTR, worker_id: w, study_id: sid, system_attr: { [key]: value } });
    if (this.opts.space) ops.push(attr('wbo:space', this.opts.space));
    ops.push(attr('wbo:created', Date.now()));
    if (this.opts.meta) ops.push(attr('wbo:meta', this.opts.meta));
    return formatOps(ops);
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
    if (space && checkSpace !== false) {
      const diff = h.space
        ? spaceDifference(h.space, space)
        : this.reducer instanceof JournalReducer ? distributionDifference(this.reducer.distributions, space) : null;
      if (diff) throw new StorageError(`${this.label}: the search space differs from the one the study was created with: ${diff}`);
    }
    if (h.meta?.directions) throw new StorageError(`${this.label}: study ${JSON.stringify(h.name)} has several objectives; only single-objective studies are supported`);
    if (direction && h.direction && direction !== h.direction) {
      throw new StorageError(`${this.label}: the study was created to ${h.direction}, not to ${direction}`);
    }
  }

  private async refresh(): Promise<void> {
    const incremental = this.backend.readFrom !== undefined;
    const text = incremental ? await (this.backend.readFrom as (from: number) => Promise<string>)(this.folded) : await this.backend.readAll();
    if (!this.formatKnown && text.trim() !== '') {
      this.formatKnown = true;
      if (detectFormat(text) === 'v1') this.reducer = new V1Reducer(this.opts.space);
    }
    if (incremental) {
      this.folded += countLines(text);
      this.reducer.feed(text);
    } else {
      this.text = text;
      this.reducer.update(text);
    }
  }

  /** Appends under the lock (taken by the caller) and folds the lines in without reading back. */
  private async write(lines: string): Promise<void> {
    await this.backend.append(lines);
    this.formatKnown = true;
    if (this.backend.readFrom) {
      this.folded += countLines(lines);
      this.reducer.feed(lines);
      return;
    }
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
    const alive = new Map<string | undefined, boolean | undefined>(); // one test per worker, not per trial
    for (const t of pending) {
      if (!alive.has(t.worker)) alive.set(t.worker, await this.ownerAlive(t));
      if (alive.get(t.worker) === false) orphaned.push(t);
    }
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

  /** The study's Optuna study_id, creating the study if it was deleted meanwhile. */
  private async studyId(): Promise<number> {
    const r = this.reducer as JournalReducer;
    if (r.studyId === null) await this.write(this.createStudyOps());
    return r.studyId as number;
  }

  /** A SET_TRIAL_SYSTEM_ATTR operation for trial `id`. */
  private attrOp(id: number, key: string, value: unknown): JournalOp {
    const tid = (this.reducer as JournalReducer).trialId(id);
    return { op_code: OP.SET_TRIAL_SYSTEM_ATTR, worker_id: this.worker, trial_id: tid, system_attr: { [key]: value } };
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
   * the random state after the draws it made). `choose` may run more than
   * once: a writer that does not take the lock (an Optuna worker on Redis)
   * may append between the read and the write, and the step is then re-run
   * on the fresh journal. So `choose` must not commit anything of its own
   * (say, the progress through a design) until `askWith` has returned.
   */
  async askWith(
    choose: (state: JournalState) => Params | Promise<Params>,
    extra: AskExtra = {},
  ): Promise<AskResult> {
    this.assertOpen(true);
    // finds this ask's trial when the step runs again after a write whose reply was lost with the connection
    const askId = randomHex(8);
    return this.backend.withLock(async () => {
      await this.refresh();
      const before = await this.snapshot();
      const landed = (this.reducer as JournalReducer).askedAs?.(askId);
      if (landed !== undefined) {
        const trial = copyTrial(this.reducer.get(landed) as JournalTrial);
        return { trial, state: before, othersPending: before.pending.filter((t) => t.worker !== this.worker) };
      }
      const params = await choose(before);
      const problem = paramsProblem(params);
      if (problem) {
        const bad = Object.entries(params ?? {}).find(([, v]) => paramsProblem({ v }) !== null);
        throw new InvalidPointError(`${this.label}: ask: ${problem}`, bad?.[0]);
      }
      const enc = encodeParams(params, this.reducer.header?.space ?? this.opts.space);
      if (typeof enc === 'string') throw new InvalidPointError(`${this.label}: ask: ${enc}`);
      const sys: Record<string, unknown> = { 'wbo:source': extra.source ?? 'suggest', 'wbo:worker': this.worker, 'wbo:ask': askId };
      if (extra.engine) sys['wbo:engine'] = extra.engine;
      if (extra.suggestMs !== undefined) sys['wbo:suggest_ms'] = extra.suggestMs;
      if (extra.rng) sys['wbo:rng'] = [...extra.rng];
      if (extra.model) sys['wbo:model'] = structuredClone(extra.model);
      const id = this.reducer.nextId;
      const op: JournalOp = {
        op_code: OP.CREATE_TRIAL, worker_id: this.worker, study_id: await this.studyId(),
        datetime_start: isoTime(Date.now()), state: TRIAL_STATE.RUNNING, value: null, values: null,
        params: enc.params, distributions: enc.distributions, user_attrs: {}, system_attrs: sys, intermediate_values: {},
      };
      await this.write(formatOps([op]));
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
      const ops = [this.attrOp(id, 'wbo:worker', this.worker), this.attrOp(id, 'wbo:reasked_at', Date.now())];
      if (extra.rng) ops.push(this.attrOp(id, 'wbo:rng', [...extra.rng]));
      if (extra.model) ops.push(this.attrOp(id, 'wbo:model', structuredClone(extra.model)));
      await this.write(formatOps(ops));
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
    const e = tellEvent(id, result);
    const attrs: Record<string, unknown> = {};
    if (e.durationMs !== undefined) attrs['wbo:duration_ms'] = e.durationMs;
    if (e.error !== undefined) attrs['wbo:error'] = e.error;
    return e.status === 'complete'
      ? this.finish('tell', id, attrs, TRIAL_STATE.COMPLETE, [e.target], e.t)
      : this.finish('tell', id, attrs, TRIAL_STATE.FAIL, null, e.t);
  }

  /** Ends pending trial `id`: its `wbo:` attrs (one op each), then its state and values; false when it had ended. */
  private async finish(
    op: string, id: number, attrs: Record<string, unknown>, state: number, values: unknown[] | null, at: number,
  ): Promise<boolean> {
    this.assertOpen(true);
    return this.backend.withLock(async () => {
      await this.refresh();
      const t = this.reducer.get(id);
      if (!t) throw new StateError(`${this.label}: ${op}: unknown trial id ${id}`);
      if (t.status !== 'pending') return false;
      const ops = Object.entries(attrs).map(([k, v]) => this.attrOp(id, k, v));
      ops.push({
        op_code: OP.SET_TRIAL_STATE_VALUES, worker_id: this.worker, trial_id: (this.reducer as JournalReducer).trialId(id),
        state, values, datetime_complete: isoTime(at),
      });
      await this.write(formatOps(ops));
      return true;
    });
  }

  /**
   * Records intermediate value `value` at `step` of pending trial `id`
   * (Optuna's SET_TRIAL_INTERMEDIATE_VALUE; the caller has checked the step
   * and value, see Study.report).
   * @throws StateError when the trial is unknown or has ended
   */
  async report(id: number, step: number, value: number): Promise<void> {
    this.assertOpen(true);
    await this.backend.withLock(async () => {
      await this.refresh();
      const t = this.reducer.get(id);
      if (!t) throw new StateError(`${this.label}: report: unknown trial id ${id}`);
      if (t.status !== 'pending') throw new StateError(`${this.label}: report: trial ${id} has already ended (${t.status})`);
      await this.write(formatOps([{
        op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE, worker_id: this.worker, trial_id: (this.reducer as JournalReducer).trialId(id),
        step, intermediate_value: value,
      }]));
    });
  }

  /**
   * Ends pending trial `id` as pruned, as Optuna does: state PRUNED with its
   * last reported value `result.target` as its value (`wbo:duration_ms`
   * first, when given). Returns false, writing nothing, when the trial had
   * already finished; an id never asked is a StateError.
   */
  async prune(id: number, result: PruneResult): Promise<boolean> {
    const ms = result.durationMs;
    const attrs = ms !== undefined && Number.isFinite(ms) && ms >= 0 ? { 'wbo:duration_ms': ms } : {};
    return this.finish('prune', id, attrs, TRIAL_STATE.PRUNED, Number.isFinite(result.target) ? [result.target] : null, result.at ?? Date.now());
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

  /**
   * Low level: appends the operations `build` returns, under the lock, after
   * reading the journal (`state` is the study then, `studyId` its Optuna id).
   */
  async writeOps(build: (state: JournalState, studyId: number) => JournalOp[]): Promise<void> {
    this.assertOpen(true);
    await this.backend.withLock(async () => {
      await this.refresh();
      const sid = await this.studyId();
      const ops = build(await this.snapshot(), sid);
      if (ops.length) await this.write(formatOps(ops));
    });
  }

  /** Releases the backend. Later calls throw StateError. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.close?.();
  }
}

/** Non-empty lines in `text`: operations, one per line. */
function countLines(text: string): number {
  let n = 0;
  for (let i = 0, start = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === '\n') {
      if (i > start) n++;
      start = i + 1;
    }
  }
  return n;
}
