/**
 * What a Study keeps for a storage that cannot record it (a custom
 * StudyStorage without `report()` or `setUserAttrs()`): the reports, the
 * rung values and other attributes pruners recorded beside them to read back (ASHA's, Hyperband's),
 * and user attributes. Laid back onto the trials at every reload; lost on
 * resume, as the storage never had them.
 */
import type { Trial } from '../study/types';

export class UnstoredWrites {
  private readonly reports = new Map<number, Record<number, number>>();
  private readonly rungs = new Map<number, Record<number, number>>();
  private readonly prunerAttrs = new Map<number, Record<string, number>>();
  private readonly attrs = new Map<number, Record<string, unknown>>();

  /** Keeps trial `t`'s reports and rungs as they now are. */
  report(t: Trial): void {
    if (t.intermediate) this.reports.set(t.id, t.intermediate);
    if (t.rungs) this.rungs.set(t.id, t.rungs);
    if (t.prunerAttrs) this.prunerAttrs.set(t.id, t.prunerAttrs);
  }

  /** Keeps user attributes `own` of trial `id`, merged into those kept. */
  userAttrs(id: number, own: Readonly<Record<string, unknown>>): void {
    this.attrs.set(id, { ...this.attrs.get(id), ...own });
  }

  /** Lays what was kept for `trial` (fresh from the storage) back onto it; what the storage has wins, but for attributes. */
  restore(trial: Trial): void {
    const kept = this.reports.get(trial.id);
    if (kept && !trial.intermediate) trial.intermediate = kept;
    const rungs = this.rungs.get(trial.id);
    if (rungs && !trial.rungs) trial.rungs = rungs;
    const own = this.prunerAttrs.get(trial.id);
    if (own && !trial.prunerAttrs) trial.prunerAttrs = own;
    const attrs = this.attrs.get(trial.id);
    if (attrs) trial.userAttrs = { ...trial.userAttrs, ...attrs };
  }
}
