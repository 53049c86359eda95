/**
 * Reads of the folded trials of a study (./state's JournalReducer keeps them
 * as entries: the trial, its Optuna state, the lines that created and ended
 * it, the line that skipped it): the order they ended in, the ones skipped,
 * and frozen views shared between reads.
 */
import { copyTrial } from './line-folder';
import { isFinished, type Entry } from './trial-fold';
import { TRIAL_STATE, type JournalTrial } from './types';

/** See skippedTrialsOf. */
export interface SkippedTrials {
  /** asked trials (enqueued ones left out) skipped because their points do not fit the space */
  skipped: number;
  /** asked trials in all */
  total: number;
  /** the line of the first skipped one */
  firstLine: number | undefined;
}

/**
 * Ids of the finished trials (not skipped) in the order the journal
 * recorded their ends: the order they were told, where their
 * `finishedAt` (Optuna's naive local times) misorders workers in other
 * time zones and tells across a daylight-saving change.
 */
export function finishOrderOf(entries: readonly Entry[]): number[] {
  const done = entries.filter((e) => e.skippedAt === undefined && e.doneLine !== undefined && isFinished(e.state));
  return done.sort((a, b) => (a.doneLine as number) - (b.doneLine as number)).map((e) => e.trial.id);
}

/**
 * The study's asked trials skipped because their points do not fit the
 * space, with the first one's line and how many were asked; enqueued ones
 * are left out of both counts (one outside the space waits for Optuna's
 * workers, no history a run is blind to: see waitingOutsideOf).
 */
export function skippedTrialsOf(entries: readonly Entry[]): SkippedTrials {
  let skipped = 0;
  let total = 0;
  let firstLine: number | undefined;
  for (const e of entries) {
    if (e.state === TRIAL_STATE.WAITING) continue;
    total++;
    if (e.skippedAt === undefined) continue;
    skipped++;
    firstLine = Math.min(firstLine ?? e.skippedAt, e.skippedAt);
  }
  return { skipped, total, firstLine };
}

/** Ids of the skipped trials still waiting: enqueued points outside the space, Optuna's workers' to take. */
export function waitingOutsideOf(entries: readonly Entry[]): number[] {
  const out: number[] = [];
  for (const e of entries) if (e.skippedAt !== undefined && e.state === TRIAL_STATE.WAITING) out.push(e.trial.id);
  return out;
}

/**
 * Every trial not skipped, as frozen copies kept in `views` (by number) and
 * shared between calls: a trial is copied again only after it changed (its
 * view dropped), so a reader that only looks pays for what changed, not for
 * the whole study.
 */
export function viewsOf(entries: readonly Entry[], views: (JournalTrial | undefined)[]): JournalTrial[] {
  const out: JournalTrial[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.skippedAt === undefined) out.push((views[i] ??= freezeTrial(copyTrial(e.trial))));
  }
  return out;
}

function freezeTrial(t: JournalTrial): JournalTrial {
  Object.freeze(t.params);
  if (t.intermediate) Object.freeze(t.intermediate);
  if (t.rungs) Object.freeze(t.rungs);
  if (t.prunerAttrs) Object.freeze(t.prunerAttrs);
  if (t.userAttrs) Object.freeze(t.userAttrs);
  return Object.freeze(t);
}

/**
 * The reads a reducer hands out on every report (viewsOf's list, its
 * pending trials, finishOrderOf's order), kept between reads: a report of
 * a study of 1,000 trials re-made them all (~50-100 µs, the order sorted
 * each time), though a report changes one trial in place, and an ask or a
 * tell adds one trial or ends one. The reducer says what changed:
 * `touched` (one trial, in place), `created` (a trial appended), `updated`
 * (an update applied to a trial), `restructured` (what these cannot patch:
 * a study created or deleted), `reset` (the entries replaced).
 */
export class TrialReads {
  /** frozen copies of trials by number, made on demand and dropped when the trial changes */
  private views: (JournalTrial | undefined)[] = [];
  /** viewsOf's list as of the last read, patched where trials were touched since */
  private list: JournalTrial[] | null = null;
  /** trial number -> its place in `list` (-1: skipped) */
  private placeOf: number[] = [];
  /** places in `list` of its pending trials (a trial's status changes only where the lists are made again) */
  private pendingAt: number[] = [];
  /** how many trials of `list` are waiting (enqueued, not yet taken) */
  private waitingCount = 0;
  /** trials touched since `list` was made */
  private dirty: number[] = [];
  /** finishOrderOf's order, replaced (never changed: readers share it) when a trial ends */
  private order: readonly number[] | null = null;
  /** the line each trial of `order` ended on */
  private lineOf: number[] = [];

  /** The entries were replaced: nothing read before holds. */
  reset(): void {
    this.views = [];
    this.restructured();
  }

  /** A trial was created, skipped or ended: the lists are made again (unchanged trials keep their views). */
  restructured(): void {
    this.list = null;
    this.order = null;
    this.dirty.length = 0;
  }

  /** Trial `number` changed in place: its view is made again at the next read. */
  touched(number: number): void {
    this.views[number] = undefined;
    if (!this.list) return;
    // a process that writes without reading the list (reports alone) would grow it for good: made again instead
    if (this.dirty.length >= this.placeOf.length) this.restructured();
    else this.dirty.push(number);
  }

  /** Entry `e`, number `n`, was appended to the entries (a trial created). */
  created(n: number, e: Entry): void {
    if (this.list && this.placeOf.length !== n) this.restructured(); // not in step: made again
    if (this.list) {
      if (e.skippedAt !== undefined) this.placeOf.push(-1);
      else {
        const k = this.list.length;
        this.placeOf.push(k);
        this.list.push(e.trial); // replaced by its view at the next read
        this.dirty.push(n);
        if (e.trial.status === 'pending') this.pendingAt.push(k);
        if (e.trial.status === 'waiting') this.waitingCount++;
      }
    }
    if (this.order && ended(e)) this.ended(n, e);
  }

  /**
   * An update was applied to entry `e`, number `n`, which was skipped or
   * not (`skippedAt`) and had `status` before it.
   */
  updated(n: number, e: Entry, skippedAt: number | undefined, status: JournalTrial['status']): void {
    this.touched(n);
    const now = e.trial.status;
    if (e.skippedAt !== skippedAt || now === 'pending' && status !== 'pending') return this.restructured(); // skipped, or claimed: rare
    if (now === status) return;
    if (this.list) this.waitingCount += (now === 'waiting' ? 1 : 0) - (status === 'waiting' ? 1 : 0);
    if (this.list && status === 'pending') {
      const i = this.pendingAt.indexOf(this.placeOf[n]);
      if (i >= 0) this.pendingAt.splice(i, 1);
    }
    if (this.order && ended(e)) this.ended(n, e);
  }

  /**
   * Trial `n` (entry `e`) ended: put in the order where finishOrderOf puts
   * it. Its line is the latest, so it is last, but for two ends glued onto
   * one line (a torn write another writer appended to), which are ordered
   * by trial number.
   */
  private ended(n: number, e: Entry): void {
    const order = [...(this.order as readonly number[])];
    let i = order.length;
    while (i > 0 && this.lineOf[order[i - 1]] === e.doneLine && order[i - 1] > n) i--;
    order.splice(i, 0, n);
    this.lineOf[n] = e.doneLine as number;
    this.order = Object.freeze(order);
  }

  /** viewsOf(entries): a new array, its trials shared between reads. */
  trials(entries: readonly Entry[]): JournalTrial[] {
    if (!this.list) {
      this.list = viewsOf(entries, this.views);
      this.placeOf = [];
      for (let i = 0, k = 0; i < entries.length; i++) this.placeOf.push(entries[i].skippedAt === undefined ? k++ : -1);
      this.pendingAt = [];
      this.waitingCount = 0;
      for (let k = 0; k < this.list.length; k++) {
        if (this.list[k].status === 'pending') this.pendingAt.push(k);
        else if (this.list[k].status === 'waiting') this.waitingCount++;
      }
    } else {
      for (const n of this.dirty) {
        const e = entries[n];
        const k = this.placeOf[n];
        if (k >= 0 && e) this.list[k] = this.views[n] ??= freezeTrial(copyTrial(e.trial));
      }
    }
    this.dirty.length = 0;
    return this.list.slice();
  }

  /**
   * Whether a trial not skipped is waiting (enqueued, not yet taken): kept
   * with the lists, so that an ask at 10,000 trials does not look at each.
   */
  hasWaiting(entries: readonly Entry[]): boolean {
    if (!this.list) this.trials(entries);
    return this.waitingCount > 0;
  }

  /** The pending trials of `trials`, the list the last trials() returned. */
  pending(trials: readonly JournalTrial[]): JournalTrial[] {
    return this.pendingAt.map((k) => trials[k]);
  }

  /** finishOrderOf(entries), frozen and shared between reads until a trial ends or the entries change. */
  finishOrder(entries: readonly Entry[]): readonly number[] {
    if (!this.order) {
      this.order = Object.freeze(finishOrderOf(entries));
      this.lineOf = [];
      for (const n of this.order) this.lineOf[n] = entries[n].doneLine as number;
    }
    return this.order;
  }
}

/** Whether entry `e` is in finishOrderOf's order. */
function ended(e: Entry): boolean {
  return e.skippedAt === undefined && e.doneLine !== undefined && isFinished(e.state);
}
