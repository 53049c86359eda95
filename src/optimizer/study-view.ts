/**
 * The read side of the bayes_opt-style facade: the space, the seed, the
 * direction, and the trial record (`res`, `trials`, `max`, `recommend`,
 * `exportBayesOpt`) read from the {@link Study}. BaseOptimizer adds the
 * side that runs a study: ask/tell, probes, `maximize` and disposal.
 */
import type { Space } from '../space';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import type { Direction, Recommendation, Trial } from '../study/types';
import { writeBayesOpt } from './import-export';

/** One entry of `res`: bayes_opt's `{ target, params }` plus the trial's record. */
export interface Result<P = Params> extends Trial<P> {}

/** `P`: the params type (see BaseOptimizer). */
export abstract class StudyView<P = Params> {
  /**
   * @param space the validated search space
   * @param seed the seed in use (drawn at random when `randomState` was not given)
   * @param study the trials: in memory, or in the journal given as `storage`/`journal`
   */
  constructor(readonly space: Space, readonly seed: number, readonly direction: Direction, readonly study: Study) {}

  /** throws StateError once disposed */
  protected abstract assertUsable(): void;

  /** Resolves once the study is open and loaded (see BaseOptimizer.ready). */
  abstract ready(): Promise<void>;

  /**
   * Finished trials (complete, failed and pruned) in evaluation order, as
   * bayes_opt's `res`: a new array at each read, of frozen trials (typed
   * read-only: a write throws a TypeError in strict code).
   */
  get res(): Readonly<Result<P>>[] {
    return this.study.finished() as Result<P>[];
  }

  /** Every trial, pending ones (asked, not yet told) included. */
  get trials(): Readonly<Trial<P>>[] {
    return this.study.trials as Trial<P>[];
  }

  /**
   * The best completed trial: largest target (smallest with direction
   * 'minimize'), or undefined before any trial completes.
   */
  get max(): { target: number; params: P } | undefined {
    const best = this.study.best();
    return best ? { target: best.target as number, params: best.params as P } : undefined;
  }

  /**
   * The best completed trial's whole record, as {@link res} holds it (Optuna's
   * `study.best_trial`): its `id`, `params`, `target`, `userAttrs`,
   * intermediate values and times; {@link max} is bayes_opt's
   * `{ target, params }` of the same trial. Undefined before any trial completes.
   * @example
   * const b = opt.bestTrial;
   * if (b) console.log(`trial ${b.id}: ${b.target}`, b.userAttrs);
   */
  get bestTrial(): Readonly<Result<P>> | undefined {
    return this.study.best() as Result<P> | undefined;
  }

  /**
   * The completed trial this optimizer would deploy: here the best observed
   * one (as {@link max}); Bayesian optimization overrides it with the trial
   * its model rates best. Undefined before any trial completes. Waits for
   * the journal to load, as every method that reads the study does.
   */
  async recommend(): Promise<Recommendation<P> | undefined> {
    this.assertUsable();
    await this.ready();
    const best = this.study.best();
    return best ? { id: best.id, params: best.params as P, target: best.target as number, predicted: null } : undefined;
  }

  /**
   * The complete trials in a format Python bayes_opt reads: `'state'` gives a
   * `save_state` JSON for `load_state` (float and int parameters only; bounds
   * are written linear, also for log parameters), `'log'` a JSONLogger log
   * for `load_logs`. Failed and pending trials are left out. With direction
   * 'minimize' the targets are negated. With a journal, the trials are those
   * of the last read (each `suggest` and `maximize` step reads it). It only
   * reads the record, so it works after `close()` too, as `res` does (close,
   * then save).
   * @throws InvalidSpaceError for 'state' with a categorical parameter
   */
  exportBayesOpt(format: 'state' | 'log' = 'state'): string {
    return writeBayesOpt(this.study.finished(), this.space, this.direction, format);
  }
}
