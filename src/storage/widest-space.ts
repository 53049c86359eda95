/**
 * The widest space a study has stored (`wbo:space`, written again each time
 * a worker widened it, see ./space-check widens), for a reader of no space
 * of its own (a report, `studies`, a read-only journal): it checks every
 * trial by that space, so trials another worker wrote outside the old space
 * before the widening (Optuna lets bounds change) are the widened study's.
 * A fold learns the widest space only when it reaches it: one wider than any
 * before, where trials were skipped so far, asks for the text to be folded
 * again from the start (once per such space), this object kept.
 */
import type { SpaceSpec } from '../space/types';
import { widens } from './space-check';

export class WidestSpace {
  private widest: SpaceSpec | null = null;
  private refold = false;
  /** the spaces (as JSON) a fold was started again for: once each */
  private readonly refolded = new Set<string>();

  /**
   * A stored space was folded; returns the space points are checked by from
   * here: the widest, where `stored` is it, narrower or the same, else
   * `stored` (a study created anew with another space). `skipped` counts
   * the trials skipped so far.
   */
  folded(stored: SpaceSpec, skipped: () => number): SpaceSpec {
    const prev = this.widest;
    if (prev && widens(stored, prev)) return prev;
    const key = JSON.stringify(stored);
    if (prev && widens(prev, stored) && !this.refolded.has(key) && skipped() > 0) {
      this.refolded.add(key);
      this.refold = true;
    }
    this.widest = stored;
    return stored;
  }

  /** Whether the text should be folded again from the start; the answer resets. */
  refoldWanted(): boolean {
    const r = this.refold;
    this.refold = false;
    return r;
  }
}
