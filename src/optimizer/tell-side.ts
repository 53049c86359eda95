/**
 * The tell side of ask/tell, shared by every optimizer: `register`,
 * `registerFailure`, and pruning's `report` and `registerPruned`, each
 * matched to a pending suggestion of this optimizer by its params (see
 * matchPending). Accepted writes go through the optimizer's lifecycle
 * (`accepted`): in call order, after the storage has opened, and before
 * `close()` settles.
 */
import { InvalidPointError, StateError } from '../errors';
import { describe } from '../space/format';
import type { Params } from '../space/types';
import type { TellInput } from '../storage/journal-io';
import { after } from '../storage/study-storage';
import type { Pruner, ReportOptions } from '../pruners';
import type { Trial } from '../study/types';
import { checkUserAttrsOption, matchPending, roundedCopyOf } from './call-checks';
import { samePoint } from '../study/point-key';
import { inTurn, judgeAndRecord, reportFinal } from './judge-report';
import { StudyView } from './study-view';

/** `P`: the params type (see BaseOptimizer). */
export abstract class TellSide<P = Params> extends StudyView<P> {
  /** judges the objective's and `report`'s reports (see the `pruner` option) */
  abstract readonly pruner: Pruner;
  /** Runs an accepted write once the storage is open, in call order with the others; `close()` waits for it. */
  protected abstract accepted<T>(fn: () => T | Promise<T>): Promise<T>;
  /** Notes a trial told here (the progress table); returns it. */
  protected abstract told: (t: Trial) => Trial;
  /**
   * Records an observation made outside `f` (ask/tell). If `params` equals a
   * pending suggestion of this optimizer, that trial is completed; otherwise a
   * new trial is added (another worker's pending trial is never completed).
   * Registering a point seen before is allowed (the GP's noise absorbs it).
   * A target of NaN or ±Infinity records a failed trial (as an objective
   * returning one, and Optuna's `tell(trial, nan)`).
   * Bad input (and a call after `dispose()`) rejects, recording nothing;
   * without a journal the trial is recorded before this returns, with one the returned promise resolves once it is written.
   * Registers not awaited are written one at a time in call order (two of
   * one suggestion: the first completes it, the second is a trial of its
   * own), and `dispose()` lets the storage go only once they have landed.
   * `opts.userAttrs`: user attributes of the trial (Optuna's
   * `trial.set_user_attr` before `tell`; JSON), merged into those it has.
   * @example
   * await opt.register(p, 0.93, { userAttrs: { epochs: 12, gpu: 'A' } });
   */
  register(params: P, target: number, opts?: { userAttrs?: Record<string, unknown> }): Promise<Trial<P>> {
    return rejecting(() => this.registerNow(params, target, opts));
  }

  private registerNow(params: P, target: number, opts?: { userAttrs?: Record<string, unknown> }): Promise<Trial<P>> {
    this.assertUsable();
    const p = this.toldPoint(params);
    if (typeof target !== 'number') {
      throw new InvalidPointError(`target: expected a number, got ${describe(target)}`, 'target');
    }
    const attrs = checkUserAttrsOption(opts, 'register');
    // a diverged training's NaN is a failed evaluation, as Optuna's tell(trial, nan) and an objective's NaN
    if (!Number.isFinite(target)) return this.tellPoint(p, params, { error: `registered target ${target}`, durationMs: 0 }, attrs);
    return this.tellPoint(p, params, { target, durationMs: 0 }, attrs);
  }

  /**
   * Records that evaluating `params` failed (ask/tell's counterpart of an
   * objective that throws, as Optuna's `tell(trial, state=FAIL)`): the
   * pending suggestion it matches ends as a failed trial with `reason` as its
   * error, or a new failed trial is added. As a failed call of `f`, it is
   * never asked again, counts towards the budget of `maximize({ resume })`,
   * and enters the model as `failedTrials` says. Without it, a suggestion
   * whose training crashed stayed pending for the optimizer's life.
   * @example
   * const p = await opt.suggest();
   * try { await opt.register(p, await train(p)); } catch (e) { await opt.registerFailure(p, e); }
   */
  registerFailure(params: P, reason: unknown = 'failed (registered)', opts?: { userAttrs?: Record<string, unknown> }): Promise<Trial<P>> {
    return rejecting(() => {
      this.assertUsable();
      const p = this.toldPoint(params);
      return this.tellPoint(p, params, { error: reason, durationMs: 0 }, checkUserAttrsOption(opts, 'registerFailure'));
    });
  }

  /**
   * Ask/tell's report (Optuna's `trial.report` then `should_prune`): records
   * intermediate value `value` at `step` of the pending suggestion `params`
   * matches (as `register` matches it), judged first by the `pruner`
   * option, as the objective's `ctx.report` is; resolves to true when the
   * pruner says to stop. Then end the trial with `registerPruned(params)`
   * (or `register` it, if you train on). Reports are written in call order
   * with `register` calls, and land before `close()` settles.
   * `options.final` marks the trial's last step, as `ctx.report`'s does:
   * the value is recorded and no verdict is used (it resolves to false), and
   * a later report of the trial is refused [false].
   * @throws InvalidPointError naming `step` or `value` (see `ctx.report`)
   * @throws InvalidOptionError naming an unknown or ill-typed option
   * @throws StateError when no pending suggestion of this optimizer matches `params`,
   *   or it already reported its final step
   * @example
   * const p = await opt.suggest();
   * for (let epoch = 1; epoch <= 10; epoch++) {
   *   if (await opt.report(p, epoch, await trainOneEpoch(p))) return opt.registerPruned(p);
   * }
   * await opt.register(p, await validate(p));
   */
  report(params: P, step: number, value: number, options?: ReportOptions): Promise<boolean> {
    return rejecting(() => this.reportNow(params, step, value, options));
  }

  private reportNow(params: P, step: number, value: number, options?: ReportOptions): Promise<boolean> {
    this.assertUsable();
    const final = reportFinal(options);
    const p = this.toldPoint(params);
    return this.accepted(async () => {
      const mine = this.pendingMatch(p, params, 'report');
      const last = this.finalSteps.get(mine.id);
      if (last !== undefined) throw new StateError(`report: trial ${mine.id} reported its final step ${last}; nothing was recorded`);
      return inTurn(this.study, async () => {
        // a stop is marked as ctx.report marks it (see judgeAndRecord): a worker that ends before registerPruned
        // leaves a trial a resume ends pruned at this report, not one it fails and evaluates again
        const judged = await judgeAndRecord(this.study, this.pruner, mine.id, step, value, final);
        if (final) this.finalSteps.set(mine.id, step); // once recorded: a refused final report does not end the reporting
        return judged.prune;
      });
    });
  }

  /** trial id -> the step `report` marked final: later reports of the trial are refused, as `ctx.report`'s are */
  private readonly finalSteps = new Map<number, number>();

  /**
   * Ends the pending suggestion `params` matches as pruned, at its last
   * report (Optuna's `tell(trial, state=PRUNED)`): status 'pruned', `target`
   * the last reported value, never asked again (see `report`).
   * @throws StateError when no pending suggestion of this optimizer matches `params`, or it reported nothing
   */
  registerPruned(params: P): Promise<Trial<P>> {
    return rejecting(() => this.registerPrunedNow(params));
  }

  private registerPrunedNow(params: P): Promise<Trial<P>> {
    this.assertUsable();
    const p = this.toldPoint(params);
    return this.accepted(async () => {
      const mine = this.pendingMatch(p, params, 'registerPruned');
      if (!mine.intermediate || Object.keys(mine.intermediate).length === 0) {
        throw new StateError(`registerPruned: trial ${mine.id} reported no intermediate value; register its result, or registerFailure`);
      }
      return this.told(await this.study.prune(mine.id, { durationMs: 0 })) as Trial<P>;
    });
  }

  /**
   * `params` validated; where it lies outside the space only as a rounded copy
   * (f32, 4 or more digits) of this optimizer's pending suggestion on a bound or
   * a fixed value (0.3 as f32 is 0.30000001192092896, past [0.3, 0.3]), that
   * suggestion, as matchPending matches rounded copies inside the space.
   * @throws InvalidPointError otherwise
   */
  private toldPoint(params: P): Params {
    try {
      return this.space.validatePoint(params);
    } catch (e) {
      if (!(e instanceof InvalidPointError) || typeof params !== 'object' || params === null) throw e;
      const given = params as Params;
      const copied = this.study.pending().find((t) => this.study.isMine(t.id) && roundedCopyOf(this.space.layout, given, t.params));
      if (!copied) throw e;
      return this.space.validatePoint(copied.params);
    }
  }

  /** This optimizer's pending suggestion `p` matches (see matchPending). */
  private pendingMatch(p: Params, given: unknown, call: string): Trial {
    const mine = this.mine(p, given);
    if (mine) return mine;
    // an enqueued point not yet taken, which suggest() hands out (it may name some parameters only:
    // the rest are drawn when it is taken)
    const waiting = this.study.trials.find((t) => t.status === 'waiting' && samePoint(t.params, pick(p, Object.keys(t.params))));
    // a suggestion already ended (pruned, told): say so, rather than only that none matches
    const ended = waiting ? undefined : [...this.study.trials].reverse().find((t) => t.status !== 'pending' && t.status !== 'waiting' && samePoint(t.params, p));
    const hint = waiting ? `; it is enqueued trial ${waiting.id}, still waiting: take it with suggest() first`
      : ended ? `; trial ${ended.id} at that point has ended (${ended.status})` : '';
    throw new StateError(`${call}: no pending suggestion of this optimizer matches ${JSON.stringify(p)}${hint}`);
  }

  private tellPoint(p: Params, given: unknown, result: TellInput, userAttrs?: Record<string, unknown>): Promise<Trial<P>> {
    return this.accepted(() => {
      // a suggestion registered with rounded values still completes it (see matchPending)
      const mine = this.mine(p, given);
      if (!mine) return after(this.study.record(p, result, userAttrs ? { userAttrs } : {}), this.told);
      // the attributes first, then the result, as Optuna's set_user_attr then tell
      const attrs = userAttrs && Object.keys(userAttrs).length ? this.study.setUserAttrs(mine.id, userAttrs) : undefined;
      return after(after(attrs, () => this.study.tell(mine.id, result)), this.told);
    }) as Promise<Trial<P>>;
  }

  /**
   * This optimizer's pending suggestion that `given` (validated as `p`)
   * names: the very object `suggest()`/`suggestBatch()` returned names its
   * trial (two pending trials at one point, such as an enqueued point taken
   * twice, stay apart) while its values are unchanged; any other object the
   * pending suggestion at that point (see matchPending). Undefined when none is pending.
   */
  private mine(p: Params, given: unknown): Trial | undefined {
    const id = typeof given === 'object' && given !== null ? this.handedOut.get(given) : undefined;
    const t = id === undefined ? undefined : this.study.get(id);
    // the object names its trial only while it still holds the trial's values: one edited after
    // suggest() (x rounded) is matched by its values as any other object (it recorded its result
    // at the values suggested, a point never evaluated)
    if (t && t.status === 'pending' && samePoint(t.params, p)) return t;
    return this.study.pendingOfMine(p) ?? matchPending(this.space, p, this.study.pending().filter((x) => this.study.isMine(x.id)));
  }

  /** Params objects handed out by suggest()/suggestBatch() -> their trial ids (see mine). */
  private readonly handedOut = new WeakMap<object, number>();

  /** `t`'s params, as suggest() hands them out: the object names the trial for register, report and registerPruned. */
  protected handOut(t: Trial): P {
    this.handedOut.set(t.params, t.id);
    return t.params as P;
  }
}

/** `p`'s values of `keys` (those it has). */
function pick(p: Params, keys: readonly string[]): Params {
  return Object.fromEntries(keys.filter((k) => Object.hasOwn(p, k)).map((k) => [k, p[k]]));
}

/**
 * `fn()`, with what it throws before its first wait turned into a rejection:
 * these methods return promises, so `.catch()` sees every error (a check
 * that threw synchronously escaped it). What `fn` records synchronously (a
 * study in memory) is still recorded before the call returns.
 */
function rejecting<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}
