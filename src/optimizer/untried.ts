/**
 * A proposal equal to a point already tried (small discrete spaces, where the
 * acquisition's maximum can sit on an observed point) is replaced by an
 * untried one: the best by the acquisition among the proposal's neighbours
 * (one level up or down an integer or stepped parameter, another choice of a
 * categorical) and random untried points, where a scorer is given. A random
 * untried point in its place lost the acquisition's guidance altogether (log
 * PI -107 where the best untried point had -1.6).
 */
import type { Space } from '../space/space';
import { discreteCount, ENUMERATE_MAX } from '../space/distinct';
import type { Params } from '../space/types';
import { pointKey, samePoint } from '../study/point-key';
import type { Trial } from '../study/types';
import type { Rng } from '../util/rng';

/** How many random untried points stand beside the neighbours. */
const RANDOM_UNTRIED = 64;

/** Scores `points` by the acquisition (higher is better), one number each. */
export type PointScorer = (points: readonly Params[]) => ArrayLike<number>;

/**
 * `p` when no trial holds it; else an untried point: the best `score` gives
 * among p's untried neighbours and random untried points (without a scorer,
 * the first random untried one), or `p` itself when the space has no
 * untried point left.
 */
export function avoidDuplicate(space: Space, rng: Rng, p: Params, tried: readonly Trial[], score?: PointScorer): Params {
  if (!tried.some((t) => samePoint(t.params, p))) return p;
  const seen = new Set(tried.map((t) => pointKey(t.params)));
  const pool: Params[] = [];
  const add = (q: Params) => {
    const k = pointKey(q);
    if (!seen.has(k)) {
      seen.add(k);
      pool.push(q);
    }
  };
  if (score) for (const q of neighbours(space, p)) add(q);
  for (let i = 0; i < 100 && pool.length < (score ? RANDOM_UNTRIED + 2 * space.dim : 1); i++) add(space.decode(space.sample(rng, 1, 'random')[0]));
  // Random draws miss when few points are left (1 of 200: 100 draws find it 39% of the time):
  // a space of integers and categoricals small enough to list is listed instead.
  if (pool.length === 0) {
    const total = discreteCount(space.layout);
    if (total !== null && total <= ENUMERATE_MAX) {
      const free = space.grid(total).filter((q) => !seen.has(pointKey(q)));
      if (free.length > 0) return score ? best(free, score) : free[rng.int(free.length)];
    }
    return p;
  }
  return score ? best(pool, score) : pool[0];
}

function best(points: readonly Params[], score: PointScorer): Params {
  const s = score(points);
  let at = 0;
  for (let i = 1; i < points.length; i++) if (s[i] > s[at]) at = i;
  return points[at];
}

/** p's points one level away in one parameter: an integer or stepped float up or down, a categorical's other choices. */
function neighbours(space: Space, p: Params): Params[] {
  const out: Params[] = [];
  for (const [name, s] of Object.entries(space.spec)) {
    const v = p[name];
    if (s.type === 'categorical') {
      for (const c of s.choices) if (c !== v) out.push({ ...p, [name]: c });
    } else if ((s.type === 'int' || s.step !== undefined) && typeof v === 'number') {
      const step = s.step ?? 1;
      // through the encoding, so a stepped float lands on its grid level, not on v + step's rounding
      for (const q of [v - step, v + step]) if (q >= s.low && q <= s.high) out.push(space.decode(space.encode({ ...p, [name]: q })));
    }
  }
  return out.filter((q) => space.contains(q));
}

/**
 * A random point no trial holds: the first of up to 101 random draws that
 * none holds (a failed point was drawn again at the uniform rate, 1 in 9 of
 * the time in a 10-point space), else one {@link avoidDuplicate} finds (a
 * small discrete space is listed: a study without a model can run until
 * most of it is tried). A continuous space's first draw is always new.
 */
export function randomUntried(space: Space, rng: Rng, tried: readonly Trial[]): Params {
  const held = new Set(tried.map((t) => pointKey(t.params)));
  let params = space.decode(space.sample(rng, 1, 'random')[0]);
  for (let i = 0; i < 100 && held.has(pointKey(params)); i++) params = space.decode(space.sample(rng, 1, 'random')[0]);
  return held.has(pointKey(params)) ? avoidDuplicate(space, rng, params, tried) : params;
}
