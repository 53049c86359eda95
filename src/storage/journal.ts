/**
 * The study journal (Journal): Optuna's journal operations appended to a
 * shared log (format in ./types); the steps under the lock are
 * ./journal-asks', ./journal-ends' and ./journal-open's, the reads
 * ./journal-reads'.
 */
import { StateError, StorageError } from '../errors';
import type { Params } from '../space/types';
import { tellTime } from '../util/clock';
import { randomHex } from './mutex';
import { openPathBackend } from './open-backend';
import { typedBackend } from './typed-backend';
import { formatOps } from './optuna-format';
import { closeJournalWorker, openJournalWorker } from './journal-worker-ids';
import { askLocked, claimLocked, enqueueLocked, reclaimLocked } from './journal-asks';
import { JournalReads } from './journal-reads';
import { copyTrial, JournalReducer } from './state';
import { finishLocked, markClosedLocked, reportLocked, userAttrsLocked } from './journal-ends';
import { openLocked } from './journal-open';
import { TRIAL_STATE, type JournalBackend, type JournalOp, type JournalState, type JournalTrial } from './types';
import { checkOpenArgs, checkTellInput, tellAttrs, tellEvent, type AskExtra, type AskResult, type JournalOptions, type TellInput } from './journal-io';
import type { ClaimExtra, MaybePromise, PruneResult, Reclaimed, ReclaimExtra } from './study-storage';

export { detectFormat, tellEvent, type AskExtra, type AskResult, type JournalFormat, type JournalOptions, type TellInput } from './journal-io';

/** How long a closing journal waits for the lock to write its mark (see close): a held lock must not hold the process open. */
const CLOSE_MARK_WAIT_MS = 2000;

/** Journal.open's pass to the constructor: a journal is opened, not constructed. */
const OPENING: unique symbol = Symbol('Journal.open');

/**
 * A study journal: Optuna's journal operations appended to a shared log, so
 * Optuna (>= 3.1, JournalFileStorage) reads and writes the same file.
 * Several processes (or tabs, or Python workers) may use one journal at
 * once: trials are created under the backend's lock (the lock Optuna
 * takes), so none is lost or numbered twice, and every ask returns the
 * trials other workers have pending at that moment. A journal in this
 * library's older v1 format opens read-only (see migrateJournal).
 * @example
 * ```ts
 * const journal = await Journal.open('study.jsonl', { space, direction });
 * const state = await journal.load();          // resume: trials, rngState, orphaned
 * for (const t of state.orphaned) await journal.reclaim(t.id); // fail stopped workers' trials, retry them
 * const { trial, othersPending } = await journal.ask(params, { source: 'suggest', rng: rng.state() });
 * await journal.tell(trial.id, { target, durationMs });
 * ```
 */
export class Journal extends JournalReads {
  /**
   * Use {@link Journal.open}: the constructor is private.
   * @throws StateError when called from outside Journal.open (`new Journal(backend)` from JavaScript was a
   *   TypeError reading studyName)
   */
  private constructor(pass: typeof OPENING, backend: JournalBackend, io: JournalBackend, worker: string, opts: JournalOptions, owned: boolean) {
    if (pass !== OPENING) throw new StateError('Journal: the constructor is private; open a journal with await Journal.open(target, options)');
    super(backend, io, worker, opts, owned);
  }

  /**
   * Opens the study `studyName` in a journal: a path (a file under Node,
   * OPFS/IndexedDB in a browser) or a backend. Reads it, checks the stored
   * space and direction against `opts` (StorageError on mismatch) and, unless
   * `readOnly`, creates the study when the journal has none of that name.
   * A v1 journal opens only `readOnly` (StorageError otherwise). A
   * `readOnly` open of a file that is not there is a StorageError
   * (`journal "<path>": does not exist`), not an empty study.
   */
  static async open(target: string | JournalBackend, opts: JournalOptions = {}): Promise<Journal> {
    checkOpenArgs(target, opts);
    const backend = typeof target === 'string' ? await openPathBackend(target, opts.file) : target;
    const io = typedBackend(backend);
    // a reader writes nothing, so it asks for no worker id (a file's is the host name: Deno's --allow-sys)
    const base = opts.worker === undefined && !opts.readOnly ? await io.workerId?.() : undefined;
    const worker = opts.worker ?? (base === undefined ? `w-${randomHex(8)}` : openJournalWorker(base));
    const j = new Journal(OPENING, backend, io, worker, opts, typeof target === 'string');
    try {
      if (opts.readOnly && j.io.exists && !(await j.io.exists())) throw new StorageError(`${j.label}: does not exist`);
      await j.locked(() => openLocked(j.folder, j.label, opts, () => j.createStudyOps(), worker));
    } catch (e) {
      // a backend opened here is closed here; a caller's backend stays the caller's
      if (typeof target === 'string') await backend.close?.();
      throw e;
    }
    return j;
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
   * The trials `choose` sees (and those of the returned `state`) are frozen
   * copies shared between asks: read them, do not change them.
   */
  async askWith(
    choose: (state: JournalState) => Params | Promise<Params>,
    extra: AskExtra = {},
  ): Promise<AskResult> {
    this.assertOpen(true);
    // finds this ask's trial when the step runs again after a write whose reply was lost with the connection,
    // and when a caller asks again with the id of an ask that failed so (a Study's kept registration)
    const askId = extra.askId ?? randomHex(8);
    const asked = await this.step(() => askLocked(this.adder, askId, choose, extra));
    this.askedIn.set(asked.trial.id, (this.reducer as JournalReducer).studyId);
    return asked;
  }

  /** Whether the study holds an enqueued trial as of the last read. */
  private hasWaiting(): boolean {
    return this.reducer instanceof JournalReducer && this.reducer.hasWaiting();
  }

  /**
   * Adds an enqueued trial at `params` (all or some of the space's
   * parameters), as Optuna's `enqueue_trial` writes one: status 'waiting'
   * until a worker, this library's or Optuna's, takes it. Returns it.
   * @throws InvalidPointError naming the parameter the space lacks or cannot take
   */
  async enqueue(params: Params, userAttrs?: Record<string, unknown>): Promise<JournalTrial> {
    this.assertOpen(true);
    return this.step(() => enqueueLocked(this.adder, params, userAttrs));
  }

  /**
   * Takes the first waiting (enqueued) trial under the lock, as Optuna's
   * `ask` pops one: its params, completed by `complete` (an enqueued point
   * may name some parameters only), are written to it and it becomes this
   * worker's pending trial, source 'enqueue'. A point `complete` refuses
   * (whatever it throws) fails that trial with the reason, and the next one
   * is tried. Null when none is waiting, or when `extra.limit` (a `resume`
   * budget) is taken (see ClaimExtra).
   */
  async claimWaiting(complete: (params: Params) => Params, extra: ClaimExtra = {}): Promise<JournalTrial | null> {
    this.assertOpen(true);
    // none waiting as read without the lock: no lock taken (one enqueued meanwhile is the next ask's, as it would be
    // had it come just after the lock's step)
    if (!(await this.unlocked(() => this.folder.refresh().then(() => this.hasWaiting())))) return null;
    const askId = randomHex(8); // finds the claim when the step runs again after a write whose reply was lost
    const t = await this.step(() => claimLocked(this.adder, askId, complete, extra));
    if (t) this.askedIn.set(t.id, (this.reducer as JournalReducer).studyId);
    return t;
  }

  /**
   * Retries a pending trial whose owner has stopped, as Optuna's
   * `fail_stale_trials` with `RetryFailedTrialCallback` does: the trial is
   * failed (system attr `fail_reason`, also its `error`) and its params are
   * asked again as a new trial of this worker, whose system attr
   * `failed_trial` names the first trial of the chain (`retryOf`). Both are
   * written in one append under the lock, so when several workers notice
   * the same stopped trial, exactly one retries it. Returns the failed trial
   * and its retry, or null when it is no longer pending or its owner is not
   * known to have stopped (`force` skips that test).
   */
  async reclaim(id: number, extra: ReclaimExtra = {}): Promise<Reclaimed | null> {
    this.assertOpen(true);
    const askId = randomHex(8); // finds the retry when the step runs again after a write whose reply was lost
    return this.step(() => reclaimLocked(this.adder, id, askId, extra));
  }

  /**
   * Finishes trial `id`. A finite target makes it complete; an error or a
   * non-finite target makes it failed (stored with `target: null`). Returns
   * false, writing nothing, when the trial had already finished (another
   * worker told it first); an id never asked is a StateError.
   */
  async tell(id: number, result: TellInput): Promise<boolean> {
    checkTellInput(result, 'Journal.tell');
    const e = tellEvent(id, result);
    return this.finish('tell', id, tellAttrs(e), e.status === 'complete' ? TRIAL_STATE.COMPLETE : TRIAL_STATE.FAIL, e.status === 'complete' ? [e.target] : null, e.t);
  }

  /** Ends pending trial `id` (see finishLocked); false when it had ended. */
  private finish(
    op: string, id: number, attrs: Record<string, unknown>, state: number, values: unknown[] | null, at: number,
  ): Promise<boolean> {
    this.assertOpen(true);
    return this.step(() => finishLocked(this.adder, id, this.askedIn.get(id), { op, attrs, state, values, at }));
  }

  /**
   * Records intermediate value `value` at `step` of pending trial `id`
   * (Optuna's SET_TRIAL_INTERMEDIATE_VALUE; the caller has checked the step
   * and value, see Study.report).
   * @throws StateError when the trial is unknown or has ended
   */
  async report(id: number, step: number, value: number, systemAttrs?: Readonly<Record<string, number>>): Promise<void> {
    this.assertOpen(true);
    await this.step(() => reportLocked(this.adder, id, step, value, systemAttrs));
  }

  /**
   * `report` with the attributes `judge` returns, called under the lock on
   * the study as read then (loadViews' views): a pruner there sees every
   * report written before this one, other processes' too. What `judge`
   * throws is thrown, nothing written.
   */
  async reportWith(id: number, step: number, value: number, judge: (state: JournalState) => MaybePromise<Readonly<Record<string, number>> | undefined>): Promise<void> {
    this.assertOpen(true);
    await this.step(() => reportLocked(this.adder, id, step, value, async () => judge(await this.folder.snapshot(true))));
  }

  /** Records user attributes of pending trial `id` (SET_TRIAL_USER_ATTR, one per key; see userAttrsLocked). */
  async setUserAttrs(id: number, attrs: Readonly<Record<string, unknown>>): Promise<void> {
    this.assertOpen(true);
    await this.step(() => userAttrsLocked(this.adder, id, attrs));
  }

  /**
   * Ends pending trial `id` as pruned, as Optuna does: state PRUNED with its
   * last reported value `result.target` as its value (`wbo:duration_ms`
   * first, when given). Returns false, writing nothing, when the trial had
   * already finished; an id never asked is a StateError.
   */
  async prune(id: number, result: PruneResult): Promise<boolean> {
    checkTellInput(result, 'Journal.prune');
    const ms = result.durationMs;
    const attrs = ms !== undefined && Number.isFinite(ms) && ms >= 0 ? { 'wbo:duration_ms': ms } : {};
    return this.finish('prune', id, attrs, TRIAL_STATE.PRUNED, Number.isFinite(result.target) ? [result.target] : null, result.at ?? tellTime());
  }

  /**
   * Asks and tells in one step: a point evaluated elsewhere (registered,
   * imported from bayes_opt). Returns the finished trial. A retry after a
   * StorageError given the same `extra.askId` finds the trial the failed
   * call may have written, rather than adding the point twice.
   */
  async record(params: Params, result: TellInput, extra: AskExtra = {}): Promise<JournalTrial> {
    checkTellInput(result, 'Journal.record'); // before the ask: a refused result left its trial pending
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
    await this.step(async () => {
      await this.folder.refresh();
      const sid = await this.studyId();
      const ops = build(await this.folder.snapshot(), sid);
      if (ops.length) await this.folder.write(formatOps(ops));
    });
  }

  /**
   * Ends this journal: later calls throw StateError. A backend it opened
   * from a path is released; a backend the caller passed stays open, the
   * caller's to close (other journals, optimizers or readers may use it).
   * Where it leaves trials pending (as of its last read), it writes that it
   * closed (see markClosedLocked), so other processes fail and retry them
   * at once. Idempotent.
   */
  close(): Promise<void> {
    // a second call while the first still writes its mark settles with it, not at once; a first that
    // failed (its backend's close) fails once: later calls resolve, as they did
    if (this.closing) return this.closing;
    const first = this.closeOnce();
    this.closing = first.catch(() => undefined);
    return first;
  }

  private closing: Promise<void> | null = null;

  private async closeOnce(): Promise<void> {
    this.closed = true;
    // its pending trials are abandoned now, for the other journals of this process; a worker id the caller chose stays the caller's
    if (this.opts.worker === undefined) {
      closeJournalWorker(this.worker);
      const r = this.reducer;
      if (!this.opts.readOnly && r instanceof JournalReducer && r.trialsView().some((t) => t.status === 'pending' && t.worker === this.worker)) {
        // a courtesy to other processes, which would learn it later from the backend; a storage that fails now fails no close
        await this.step(() => markClosedLocked(this.adder), CLOSE_MARK_WAIT_MS).catch(() => undefined);
      }
    }
    if (this.owned) await this.io.close?.();
  }
}
