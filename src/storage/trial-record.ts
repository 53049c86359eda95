/**
 * A study's local record of trials, and the read-only questions asked of it
 * (by id, by status, the best one, the `resume` budget). {@link Study} keeps
 * it in step with its storage; everything read from here is a copy, so a
 * caller can never change the record. `trials` and `finished()` hand out
 * frozen copies kept until the trial changes (see TrialRecord.changed), so
 * reading them again costs no copy of the whole study.
 */
import type { PrunerTrial } from '../pruners';
import type { Params } from '../space/types';
import { pointKey } from '../study/point-key';
import type { Direction, Trial } from '../study/types';
import { copyTrial } from './state';
import { budgetCount } from './study-storage';
import { TrialCurves } from './trial-curves';
import { bestTrial, finishedInOrder, isFinishedTrial } from './trial-queries';
import type { JournalTrial } from './types';

export class TrialRecord {
  readonly direction: Direction;
  /** every trial in ask order */
  protected readonly list: Trial[] = [];
  /** id -> trial of `list` */
  protected readonly byId = new Map<number, Trial>();
  /** ids this study object asked or reclaimed: `register` completes only these */
  protected readonly mine = new Set<number>();
  /** the read-only view each trial of the record was copied from at the last read, by position (see readViews) */
  private viewOf: JournalTrial[] = [];
  /** learning-curve views for pruners */
  protected readonly curves = new TrialCurves();
  /** ids of finished trials in the order the storage recorded their ends, as of the last read (see JournalState.finishOrder) */
  protected finishOrder: readonly number[] = [];
  /** counts the changes of the record (see changed): the lists below are of one count */
  private version = 0;
  /** a frozen copy of each trial object of the record, dropped when that trial changes (see changed) */
  private readonly frozen = new WeakMap<Trial, Trial>();
  /** `trials` and `finished()` as frozen copies, for the record as of `version` */
  private lists: CachedLists = { version: -1 };

  constructor(direction: Direction) {
    this.direction = direction;
  }

  /** +1 when maximizing, -1 when minimizing: models maximize sign * target. */
  get sign(): 1 | -1 {
    return this.direction === 'maximize' ? 1 : -1;
  }

  /** The local trial with `t`'s id, added (without its worker) when there is none. */
  protected upsert(t: JournalTrial): Trial {
    return this.byId.get(t.id) ?? this.add(strip(t));
  }

  protected add(t: Trial): Trial {
    this.list.push(t);
    this.byId.set(t.id, t);
    this.changed();
    return t;
  }

  /**
   * Marks the record changed: every change of its list, its order or a
   * trial in it (`t`, changed in place) must call it, or `trials` and
   * `finished()` keep handing out what they read before.
   */
  protected changed(t?: Trial): void {
    this.version++;
    if (t) this.frozen.delete(t), this.curves.touch(t);
  }

  /** Sets the finish order of the last read (a change when it differs). */
  protected setFinishOrder(order: readonly number[]): void {
    const was = this.finishOrder;
    if (order === was || order.length === was.length && order.every((id, i) => id === was[i])) return; // each read makes a new array
    this.finishOrder = order;
    this.changed();
  }

  /** Trial `t` of the record as a frozen copy, made once until `t` changes. */
  private view(t: Trial): Trial {
    let f = this.frozen.get(t);
    if (!f) this.frozen.set(t, (f = freezeTrial(copy(t))));
    return f;
  }

  /** The cached lists, emptied when the record changed since they were made. */
  private cached(): CachedLists {
    if (this.lists.version !== this.version) this.lists = { version: this.version };
    return this.lists;
  }

  /** Empties the record (before it is read again from the storage). */
  protected clear(): void {
    this.changed();
    this.viewOf = [];
    this.list.length = 0;
    this.byId.clear();
    this.finishOrder = [];
  }

  /** Copy of the trial with this id, as of the last read or write. */
  get(id: number): Trial | undefined {
    const t = this.byId.get(id);
    return t && copy(t);
  }

  /** Whether this study object asked (or reclaimed) trial `id`. */
  isMine(id: number): boolean {
    return this.mine.has(id);
  }

  /** A pending trial this study object asked at point `p`, if any. */
  pendingOfMine(p: Params): Trial | undefined {
    const key = pointKey(p);
    const t = this.list.find((x) => x.status === 'pending' && this.mine.has(x.id) && pointKey(x.params) === key);
    return t && copy(t);
  }

  /** Every trial's id in ask order, pending ones included (no copies of the trials). */
  ids(): number[] {
    return this.list.map((t) => t.id);
  }

  /** Number of trials (pending ones included). */
  get size(): number {
    return this.list.length;
  }

  /** Trials that count against a `resume` budget: all but retries of trials whose worker stopped and their late results (see budgetCount). */
  get budgetSize(): number {
    return budgetCount(this.list);
  }

  /**
   * Every trial in ask order, pending ones included: a new array of frozen
   * copies, the same copy of a trial at each read until it changes.
   */
  get trials(): Trial[] {
    const c = this.cached();
    c.all ??= this.list.map((t) => this.view(t)); // not frozen: slicing a frozen array is 50x slower
    return c.all.slice();
  }

  /**
   * Finished trials (complete, failed and pruned), in the order they were
   * told: as the storage recorded their ends at the last read, then the
   * ones finished since by their `finishedAt` (ask order among equal times).
   * A new array of frozen copies, as {@link trials}.
   */
  finished(): Trial[] {
    const c = this.cached();
    c.finished ??= this.finishedTrials().map((t) => this.view(t));
    return c.finished.slice();
  }

  /** The record's own finished trials, in the order {@link finished} gives. */
  private finishedTrials(): Trial[] {
    const out: Trial[] = [];
    const placed = new Set<number>();
    for (const id of this.finishOrder) {
      const t = this.byId.get(id);
      if (t && isFinishedTrial(t) && !placed.has(id)) out.push(t), placed.add(id);
    }
    out.push(...finishedInOrder(placed.size ? this.list.filter((t) => !placed.has(t.id)) : this.list));
    return out;
  }

  /** Completed trials, in ask order. */
  completed(): Trial[] {
    return this.list.filter((t) => t.status === 'complete').map((t) => copy(t));
  }

  /** Whether an enqueued trial waits for a worker (as of the last read). */
  hasWaiting(): boolean {
    return this.list.some((t) => t.status === 'waiting');
  }

  /** How many enqueued trials wait for a worker (as of the last read). */
  get waitingCount(): number {
    let n = 0;
    for (const t of this.list) if (t.status === 'waiting') n++;
    return n;
  }

  /** `budgetSize` less the waiting trials: the trials of a `resume` budget taken so far. */
  get takenBudgetSize(): number {
    return budgetCount(this.list.filter((t) => t.status !== 'waiting'));
  }

  /** Pending trials (asked, not told), every worker's. */
  pending(): Trial[] {
    return this.list.filter((t) => t.status === 'pending').map((t) => copy(t));
  }

  /** The first completed trial with the best target, skipping `except`. */
  best(except?: number): Trial | undefined {
    const best = bestTrial(this.list, this.sign, except);
    return best && copy(best);
  }

  /**
   * Every trial's learning curve as pruners read it (pending trials are
   * 'running'). Waiting ones are left out, and so are trials retried since
   * (see retriedIds): the retry reports the same point's curve again, and
   * counting both weighed that point twice at the rungs it reached (a
   * resumed study then pruned unlike the uninterrupted one); of a retried
   * trial only the attributes a pruner recorded on it stay (no steps, no
   * rungs): an 'auto' resource inferred at its report holds for the study.
   */
  prunerTrials(): PrunerTrial[] {
    return this.curves.list(this.list);
  }
  /**
   * Replaces the record with `views`, the storage's trials as read-only
   * objects shared between reads (see StudyStorage.loadViews): where the
   * record holds the same trials in the same order (the stored ones first),
   * an unchanged view keeps its copy and a changed or new one is copied
   * (`copyOf`); else every view is copied.
   */
  protected readViews(views: readonly JournalTrial[], copyOf: (t: JournalTrial) => Trial): void {
    const list = this.list;
    let lined = views.length >= list.length;
    // the same view is the same trial: no need to read either (a record of 1,000 trials is read on every report)
    for (let i = 0; lined && i < list.length; i++) lined = this.viewOf[i] === views[i] || list[i].id === views[i].id;
    if (!lined) this.clear();
    for (let i = 0; i < views.length; i++) {
      const t = views[i];
      if (i < list.length && this.viewOf[i] === t) continue;
      const trial = copyOf(t);
      if (i < list.length) {
        list[i] = trial;
        this.byId.set(t.id, trial);
        this.changed();
      } else {
        this.add(trial);
      }
      this.viewOf[i] = t;
    }
    this.viewOf.length = views.length;
  }
}

/** A copy that shares nothing mutable with the study's record (intermediate values and attrs included). */
export function copy(t: Trial): Trial {
  return copyTrial(t);
}

/** `trials` and `finished()` of one version of the record, made when first read. */
interface CachedLists {
  version: number;
  all?: readonly Trial[];
  finished?: readonly Trial[];
}

/**
 * `t` (a copy of the record's) frozen with what it holds, so a reader of
 * `trials` or `res` that writes to it fails (a TypeError in strict code)
 * rather than changing what every later read returns.
 */
function freezeTrial(t: Trial): Trial {
  Object.freeze(t.params);
  if (t.intermediate) Object.freeze(t.intermediate);
  if (t.rungs) Object.freeze(t.rungs);
  if (t.prunerAttrs) Object.freeze(t.prunerAttrs);
  if (t.userAttrs) deepFreeze(t.userAttrs);
  return Object.freeze(t);
}

/** Freezes a JSON value (user attributes) and every object in it. */
function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

/** A stored trial as the local record holds it: a copy, without its worker. */
export function strip(t: JournalTrial): Trial {
  const { worker: _w, ...rest } = t;
  return copyTrial(rest);
}
