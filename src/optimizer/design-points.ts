/**
 * The points a run hands out before the model guides it: an initial design
 * (shared out among workers of one seed, what is left of it redrawn after a
 * resume) and a grid walked lazily past the points the study holds.
 */
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import { pointKey } from '../study/point-key';
import type { RngState } from '../util/rng';

/** An initial design being handed out: the next index to try, and how many points were asked from it. */
export interface Design {
  points: Params[];
  i: number;
  asked: number;
  /** the random state the design was drawn from (recorded with its trials, see AskExtra.designRng) */
  from: RngState;
}

/** A walk over a grid's points (lazy: a grid may hold millions), with the next one at hand. */
export class GridCursor {
  private readonly it: Iterator<Params>;
  /** the next point, undefined past the end */
  head: Params | undefined;
  /** the points of the study's trials, folded in as trials are added (a study only grows): O(1) per new trial, not O(n) per ask */
  private readonly taken = new Set<string>();
  private folded = 0;
  constructor(points: Iterable<Params>) {
    this.it = points[Symbol.iterator]();
    this.advance();
  }
  advance(): void {
    const r = this.it.next();
    this.head = r.done ? undefined : r.value;
  }
  /** Moves past the points the study's `trials` hold; the head is then untried, or undefined at the end. */
  skipTaken(trials: readonly { params: Params }[]): void {
    if (trials.length < this.folded) {
      this.taken.clear();
      this.folded = 0;
    }
    for (; this.folded < trials.length; this.folded++) this.taken.add(pointKey(trials[this.folded].params));
    while (this.head !== undefined && this.taken.has(pointKey(this.head))) this.advance();
  }
}

/**
 * The points of a study's initial design, redrawn whole, that its trials do
 * not hold: what is left of it to ask. Counted as a multiset: a design that
 * repeats a point (a small discrete space) keeps the copies no trial holds.
 */
export function restOfDesign(points: readonly Params[], study: Study): Params[] {
  const held = new Map<string, number>();
  for (const t of study.trials) held.set(pointKey(t.params), (held.get(pointKey(t.params)) ?? 0) + 1);
  return points.filter((p) => {
    const k = pointKey(p);
    const c = held.get(k) ?? 0;
    if (c > 0) held.set(k, c - 1);
    return c === 0;
  });
}
