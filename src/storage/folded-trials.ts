/**
 * Our study's trials as the journal's fold (./state) holds them, and the
 * reads of them: by number, by Optuna's trial_id, by ask, in finishing
 * order, as copies or shared frozen views. The fold's rules (which
 * operation creates, updates or skips what) are ./state's; this is what
 * they fill in, apart so that each reads in one sitting.
 *
 * @example
 * ```ts
 * const r = new JournalReducer('default', space); // a FoldedTrials
 * r.update(text);     // the journal's whole text
 * r.trialsView();     // frozen copies of the trials not skipped, by number
 * r.get(3)?.status;   // the live trial 3, unless it was skipped
 * ```
 */
import { copyTrial, LineFolder } from './line-folder';
import type { Entry } from './trial-fold';
import { skippedTrialsOf, TrialReads, waitingOutsideOf, type SkippedTrials } from './trial-entries';
import type { JournalOp, JournalTrial } from './types';

export abstract class FoldedTrials extends LineFolder<JournalOp> {
  /** trial_id -> our study's trial number, for our study's trials */
  protected readonly numberOf = new Map<number, number>();
  protected readonly entries: Entry[] = [];
  /** trialsView's frozen copies and finishOrder's order, kept between reads (see TrialReads) */
  protected readonly reads = new TrialReads();
  /** `wbo:ask` id -> trial number, to find an ask whose write landed unseen (./trial-updates writes it; TrialFoldHost) */
  readonly asks = new Map<string, number>();
  /** trial number -> the step a pruner stopped it at (TrialFoldHost; see prunedStep) */
  readonly prunedSteps = new Map<number, number>();
  /**
   * Workers of our study that wrote they had closed (study system attr
   * `wbo:closed:<worker>`, see Journal.close), each with the trial count
   * then: its trials numbered below it are abandoned (a later trial under
   * a reused worker id is not).
   */
  readonly closedWorkers = new Map<string, number>();

  /** Drops our study's trials and what is read from them (the text replaced, or the study deleted or created anew). */
  protected forgetTrials(): void {
    this.entries.length = 0;
    this.reads.reset();
    this.numberOf.clear();
    this.asks.clear();
    this.prunedSteps.clear();
  }

  /** Optuna's trial_id of trial number `id` of our study. */
  trialId(id: number): number | undefined {
    return this.entries[id]?.tid;
  }

  /** The number of the trial created by the ask with this `wbo:ask` id, if any. */
  askedAs(askId: string): number | undefined {
    return this.asks.get(askId);
  }

  /** The step a pruner stopped trial `id` at, if one did (PRUNED_STEP_ATTR). */
  prunedStep(id: number): number | undefined {
    return this.prunedSteps.get(id);
  }

  /** Whether trial `t`'s worker wrote it had closed after asking it (see closedWorkers). */
  markedClosed(t: JournalTrial): boolean {
    return t.worker !== undefined && t.id < (this.closedWorkers.get(t.worker) ?? 0);
  }

  /** The number the next trial of our study gets. */
  get nextId(): number {
    return this.entries.length;
  }

  /** The live trial with this id (not a copy), if any; none for a skipped trial. */
  get(id: number): JournalTrial | undefined {
    const e = this.entries[id];
    return e && e.skippedAt === undefined ? e.trial : undefined;
  }

  /** Ids of the finished trials (not skipped) in the order the journal recorded their ends (see finishOrderOf). */
  finishOrder(): readonly number[] {
    return this.reads.finishOrder(this.entries);
  }

  /** The asked trials skipped for their points (see skippedTrialsOf). */
  skippedTrials(): SkippedTrials {
    return skippedTrialsOf(this.entries);
  }

  /** The enqueued trials outside the space, still waiting (see waitingOutsideOf). */
  waitingOutside(): number[] {
    return waitingOutsideOf(this.entries);
  }

  /** Copies of every trial not skipped, by id. */
  trials(): JournalTrial[] {
    const out: JournalTrial[] = [];
    for (const e of this.entries) if (e.skippedAt === undefined) out.push(copyTrial(e.trial));
    return out;
  }

  /** Every trial not skipped, as frozen copies shared between calls (see viewsOf). */
  trialsView(): JournalTrial[] {
    return this.reads.trials(this.entries);
  }

  /** Whether a trial not skipped is waiting (enqueued, not yet taken). */
  hasWaiting(): boolean {
    return this.reads.hasWaiting(this.entries);
  }

  /** The pending trials of `views`, the list the last trialsView() returned. */
  pendingViews(views: readonly JournalTrial[]): JournalTrial[] {
    return this.reads.pending(views);
  }
}
