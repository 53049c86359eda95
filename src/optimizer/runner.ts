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
import type { Pruner } from '../pruners';
import type { ReportHooks } from './objective';

const SIGNAL_ABORTED = 'maximize: aborted by its signal';

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
   * stops the run when aborted: the running trial fails (its objective's
   * signal is aborted too) and is recorded, then `maximize` rejects with
   * StateError [none]
   */
  signal?: AbortSignal;
}

const MAXIMIZE_KEYS = ['initPoints', 'nIter', 'resume', 'signal'];
/** bayes_opt's names, for a message that says what to write instead. */
const SNAKE_CASE: Record<string, string> = { init_points: 'initPoints', n_iter: 'nIter' };

/** Applies the defaults of MaximizeOptions and checks the values. */
export function checkMaximizeOptions(arg: unknown): Required<Omit<MaximizeOptions, 'signal'>> & Pick<MaximizeOptions, 'signal'> {
  if (arg === undefined) arg = {};
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg)) {
    throw new InvalidOptionError(
      `maximize: options must be an object like { initPoints: 5, nIter: 25 }, got ${arg === null ? 'null' : Array.isArray(arg) ? 'an array' : typeof arg}`,
      'options',
    );
  }
  const opts = arg as MaximizeOptions;
  for (const k of Object.keys(opts)) {
    if (MAXIMIZE_KEYS.includes(k)) continue;
    const camel = SNAKE_CASE[k] ?? (/_/.test(k) ? k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : undefined);
    const hint = camel !== undefined && MAXIMIZE_KEYS.includes(camel) ? `; bayes_opt's ${k} is "${camel}" here` : '';
    throw new InvalidOptionError(`option "${k}": unknown option of maximize (known: ${MAXIMIZE_KEYS.join(', ')})${hint}`, k);
  }
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
  const signal = opts.signal;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')) {
    throw new InvalidOptionError(`option "signal": expected an AbortSignal, got ${String(signal)}`, 'signal');
  }
  return { initPoints, nIter, resume, signal };
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
  /** judges each report of a running trial; none: reports are recorded, nothing is pruned */
  pruner?: Pruner;
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
  /** aborts the wait for the running objective (dispose) */
  private running: AbortController | null = null;
  /** the running maximize's signal */
  private signal: AbortSignal | undefined;

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
        (state.skipped.length ? `, ${state.skipped.length} damaged line(s) skipped (${describeSkipped(state.skipped)})` : ''));
    }
  }

  /**
   * Picks up other workers' trials before choosing a point, and queues the
   * pending trials of workers known to have stopped (a process gone, a Redis
   * heartbeat expired) to be re-asked.
   */
  async refresh(): Promise<void> {
    const s = await this.study.load();
    for (const t of s.orphaned) if (!this.reask.includes(t.id)) this.reask.push(t.id);
  }

  /**
   * Ends the wait for a running objective: its trial is recorded as failed
   * with `reason`, and the call that ran it rejects with StateError(reason).
   */
  abortRunning(reason: string): void {
    this.running?.abort(new StateError(reason));
  }

  /** The evaluation schedule of `maximize`; `signal` aborts it (see MaximizeOptions.signal). */
  async run(initPoints: number, nIter: number, resume = false, signal?: AbortSignal): Promise<void> {
    this.signal = signal;
    try {
      this.checkSignal();
      await this.schedule(initPoints, nIter, resume);
    } finally {
      this.signal = undefined;
    }
  }

  private async schedule(initPoints: number, nIter: number, resume: boolean): Promise<void> {
    await this.runReasks();
    await this.runProbes();
    const plan = this.o.sampler.plan?.bind(this.o.sampler);
    if (plan) {
      const tried = new Set(this.study.trials.map((t) => pointKey(t.params)));
      for (const p of plan(initPoints + nIter)) if (!tried.has(pointKey(p))) await this.evaluate(p, 'grid');
      return;
    }
    if (resume) return this.runBudget(initPoints, initPoints + nIter);
    for (const p of this.o.sampler.initialDesign(initPoints)) await this.evaluate(p, 'init');
    for (let i = 0; i < nIter; i++) {
      this.o.assertUsable();
      await this.refresh();
      await this.runReasks(); // a stopped worker's trial first
      const prop = await this.o.sampler.propose(this.study);
      await this.evaluate(prop.params, prop.source, prop);
    }
  }

  /**
   * `maximize({ resume: true })`: trials until the study holds `budget`, the
   * first `initPoints` of them from the initial design. The budget is checked
   * again under the storage lock at each ask, so workers sharing a study
   * never overshoot it.
   */
  private async runBudget(initPoints: number, budget: number): Promise<void> {
    await this.refresh();
    const initLeft = Math.max(0, Math.min(initPoints, budget) - this.study.size);
    for (const p of this.o.sampler.initialDesign(initLeft)) {
      await this.refresh();
      if (this.study.size >= initPoints) break; // other workers did the rest
      if (!(await this.evaluate(p, 'init', undefined, budget))) return;
    }
    for (;;) {
      this.o.assertUsable();
      await this.refresh();
      await this.runReasks(); // a stopped worker's trial first (it fills its old slot)
      if (this.study.size >= budget) return;
      const prop = await this.o.sampler.propose(this.study);
      if (!(await this.evaluate(prop.params, prop.source, prop, budget))) return;
    }
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
    this.checkSignal();
    const trial = await this.ask(params, source, prop, limit);
    return trial && this.runTrial(trial);
  }

  /**
   * Calls `f` with reporting hooks, then tells the outcome. Once the pruner
   * says stop, the trial ends 'pruned' at that report whatever `f` then
   * returns or throws, and later reports are refused.
   */
  private async runTrial(trial: Trial): Promise<Trial> {
    const f = this.o.f;
    if (!f) throw new StateError('maximize: no objective; pass `f` to the constructor');
    const id = trial.id;
    let verdict = false;
    let prunedAt: number | null = null;
    let ended = false;
    const hooks: ReportHooks = {
      report: async (step, value) => {
        if (ended) throw new StateError(`report: trial ${id} has already ended; nothing was recorded`);
        if (prunedAt !== null) throw new StateError(`report: trial ${id} was pruned at step ${prunedAt}; nothing was recorded`);
        await this.study.report(id, step, value);
        verdict = await this.decide(id);
        if (verdict) prunedAt = step;
        return verdict;
      },
      shouldPrune: () => verdict,
    };
    // dispose() or the maximize signal end the wait for the objective
    const ac = new AbortController();
    this.running = ac;
    const signal = this.signal;
    const onAbort = () => ac.abort(new StateError(SIGNAL_ABORTED));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    let out;
    try {
      out = await runObjective(f, trial.params, id, this.o.trialTimeoutMs, hooks, ac.signal);
    } finally {
      this.running = null;
      signal?.removeEventListener('abort', onAbort);
    }
    ended = true;
    const done = prunedAt !== null && !ac.signal.aborted
      ? await this.study.prune(id, { durationMs: out.durationMs })
      : await this.study.tell(id, out.ok ? { target: out.target, durationMs: out.durationMs } : { error: out.error, durationMs: out.durationMs });
    this.step(done);
    if (ac.signal.aborted) throw ac.signal.reason as StateError;
    return done;
  }

  private checkSignal(): void {
    if (this.signal?.aborted) throw new StateError(SIGNAL_ABORTED);
  }

  /** The pruner's verdict on trial `id`'s latest report, every worker's reports read first. */
  private async decide(id: number): Promise<boolean> {
    const pruner = this.o.pruner;
    if (!pruner || pruner.name === 'none') return false;
    if (this.study.shared) await this.study.load();
    const trials = this.study.prunerTrials();
    const me = trials.find((t) => t.id === id);
    if (!me || me.state !== 'running') return false;
    return pruner.prune({ direction: this.study.direction, trial: me, trials });
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
  async ask(params: Params, source: TrialSource, prop?: Proposal, limit?: number): Promise<Trial | null> {
    const extra: AskExtra = { source };
    if (source !== 'random' && prop?.engine) extra.engine = prop.engine;
    if (prop?.suggestMs !== undefined) extra.suggestMs = prop.suggestMs;
    try {
      return await this.study.ask((state) => {
        if (limit !== undefined && state.trials.length >= limit) throw new BudgetSpent();
        const q = OWN_CHOICE.has(source) ? this.awayFromOthers(params, state) : params;
        if (q !== params) {
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
    const seen = new Set(state.trials.map((t) => pointKey(t.params)));
    for (let i = 0; i < 100; i++) {
      const [u] = this.o.space.sample(this.o.rng, 1, 'random');
      const q = this.o.space.decode(u);
      if (!seen.has(pointKey(q))) return q;
    }
    return p;
  }

  /** Moves the random stream to one of this worker's own (seeded by its worker id). */
  private diversify(): void {
    const worker = this.study.worker;
    let h = 0x811c9dc5; // FNV-1a
    for (let i = 0; i < worker.length; i++) h = Math.imul(h ^ worker.charCodeAt(i), 0x01000193);
    this.o.rng.setState(new Rng((h ^ this.o.rng.nextUint32()) >>> 0).state());
  }
}

/** "line 5: reason; line 9: reason", the first 5 lines, then how many more. */
function describeSkipped(skipped: readonly { line: number; reason: string }[]): string {
  const shown = skipped.slice(0, 5).map((s) => `line ${s.line}: ${s.reason}`).join('; ');
  return skipped.length > 5 ? `${shown}; and ${skipped.length - 5} more` : shown;
}
