/**
 * Trials' learning curves as pruners read them: the steps and values of a
 * trial's intermediate values, in step order, and its recorded rung values
 * and pruner attributes. Views are cached by the `intermediate`, `rungs` and
 * `prunerAttrs` objects they were made
 * from, which a study replaces on each report and never mutates, so a
 * cached view is never out of date.
 */
import type { PrunerTrial } from '../pruners';
import type { Trial } from '../study/types';
import { retriedIds } from './trial-queries';

/** The rungs of a trial that has recorded none (one frozen object for all). */
const NO_RUNGS: Readonly<Record<number, number>> = Object.freeze({});

export class TrialCurves {
  private readonly views = new WeakMap<object, { steps: number[]; values: number[] }>();
  /**
   * each trial object's last view, returned again while its status and
   * intermediate values are the same: a pruner reads every trial on every
   * report, and a study of 1,000 trials should not allocate 1,000 objects each time
   */
  private readonly last = new WeakMap<Trial, Seen>();
  /**
   * list()'s cache, by position in the record: the trial object read there,
   * its curve, and whether list kept it. A report of a study of 1,000
   * trials reads them all; checking each trial's fields again cost ~50-100
   * µs of it (objects of many shapes), so only the trials the record says
   * changed (touch) or replaced at a position are read again.
   */
  private src: Trial[] = [];
  private viewAt: PrunerTrial[] = [];
  private keptAt: boolean[] = [];
  /** where each trial of `src` is */
  private readonly placeOf = new Map<Trial, number>();
  /** trials changed in place since the last list() */
  private readonly touched = new Set<Trial>();
  /** the retried ids (see retriedIds) as of the last list() */
  private retried = new Set<number>();

  /** Trial `t`'s curve (a pending trial is 'running'; so is a waiting one, which has reported nothing). */
  of(t: Trial): PrunerTrial {
    const seen = this.last.get(t);
    return seen && fresh(seen, t) ? seen.view : this.make(t);
  }

  /**
   * Trial `t` of the record was changed in place: its curve is read again
   * at the next list(). The record must say so of every such change (as it
   * must for its frozen copies, see TrialRecord.changed).
   */
  touch(t: Trial): void {
    if (this.src.length === 0) return; // nothing listed yet: nothing to keep in step
    if (this.touched.size >= this.src.length) this.forget(); // never listed since: start again
    else this.touched.add(t);
  }

  /**
   * The curves of the trials of `list` (the record's trials, in order) but
   * the waiting ones and those retried since (see retriedIds; of these only
   * the attributes a pruner recorded, see place), in order.
   */
  list(list: readonly Trial[]): PrunerTrial[] {
    const { src, placeOf } = this;
    const n = list.length;
    // a trial that is, or was, a retry somewhere in the record may change which trials are retried (nothing
    // listed: all are read, and so is which)
    let retries = src.length === 0;
    for (let i = n; i < src.length; i++) {
      placeOf.delete(src[i]);
      if (src[i].retryOf !== undefined) retries = true;
    }
    if (src.length > n) src.length = this.viewAt.length = this.keptAt.length = n;
    const redo: number[] = [];
    for (let i = 0; i < n; i++) if (src[i] !== list[i]) redo.push(i);
    for (const t of this.touched) {
      const i = placeOf.get(t);
      if (i !== undefined && list[i] === t) redo.push(i);
    }
    this.touched.clear();
    for (const i of redo) {
      const t = list[i];
      if (src[i] !== t) {
        if (src[i] !== undefined) {
          placeOf.delete(src[i]);
          if (src[i].retryOf !== undefined) retries = true;
        }
        src[i] = t;
        placeOf.set(t, i);
      }
      if (t.retryOf !== undefined) retries = true;
    }
    // a retry put in the record (or taken out) may change whether a trial not redone is kept: all are placed again
    if (retries) this.retried = retriedIds(list);
    if (retries) for (let i = 0; i < n; i++) this.place(i, list[i]);
    else for (const i of redo) this.place(i, list[i]);
    const out: PrunerTrial[] = [];
    for (let i = 0; i < n; i++) if (this.keptAt[i]) out.push(this.viewAt[i]);
    return out;
  }

  /**
   * What list() gives for trial `t` at position `i`: its curve; nothing for
   * a waiting trial; for a retried one (its curve is its retry's, counted
   * once) only what a pruner recorded on it (`attrs`: an 'auto' resource
   * inferred at its report, which every later decision reads), without
   * steps or rungs.
   */
  private place(i: number, t: Trial): void {
    const retried = this.retried.has(t.id);
    this.keptAt[i] = t.status !== 'waiting' && (!retried || t.prunerAttrs !== undefined);
    if (!this.keptAt[i]) return;
    this.viewAt[i] = retried ? { id: t.id, state: stateOf(t), steps: [], values: [], rungs: NO_RUNGS, attrs: t.prunerAttrs } : this.of(t);
  }

  /** Drops list()'s cache: the next list() reads every trial. */
  private forget(): void {
    this.src = [];
    this.viewAt = [];
    this.keptAt = [];
    this.placeOf.clear();
    this.touched.clear();
    this.retried = new Set();
  }

  private make(t: Trial): PrunerTrial {
    const state = stateOf(t);
    const rec = t.intermediate;
    const rungs = t.rungs ?? NO_RUNGS;
    const attrs = t.prunerAttrs;
    let view: PrunerTrial;
    if (!rec) view = { id: t.id, state, steps: [], values: [], rungs, ...(attrs ? { attrs } : {}) };
    else {
      let c = this.views.get(rec);
      if (!c) {
        // integer keys enumerate in increasing numeric order
        const steps = Object.keys(rec).map(Number);
        c = { steps, values: steps.map((k) => rec[k]) };
        this.views.set(rec, c);
      }
      view = { id: t.id, state, steps: c.steps, values: c.values, rungs, ...(attrs ? { attrs } : {}) };
    }
    this.last.set(t, { rec, rungs, attrs, view });
    return view;
  }
}

/** What a view was made from: it is `t`'s while these are `t`'s (see fresh). */
interface Seen {
  rec: object | undefined;
  rungs: object | undefined;
  attrs: object | undefined;
  view: PrunerTrial;
}

/** A pending trial is 'running'; so is a waiting one, which has reported nothing. */
function stateOf(t: Trial): PrunerTrial['state'] {
  return t.status === 'pending' || t.status === 'waiting' ? 'running' : t.status;
}

/** Whether `seen` was made from `t` as it is now (its objects are replaced on a change, never mutated). */
function fresh(seen: Seen, t: Trial): boolean {
  return seen.rec === t.intermediate && seen.rungs === (t.rungs ?? NO_RUNGS) && seen.attrs === t.prunerAttrs && seen.view.state === stateOf(t);
}
