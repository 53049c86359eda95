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

/** The rungs of a trial that has recorded none (one frozen object for all). */
const NO_RUNGS: Readonly<Record<number, number>> = Object.freeze({});

export class TrialCurves {
  private readonly views = new WeakMap<object, { steps: number[]; values: number[] }>();
  /**
   * each trial object's last view, returned again while its status and
   * intermediate values are the same: a pruner reads every trial on every
   * report, and a study of 1,000 trials should not allocate 1,000 objects each time
   */
  private readonly last = new WeakMap<Trial, { rec: object | undefined; rungs: object | undefined; attrs: object | undefined; view: PrunerTrial }>();

  /** Trial `t`'s curve (a pending trial is 'running'; so is a waiting one, which has reported nothing). */
  of(t: Trial): PrunerTrial {
    const state = t.status === 'pending' || t.status === 'waiting' ? 'running' : t.status;
    const rec = t.intermediate;
    const rungs = t.rungs ?? NO_RUNGS;
    const attrs = t.prunerAttrs;
    const seen = this.last.get(t);
    if (seen && seen.rec === rec && seen.rungs === rungs && seen.attrs === attrs && seen.view.state === state) return seen.view;
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
