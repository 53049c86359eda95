/**
 * Grid designs that spread a total evaluation budget over the parameters.
 *
 * Counts: every parameter gets the same number of levels L or L + 1, except
 * that an integer or categorical with fewer than L values gets all of them;
 * among such balanced allocations the one with the largest product <= budget
 * is used, and when only some parameters can have L + 1 levels the earlier
 * ones (in parameter order) get them. (Balance comes first: for budget 10 over
 * two floats the grid is 3 x 3 = 9, not 5 x 2 = 10.)
 *
 * Levels: each range is cut into k equal cells in the encoded scale (log when
 * `log`) and the grid uses the cell centres, so k = 1 gives the midpoint and no
 * level sits on a bound. An integer or categorical that gets all its values
 * uses all of them; otherwise integers take the rounded cell centres (made
 * distinct where log spacing would merge them) and categoricals take choice
 * floor((i + 0.5) * size / k).
 *
 * Order: lexicographic in the level indices, the first parameter varying slowest.
 */
import { InvalidOptionError } from '../errors';
import { describe } from './format';
import { isFixedFloat, unitToValue } from './encode';
import { levelCount } from './steps';
import type { Choice, DimLayout, Params } from './types';

function valueCount(l: DimLayout): number {
  if (l.kind === 'categorical') return l.size;
  if (l.kind === 'integer') return levelCount(l);
  return isFixedFloat(l) ? 1 : Infinity; // a fixed float (low == high) has one level
}

/**
 * Levels per parameter for a total budget (see the module comment).
 * @param budget positive safe integer
 * @returns one count per parameter; their product is <= budget
 */
export function gridCounts(layout: readonly DimLayout[], budget: number): number[] {
  if (!Number.isSafeInteger(budget) || budget < 1) {
    throw new InvalidOptionError(`budget: must be a positive integer, got ${describe(budget)}`, 'budget');
  }
  const caps = layout.map(valueCount);
  const counts = layout.map(() => 1);
  let product = 1;
  // Raise every parameter from L to L + 1 in order, level by level. Each step
  // multiplies the product by (L + 1) / L, so the first step that would
  // exceed the budget ends the search: no later balanced allocation fits.
  for (let level = 1; ; level++) {
    let grew = false;
    for (let j = 0; j < counts.length; j++) {
      if (counts[j] !== level || caps[j] <= level) continue;
      const next = (product / level) * (level + 1);
      if (next > budget) return counts;
      counts[j] = level + 1;
      product = next;
      grew = true;
    }
    if (!grew) return counts;
  }
}

/**
 * The `k` distinct levels of one parameter, in increasing order (choice order
 * for categoricals); fewer only for a float range too narrow to hold k doubles.
 */
export function gridLevels(l: DimLayout, k: number): Choice[] {
  const centre = (i: number) => (i + 0.5) / k;
  if (l.kind === 'categorical') {
    // Exact integer arithmetic; distinct indices since size / k >= 1.
    return Array.from({ length: k }, (_, i) => l.choices[Math.floor(((2 * i + 1) * l.size) / (2 * k))]);
  }
  const vals = Array.from({ length: k }, (_, i) => unitToValue(l, centre(i)));
  // A float range too narrow to hold k distinct doubles yields fewer levels.
  if (l.kind === 'continuous') return vals.filter((v, i) => i === 0 || v !== vals[i - 1]);
  if (l.kind === 'integer' && l.step === undefined) {
    // Log spacing can round neighbouring centres to one integer: push up, then
    // pull down from the top. Feasible because k <= high - low + 1. (A grid
    // with a step is linear: k <= its levels keeps the centres apart.)
    for (let i = 1; i < k; i++) vals[i] = Math.max(vals[i], vals[i - 1] + 1);
    vals[k - 1] = Math.min(vals[k - 1], l.high);
    for (let i = k - 2; i >= 0; i--) vals[i] = Math.min(vals[i], vals[i + 1] - 1);
  }
  return vals;
}

/** The levels of every parameter for `budget` (gridCounts, then gridLevels). */
function gridAxes(layout: readonly DimLayout[], budget: number): Choice[][] {
  return gridCounts(layout, budget).map((k, j) => gridLevels(layout[j], k));
}

/**
 * How many points `gridPoints(layout, budget)` holds, without building them
 * (a float range too narrow for its levels can hold fewer than gridCounts says).
 */
export function gridSize(layout: readonly DimLayout[], budget: number): number {
  return gridAxes(layout, budget).reduce((a, lv) => a * lv.length, 1);
}

/**
 * The points of `gridPoints(layout, budget)`, one at a time and in the same
 * order: a run that stops early (a time budget, an abort) never builds the
 * rest, and a budget of millions costs no memory beyond the levels.
 */
export function* gridIterate(layout: readonly DimLayout[], budget: number): Generator<Params, void, undefined> {
  const levels = gridAxes(layout, budget);
  const counts = levels.map((lv) => lv.length);
  const total = counts.reduce((a, b) => a * b, 1);
  const idx = counts.map(() => 0);
  for (let n = 0; n < total; n++) {
    yield Object.fromEntries(layout.map((l, j) => [l.name, levels[j][idx[j]]]));
    for (let j = idx.length - 1; j >= 0; j--) {
      if (++idx[j] < counts[j]) break;
      idx[j] = 0;
    }
  }
}

/**
 * The `i`-th point of `gridPoints(layout, budget)` (0-based, first parameter
 * varying slowest) without listing the grid, and the grid's size.
 * @example
 * const { size, at } = gridPointAt(layout, 1e8); at(size - 1); // the last point
 */
export function gridPointAt(layout: readonly DimLayout[], budget: number): { size: number; at: (i: number) => Params } {
  const levels = gridAxes(layout, budget);
  const size = levels.reduce((a, lv) => a * lv.length, 1);
  return {
    size,
    at: (i) => {
      const out: Params = {};
      // the last parameter varies fastest: its level is the lowest mixed-radix digit
      for (let j = layout.length - 1; j >= 0; j--) {
        const c = levels[j].length;
        out[layout[j].name] = levels[j][i % c];
        i = Math.floor(i / c);
      }
      return Object.fromEntries(layout.map((l) => [l.name, out[l.name]]));
    },
  };
}

/**
 * Whether a point lies on the grid of `budget`: every parameter at one of its
 * levels (no other keys checked). Lets a caller count tried grid points
 * without listing the grid.
 */
export function gridMembership(layout: readonly DimLayout[], budget: number): (p: Params) => boolean {
  const sets = gridAxes(layout, budget).map((lv) => new Set<Choice>(lv));
  return (p) => layout.every((l, j) => Object.hasOwn(p, l.name) && sets[j].has(p[l.name] as Choice));
}

/**
 * A full-factorial grid with `gridCounts(layout, budget)` levels per parameter.
 * @returns prod(counts) <= budget points (distinct), first parameter varying slowest
 */
export function gridPoints(layout: readonly DimLayout[], budget: number): Params[] {
  return [...gridIterate(layout, budget)];
}
