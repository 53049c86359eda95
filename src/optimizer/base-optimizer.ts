/**
 * What BayesianOptimization, RandomSearch and GridSearch share: the space,
 * the trial record (`res`, `max`), probes, registration, ask/tell, the
 * `maximize` loop, safe objective calls and the progress table. Subclasses
 * only decide which point comes next.
 */
import { InvalidOptionError, InvalidPointError, StateError } from '../errors';
import { Space } from '../space';
import { describe } from '../space/format';
import type { Params } from '../space/types';
import { Rng } from '../util/rng';
import { TableLogger } from './logger';
import { runObjective, type Outcome } from './objective';
import type { AskExtra, Journal, JournalBackend, JournalState, ModelState } from '../storage';
import { readBayesOpt, writeBayesOpt, type ImportReport } from './import-export';
import { checkOptions, type Direction, type OptimizerOptions } from './options';
import type { Recommendation, Trial, TrialSource } from './types';

/**
 * Arguments of `maximize`.
 *
 * Without `resume` (bayes_opt's semantics) each call evaluates queued probes,
 * then `initPoints` new initial points, then `nIter` new model-guided points,
 * whatever the study already holds.
 *
 * With `resume: true`, `initPoints + nIter` is the size of the whole study:
 * every trial it already holds (finished ones, and pending ones asked by a
 * running worker; with a journal, every worker's) counts against it, and those
 * count first against `initPoints`. So a script that calls
 * `maximize({ initPoints: 5, nIter: 25, resume: true })` with a journal can be
 * run again after a crash and finishes the study at 30 trials; run once more,
 * it evaluates nothing. Several workers sharing a journal this way finish 30
 * trials between them. Failed trials count (a failing objective cannot loop
 * for ever); interrupted trials are re-asked first and fill their old slots.
 */
export interface MaximizeOptions {
  /** initial design points evaluated first (after queued probes) [5] */
  initPoints?: number;
  /** model-guided iterations after that [25] */
  nIter?: number;
  /** count the trials already in the study against initPoints + nIter [false] */
  resume?: boolean;
}

/** Thrown inside the journal lock when a `resume` budget is already spent. */
class BudgetSpent extends Error {}

/** Sources of points the optimizer chose itself (and may move off another worker's point). */
const OWN_CHOICE: ReadonlySet<TrialSource> = new Set(['init', 'suggest', 'random']);

/** One entry of `res`: bayes_opt's `{ target, params }` plus the trial's record. */
export interface Result extends Trial {}

/** A proposal from a subclass. */
export interface Proposal {
  params: Params;
  source: TrialSource;
  engine?: 'cpu' | 'webgpu';
  suggestMs?: number;
}

export abstract class BaseOptimizer {
  /** the validated search space */
  readonly space: Space;
  /** the seed in use (drawn at random when `randomState` was not given) */
  readonly seed: number;
  readonly direction: Direction;
  protected readonly options: OptimizerOptions;
  protected readonly rng: Rng;
  protected readonly log: (line: string) => void;
  protected readonly table: TableLogger;
  private readonly trialList: Trial[] = [];
  private readonly probeQueue: Params[] = [];
  private nextId = 0;
  private busy = false;
  private disposed = false;
  private journal: Journal | null = null;
  private readonly opening: Promise<void>;
  /** ids of interrupted trials found on resume, evaluated first by `maximize` (or handed out by `suggest`) */
  private readonly reask: number[] = [];
  /** ids of trials this optimizer asked: `register` completes only these, never another worker's */
  private readonly mine = new Set<number>();

  constructor(options: OptimizerOptions) {
    this.options = checkOptions(options);
    this.space = Space.fromOptions({ space: options.space, pbounds: options.pbounds });
    this.seed = options.randomState ?? Math.floor(Math.random() * 2 ** 31);
    this.rng = new Rng(this.seed);
    this.direction = options.direction ?? 'maximize';
    this.log = options.log ?? ((line) => console.log(line));
    this.table = new TableLogger({ verbose: options.verbose ?? 0, names: this.space.names, write: this.log });
    this.opening = options.journal === undefined ? Promise.resolve() : this.openJournal(options.journal as string | JournalBackend);
    // Surface open failures through ready()/the next call, not as an unhandled rejection.
    this.opening.catch(() => {});
  }

  /**
   * Resolves once the journal (if any) is open and loaded: completed trials
   * restored, interrupted ones queued to be re-asked, the random stream
   * restored. Every method that touches the study waits for it; await it
   * before reading `res`, `trials` or `max` of a resumed study. Rejects with
   * the journal's StorageError (e.g. a different space) when it cannot open.
   */
  async ready(): Promise<void> {
    await this.opening;
  }

  private async openJournal(target: string | JournalBackend): Promise<void> {
    const { Journal } = await import('../storage');
    const journal = await Journal.open(target, { space: this.space.spec, direction: this.direction });
    const state = await journal.load();
    this.journal = journal;
    this.sync(state);
    if (state.rngState) this.rng.setState(state.rngState);
    if (state.modelState) this.restoreModelState(state.modelState);
    for (const t of state.orphaned) this.reask.push(t.id);
    // The restored stream is the one the latest asking worker continues. If
    // other workers are running, leave it so as not to replay their draws.
    const orphaned = new Set(state.orphaned.map((t) => t.id));
    if (state.pending.some((t) => t.worker !== journal.worker && !orphaned.has(t.id))) this.diversify();
    const done = state.trials.filter((t) => t.status !== 'pending').length;
    if (state.trials.length > 0 || state.skipped.length > 0) {
      this.log(`journal: resumed ${done} finished trial(s), ${this.reask.length} interrupted trial(s) to re-ask` +
        (state.skipped.length ? `, ${state.skipped.length} damaged line(s) skipped` : ''));
    }
  }

  /** Replaces the in-memory record with the journal's (every worker's trials). */
  private sync(state: JournalState): void {
    this.trialList.length = 0;
    for (const t of state.trials) {
      const { worker: _w, ...rest } = t;
      this.trialList.push(copyTrial(rest));
    }
    this.nextId = state.nextId;
    this.bestBefore = null;
    for (const t of this.trialList) {
      if (t.status === 'complete' && t.target !== null) {
        const v = this.sign * t.target;
        if (this.bestBefore === null || v > this.bestBefore) this.bestBefore = v;
      }
    }
  }

  /** With a journal: pick up other workers' trials before choosing a point. */
  protected async refresh(): Promise<void> {
    if (this.journal) this.sync(await this.journal.load());
  }

  /** +1 when maximizing, -1 when minimizing: models always maximize sign * target. */
  protected get sign(): 1 | -1 {
    return this.direction === 'maximize' ? 1 : -1;
  }

  /** Finished trials (complete and failed) in evaluation order, as bayes_opt's `res`. */
  get res(): Result[] {
    return this.trialList.filter((t) => t.status !== 'pending').map(copyTrial);
  }

  /** Every trial, pending ones (asked, not yet told) included. */
  get trials(): Trial[] {
    return this.trialList.map(copyTrial);
  }

  /**
   * The best completed trial: largest target (smallest with direction
   * 'minimize'), or undefined before any trial completes.
   */
  get max(): { target: number; params: Params } | undefined {
    const best = this.bestObserved();
    return best ? { target: best.target as number, params: { ...best.params } } : undefined;
  }

  /** The first completed trial with the best target. */
  private bestObserved(): Trial | undefined {
    let best: Trial | undefined;
    for (const t of this.trialList) {
      if (t.status !== 'complete' || t.target === null) continue;
      if (!best || this.sign * t.target > this.sign * (best.target as number)) best = t;
    }
    return best;
  }

  /**
   * The completed trial this optimizer would deploy: here the best observed
   * one (as {@link max}); Bayesian optimization overrides it with the trial
   * its model rates best. Undefined before any trial completes.
   */
  async recommend(): Promise<Recommendation | undefined> {
    const best = this.bestObserved();
    return best ? { id: best.id, params: { ...best.params }, target: best.target as number, predicted: null } : undefined;
  }

  /** Completed trials only. */
  protected completed(): Trial[] {
    return this.trialList.filter((t) => t.status === 'complete');
  }

  /** Pending trials (suggested, not yet registered). */
  protected pending(): Trial[] {
    return this.trialList.filter((t) => t.status === 'pending');
  }

  /** Subclasses with a surrogate model: its state, journaled with each ask (none here). */
  protected modelState(): ModelState | undefined {
    return undefined;
  }

  /** Subclasses with a surrogate model: continue from a journaled {@link modelState}. */
  protected restoreModelState(_state: ModelState): void {}

  /** Subclasses: the next point to evaluate. */
  protected abstract propose(): Promise<Proposal>;

  /** Subclasses: the initial design of `k` points (grid and random use their own). */
  protected initialDesign(k: number): Params[] {
    const method = this.options.initDesign ?? 'lhs';
    return this.space.sample(this.rng, k, method).map((u) => this.space.decode(u));
  }

  /**
   * Evaluates `params` now (`lazy: false`), or queues it for the start of the
   * next `maximize` (`lazy: true`, the default, as in bayes_opt).
   */
  async probe(params: Params, opts: { lazy?: boolean } = {}): Promise<void> {
    this.assertUsable();
    const p = this.space.validatePoint(params);
    await this.opening;
    if (opts.lazy ?? true) {
      this.probeQueue.push(p);
      return;
    }
    await this.exclusive(() => this.evaluate(p, 'probe'));
  }

  /**
   * Records an observation made outside `f` (ask/tell). If `params` equals a
   * pending suggestion of this optimizer, that trial is completed; otherwise a
   * new trial is added (another worker's pending trial is never completed).
   * Registering a point seen before is allowed (the GP's noise absorbs it).
   * Bad input throws at once; without a journal the trial is recorded before
   * this returns, with one the returned promise resolves once it is written.
   */
  register(params: Params, target: number): Promise<Trial> {
    this.assertUsable();
    const p = this.space.validatePoint(params);
    if (typeof target !== 'number' || !Number.isFinite(target)) {
      throw new InvalidPointError(`target: expected a finite number, got ${describe(target)}`, 'target');
    }
    const key = pointKey(p);
    const pendingTrial = () => this.trialList.find((t) => t.status === 'pending' && this.mine.has(t.id) && pointKey(t.params) === key);
    if (!this.journal && this.options.journal === undefined) {
      const trial = pendingTrial() ?? this.addLocalTrial(p, 'register');
      this.finish(trial, { ok: true, target, durationMs: trial.durationMs ?? 0 });
      return Promise.resolve(copyTrial(trial));
    }
    return (async () => {
      await this.opening;
      const journal = this.journal as Journal;
      const existing = pendingTrial();
      let trial: Trial;
      if (existing) {
        trial = existing;
        await journal.tell(trial.id, { target, durationMs: 0 });
      } else {
        const rec = await journal.record(p, { target, durationMs: 0 }, { source: 'register' });
        trial = this.addLocalTrial(p, 'register', rec.id);
        trial.startedAt = rec.startedAt;
      }
      this.finish(trial, { ok: true, target, durationMs: 0 });
      return copyTrial(trial);
    })();
  }

  /**
   * Registers the points of a Python bayes_opt study: `text` is a saved state
   * (`save_state`, JSON with "params" and "target") or a JSONLogger log (one
   * JSON object per line). Each point is checked against the space; points
   * that do not fit, and lines or rows the file itself spoils (non-finite
   * target, invalid JSON), are skipped and reported with their line (log) or
   * row (state) and the reason. bayes_opt maximizes, so with direction
   * 'minimize' the targets are negated (a bayes_opt user minimizing f logs -f).
   * With a journal each point is written as a finished trial.
   * @throws StorageError when the text is not bayes_opt state/log, or no point
   *   in it has the space's parameter names (nothing is registered then)
   */
  async importBayesOpt(text: string): Promise<ImportReport> {
    this.assertUsable();
    const { points, skipped } = readBayesOpt(text, this.space, this.direction);
    await this.opening;
    for (const { params, target } of points) {
      this.assertUsable();
      let trial: Trial;
      if (this.journal) {
        const rec = await this.journal.record(params, { target, durationMs: 0 }, { source: 'register' });
        trial = this.addLocalTrial(params, 'register', rec.id);
        trial.startedAt = rec.startedAt;
      } else {
        trial = this.addLocalTrial(params, 'register');
      }
      this.finish(trial, { ok: true, target, durationMs: 0 });
    }
    if (skipped.length) {
      this.log(`bayes_opt import: ${points.length} point(s) registered, ${skipped.length} skipped: ` +
        skipped.map((s) => `${s.line}: ${s.reason}`).join('; '));
    }
    return { imported: points.length, skipped };
  }

  /**
   * The complete trials in a format Python bayes_opt reads: `'state'` gives a
   * `save_state` JSON for `load_state` (float and int parameters only; bounds
   * are written linear, also for log parameters), `'log'` a JSONLogger log
   * for `load_logs`. Failed and pending trials are left out. With direction
   * 'minimize' the targets are negated. With a journal, the trials are those
   * of the last read (each `suggest` and `maximize` step reads it).
   * @throws InvalidSpaceError for 'state' with a categorical parameter
   */
  exportBayesOpt(format: 'state' | 'log' = 'state'): string {
    this.assertUsable();
    return writeBayesOpt(this.trialList, this.space, this.direction, format);
  }

  /**
   * The next point to try, without calling `f` (ask/tell). It is remembered
   * as pending, so successive calls give different points; pass it back
   * with `register(params, target)`. With a journal, a resumed study first
   * hands out its interrupted trials, and the pending points of every worker
   * repel the suggestion.
   */
  async suggest(): Promise<Params> {
    this.assertUsable();
    return this.exclusive(async () => {
      await this.opening;
      // a resumed study hands out its interrupted trials first
      const again = await this.nextReask();
      if (again) return { ...again.params };
      await this.refresh();
      const prop = await this.propose();
      const trial = (await this.addTrial(prop.params, prop.source, prop)) as Trial;
      return { ...trial.params };
    });
  }

  /**
   * Runs the study: interrupted trials of a resumed journal, queued probes,
   * then `initPoints` initial points, then `nIter` model-guided points,
   * calling `f` on each. Failed objective calls are recorded and the loop goes
   * on. With `resume: true` the trials already in the study count against
   * `initPoints + nIter` (see MaximizeOptions).
   * @throws StateError when another maximize/suggest/probe is running, when
   *   there is no `f`, or when `dispose()` is called meanwhile (the running
   *   trial is still recorded)
   */
  async maximize(opts: MaximizeOptions = {}): Promise<this> {
    this.assertUsable();
    const initPoints = opts.initPoints ?? 5;
    const nIter = opts.nIter ?? 25;
    for (const [k, v] of Object.entries({ initPoints, nIter })) {
      if (!Number.isInteger(v) || v < 0) {
        throw new InvalidOptionError(`option "${k}": expected an integer >= 0, got ${String(v)}`, k);
      }
    }
    const resume = opts.resume ?? false;
    if (typeof resume !== 'boolean') {
      throw new InvalidOptionError(`option "resume": expected a boolean, got ${String(resume)}`, 'resume');
    }
    if (!this.options.f) throw new StateError('maximize: no objective; pass `f` to the constructor');
    return this.exclusive(async () => {
      await this.opening;
      this.table.start();
      try {
        await this.run(initPoints, nIter, resume);
      } finally {
        this.table.end();
      }
      return this;
    });
  }

  /** The evaluation schedule; GridSearch overrides it. */
  protected async run(initPoints: number, nIter: number, resume = false): Promise<void> {
    await this.runReasks();
    await this.runProbes();
    if (resume) return this.runBudget(initPoints, initPoints + nIter);
    for (const p of this.initialDesign(initPoints)) await this.evaluate(p, 'init');
    for (let i = 0; i < nIter; i++) {
      this.assertUsable();
      await this.refresh();
      const prop = await this.propose();
      await this.evaluate(prop.params, prop.source, prop);
    }
  }

  /**
   * `maximize({ resume: true })`: trials until the study holds `budget`, the
   * first `initPoints` of them from the initial design. The budget is checked
   * again under the journal lock at each ask, so workers sharing a journal
   * never overshoot it.
   */
  private async runBudget(initPoints: number, budget: number): Promise<void> {
    await this.refresh();
    const initLeft = Math.max(0, Math.min(initPoints, budget) - this.trialList.length);
    for (const p of this.initialDesign(initLeft)) {
      await this.refresh();
      if (this.trialList.length >= initPoints) break; // other workers did the rest
      if (!(await this.evaluate(p, 'init', undefined, budget))) return;
    }
    for (;;) {
      this.assertUsable();
      await this.refresh();
      if (this.trialList.length >= budget) return;
      const prop = await this.propose();
      if (!(await this.evaluate(prop.params, prop.source, prop, budget))) return;
    }
  }

  /** Re-runs trials a previous run asked but never finished (journal resume). */
  protected async runReasks(): Promise<void> {
    for (let trial = await this.nextReask(); trial; trial = await this.nextReask()) await this.runTrial(trial);
  }

  /** Claims the next interrupted trial still pending, or null when none is left. */
  private async nextReask(): Promise<Trial | null> {
    while (this.reask.length && this.journal) {
      this.assertUsable();
      const id = this.reask.shift() as number;
      const claimed = await this.journal.reclaim(id, { rng: this.rng.state(), model: this.modelState() });
      if (!claimed) continue; // another worker took it, or it finished meanwhile
      const trial = this.trialList.find((t) => t.id === id) ?? this.addLocalTrial(claimed.params, claimed.source, id);
      this.mine.add(id);
      return trial;
    }
    return null;
  }

  /** Evaluates the probes queued by `probe(params)`, in order. */
  protected async runProbes(): Promise<void> {
    while (this.probeQueue.length) await this.evaluate(this.probeQueue.shift() as Params, 'probe');
  }

  /**
   * Asks, calls `f` safely, tells. With `limit`, asks only while the study
   * holds fewer trials than that, else returns null.
   */
  protected async evaluate(params: Params, source: TrialSource, prop?: Proposal, limit?: number): Promise<Trial | null> {
    this.assertUsable();
    const trial = await this.addTrial(params, source, prop, limit);
    return trial && this.runTrial(trial);
  }

  private async runTrial(trial: Trial): Promise<Trial> {
    const f = this.options.f;
    if (!f) throw new StateError('maximize: no objective; pass `f` to the constructor');
    const out = await runObjective(f, trial.params, trial.id, this.options.trialTimeoutMs);
    if (this.journal) {
      await this.journal.tell(trial.id, out.ok ? { target: out.target, durationMs: out.durationMs } : { error: out.error, durationMs: out.durationMs });
    }
    this.finish(trial, out);
    return trial;
  }

  /**
   * Records a new pending trial (in the journal first, when there is one) and
   * returns it; null, recording nothing, when the study already holds `limit`
   * trials. With a journal, a point of the optimizer's own choosing that
   * another worker already has (workers started with the same seed draw the
   * same initial design) is replaced, under the lock, by an untried random one.
   */
  private async addTrial(params: Params, source: TrialSource, prop?: Proposal, limit?: number): Promise<Trial | null> {
    let id: number | undefined;
    let startedAt: number | undefined;
    let p = params;
    if (this.journal) {
      const journal = this.journal;
      const extra: AskExtra = { source, engine: prop?.engine, suggestMs: prop?.suggestMs };
      try {
        const { trial: jt } = await journal.askWith((state) => {
          if (limit !== undefined && state.trials.length >= limit) throw new BudgetSpent();
          const q = OWN_CHOICE.has(source) ? this.awayFromOthers(params, state, journal.worker) : params;
          if (q !== params) {
            extra.source = 'random';
            delete extra.engine;
          }
          extra.rng = this.rng.state(); // askWith reads `extra` after this returns: the state after any redraw
          extra.model = this.modelState();
          return q;
        }, extra);
        id = jt.id;
        p = jt.params;
        source = jt.source;
        startedAt = jt.startedAt; // the journal's time, so a resumed record is identical
      } catch (e) {
        if (e instanceof BudgetSpent) return null;
        throw e;
      }
    } else if (limit !== undefined && this.trialList.length >= limit) {
      return null;
    }
    const t = this.addLocalTrial(p, source, id);
    if (startedAt !== undefined) t.startedAt = startedAt;
    this.mine.add(t.id);
    t.engine = source === 'random' ? undefined : prop?.engine;
    t.suggestMs = prop?.suggestMs;
    return t;
  }

  /** `p`, or an untried random point when another worker's trial is at `p`. */
  private awayFromOthers(p: Params, state: JournalState, me: string): Params {
    const key = pointKey(p);
    if (!state.trials.some((t) => t.worker !== me && pointKey(t.params) === key)) return p;
    this.diversify(); // a twin stream: leave it, or the next points collide too
    const seen = new Set(state.trials.map((t) => pointKey(t.params)));
    for (let i = 0; i < 100; i++) {
      const [u] = this.space.sample(this.rng, 1, 'random');
      const q = this.space.decode(u);
      if (!seen.has(pointKey(q))) return q;
    }
    return p;
  }

  /** Moves the random stream to one of this worker's own (seeded by its journal worker id). */
  private diversify(): void {
    const worker = this.journal?.worker ?? '';
    let h = 0x811c9dc5; // FNV-1a
    for (let i = 0; i < worker.length; i++) h = Math.imul(h ^ worker.charCodeAt(i), 0x01000193);
    this.rng.setState(new Rng((h ^ this.rng.nextUint32()) >>> 0).state());
  }

  private addLocalTrial(params: Params, source: TrialSource, id?: number): Trial {
    const existing = id === undefined ? undefined : this.trialList.find((t) => t.id === id);
    if (existing) return existing;
    const t: Trial = { id: id ?? this.nextId, params: { ...params }, target: null, status: 'pending', source, startedAt: Date.now() };
    this.nextId = Math.max(this.nextId, t.id + 1);
    this.trialList.push(t);
    return t;
  }

  private finish(trial: Trial, out: Outcome): void {
    trial.durationMs = out.durationMs;
    if (out.ok) {
      trial.status = 'complete';
      trial.target = out.target;
    } else {
      trial.status = 'failed';
      trial.error = out.error;
    }
    this.afterTell(trial);
  }

  private bestBefore: number | null = null;

  private afterTell(t: Trial): void {
    let isNewBest = false;
    if (t.status === 'complete' && t.target !== null) {
      const v = this.sign * t.target;
      isNewBest = this.bestBefore === null || v > this.bestBefore;
      if (isNewBest) this.bestBefore = v;
    }
    this.table.step(t.target, t.params, isNewBest);
  }

  /** Runs `fn` with the optimizer marked busy: overlapping calls are a StateError. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) {
      throw new StateError('optimizer is busy: wait for the running maximize/suggest/probe to finish before starting another');
    }
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
      if (this.disposed) this.releaseAll(); // dispose() came while busy
    }
  }

  protected assertUsable(): void {
    if (this.disposed) throw new StateError('optimizer has been disposed');
  }

  /**
   * Releases engines and files. Safe to call twice; afterwards every method
   * throws StateError. Called during `maximize`, the running trial finishes
   * and is recorded, then `maximize` rejects with StateError and the
   * resources are released.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.busy) this.releaseAll();
  }

  private releaseAll(): void {
    this.release();
    // the journal may still be opening: close it once it is open
    void this.opening.then(() => this.journal?.close()).catch(() => undefined);
  }

  /** Subclasses free their resources here. */
  protected release(): void {}
}

function copyTrial(t: Trial): Trial {
  return { ...t, params: { ...t.params } };
}

/** A stable identity for a point, for matching suggestions and duplicates. */
export function pointKey(p: Params): string {
  return JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k]]));
}

