/**
 * The bayes_opt-style facade shared by BayesianOptimization, RandomSearch and
 * GridSearch: options and the parts they build, bayes_opt import,
 * `maximize` and disposal; the ask side of ask/tell (`suggest`, `probe`,
 * `enqueue`, ...) is {@link AskSide}'s, the tell side (`register`, `report`,
 * ...) {@link TellSide}'s, the trial record (`res`, `max`, export)
 * {@link StudyView}'s. The trials live in a
 * {@link Study} (in memory, or written through to a journal); the point
 * choice is the sampler's; the `maximize` loop is the {@link Runner}'s.
 */
import { InvalidOptionError, StateError } from '../errors';
import { AskSide } from './ask-side';
import { Lifecycle } from './lifecycle';
import { SOBOL_MAX_DIM, Space } from '../space';
import type { Params } from '../space/types';
import { Study } from '../storage/study';
import { isStudyStorage } from '../storage/storage-target';
import { parsePruner, type Pruner } from '../pruners';
import type { Trial } from '../study/types';
import { Rng } from '../util/rng';
import { checkLengthscaleGroups } from './gp-config';
import { colorFor, TableLogger } from './logger';
import { checkImportOptions, readBayesOpt, registerImport, type ImportOptions, type ImportReport } from './import-export';
import { checkOptions, type OptimizerOptions } from './options';
import { checkDesignSize } from './maximize-options';
import { checkMaximizeOptions, Runner, type MaximizeOptions } from './runner';
import type { Sampler, SamplerContext } from './sampler';
import { watchRun } from './run-progress';
import { DISPOSED, settleOrAbort } from './cut-off';
import { checkOptionKeys } from '../util/option-keys';
export { pointKey } from '../study/point-key';
export type { MaximizeOptions };
export type { Proposal } from './sampler';
export type { Result } from './study-view';

/**
 * `P`: the params type, from the `space`/`pbounds` the subclass inferred (see
 * ObjectiveParams); it types `f`, `suggest`, `register`, `probe`, `res`,
 * `trials`, `max`, `recommend` and `onTrial`. Plain `Params` when unknown.
 */
export abstract class BaseOptimizer<P = Params> extends AskSide<P> {
  protected readonly options: OptimizerOptions;
  protected readonly rng: Rng;
  protected readonly log: (line: string) => void;
  /** notices said at any verbosity: the caller's `log`, else stderr (above a progress bar while one is drawn) */
  protected readonly warn: (line: string) => void;
  protected readonly table: TableLogger;
  protected readonly sampler: Sampler;
  protected get jointBatches(): boolean {
    return typeof this.sampler.proposeBatch === 'function';
  }
  /** judges the objective's reports (see the `pruner` option) */
  readonly pruner: Pruner;
  protected readonly runner: Runner;
  /** where the default log goes while `maximize({ progress: true })` draws its bar */
  private note: ((line: string) => void) | null = null;
  protected readonly opening: Promise<void>;
  private opened = false;
  protected readonly life = new Lifecycle(() => {
    this.sampler.release?.();
    return this.study.close().catch(() => undefined);
  });

  /**
   * @param makeSampler the strategy's sampler
   * @param planned the sampler plans its points (a grid): `initPoints` is then its budget, not a design drawn at once [false]
   */
  constructor(options: OptimizerOptions, makeSampler: (ctx: SamplerContext) => Sampler, planned = false) {
    const checked = checkOptions(options);
    if (!planned && options.initPoints !== undefined) checkDesignSize(options.initPoints); // before the storage opens
    const space = Space.fromOptions({ space: options.space, pbounds: options.pbounds });
    if (options.initDesign === 'sobol' && space.layout.length > SOBOL_MAX_DIM) {
      throw new InvalidOptionError(`option "initDesign": "sobol" supports at most ${SOBOL_MAX_DIM} parameters, the space has ${space.layout.length}`, 'initDesign');
    }
    checkLengthscaleGroups(options, space);
    const direction = options.direction ?? 'maximize';
    const target: unknown = options.storage ?? options.journal;
    const study = Study.open(target, { space: space.spec, direction, studyName: options.studyName });
    super(space, options.randomState ?? Math.floor(Math.random() * 2 ** 31), direction, study);
    this.options = checked;
    this.rng = new Rng(this.seed);
    // while a progress bar is drawn, the default log prints above it
    const given = options.log === undefined ? undefined : guardedLog(options.log);
    this.log = given ?? ((line) => (this.note ?? console.log)(line));
    // notices said at any verbosity (damaged journal lines, a capped candidate count) go to stderr by
    // default: on stdout they mixed into what a script prints there (its JSON)
    const warn = given ?? ((line: string) => (this.note ?? console.warn)(line));
    this.warn = warn;
    // colour (new bests in magenta) only on the console: a `log` of the caller's (a file) gets plain text; the default
    // log writes above a progress bar (stderr) while one is drawn, else to stdout: the stream written decides
    const color = options.log === undefined
      ? () => colorFor(typeof process === 'undefined' ? undefined : this.note ? process.stderr : process.stdout)
      : false;
    this.table = new TableLogger({ verbose: options.verbose ?? 0, names: this.space.names, write: this.log, color });
    this.sampler = makeSampler({ space: this.space, rng: this.rng, initDesign: options.initDesign, log: this.log, warn });
    this.pruner = parsePruner(options.pruner);
    this.runner = new Runner({
      study: this.study, sampler: this.sampler, space: this.space, rng: this.rng, table: this.table, log: warn,
      // library use prints nothing unless verbose or log asks for it (warnings aside)
      info: options.log !== undefined || (options.verbose ?? 0) > 0 ? this.log : () => {},
      f: options.f, trialTimeoutMs: options.trialTimeoutMs, pruner: this.pruner, assertUsable: () => this.assertUsable(),
      // a journal this optimizer opens (a path, a URL, a backend) and closes with its closing mark
      leaveInterrupted: target !== undefined && !isStudyStorage(target),
    });
    // A study in memory loads at once, so `register` right after construction records synchronously.
    const loaded = this.study.isOpen ? this.runner.resume() : this.study.ready().then(() => this.runner.resume());
    this.opened = !(loaded instanceof Promise);
    this.opening = Promise.resolve(loaded).then(() => void (this.opened = true));
    // Surface open failures through ready()/the next call, not as an unhandled rejection.
    this.opening.catch(() => {});
  }

  /**
   * Resolves once the journal (if any) is open and loaded: completed trials
   * restored, interrupted ones queued to be failed and retried, the random stream
   * restored. Every method that touches the study waits for it; await it
   * before reading `res`, `trials` or `max` of a resumed study. Rejects with
   * the journal's StorageError (e.g. a different space) when it cannot open.
   */
  async ready(): Promise<void> {
    await this.opening;
  }

  protected accepted<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.life.write(() => (this.opened ? fn() : this.opening.then(fn)));
  }

  protected told = (t: Trial): Trial => (this.runner.step(t), t);

  /**
   * Registers the points of a Python bayes_opt study (a `save_state` JSON or
   * a JSONLogger log); what does not fit is skipped and reported (see
   * {@link readBayesOpt}). Minimizing negates the targets. A point the study
   * already holds (same params and target) is left out unless
   * `skipExisting: false`, so rerunning a script that imports does not
   * register its points again (each completed trial holds one point of the file).
   * @throws StorageError when nothing in `text` is a bayes_opt point of this space
   * @throws InvalidOptionError naming an unknown or ill-typed option
   */
  async importBayesOpt(text: string, opts?: ImportOptions): Promise<ImportReport> {
    this.assertUsable();
    const skipExisting = checkImportOptions(opts);
    const read = readBayesOpt(text, this.space, this.direction);
    await this.opening;
    // points left out as already held are routine on a rerun: said only with `verbose` or a `log`, as a plain resume is
    const info = this.options.log !== undefined || (this.options.verbose ?? 0) > 0 ? this.log : () => {};
    return registerImport(this.study, read, skipExisting, { told: this.told, log: this.warn, info, assertUsable: () => this.assertUsable() });
  }

  /**
   * Reads the shared storage (a journal, Redis) again, so that `res`,
   * `trials`, `max` and `bestTrial` show what other workers recorded since
   * this optimizer's last read: each `suggest`, `register` and `maximize`
   * step reads it, and an optimizer that only watches a study does not
   * (Optuna's `study.trials` reads on every access). A study in memory has
   * nothing to read. Queued after the calls made before it, as `suggest` is.
   * @throws StateError once disposed, or while `maximize` runs (its steps read); StorageError where the storage cannot be read
   * @example
   * const watcher = new RandomSearch({ pbounds, journal: 'study.jsonl' });
   * await watcher.refresh();
   * console.log(watcher.res.length, watcher.bestTrial?.target);
   */
  async refresh(): Promise<void> {
    this.assertUsable();
    await this.opening;
    await this.life.queue(() => this.runner.refresh());
  }

  /**
   * About how many trials `maximize(opts)` would evaluate if called now (a
   * progress count: other workers may take some of them). Await `ready()`
   * first on a journal.
   */
  plannedTrials(opts: Pick<MaximizeOptions, 'initPoints' | 'nIter' | 'resume'> = {}): number {
    this.assertUsable(); // a count for a maximize that can only throw StateError
    // its own name and keys: errors said "maximize", and took maximize's other options
    checkOptionKeys(opts, 'plannedTrials', ['initPoints', 'nIter', 'resume']);
    const o = checkMaximizeOptions(opts, this.initPoints);
    return this.runner.plannedTrials(o.initPoints, o.nIter, o.resume);
  }

  /**
   * Runs the study: interrupted trials of a resumed journal, queued probes,
   * then `initPoints` initial points, then `nIter` model-guided points,
   * calling `f` on each. Failed objective calls are recorded and the loop goes
   * on. With `resume: true` the trials already in the study count against
   * `initPoints + nIter` (see MaximizeOptions). With `concurrency: k`, up to
   * k calls of `f` run at once, a new point asked as each finishes.
   * `maxTimeMs` and `targetValue` end it early (the running trials finish),
   * `onTrial` is called after each finished trial, `progress: true` draws a
   * progress bar on stderr in Node.
   * @throws InvalidOptionError for a bad option, before anything runs
   * @throws StateError when another maximize/suggest/probe is running, when
   *   there is no `f`, or when `dispose()` is called or `signal` aborts
   *   meanwhile (the running trials are recorded as failed)
   * @throws the error `onTrial` threw (the trials are recorded first)
   */
  async maximize(opts: MaximizeOptions<P, this> = {}): Promise<this> {
    const t0 = performance.now();
    this.assertUsable();
    const o = checkMaximizeOptions(opts, this.initPoints);
    if (!this.sampler.plan) checkDesignSize(o.initPoints); // a grid's budget is no design
    if (!this.options.f) throw new StateError('maximize: no objective; pass `f` to the constructor');
    const run = this.life.exclusive(async () => {
      // synchronous within this call (the busy check passed): a stop() from before it was for an earlier run,
      // one made while the storage opens below stops this one
      this.runner.clearStop();
      await this.opening;
      const user = opts.onTrial;
      await watchRun({
        // counted on the record as other workers left it (a waiting trial one of them took since this
        // worker's last read counted twice); a read alone, which changes nothing the run does (its own
        // first step reads and queues stopped workers' trials); a failed read leaves the count as it was
        progress: o.progress,
        planned: async () => {
          if (this.study.shared) await Promise.resolve().then(() => this.study.load()).catch(() => undefined);
          return this.runner.plannedTrials(o.initPoints, o.nIter, o.resume);
        },
        best: () => this.study.best()?.target ?? null, onTrial: user && ((t) => user(t as Trial<P>, this)),
        setNote: (note) => void (this.note = note),
      }, async (onTrial, started) => {
        this.table.start();
        try {
          await this.runner.run({ ...o, onTrial }, { t0, started });
          // one read as the run ends, so res and max hold what other workers ended after this one's last
          // step (a read alone, as above: nothing queued; a failed read leaves the record as it was)
          if (this.study.shared) await Promise.resolve().then(() => this.study.load()).catch(() => undefined);
        } finally {
          this.table.end();
        }
      });
      return this;
    });
    return o.signal ? settleOrAbort(run, o.signal) : run;
  }

  protected assertUsable(): void {
    this.life.assertUsable();
  }

  /**
   * Ends the running `maximize` gracefully, as Optuna's `study.stop()` does:
   * no new trial is asked, the running ones finish and are recorded (and go
   * to `onTrial`), and `maximize` resolves. Callable from `onTrial`
   * (`(t, o) => o.stop()`) or anywhere else; outside a `maximize` it does
   * nothing, and the next `maximize` runs as asked.
   */
  stop(): void {
    this.runner.requestStop();
  }

  /**
   * Releases engines and files. Safe to call twice; afterwards every method
   * throws StateError, but for the record's reads (`res`, `trials`, `max`,
   * `exportBayesOpt`). Called during `maximize` (or an eager probe), the wait
   * for the running objective calls ends (the objective's signal is
   * aborted), and so does the wait for a running `onTrial` (which may thus
   * `await o.close()`; it runs on by itself): with a journal this optimizer opened, each trial stays pending
   * and the journal's closing mark has the next run retry it; without one it
   * is recorded as failed ("optimizer has been disposed"). Then the call
   * rejects with StateError and the resources are released.
   */
  dispose(): void {
    this.life.dispose();
    this.runner.abortRunning(DISPOSED);
  }

  /**
   * `dispose()`, and a promise that settles once everything it releases is
   * released: the running calls have ended (a running `maximize`'s trials
   * left for a retry or failed, as with dispose), accepted `register` calls have
   * landed, and the storage has closed (a journal's last writes done: the
   * results kept after a StorageError tried once more, and the closing mark
   * of a worker that leaves suggestions pending, see Journal.close). Await
   * it before removing a journal's folder, exiting the process by hand, or
   * opening the same study elsewhere and expecting this worker's last
   * records. Idempotent; never rejects (a storage failing to close is
   * ignored, as with dispose).
   *
   * @example
   * const opt = new BayesianOptimization({ f, pbounds, journal: 'run.jsonl' });
   * try { await opt.maximize({ nIter: 20 }); } finally { await opt.close(); }
   */
  close(): Promise<void> {
    this.dispose();
    return this.life.close();
  }
}

/**
 * The caller's `log`, a throw of it said once on stderr and otherwise
 * ignored, as Python's logging handles a failing handler: it threw out of the
 * step that logged, between a trial's record and its onTrial call (which was
 * lost), and made `register` reject after recording the point.
 */
function guardedLog(log: (line: string) => void): (line: string) => void {
  let said = false;
  return (line) => {
    try {
      log(line);
    } catch (e) {
      if (said) return;
      said = true;
      console.error(`log: the log option's function threw (${e instanceof Error ? e.message : String(e)}); its line was dropped and the run goes on (said once)`);
    }
  };
}
