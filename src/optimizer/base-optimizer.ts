/**
 * What BayesianOptimization, RandomSearch and GridSearch share: the space,
 * the trial record (`res`, `max`), probes, registration, ask/tell, the
 * `maximize` loop, safe objective calls and the progress table. Subclasses
 * only decide which point comes next.
 */
import { InvalidOptionError, InvalidPointError, StateError } from '../errors';
import { Space } from '../space';
import type { Params } from '../space/types';
import { Rng } from '../util/rng';
import { TableLogger } from './logger';
import { runObjective, type Outcome } from './objective';
import type { Journal, JournalBackend, JournalState } from '../storage';
import { checkOptions, type Direction, type OptimizerOptions } from './options';
import type { Trial, TrialSource } from './types';

/** Arguments of `maximize`. Budget = initPoints + nIter evaluations. */
export interface MaximizeOptions {
  /** initial design points evaluated first (after queued probes) [5] */
  initPoints?: number;
  /** model-guided iterations after that [25] */
  nIter?: number;
}

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
  /** ids of interrupted trials found on resume, evaluated first by `maximize` */
  private readonly reask: number[] = [];

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
   * restored. Every async method waits for it; call it before `register`
   * when resuming a journal.
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
    for (const t of state.orphaned) this.reask.push(t.id);
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
    let best: Trial | undefined;
    for (const t of this.trialList) {
      if (t.status !== 'complete' || t.target === null) continue;
      if (!best || this.sign * t.target > this.sign * (best.target as number)) best = t;
    }
    return best ? { target: best.target as number, params: { ...best.params } } : undefined;
  }

  /** Completed trials only. */
  protected completed(): Trial[] {
    return this.trialList.filter((t) => t.status === 'complete');
  }

  /** Pending trials (suggested, not yet registered). */
  protected pending(): Trial[] {
    return this.trialList.filter((t) => t.status === 'pending');
  }

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
   * pending suggestion, that trial is completed; otherwise a new trial is added.
   * Registering a point seen before is allowed (the GP's noise absorbs it).
   * Bad input throws at once; without a journal the trial is recorded before
   * this returns, with one the returned promise resolves once it is written.
   */
  register(params: Params, target: number): Promise<Trial> {
    this.assertUsable();
    const p = this.space.validatePoint(params);
    if (typeof target !== 'number' || !Number.isFinite(target)) {
      throw new InvalidPointError(`target: expected a finite number, got ${String(target)}`, 'target');
    }
    const key = pointKey(p);
    const pendingTrial = () => this.trialList.find((t) => t.status === 'pending' && pointKey(t.params) === key);
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
        await journal.tell(trial.id, { target });
      } else {
        const rec = await journal.record(p, { target }, { source: 'register' });
        trial = this.addLocalTrial(p, 'register', rec.id);
      }
      this.finish(trial, { ok: true, target, durationMs: 0 });
      return copyTrial(trial);
    })();
  }

  /**
   * The next point to try, without calling `f` (ask/tell). It is remembered
   * as pending, so successive calls give different points; pass it back
   * with `register(params, target)`.
   */
  async suggest(): Promise<Params> {
    this.assertUsable();
    return this.exclusive(async () => {
      await this.refresh();
      const prop = await this.propose();
      await this.addTrial(prop.params, prop.source, prop);
      return { ...prop.params };
    });
  }

  /**
   * Runs the study: queued probes, then `initPoints` initial points, then
   * `nIter` model-guided points, calling `f` on each. Failed objective calls
   * are recorded and the loop goes on.
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
    if (!this.options.f) throw new StateError('maximize: no objective; pass `f` to the constructor');
    return this.exclusive(async () => {
      await this.opening;
      this.table.start();
      try {
        await this.run(initPoints, nIter);
      } finally {
        this.table.end();
      }
      return this;
    });
  }

  /** The evaluation schedule; GridSearch overrides it. */
  protected async run(initPoints: number, nIter: number): Promise<void> {
    await this.runReasks();
    await this.runProbes();
    for (const p of this.initialDesign(initPoints)) await this.evaluate(p, 'init');
    for (let i = 0; i < nIter; i++) {
      await this.refresh();
      const prop = await this.propose();
      await this.evaluate(prop.params, prop.source, prop);
    }
  }

  /** Re-runs trials a previous run asked but never finished (journal resume). */
  protected async runReasks(): Promise<void> {
    while (this.reask.length) {
      const id = this.reask.shift() as number;
      const claimed = await this.journal?.reclaim(id, { rng: this.rng.state() });
      if (!claimed) continue; // another worker took it, or it finished meanwhile
      const trial = this.trialList.find((t) => t.id === id) ?? this.addLocalTrial(claimed.params, claimed.source, id);
      await this.runTrial(trial);
    }
  }

  /** Evaluates the probes queued by `probe(params)`, in order. */
  protected async runProbes(): Promise<void> {
    while (this.probeQueue.length) await this.evaluate(this.probeQueue.shift() as Params, 'probe');
  }

  /** Asks, calls `f` safely, tells. */
  protected async evaluate(params: Params, source: TrialSource, prop?: Proposal): Promise<Trial> {
    const trial = await this.addTrial(params, source, prop);
    return this.runTrial(trial);
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

  /** Records a new pending trial (in the journal first, when there is one). */
  private async addTrial(params: Params, source: TrialSource, prop?: Proposal): Promise<Trial> {
    let id: number | undefined;
    if (this.journal) {
      const { trial: jt } = await this.journal.ask(params, {
        source, engine: prop?.engine, suggestMs: prop?.suggestMs, rng: this.rng.state(),
      });
      id = jt.id;
    }
    const t = this.addLocalTrial(params, source, id);
    t.engine = prop?.engine;
    t.suggestMs = prop?.suggestMs;
    return t;
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
    }
  }

  protected assertUsable(): void {
    if (this.disposed) throw new StateError('optimizer has been disposed');
  }

  /** Releases engines and files. Safe to call twice; afterwards every method throws StateError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.release();
    void this.journal?.close();
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

