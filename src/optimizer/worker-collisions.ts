/**
 * Keeping a worker's point off the points of the others sharing its study,
 * for ./asking's TrialAsker: each check reads the stored state inside the
 * storage lock. A proposal next to a trial another worker asked while it was
 * made (nextToNew: the caller proposes again), a point of the optimizer's own
 * choosing that another worker already holds (awayFromOthers: an untried
 * random one instead), and, as a last resort, a proposal inside the NEAR box
 * of a trial in flight (offInFlight: moved just outside it). Apart from the
 * asking itself because these are geometry and random redraws, not storage.
 */
import type { Space } from '../space/space';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import type { JournalState } from '../storage/types';
import { pointKey, storedPointKey } from '../study/point-key';
import { Rng } from '../util/rng';

/** What the checks read: the study (this worker's id), the space, and the random stream redraws come from. */
export interface CollisionContext {
  study: Study;
  space: Space;
  rng: Rng;
}

/** Points drawn at random in place of a design point or a proposal (recorded with source 'random'). */
export const RANDOM = new WeakSet<Params>();

/** Points moved just outside the NEAR box of an in-flight trial (still model-guided: the source stays). */
export const NUDGED = new WeakSet<Params>();

/**
 * Two points closer than this in every encoded coordinate (the unit cube)
 * count as one: proposals made at the same time from the same study by two
 * processes end up that close (the same acquisition maximum, polished apart
 * by float rounding only), while a proposal made with the other point
 * pending keeps off it by about a lengthscale.
 */
export const NEAR = 1e-3;

/**
 * The trials of `trials` whose ids `seen` does not hold. Mostly none, and the
 * same ids in the same order: said without hashing them (a set of every id
 * built for each ask made 8,000 random-search trials take 10 s, 70% of it
 * there).
 */
function newTrials<T extends { id: number }>(trials: readonly T[], seen: readonly number[]): T[] {
  if (trials.length === seen.length && trials.every((t, i) => t.id === seen[i])) return [];
  const known = new Set(seen);
  return trials.filter((t) => !known.has(t.id));
}

/** Whether another worker's trial not in `seen` (ids) is within NEAR of `p` in every encoded coordinate. */
export function nextToNew(o: CollisionContext, p: Params, state: JournalState, seen: readonly number[]): boolean {
  const me = o.study.worker;
  const fresh = newTrials(state.trials, seen).filter((t) => t.worker !== me);
  if (!fresh.length) return false;
  const x = o.space.encode(p);
  return fresh.some((t) => {
    let u: Float64Array;
    try {
      u = o.space.encode(t.params); // another program's trial may not be a point of this space
    } catch {
      return false;
    }
    return u.length === x.length && u.every((v, i) => Math.abs(v - x[i]) < NEAR);
  });
}

/**
 * `p`, or a point outside the NEAR box of every in-flight (pending) trial
 * when `p` is inside one: a last-resort guard. A proposal made with a trial
 * pending keeps off it by itself (pending rows enter the posterior without
 * observation noise, src/optimizer/pending.ts), and one next to a trial
 * asked while it was made is proposed again (STALE); what is left is a
 * proposal asked after the re-proposals were used up, or a pending trial
 * the model could not take (another program's), which would evaluate one
 * point twice at once. The
 * point is moved by 2 NEAR along the coordinate that needs the smallest
 * move (it stays next to the model's choice); when a few such moves find
 * no free spot, an untried random point outside every box is asked.
 */
export function offInFlight(o: CollisionContext, p: Params, state: JournalState): Params {
  const { space } = o;
  const boxes: Float64Array[] = [];
  for (const t of state.pending) {
    try {
      boxes.push(space.encode(t.params)); // another program's trial may not be a point of this space
    } catch {
      /* not a point of this space */
    }
  }
  const x = space.encode(p);
  const inBox = (v: Float64Array) => boxes.find((u) => u.length === v.length && u.every((w, i) => Math.abs(w - v[i]) < NEAR));
  let hit = inBox(x);
  if (!hit) return p;
  const v = Float64Array.from(x);
  for (let k = 0; k < 2 * v.length && hit; k++) {
    let best = -1;
    let to = 0;
    for (let i = 0; i < v.length; i++) {
      for (const c of [hit[i] - 2 * NEAR, hit[i] + 2 * NEAR]) {
        if (c < 0 || c > 1) continue;
        if (best < 0 || Math.abs(c - v[i]) < Math.abs(to - v[best])) [best, to] = [i, c];
      }
    }
    if (best < 0) break;
    v[best] = to;
    const q = space.decode(v);
    const e = space.encode(q); // decoding may round (integers, choices): check the point asked
    hit = inBox(e);
    if (!hit) {
      NUDGED.add(q);
      return q;
    }
    v.set(e);
  }
  diversify(o);
  for (let i = 0; i < 100; i++) {
    const [u] = space.sample(o.rng, 1, 'random');
    const q = space.decode(u);
    if (!inBox(space.encode(q))) {
      RANDOM.add(q);
      return q;
    }
  }
  return p;
}

/** Whether any trial, this worker's included, is at `p` exactly. */
export function held(p: Params, state: JournalState): boolean {
  const key = pointKey(p);
  return state.trials.some((t) => storedPointKey(t.params) === key);
}

/**
 * `p`, or an untried random point when another worker's trial is at `p`.
 * A stored trial's key is built once (storedPointKey: the journals hand out
 * frozen views; a study in memory's own trials are skipped by the worker
 * check first): comparing `p` with every trial at each ask took 10 ms an ask
 * at 10,000 trials.
 */
export function awayFromOthers(o: CollisionContext, p: Params, state: JournalState): Params {
  const me = o.study.worker;
  const key = pointKey(p);
  if (!state.trials.some((t) => t.worker !== me && storedPointKey(t.params) === key)) return p;
  diversify(o); // a twin stream: leave it, or the next points collide too
  return untried(o, state, p);
}

/** A random point no trial holds (`fallback` when 100 draws find none). */
export function untried(o: CollisionContext, state: JournalState, fallback?: Params): Params {
  const seen = new Set<string>();
  for (const t of state.trials) seen.add(storedPointKey(t.params));
  let q: Params | undefined;
  for (let i = 0; i < 100; i++) {
    const [u] = o.space.sample(o.rng, 1, 'random');
    q = o.space.decode(u);
    if (!seen.has(pointKey(q))) return q;
  }
  return fallback ?? (q as Params);
}

/** Moves the random stream to one of this worker's own (seeded by its worker id). */
export function diversify(o: CollisionContext): void {
  const worker = o.study.worker;
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < worker.length; i++) h = Math.imul(h ^ worker.charCodeAt(i), 0x01000193);
  o.rng.setState(new Rng((h ^ o.rng.nextUint32()) >>> 0).state());
}
