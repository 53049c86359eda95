/**
 * The runner: runs a study with a sampler and an objective. It owns the
 * `maximize` loop, with up to `concurrency` objective calls in flight; the
 * order of its trials (interrupted trials, queued probes, initial design,
 * model-guided points) and the `resume` budget are ./maximize-schedule's.
 * What `suggest()` hands out is ./suggesting's; asking (moving off other
 * workers' points) is ./asking's, re-asking interrupted trials
 * ./interrupted's, and the objective call itself (reports, pruning,
 * timeout, abort) ./trial-call's.
 */
import type { Space } from '../space/space';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import { Mutex } from '../storage/mutex';
import type { Trial, TrialSource } from '../study/types';
import type { Rng } from '../util/rng';
import { yieldToEventLoop } from '../util/timer';
import type { TableLogger } from './logger';
import type { Objective } from './objective';
import type { Proposal, Sampler } from './sampler';
import type { Pruner } from '../pruners';
import type { CheckedMaximizeOptions } from './maximize-options';
import { TrialAsker } from './asking';
import { InterruptedTrials } from './interrupted';
import { maximizeSchedule, type ScheduleParts } from './maximize-schedule';
import { Suggester } from './suggesting';
import { plannedTrials } from './planned-trials';
import { TrialCalls } from './trial-call';

export { checkMaximizeOptions, type MaximizeOptions, type CheckedMaximizeOptions } from './maximize-options';

export interface RunnerOptions {
  study: Study;
  sampler: Sampler;
  space: Space;
  rng: Rng;
  table: TableLogger;
  log: (line: string) => void;
  /** news that is not a warning, see InterruptedOptions.info [log] */
  info?: (line: string) => void;
  f?: Objective;
  trialTimeoutMs?: number;
  /** judges each report of a running trial; none: reports are recorded, nothing is pruned */
  pruner?: Pruner;
  /** see TrialCallOptions.leaveInterrupted [false] */
  leaveInterrupted?: boolean;
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

/**
 * An optimizer's trial loop, built by BaseOptimizer: `run` is `maximize`
 * (the study evaluated with the sampler's points and the objective, up to
 * `concurrency` calls in flight), `suggestOne` / `suggestBatch` are
 * `suggest` / `suggestBatch`, and interrupted trials of a resumed study are
 * evaluated first.
 */
export class Runner {
  private readonly o: RunnerOptions;
  private readonly study: Study;
  /** interrupted trials, evaluated first by `maximize` (or handed out by `suggest`) */
  private readonly reask: InterruptedTrials;
  /** points queued by `probe(params)` for the next `maximize` */
  readonly probes: Params[] = [];
  /** what `suggest()` hands out, and model-guided points */
  private readonly suggester: Suggester;
  private readonly calls: TrialCalls;
  private readonly asker: TrialAsker;

  constructor(o: RunnerOptions) {
    this.o = o;
    this.study = o.study;
    this.asker = new TrialAsker(o);
    this.reask = new InterruptedTrials({ ...o, diversify: () => this.asker.diversify() });
    this.suggester = new Suggester({ ...o, asker: this.asker, reask: this.reask, refresh: () => this.refresh(), nextWaiting: () => this.nextWaiting() });
    this.calls = new TrialCalls({ study: o.study, f: o.f, trialTimeoutMs: o.trialTimeoutMs, pruner: o.pruner, onTold: (t) => this.step(t), leaveInterrupted: o.leaveInterrupted });
  }

  /**
   * Loads the stored study: the random stream and the model continue where the
   * latest ask left them, interrupted trials are queued to be re-asked.
   * Synchronous for a study in memory.
   */
  resume(): void | Promise<void> {
    const r = this.study.load();
    return r instanceof Promise ? r.then((s) => this.reask.resumeFrom(s)) : this.reask.resumeFrom(r);
  }

  /**
   * Picks up other workers' trials before choosing a point, and queues the
   * pending trials of workers known to have stopped (a process gone, a Redis
   * heartbeat expired) to be re-asked.
   */
  async refresh(): Promise<void> {
    if (!this.study.shared) return; // a study in memory has no other writer: its record is the storage (a load would only copy every trial)
    const s = await this.study.load();
    this.reask.add(s);
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
    const enough = (): boolean => this.stopping || (maxTimeMs !== undefined && performance.now() - t0 >= maxTimeMs) || this.reached(targetValue);
    const callbacks = new Mutex();
    const finished = onTrial && ((t: Trial) => callbacks.run(async () => void (await onTrial(t, undefined))));
    // the trials the signal cut off are retried by this optimizer's next run, as by a resume (see InterruptedTrials.addCutOff)
    const queueCutOff = () => void (o.signal?.aborted && this.reask.addCutOff(this.study.trials));
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
            // a synchronous objective never waits: let timers and abort signals that came due run (see yieldToEventLoop)
            await yieldToEventLoop();
          } catch (e) {
            failure ??= { e };
            stop = true;
          }
        }
      };
      // no more slots than trials the run can ask: a concurrency of 2^32 for a budget of 3 allocated 2^32 of them
      const most = this.reask.length + this.probes.length + o.initPoints + o.nIter;
      await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, most)) }, slot));
      if (failure) throw (failure as { e: unknown }).e;
    }, finished).finally(queueCutOff);
  }

  /** Set by {@link requestStop}: the running `run` asks no new trial. */
  private stopping = false;

  /** Ends the running `run` gracefully (Optuna's `study.stop()`): no new trial is asked, the running ones finish. */
  requestStop(): void {
    this.stopping = true;
  }

  /**
   * Forgets an earlier stop: called when `maximize` is called, before it
   * waits for the storage to open, so that a stop() made while it waits
   * stops this run.
   */
  clearStop(): void {
    this.stopping = false;
  }

  /** Whether the study's best completed value has reached `target` (>= it, <= when minimizing). */
  private reached(target: number | undefined): boolean {
    if (target === undefined) return false;
    const best = this.study.best();
    return best !== undefined && best.target !== null && this.study.sign * best.target >= this.study.sign * target;
  }

  /**
   * The next trial `maximize` evaluates, asked, in the order ./maximize-schedule
   * sets (null when the schedule is done). It asks with this runner's parts,
   * and calls this runner's own methods as they are.
   */
  private schedule(initPoints: number, nIter: number, resume: boolean): () => Promise<Trial | null> {
    const parts: ScheduleParts = {
      o: this.o, study: this.study, reask: this.reask, probes: this.probes, asker: this.asker, suggester: this.suggester,
      checkSignal: () => this.calls.checkSignal(), refresh: () => this.refresh(),
      nextWaiting: (budget) => this.nextWaiting(budget), nextReask: () => this.nextReask(),
    };
    return maximizeSchedule(parts, initPoints, nIter, resume);
  }

  /** About how many trials `run` will evaluate (for a progress bar; see plannedTrials). */
  plannedTrials(initPoints: number, nIter: number, resume: boolean): number {
    return plannedTrials(this.study, this.o.sampler.plan, this.reask.length, this.probes.length, initPoints, nIter, resume);
  }

  /** The next trial for `suggest()` (see Suggester.suggestOne). */
  suggestOne(initPoints: number): Promise<Trial> {
    return this.suggester.suggestOne(initPoints);
  }

  /** `q` trials for `suggestBatch` (see Suggester.suggestBatch). */
  suggestBatch(q: number, initPoints: number): Promise<Trial[]> {
    return this.suggester.suggestBatch(q, initPoints);
  }

  /**
   * An enqueued trial the study knows of (see BaseOptimizer.enqueue), taken
   * as this worker's pending trial; null when none waits, or when `budget`
   * (a `resume` budget, waiting trials counted in it) is already taken by
   * the others, as Optuna's `optimize(n_trials)` leaves the rest waiting.
   * Parameters the enqueued point leaves out are drawn uniformly in the
   * space's encoding (log-uniformly on log parameters).
   */
  async nextWaiting(budget?: number): Promise<Trial | null> {
    // a shared study may hold trials other workers enqueued since the last read: the claim reads them under the lock
    if ((!this.study.shared && !this.study.hasWaiting()) || (budget !== undefined && this.study.takenBudgetSize >= budget)) return null;
    const { space, rng } = this.o;
    const extra: { rng?: ReturnType<Rng['state']>; limit?: number } = { limit: budget };
    const t = await this.study.claimWaiting((p) => {
      const full = space.names.every((k) => Object.hasOwn(p, k)) ? p : { ...space.decode(space.sample(rng, 1, 'random')[0]), ...p };
      extra.rng = rng.state(); // read when the claim is written: the state after any draw
      return space.validatePoint(full);
    }, extra);
    // none left where the local record had some: other workers took them (or they failed); it learns so
    if (!t && this.study.hasWaiting()) await (this.study.shared ? this.refresh() : this.study.load());
    return t;
  }

  /** The next interrupted trial, retried (see InterruptedTrials.next); null when none is left. */
  nextReask(): Promise<Trial | null> {
    return this.reask.next();
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
    if (!this.o.table.printing) return;
    const best = this.study.best(t.id);
    const s = this.study.sign;
    const isNewBest = t.status === 'complete' && t.target !== null && (!best || s * t.target > s * (best.target as number));
    // its place in the study: a resumed journal's rows go on from its finished trials
    const iter = this.study.finished().findIndex((f) => f.id === t.id) + 1;
    // a pruned trial's target is an intermediate value: marked, or it reads as a finished training's
    this.o.table.step(t.target, t.params, isNewBest, iter, t.status === 'pruned' ? `pruned@${t.step}` : undefined);
  }
}
