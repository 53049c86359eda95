/**
 * Interrupted trials for the runner: found when a stored study is resumed
 * (the random stream and the model continue where the latest ask left them)
 * or when a refresh sees a worker that stopped (a process gone, a Redis
 * heartbeat expired), and retried before anything else is asked: each is
 * failed and its params asked again as a new trial of this worker.
 */
import { damagedLinesNote } from '../storage/line-folder';
import { isFinishedTrial, retriedIds } from '../storage/trial-queries';
import { SIGNAL_ABORTED } from './cut-off';
import type { Study } from '../storage/study';
import type { JournalState } from '../storage/types';
import type { Trial } from '../study/types';
import { Rng, type RngState } from '../util/rng';
import { restOfDesign, type Design } from './design-points';
import type { Sampler } from './sampler';

export interface InterruptedOptions {
  study: Study;
  sampler: Sampler;
  rng: Rng;
  log: (line: string) => void;
  /** news that is not a warning (a journal resumed): `log` where output was asked for (verbose, a `log`), else nothing [log] */
  info?: (line: string) => void;
  /** throws StateError once the optimizer is disposed */
  assertUsable: () => void;
  /** leaves the restored random stream (other workers are running from it) */
  diversify: () => void;
}

export class InterruptedTrials {
  /**
   * the state the study's initial design is drawn from: this stream's before
   * any draw, or the one a loaded study's design trials recorded (a resume
   * by a process of another seed, or of none, asks the rest of that design)
   */
  private start: RngState;
  /** whether the stream continues a loaded study's (then the design is redrawn from `start`, see drawDesign) */
  private restored = false;
  /** whether a design was drawn already in this process (from the stream at `start`, unless restored) */
  private drawn = false;
  /** ids of interrupted trials, retried first by `maximize` (or handed out by `suggest`) */
  private readonly ids: number[] = [];
  /**
   * ids of interrupted trials a pruner had stopped (JournalState.stoppedByPruner): ended pruned at
   * that report (see endStopped), apart from `ids` because that takes no new place in a `resume`
   * budget and evaluates nothing, so no budget may hold them back
   */
  private readonly stopped: number[] = [];
  /** retries that ending a stopped trial gave back after all (its report's value missing), evaluated first */
  private readonly held: Trial[] = [];
  /**
   * ids of trials the `maximize` signal cut off (failed so, see ./cut-off) and not retried since:
   * retried after the interrupted ones, so a resumed run evaluates their points as an uninterrupted one did
   */
  private readonly cut: number[] = [];

  constructor(private readonly o: InterruptedOptions) {
    this.start = o.rng.state();
  }

  /**
   * The initial design of `size` points, what is left of it to ask. A loaded
   * study's, or a second draw in this process, comes from the stream's state
   * before any draw, which the uninterrupted run drew the design from (the
   * restored stream has moved past it), less the points the study holds: a
   * study stopped within its design gets the rest of the same design, as does
   * a second `maximize` of one optimizer. The first draw of a new study takes
   * the stream itself, less the held points only with `rest` (workers of one
   * seed share the design without repeats); `fresh` draws from the stream,
   * whole, whatever came before (`maximize` without resume).
   */
  drawDesign(size: number, how: 'rest' | 'first' | 'fresh'): Design {
    const again = how !== 'fresh' && (this.restored || this.drawn);
    // the state the points come from: recorded with each design trial (AskExtra.designRng)
    const state = again ? this.start : this.o.rng.state();
    this.drawn = true;
    const points = this.o.sampler.initialDesign(size, again ? Rng.fromState(state) : undefined);
    return { points: again || how === 'rest' ? restOfDesign(points, this.o.study) : points, i: 0, asked: 0, from: state };
  }

  /** How many interrupted trials wait to be retried (evaluated again; not those to end pruned). */
  get length(): number {
    return this.ids.length + this.held.length + this.cut.length;
  }

  /**
   * Queues the trials of `trials` the `maximize` signal cut off that no retry
   * followed (see `cut`). A retry cut off again stays failed: a point slower
   * than each run's signal allows would otherwise hold every later run.
   */
  addCutOff(trials: readonly Trial[]): void {
    const retried = retriedIds(trials);
    for (const t of trials) {
      const cut = t.status === 'failed' && t.error === SIGNAL_ABORTED && t.retryOf === undefined;
      if (cut && !retried.has(t.id) && !this.cut.includes(t.id)) this.cut.push(t.id);
    }
  }

  /**
   * Takes up a loaded study: the random stream and the model continue where
   * the latest ask left them, interrupted trials are queued to be retried.
   */
  resumeFrom(state: JournalState): void {
    const { study, rng, sampler } = this.o;
    if (state.rngState) {
      rng.setState(state.rngState);
      this.restored = true;
    }
    if (state.designRngState) this.start = [...state.designRngState];
    if (state.modelState) sampler.restoreModelState?.(state.modelState);
    this.add(state);
    this.addCutOff(state.trials);
    // The restored stream is the one the latest asking worker continues. If
    // other workers are running, leave it so as not to replay their draws.
    const orphaned = new Set(state.orphaned.map((t) => t.id));
    if (state.pending.some((t) => t.worker !== study.worker && !orphaned.has(t.id))) this.o.diversify();
    const done = state.trials.filter(isFinishedTrial).length;
    const stopped = this.stopped.length; // reclaimed as pruned, not re-asked
    if (state.trials.length > 0 || state.skipped.length > 0) {
      // damaged lines are never passed over in silence; a plain resume is said only where output was asked for
      (state.skipped.length ? this.o.log : this.o.info ?? this.o.log)(`journal: resumed ${done} finished trial(s), ${this.ids.length + this.cut.length} interrupted trial(s) to re-ask` +
        (stopped ? `, ${stopped} the pruner had stopped to end pruned` : '') +
        (state.skipped.length ? `, ${damagedLinesNote(state.skipped)}` : ''));
    }
  }

  /** Queues the interrupted trials of a fresh read that are not queued yet (those a pruner stopped, to end pruned). */
  add(state: Pick<JournalState, 'orphaned' | 'stoppedByPruner'>): void {
    const stopped = new Set(state.stoppedByPruner);
    for (const t of state.orphaned) {
      if (this.ids.includes(t.id) || this.stopped.includes(t.id)) continue;
      (stopped.has(t.id) ? this.stopped : this.ids).push(t.id);
    }
  }

  /**
   * Ends each interrupted trial a pruner had stopped pruned at that report
   * (see Study.reclaim), whatever a `resume` budget holds: it keeps the place
   * it took and nothing is evaluated, where leaving it pending until a run
   * with a larger budget left it running for good.
   */
  async endStopped(): Promise<void> {
    while (this.stopped.length) {
      this.o.assertUsable();
      const id = this.stopped.shift() as number;
      const retry = await this.o.study.reclaim(id, { rng: this.o.rng.state(), model: this.o.sampler.modelState?.() });
      if (retry) this.held.push(retry); // its report's value was not found: retried as any interrupted trial
    }
  }

  /**
   * Ends the trials a pruner had stopped (see endStopped), then retries the
   * next interrupted trial still pending: it is failed and its params asked
   * again as a new trial (see Study.reclaim); null when none is left.
   */
  async next(): Promise<Trial | null> {
    await this.endStopped();
    if (this.held.length) return this.held.shift() as Trial;
    // the interrupted trials first, then those the signal cut off (failed already: only their retry is written)
    for (const [queue, failedAs] of [[this.ids, undefined], [this.cut, SIGNAL_ABORTED]] as const) {
      while (queue.length) {
        this.o.assertUsable();
        const id = queue.shift() as number;
        const claimed = await this.o.study.reclaim(id, { rng: this.o.rng.state(), model: this.o.sampler.modelState?.(), ...(failedAs ? { failedAs } : {}) });
        if (claimed) return claimed; // else another worker retried it, it finished meanwhile, or its point was completed
      }
    }
    return null;
  }
}
