/**
 * The runner: runs a study with a sampler and an objective. It owns the
 * `maximize` schedule (interrupted trials, queued probes, initial design,
 * model-guided points), the `resume` budget, re-asking interrupted trials,
 * calling the objective safely, and moving off other workers' points.
 */
import { InvalidOptionError, StateError } from '../errors';
import type { Space } from '../space/space';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import type { AskExtra } from '../storage/journal';
import type { JournalState } from '../storage/types';
import { pointKey } from '../study/point-key';
import type { Trial, TrialSource } from '../study/types';
import { Rng } from '../util/rng';
import type { TableLogger } from './logger';
import { runObjective, type Objective } from './objective';
import type { Proposal, Sampler } from './sampler';
import { Mutex } from '../storage/mutex';

/** An initial design being handed out: the next index to try, and how many points were asked from it. */
interface Design {
  points: Params[];
  i: number;
  asked: number;
}

/** Points drawn at random in place of a design point (recorded with source 'random'). */
const RANDOM = new WeakSet<Params>();

/** Thrown inside the storage lock when a `resume` budget is already spent. */
class BudgetSpent extends Error {}

/** Sources of points the optimizer chose itself (and may move off another worker's point). */
const OWN_CHOICE: ReadonlySet<TrialSource> = new Set(['init', 'suggest', 'random']);

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
  /**
   * objective calls in flight at once, like Optuna's n_jobs: a new point is
   * asked (accounting for the running ones) as each call finishes; `res`
   * stays in completion order [1]
   */
  concurrency?: number;
}

/** Applies the defaults of MaximizeOptions and checks the values. */
export function checkMaximizeOptions(opts: MaximizeOptions, defaultInitPoints = 5): Required<MaximizeOptions> {
  const initPoints = opts.initPoints ?? defaultInitPoints;
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
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError(`option "concurrency": expected an integer >= 1, got ${String(concurrency)}`, 'concurrency');
  }
  return { initPoints, nIter, resume, concurrency };
}

export interface RunnerOptions {
  study: Study;
  sampler: Sampler;
  space: Space;
  rng: Rng;
  table: TableLogger;
  log: (line: string) => void;
  f?: Objective;
  trialTimeoutMs?: number;
  /** throws StateError once the optimizer is disposed */
  assertUsable: () => void;
}

export class Runner {
  private readonly o: RunnerOptions;
  private readonly study: Study;
  /** ids of interrupted trials found on resume, evaluated first by `maximize` (or handed out by `suggest`) */
  private readonly reask: number[] = [];
  /** points queued by `probe(params)` for the next `maximize` */
  readonly probes: Params[] = [];
  /** the initial design `suggest()` hands out, and how far */
  private design: Design | null = null;

  constructor(o: RunnerOptions) {
    this.o = o;
    this.study = o.study;
  }

  /**
   * Loads the stored study: the random stream and the model continue where the
   * latest ask left them, interrupted trials are queued to be re-asked.
   * Synchronous for a study in memory.
   */
  resume(): void | Promise<void> {
    const r = this.study.load();
    return r instanceof Promise ? r.then((s) => this.resumeFrom(s)) : this.resumeFrom(r);
  }

  private resumeFrom(state: JournalState): void {
    if (state.rngState) this.o.rng.setState(state.rngState);
    if (state.modelState) this.o.sampler.restoreModelState?.(state.modelState);
    for (const t of state.orphaned) this.reask.push(t.id);
    // The restored stream is the one the latest asking worker continues. If
    // other workers are running, leave it so as not to replay their draws.
    const orphaned = new Set(state.orphaned.map((t) => t.id));
    if (state.pending.some((t) => t.worker !== this.study.worker && !orphaned.has(t.id))) this.diversify();
    const done = state.trials.filter((t) => t.status !== 'pending').length;
    if (state.trials.length > 0 || state.skipped.length > 0) {
      this.o.log(`journal: resumed ${done} finished trial(s), ${this.reask.length} interrupted trial(s) to re-ask` +
        (state.skipped.length ? `, ${state.skipped.length} damaged line(s) skipped` : ''));
    }
  }

  /** Picks up other workers' trials before choosing a point. */
  async refresh(): Promise<void> {
    await this.study.load();
  }

  /**
   * The evaluation schedule of `maximize`: up to `concurrency` objective calls
   * in flight, a new point asked as each one finishes (one call at a time
   * when `concurrency` is 1).
   */
  async run(initPoints: number, nIter: number, resume = false, concurrency = 1): Promise<void> {
    const next = this.schedule(initPoints, nIter, resume);
    const asking = new Mutex();
    let stop = false;
    let failure: { e: unknown } | null = null;
    const slot = async (): Promise<void> => {
      while (!stop) {
        try {
          const trial = await asking.run(next);
          if (!trial) return;
          await this.runTrial(trial);
        } catch (e) {
          // the other slots finish (and record) their running trials, then stop
          failure ??= { e };
          stop = true;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, slot));
    if (failure) throw (failure as { e: unknown }).e;
  }

  /**
   * The next trial `maximize` evaluates, asked (null when the schedule is
   * done): interrupted trials, queued probes, then the grid's plan, or the
   * initial design and model-guided points (with `resume`, until the study
   * holds `initPoints + nIter` trials). Called one at a time.
   */
  private schedule(initPoints: number, nIter: number, resume: boolean): () => Promise<Trial | null> {
    const budget = resume ? initPoints + nIter : undefined;
    let plan: Params[] | null = null;
    let design: Design | null = null;
    let iters = 0;
    let done = false;
    return async () => {
      if (done) return null;
      this.o.assertUsable();
      const again = await this.nextReask();
      if (again) return again;
      if (this.probes.length) return this.ask(this.probes.shift() as Params, 'probe');
      if (this.o.sampler.plan) {
        if (!plan) {
          const tried = new Set(this.study.trials.map((t) => pointKey(t.params)));
          plan = this.o.sampler.plan(initPoints + nIter).filter((p) => !tried.has(pointKey(p)));
        }
        if (plan.length) return this.ask(plan.shift() as Params, 'grid');
        done = true;
        return null;
      }
      if (!design) {
        if (resume) await this.refresh();
        const k = resume ? Math.max(0, Math.min(initPoints, budget as number) - this.study.size) : initPoints;
        design = { points: this.o.sampler.initialDesign(k), i: 0, asked: 0 };
      }
      if (design.asked < design.points.length) {
        if (resume) await this.refresh();
        // with resume, other workers may have done the rest of the design
        if (!resume || this.study.size < initPoints) {
          const t = await this.ask(this.fromDesign(design), 'init', undefined, budget);
          if (!t) done = true;
          return t;
        }
        design.asked = design.points.length;
      }
      if (!resume && iters >= nIter) {
        done = true;
        return null;
      }
      iters++;
      await this.refresh();
      if (resume && this.study.size >= (budget as number)) {
        done = true;
        return null;
      }
      const prop = await this.o.sampler.propose(this.study);
      const t = await this.ask(prop.params, prop.source, prop, budget);
      if (!t) done = true;
      return t;
    };
  }

  /**
   * The next trial for `suggest()`: an interrupted one of a resumed study,
   * else a point of the initial design while the study holds fewer than
   * `initPoints` trials (the design `maximize` draws, shared with other
   * workers of the same seed without repeats), else a model-guided point
   * that accounts for every pending trial.
   */
  async suggestOne(initPoints: number): Promise<Trial> {
    const again = await this.nextReask();
    if (again) return again;
    await this.refresh();
    if (!this.o.sampler.plan && this.study.size < initPoints) {
      if (this.design?.points.length !== initPoints) this.design = { points: this.o.sampler.initialDesign(initPoints), i: 0, asked: 0 };
      return (await this.ask(this.fromDesign(this.design), 'init')) as Trial;
    }
    const prop = await this.o.sampler.propose(this.study);
    return (await this.ask(prop.params, prop.source, prop)) as Trial;
  }

  /**
   * Picks, under the storage lock, the design's next point that no other
   * worker holds (workers started with the same seed draw the same design,
   * so they share it out instead of repeating it). Past the design's end it
   * gives an untried random point.
   */
  private fromDesign(design: Design): (state: JournalState) => Params {
    return (state) => {
      const me = this.study.worker;
      const others = new Set(state.trials.filter((t) => t.worker !== me).map((t) => pointKey(t.params)));
      while (design.i < design.points.length && others.has(pointKey(design.points[design.i]))) design.i++;
      design.asked++;
      if (design.i < design.points.length) return design.points[design.i++];
      this.diversify(); // a twin stream: leave it, or the next points collide too
      const q = this.untried(state);
      RANDOM.add(q);
      return q;
    };
  }

  /** Re-runs trials a previous run asked but never finished. */
  async runReasks(): Promise<void> {
    for (let trial = await this.nextReask(); trial; trial = await this.nextReask()) await this.runTrial(trial);
  }

  /** Claims the next interrupted trial still pending, or null when none is left. */
  async nextReask(): Promise<Trial | null> {
    while (this.reask.length) {
      this.o.assertUsable();
      const id = this.reask.shift() as number;
      const claimed = await this.study.reclaim(id, { rng: this.o.rng.state(), model: this.o.sampler.modelState?.() });
      if (claimed) return claimed; // else another worker took it, or it finished meanwhile
    }
    return null;
  }

  /** Evaluates the probes queued by `probe(params)`, in order. */
  private async runProbes(): Promise<void> {
    while (this.probes.length) await this.evaluate(this.probes.shift() as Params, 'probe');
  }

  /**
   * Asks, calls `f` safely, tells. With `limit`, asks only while the study
   * holds fewer trials than that, else returns null.
   */
  async evaluate(params: Params, source: TrialSource, prop?: Proposal, limit?: number): Promise<Trial | null> {
    this.o.assertUsable();
    const trial = await this.ask(params, source, prop, limit);
    return trial && this.runTrial(trial);
  }

  private async runTrial(trial: Trial): Promise<Trial> {
    const f = this.o.f;
    if (!f) throw new StateError('maximize: no objective; pass `f` to the constructor');
    const out = await runObjective(f, trial.params, trial.id, this.o.trialTimeoutMs);
    const done = await this.study.tell(trial.id, out.ok ? { target: out.target, durationMs: out.durationMs } : { error: out.error, durationMs: out.durationMs });
    this.step(done);
    return done;
  }

  /** One row of the progress table for a finished trial. */
  step(t: Trial): void {
    const best = this.study.best(t.id);
    const s = this.study.sign;
    const isNewBest = t.status === 'complete' && t.target !== null && (!best || s * t.target > s * (best.target as number));
    this.o.table.step(t.target, t.params, isNewBest);
  }

  /**
   * Records a new pending trial and returns it; null, recording nothing, when
   * the study already holds `limit` trials. A point of the optimizer's own
   * choosing that another worker already has (workers started with the same
   * seed draw the same initial design) is replaced, under the lock, by an
   * untried random one.
   */
  async ask(
    params: Params | ((state: JournalState) => Params), source: TrialSource, prop?: Proposal, limit?: number,
  ): Promise<Trial | null> {
    const extra: AskExtra = { source };
    if (source !== 'random' && prop?.engine) extra.engine = prop.engine;
    if (prop?.suggestMs !== undefined) extra.suggestMs = prop.suggestMs;
    try {
      return await this.study.ask((state) => {
        if (limit !== undefined && state.trials.length >= limit) throw new BudgetSpent();
        const p = typeof params === 'function' ? params(state) : params;
        const q = OWN_CHOICE.has(source) ? this.awayFromOthers(p, state) : p;
        if (q !== p || RANDOM.has(q)) {
          extra.source = 'random';
          delete extra.engine;
        }
        extra.rng = this.o.rng.state(); // read after this returns: the state after any redraw
        extra.model = this.o.sampler.modelState?.();
        return q;
      }, extra);
    } catch (e) {
      if (e instanceof BudgetSpent) return null;
      throw e;
    }
  }

  /** `p`, or an untried random point when another worker's trial is at `p`. */
  private awayFromOthers(p: Params, state: JournalState): Params {
    const key = pointKey(p);
    const me = this.study.worker;
    if (!state.trials.some((t) => t.worker !== me && pointKey(t.params) === key)) return p;
    this.diversify(); // a twin stream: leave it, or the next points collide too
    return this.untried(state, p);
  }

  /** A random point no trial holds (`fallback` when 100 draws find none). */
  private untried(state: JournalState, fallback?: Params): Params {
    const seen = new Set(state.trials.map((t) => pointKey(t.params)));
    let q: Params | undefined;
    for (let i = 0; i < 100; i++) {
      const [u] = this.o.space.sample(this.o.rng, 1, 'random');
      q = this.o.space.decode(u);
      if (!seen.has(pointKey(q))) return q;
    }
    return fallback ?? (q as Params);
  }

  /** Moves the random stream to one of this worker's own (seeded by its worker id). */
  private diversify(): void {
    const worker = this.study.worker;
    let h = 0x811c9dc5; // FNV-1a
    for (let i = 0; i < worker.length; i++) h = Math.imul(h ^ worker.charCodeAt(i), 0x01000193);
    this.o.rng.setState(new Rng((h ^ this.o.rng.nextUint32()) >>> 0).state());
  }
}
