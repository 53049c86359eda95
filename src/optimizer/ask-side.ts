/**
 * The ask side of ask/tell, shared by every optimizer: `suggest`,
 * `suggestBatch`, `probe` and `enqueue`. Each waits for the storage to open
 * and goes through the optimizer's lifecycle (suggestions queue behind each
 * other, an eager probe runs alone); the points come from the runner.
 * BaseOptimizer builds the parts declared here (options, runner, lifecycle)
 * and adds `maximize` and disposal; the tell side is {@link TellSide}'s.
 */
import { StateError } from '../errors';
import type { Params } from '../space/types';
import type { Trial } from '../study/types';
import { discreteCount } from '../space/distinct';
import { checkBatchRoom, checkBatchSize, checkEnqueue, checkProbeOptions } from './call-checks';
import type { Lifecycle } from './lifecycle';
import type { OptimizerOptions } from './options';
import type { Runner } from './runner';
import { TellSide } from './tell-side';

/** `P`: the params type (see BaseOptimizer). */
export abstract class AskSide<P = Params> extends TellSide<P> {
  protected abstract readonly options: OptimizerOptions;
  /** runs the study: the schedule of `maximize`, and the points `suggest` hands out */
  protected abstract readonly runner: Runner;
  /** which calls may overlap, and disposal that waits for the running ones */
  protected abstract readonly life: Lifecycle;
  /** whether this strategy chooses a batch jointly (Bayesian search; see suggestBatch) */
  protected abstract readonly jointBatches: boolean;
  /** settles once the storage is open and loaded (see BaseOptimizer.ready) */
  protected abstract readonly opening: Promise<void>;

  /**
   * Evaluates `params` now (`lazy: false`), or queues it for the start of the
   * next `maximize` (`lazy: true`, the default, as in bayes_opt); queued while
   * a `maximize` runs (from its `onTrial`), it is that run's next trial.
   */
  async probe(params: P, opts: { lazy?: boolean } = {}): Promise<void> {
    this.assertUsable();
    const p = this.space.validatePoint(params);
    const lazy = checkProbeOptions(opts);
    // checked before the trial is asked, so an eager probe without an objective records nothing
    if (!lazy && !this.options.f) throw new StateError('probe: no objective to evaluate the point with; pass `f` to the constructor');
    if (lazy) {
      // queued at the call, as bayes_opt's synchronous probe is: plannedTrials() and a maximize() called
      // next without awaiting this count it (it was queued a turn later, after the storage's opening)
      this.runner.probes.push(p);
      await this.opening;
      return;
    }
    await this.opening;
    await this.life.exclusive(() => this.runner.evaluate(p, 'probe'));
  }

  /**
   * Enqueues a point to evaluate, as Optuna's `enqueue_trial` does: a trial
   * with status 'waiting' is stored (in a journal or on Redis, where every
   * worker sees it, Optuna's too), and the next `maximize` step or
   * `suggest()` of any worker sharing the study takes it before anything
   * else but interrupted trials (as an extra evaluation, as a probe is).
   * `params` may leave parameters out: they are drawn uniformly at random
   * when a worker takes the trial. Returns the waiting trial.
   * @example
   * await opt.enqueue({ lr: 1e-3, layers: 2 }, { userAttrs: { note: 'last year\'s best' } });
   * @throws InvalidPointError naming a parameter the space lacks or a value it cannot take
   */
  async enqueue(params: Partial<P>, opts?: { userAttrs?: Record<string, unknown> }): Promise<Trial<P>> {
    this.assertUsable();
    const { params: p, userAttrs } = checkEnqueue(this.space, params, opts);
    await this.opening;
    this.assertUsable();
    return (await this.study.enqueue(p, userAttrs)) as Trial<P>;
  }

  /**
   * The next point to try, without calling `f` (ask/tell). It is remembered
   * as pending until passed back with `register(params, target)`. Calls may
   * overlap (workers in one process): they queue, and each returns a
   * distinct point that accounts for every pending one (with a journal,
   * every worker's; in a space of integers and categoricals whose every
   * point is tried or pending, a tried or pending one). While the study holds fewer than `initPoints` trials
   * (constructor option, [5]) the points come from the initial design, the
   * same one `maximize` draws; after that from the model, fitted on the
   * completed trials, with the pending ones entered as the `pending` option
   * says. A resumed study first hands out its interrupted trials. It
   * chooses once the `register` calls made before it have landed (awaited
   * or not), so it accounts for their results.
   * @throws StateError while a maximize or eager probe runs
   */
  suggest(): Promise<P> {
    // not async: the queue's own promise is returned, so no turn follows its check for dispose()
    // (an async wrapper resolved turns later, and a dispose() then still handed out the point)
    try {
      this.assertUsable();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.life.queue(async () => {
      await this.opening;
      const t = await this.runner.suggestOne(this.initPoints);
      // disposed while the point was chosen: the call fails as every later one does (the trial
      // stays pending in a journal, handed out again when the study is resumed)
      this.life.assertUsable();
      return this.handOut(t);
    });
  }

  /**
   * `q` distinct points to evaluate at once (q GPUs, q browser tabs), chosen
   * jointly: each one accounts for the ones before it as pending (sequential
   * greedy selection with the model's pending-point strategy), then improved
   * by swaps that raise the batch's Monte-Carlo qEI (see ./batch-choice;
   * `batchSelection: 'greedy'` leaves the greedy batch). All stay
   * pending until registered. Queues with `suggest()` calls.
   * @throws InvalidOptionError when `q` is not an integer from 1 to 64
   * (1,024 with `batchSelection: 'greedy'`, and for random and grid search)
   */
  suggestBatch(q: number): Promise<P[]> {
    // not async, as suggest(): the queue's promise is the call's
    try {
      this.assertUsable();
      // random and grid search fill a batch one point at a time, as a greedy batch is: the joint cap is not theirs
      checkBatchSize(q, !this.jointBatches ? null : this.options.batchSelection === 'greedy' ? 'greedy' : 'joint');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.life.queue(async () => {
      await this.opening;
      // a space of integers and categoricals may hold fewer untried points than asked for: counted on the
      // study as it is now (other workers' trials in a shared journal)
      if (discreteCount(this.space.layout) !== null) {
        await this.runner.refresh();
        checkBatchRoom(this.space, this.study.trials, q);
      }
      if (this.options.batchSelection !== 'greedy') {
        const batch = await this.runner.suggestBatch(q, this.initPoints);
        this.life.assertUsable();
        return batch.map((t) => this.handOut(t));
      }
      const out: P[] = [];
      for (let i = 0; i < q; i++) {
        this.assertUsable();
        const t = await this.runner.suggestOne(this.initPoints);
        this.life.assertUsable();
        out.push(this.handOut(t));
      }
      return out;
    });
  }

  /** the `initPoints` constructor option [5] */
  protected get initPoints(): number { return this.options.initPoints ?? 5; }
}
