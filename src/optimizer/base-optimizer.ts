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
import { runObjective } from './objective';
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

  constructor(options: OptimizerOptions) {
    this.options = checkOptions(options);
    this.space = Space.fromOptions({ space: options.space, pbounds: options.pbounds });
    this.seed = options.randomState ?? Math.floor(Math.random() * 2 ** 31);
    this.rng = new Rng(this.seed);
    this.direction = options.direction ?? 'maximize';
    this.log = options.log ?? ((line) => console.log(line));
    this.table = new TableLogger({ verbose: options.verbose ?? 0, names: this.space.names, write: this.log });
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
   */
  register(params: Params, target: number): Trial {
    this.assertUsable();
    const p = this.space.validatePoint(params);
    if (typeof target !== 'number' || !Number.isFinite(target)) {
      throw new InvalidPointError(`target: expected a finite number, got ${String(target)}`, 'target');
    }
    const key = pointKey(p);
    let trial = this.trialList.find((t) => t.status === 'pending' && pointKey(t.params) === key);
    if (!trial) trial = this.addTrial(p, 'register');
    trial.status = 'complete';
    trial.target = target;
    this.afterTell(trial);
    return copyTrial(trial);
  }

  /**
   * The next point to try, without calling `f` (ask/tell). It is remembered
   * as pending, so successive calls give different points; pass it back
   * with `register(params, target)`.
   */
  async suggest(): Promise<Params> {
    this.assertUsable();
    return this.exclusive(async () => {
      const prop = await this.propose();
      const t = this.addTrial(prop.params, prop.source);
      t.engine = prop.engine;
      t.suggestMs = prop.suggestMs;
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
    await this.runProbes();
    for (const p of this.initialDesign(initPoints)) await this.evaluate(p, 'init');
    for (let i = 0; i < nIter; i++) {
      const prop = await this.propose();
      await this.evaluate(prop.params, prop.source, prop);
    }
  }

  /** Evaluates the probes queued by `probe(params)`, in order. */
  protected async runProbes(): Promise<void> {
    while (this.probeQueue.length) await this.evaluate(this.probeQueue.shift() as Params, 'probe');
  }

  /** Asks, calls `f` safely, tells. */
  protected async evaluate(params: Params, source: TrialSource, prop?: Proposal): Promise<Trial> {
    const f = this.options.f;
    if (!f) throw new StateError('maximize: no objective; pass `f` to the constructor');
    const trial = this.addTrial(params, source);
    trial.engine = prop?.engine;
    trial.suggestMs = prop?.suggestMs;
    const out = await runObjective(f, params, trial.id, this.options.trialTimeoutMs);
    trial.durationMs = out.durationMs;
    if (out.ok) {
      trial.status = 'complete';
      trial.target = out.target;
    } else {
      trial.status = 'failed';
      trial.error = out.error;
    }
    this.afterTell(trial);
    return trial;
  }

  private addTrial(params: Params, source: TrialSource): Trial {
    const t: Trial = { id: this.nextId++, params: { ...params }, target: null, status: 'pending', source, startedAt: Date.now() };
    this.trialList.push(t);
    return t;
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

