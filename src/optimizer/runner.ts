/**
 * The runner: runs a study with a sampler and an objective. It owns the
 * `maximize` schedule (interrupted trials, queued probes, initial design,
 * model-guided points) with up to `concurrency` objective calls in flight,
 * the `resume` budget, re-asking interrupted trials, the initial design that
 * `suggest()` hands out, and asking (./asking: moving off other workers'
 * points). The objective call itself (reports, pruning, timeout, abort) is
 * ./trial-call's.
 */
import type { Space } from '../space/space';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import { Mutex } from '../storage/mutex';
import type { JournalState } from '../storage/types';
import { pointKey } from '../study/point-key';
import type { Trial, TrialSource } from '../study/types';
import type { Rng } from '../util/rng';
import type { TableLogger } from './logger';
import type { Objective } from './objective';
import type { Proposal, Sampler } from './sampler';
import type { Pruner } from '../pruners';
import type { CheckedMaximizeOptions } from './maximize-options';
import { DESIGN_DONE, STALE, TrialAsker, type Design } from './asking';

/**
 * Proposals made again at most, per point, when another worker took the spot
 * meanwhile (see Runner.proposeAndAsk). Processes proposing in step from the
 * same trials are refused one after another: with 3, 4 processes on Branin
 * still asked 13 pairs of points within 1e-3 over 10 runs of 40; with 8, none.
 */
const RE_PROPOSALS = 8;
import { TrialCalls } from './trial-call';

export { checkMaximizeOptions, type MaximizeOptions, type CheckedMaximizeOptions } from './maximize-options';

export interface RunnerOptions {
  study: Study;
  sampler: Sampler;
  space: Space;
  rng: Rng;
  table: TableLogger;
  log: (line: string) => void;
  f?: Objective;
  trialTimeoutMs?: number;
  /** judges each report of a running trial; none: reports are recorded, nothing is pruned */
  pruner?: Pruner;
  /** throws StateError once the optimizer is disposed */
  assertUsable: () => void;
}

/** What `maximize` watches in a run besides its options. */
export interface RunWatch {
  /** when the call began (performance.now()), for maxTimeMs [the start of the run] */
  t0?: number;
  /** a trial is about to be evaluated */
  started?: (t: Trial) => void;
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
  private readonly calls: TrialCalls;
  private readonly asker: TrialAsker;

  constructor(o: RunnerOptions) {
    this.o = o;
    this.study = o.study;
    this.asker = new TrialAsker(o);
    this.calls = new TrialCalls({ study: o.study, f: o.f, trialTimeoutMs: o.trialTimeoutMs, pruner: o.pruner, onTold: (t) => this.step(t) });
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
    if (state.pending.some((t) => t.worker !== this.study.worker && !orphaned.has(t.id))) this.asker.diversify();
    const done = state.trials.filter((t) => t.status !== 'pending').length;
    if (state.trials.length > 0 || state.skipped.length > 0) {
      this.o.log(`journal: resumed ${done} finished trial(s), ${this.reask.length} interrupted trial(s) to re-ask` +
        (state.skipped.length ? `, ${state.skipped.length} damaged line(s) skipped (${describeSkipped(state.skipped)})` : ''));
    }
  }

  /**
   * Picks up other workers' trials before choosing a point, and queues the
   * pending trials of workers known to have stopped (a process gone, a Redis
   * heartbeat expired) to be re-asked.
   */
  async refresh(): Promise<void> {
    if (!this.study.shared) return; // a study in memory has no other writer: its record is the storage (a load would only copy every trial)
    const s = await this.study.load();
    for (const t of s.orphaned) if (!this.reask.includes(t.id)) this.reask.push(t.id);
  }

  /**
   * Ends the wait for every running objective: each trial is recorded as
   * failed with `reason`, and the call that ran it rejects with StateError(reason).
   */
  abortRunning(reason: string): void {
    this.calls.abortAll(reason);
  }

  /**
   * The evaluation schedule of `maximize`: up to `concurrency` objective calls
   * in flight, a new point asked as each one finishes (one call at a time
   * when `concurrency` is 1). `signal` aborts it (see MaximizeOptions.signal);
   * past `maxTimeMs` (counted from `watch.t0`) or once `targetValue` is
   * reached no new trial is asked. `onTrial` runs after each finished trial,
   * one call at a time. On an abort or an error the other calls finish (and
   * are recorded) first, then the first error is thrown.
   */
  async run(o: CheckedMaximizeOptions, watch: RunWatch = {}): Promise<void> {
    const t0 = watch.t0 ?? performance.now();
    const { maxTimeMs, targetValue, onTrial } = o;
    const enough = (): boolean => (maxTimeMs !== undefined && performance.now() - t0 >= maxTimeMs) || this.reached(targetValue);
    const callbacks = new Mutex();
    const finished = onTrial && ((t: Trial) => callbacks.run(async () => onTrial(t, undefined)));
    await this.calls.withSignal(o.signal, async () => {
      const next = this.schedule(o.initPoints, o.nIter, o.resume);
      const asking = new Mutex();
      let stop = false;
      let failure: { e: unknown } | null = null;
      const slot = async (): Promise<void> => {
        while (!stop) {
          try {
            const trial = await asking.run(async () => {
              this.calls.checkSignal();
              return stop || enough() ? null : next();
            });
            if (!trial) return;
            watch.started?.(trial);
            await this.calls.run(trial);
          } catch (e) {
            failure ??= { e };
            stop = true;
          }
        }
      };
      await Promise.all(Array.from({ length: o.concurrency }, slot));
      if (failure) throw (failure as { e: unknown }).e;
    }, finished);
  }

  /** Whether the study's best completed value has reached `target` (>= it, <= when minimizing). */
  private reached(target: number | undefined): boolean {
    if (target === undefined) return false;
    const best = this.study.best();
    return best !== undefined && best.target !== null && this.study.sign * best.target >= this.study.sign * target;
  }

  /**
   * About how many trials `run` will evaluate (for a progress bar):
   * interrupted ones, queued probes, then the grid's plan or the budget.
   */
  plannedTrials(initPoints: number, nIter: number, resume: boolean): number {
    const queued = this.reask.length + this.probes.length;
    if (this.o.sampler.plan) {
      const tried = new Set(this.study.trials.map((t) => pointKey(t.params)));
      return queued + (initPoints + nIter === 0 ? 0 : this.o.sampler.plan(initPoints + nIter).filter((p) => !tried.has(pointKey(p))).length);
    }
    return resume ? this.reask.length + Math.max(this.probes.length, initPoints + nIter - this.study.budgetSize) : queued + initPoints + nIter;
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
      this.calls.checkSignal();
      const again = await this.nextReask();
      if (again) return again;
      if (this.probes.length) return this.asker.ask(this.probes.shift() as Params, 'probe');
      if (this.o.sampler.plan) {
        if (!plan) {
          const tried = new Set(this.study.trials.map((t) => pointKey(t.params)));
          // a budget of 0 plans nothing (the grid of 0 points would still hold its centre)
          plan = initPoints + nIter === 0 ? [] : this.o.sampler.plan(initPoints + nIter).filter((p) => !tried.has(pointKey(p)));
        }
        if (plan.length) return this.asker.ask(plan.shift() as Params, 'grid');
        done = true;
        return null;
      }
      if (!design) {
        if (resume) await this.refresh();
        const k = resume ? Math.max(0, Math.min(initPoints, budget as number) - this.study.budgetSize) : initPoints;
        design = { points: this.o.sampler.initialDesign(k), i: 0, asked: 0 };
      }
      if (design.asked < design.points.length) {
        if (resume) await this.refresh();
        // with resume, other workers may have done the rest of the design (counted again under the lock)
        if (!resume || this.study.budgetSize < initPoints) {
          const t = await this.asker.askFromDesign(design, budget, resume ? initPoints : undefined);
          if (t !== DESIGN_DONE) {
            if (!t) done = true;
            return t;
          }
        }
        design.asked = design.points.length;
      }
      if (!resume && iters >= nIter) {
        done = true;
        return null;
      }
      iters++;
      await this.refresh();
      if (resume && this.study.budgetSize >= (budget as number)) {
        done = true;
        return null;
      }
      const t = await this.proposeAndAsk(budget);
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
    if (!this.o.sampler.plan && this.study.budgetSize < initPoints) {
      if (this.design?.points.length !== initPoints) this.design = { points: this.o.sampler.initialDesign(initPoints), i: 0, asked: 0 };
      // counted again under the lock: another worker may have asked meanwhile
      const t = await this.asker.askFromDesign(this.design, undefined, initPoints);
      if (t !== DESIGN_DONE) return t as Trial;
    }
    return (await this.proposeAndAsk()) as Trial;
  }

  /**
   * `q` trials for `suggestBatch` with a sampler that chooses batches
   * together (Sampler.proposeBatch): interrupted trials and the initial
   * design first, one at a time as `suggestOne` hands them out, then the
   * rest of the batch proposed at once and asked. A point another worker
   * took meanwhile (see TrialAsker.ask's `seen`) is replaced by a single
   * proposal made with the asked ones pending.
   */
  async suggestBatch(q: number, initPoints: number): Promise<Trial[]> {
    const out: Trial[] = [];
    while (out.length < q) {
      this.o.assertUsable();
      await this.refresh();
      const batch = this.o.sampler.proposeBatch;
      if (!batch || this.reask.length || (!this.o.sampler.plan && this.study.budgetSize < initPoints)) {
        out.push(await this.suggestOne(initPoints));
        continue;
      }
      const seen = new Set(this.study.ids());
      const props = await batch.call(this.o.sampler, this.study, q - out.length);
      for (const prop of props) {
        this.o.assertUsable();
        const t = await this.asker.ask(prop.params, prop.source, prop, undefined, seen);
        out.push(t === STALE ? ((await this.refresh(), await this.proposeAndAsk()) as Trial) : (t as Trial));
      }
    }
    return out;
  }

  /**
   * A model-guided point, asked. When another worker asked a trial next to it
   * while it was being proposed (see TrialAsker.ask's `seen`), it is proposed
   * again from the refreshed study, with that trial pending, up to
   * RE_PROPOSALS times; after that asked as it is (then moved off an exact
   * repeat only).
   */
  private async proposeAndAsk(limit?: number): Promise<Trial | null> {
    for (let attempt = 0; ; attempt++) {
      const seen = new Set(this.study.ids());
      const prop = await this.o.sampler.propose(this.study);
      if (attempt >= RE_PROPOSALS) return this.asker.ask(prop.params, prop.source, prop, limit);
      const t = await this.asker.ask(prop.params, prop.source, prop, limit, seen);
      if (t !== STALE) return t;
      await this.refresh();
    }
  }

  /**
   * Retries the next interrupted trial still pending: it is failed and its
   * params asked again as a new trial (see Study.reclaim); null when none is left.
   */
  async nextReask(): Promise<Trial | null> {
    while (this.reask.length) {
      this.o.assertUsable();
      const id = this.reask.shift() as number;
      const claimed = await this.study.reclaim(id, { rng: this.o.rng.state(), model: this.o.sampler.modelState?.() });
      if (claimed) return claimed; // else another worker retried it, or it finished meanwhile
    }
    return null;
  }

  /**
   * Asks, calls `f` safely, tells (an eager probe). With `limit`, asks only
   * while the study holds fewer trials than that, else returns null.
   */
  async evaluate(params: Params, source: TrialSource, prop?: Proposal, limit?: number): Promise<Trial | null> {
    this.o.assertUsable();
    this.calls.checkSignal();
    const trial = await this.asker.ask(params, source, prop, limit);
    return trial && this.calls.run(trial);
  }

  /** One row of the progress table for a finished trial. */
  step(t: Trial): void {
    const best = this.study.best(t.id);
    const s = this.study.sign;
    const isNewBest = t.status === 'complete' && t.target !== null && (!best || s * t.target > s * (best.target as number));
    this.o.table.step(t.target, t.params, isNewBest);
  }
}

/** "line 5: reason; line 9: reason", the first 5 lines, then how many more. */
function describeSkipped(skipped: readonly { line: number; reason: string }[]): string {
  const shown = skipped.slice(0, 5).map((s) => `line ${s.line}: ${s.reason}`).join('; ');
  return skipped.length > 5 ? `${shown}; and ${skipped.length - 5} more` : shown;
}
