/**
 * Distinct points first: in a space of integers and categoricals only, a
 * design can map two of its points to the same parameters (2 x 2 choices, LHS
 * of 4: qF, pT, qF, pT), wasting evaluations. `distinctFirst` repairs a unit
 * design so that its first min(n, D) points are distinct, where D is the
 * number of distinct points of the space.
 *
 * It first swaps a parameter's coordinate between two points (which keeps
 * every parameter's marginal, so LHS strata stay intact) while that adds
 * distinct points, then moves any duplicate left to an unused point. A design
 * with no duplicate is returned unchanged and draws nothing from `rng`.
 */
import { log } from '../util/math';
import type { Rng } from '../util/rng';
import type { DimLayout } from './types';
import { isFixedFloat, unitToValue } from './encode';
import { levelCount, levelIndex } from './steps';

/** Above this many distinct points, unused ones are found by random draws instead of listing them. */
export const ENUMERATE_MAX = 100_000;
/** The swap pass is quadratic per point; larger designs skip it. */
const SWAP_MAX_POINTS = 256;

/** A parameter with finitely many values: an integer, a categorical, or a float fixed by low == high (one value). */
type Discrete = DimLayout;

/** Whether `l` takes finitely many values (a float does only when fixed: low == high). */
export function isDiscrete(l: DimLayout): boolean {
  return l.kind !== 'continuous' || isFixedFloat(l);
}

/**
 * The number of distinct points of a space of integers, categoricals and
 * fixed floats only; null with a float that can vary.
 */
export function discreteCount(layout: readonly DimLayout[]): number | null {
  let n = 1;
  for (const l of layout) {
    if (!isDiscrete(l)) return null;
    n *= levels(l);
  }
  return n;
}

function levels(l: Discrete): number {
  return l.kind === 'categorical' ? l.size : l.kind === 'integer' ? levelCount(l) : 1;
}

function level(l: Discrete, t: number): number {
  if (l.kind === 'categorical') return Math.min(l.size - 1, Math.floor(Math.min(1, Math.max(0, t)) * l.size));
  return l.kind === 'integer' ? levelIndex(l, unitToValue(l, t)) : 0;
}

/** A unit coordinate that maps to level `k` of `l`. */
function unitOf(l: Discrete, k: number): number {
  if (l.kind === 'categorical') return (k + 0.5) / l.size;
  if (l.kind === 'continuous') return 0;
  if (l.step !== undefined) return (k + 0.5) / levelCount(l);
  const [a, b, v] = [l.low - 0.5, l.high + 0.5, l.low + k];
  const u = l.log ? (log(v) - log(a)) / (log(b) - log(a)) : (v - a) / (b - a);
  return Math.min(1, Math.max(0, u));
}

/**
 * Makes the first min(n, D) points of `design` (unit coordinates, one per
 * parameter of `layout`, `n x layout.length`) distinct; edits it in place and
 * returns it. Spaces with a float that can vary are returned as they are.
 */
export function distinctFirst(layout: readonly DimLayout[], design: Float64Array[], rng: Rng): Float64Array[] {
  if (design.length < 2 || !layout.every(isDiscrete)) return design;
  const dims = layout as readonly Discrete[];
  const key = (t: Float64Array): string => dims.map((l, j) => level(l, t[j])).join(',');
  const distinct = (): number => new Set(design.map(key)).size;
  const total = dims.reduce((p, l) => p * levels(l), 1);
  const want = Math.min(design.length, total);
  if (new Set(design.slice(0, want).map(key)).size === want) return design;
  let have = distinct();

  // 1. Swaps that keep each parameter's marginal.
  if (design.length <= SWAP_MAX_POINTS) {
    for (let improved = true; improved && have < want;) {
      improved = false;
      for (let i = 0; i < design.length && have < want; i++) {
        for (let j = 0; j < dims.length && have < want; j++) {
          for (let k = 0; k < design.length && have < want; k++) {
            if (design[i][j] === design[k][j]) continue;
            [design[i][j], design[k][j]] = [design[k][j], design[i][j]];
            const now = distinct();
            if (now > have) {
              have = now;
              improved = true;
            } else {
              [design[i][j], design[k][j]] = [design[k][j], design[i][j]];
            }
          }
        }
      }
    }
  }

  // 2. First occurrences first (keeps the marginals), then repeats moved to unused points.
  const seen = new Set<string>();
  const firsts: Float64Array[] = [];
  const repeats: Float64Array[] = [];
  for (const t of design) {
    const k = key(t);
    (seen.has(k) ? repeats : firsts).push(t);
    seen.add(k);
  }
  const unused = total <= ENUMERATE_MAX ? unusedPoints(dims, seen, total) : null;
  for (let r = 0; r < want - firsts.length; r++) {
    const t = repeats[r];
    if (unused) {
      const pick = unused.splice(rng.int(unused.length), 1)[0];
      dims.forEach((l, j) => (t[j] = unitOf(l, pick[j])));
    } else {
      for (let tries = 0; tries < 1000 && seen.has(key(t)); tries++) dims.forEach((_, j) => (t[j] = rng.random()));
    }
    seen.add(key(t));
  }
  design.splice(0, design.length, ...firsts, ...repeats);
  return design;
}

/** The level vectors not in `used`, in lexicographic order. */
function unusedPoints(dims: readonly Discrete[], used: ReadonlySet<string>, total: number): number[][] {
  const out: number[][] = [];
  const idx = new Array<number>(dims.length).fill(0);
  for (let c = 0; c < total; c++) {
    if (!used.has(idx.join(','))) out.push([...idx]);
    for (let j = dims.length - 1; j >= 0; j--) {
      if (++idx[j] < levels(dims[j])) break;
      idx[j] = 0;
    }
  }
  return out;
}
