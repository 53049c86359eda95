/**
 * The standard deviation a candidate's bound must exceed to stay in the
 * exact stage (exact-stage.ts): the root of scoreBound(sigma) = cut, by
 * Newton's method on log sigma (log EI), in closed form (UCB), or by
 * bisection (log PI, and where Newton does not settle).
 */
import { exp, log } from '../util/math';
import type { AcquisitionSpec } from './functions';
import { scoreBound } from './screening-bounds';

/**
 * The least sigma bound a candidate must exceed to stay: a sigma `lo` with
 * scoreBound(lo) below `cut`, so that (the score bound increasing with sigma)
 * every sigma whose bound reaches the cut exceeds it. -Infinity where even
 * sigma = 0 reaches the cut, Infinity where the prior's sigma does not.
 *
 * The root of scoreBound(sigma) = cut is found by Newton's method on log
 * sigma for (log) EI and in closed form for UCB ({@link sigmaRoot}, about 4
 * score evaluations; 7 in all with the checks), and `lo` is taken a few ulps below it once its score
 * is checked to be below the cut, so the result is as sound as the
 * bisection's ({@link sigmaNeededBisect}, 38 evaluations) and at least as
 * tight (within 2^-42 of the root, relative, against 2^-36 of the prior's
 * sigma). Where Newton does not settle or the check fails (log PI, a score
 * flat in sigma to the last bits), the bisection runs.
 */
export function sigmaNeeded(spec: AcquisitionSpec, mu: number, best: number, cut: number, s2: number, hintZ = NaN): number {
  const top = Math.sqrt(s2);
  if (scoreBound(spec, mu, 0, best) >= cut) return -Infinity;
  if (!(scoreBound(spec, mu, top, best) >= cut)) return Infinity;
  const root = sigmaRoot(spec, mu, best, cut, top, hintZ);
  if (root > 0 && root <= top) {
    for (const rel of SIGMA_BACKOFF) {
      const lo = root * (1 - rel);
      if (scoreBound(spec, mu, lo, best) < cut) return lo;
    }
  }
  return bisect(spec, mu, best, cut, top);
}

/** Relative steps below the estimated root at which `lo` is tried, nearest first. */
const SIGMA_BACKOFF = [2 ** -42, 2 ** -30];

/**
 * An estimate of the sigma in (0, top] where the score bound meets `cut`,
 * given scoreBound(0) < cut <= scoreBound(top); NaN where none is found.
 * Log EI (kinds 'ei' and 'logei'): Newton on t = log sigma, whose derivative
 * is phi(z) / H(z) (z = (mu - best - xi) / sigma, H(z) = phi(z) + z Phi(z),
 * and log H is the score minus log sigma), safeguarded by bisection of the
 * bracket, from the sigma at which z is `hintZ` (a neighbour's z at its root:
 * candidates taken in turn have similar ones) or else from `top`; it returns
 * the next iterate once a step is below 1e-7 (in log sigma; quadratic
 * convergence leaves about 1e-14) and the score within 1e-6 of the cut
 * (relative, at least 1e-6). UCB: (cut - mu) / kappa.
 */
export function sigmaRoot(spec: AcquisitionSpec, mu: number, best: number, cut: number, top: number, hintZ = NaN): number {
  if (spec.kind === 'ucb') return spec.kappa > 0 ? (cut - mu) / spec.kappa : NaN;
  if (spec.kind !== 'ei' && spec.kind !== 'logei') return NaN;
  const delta = mu - best - spec.xi;
  // below SIGMA_FLOOR (1e-12) the score is that of sigma = 0, which is under the cut
  let a = log(1e-12);
  let b = log(top);
  if (!(a < b)) return NaN;
  const h = log(delta / hintZ); // NaN where the signs differ or there is no hint
  let t = h > a && h < b ? h : b;
  for (let it = 0; it < 40; it++) {
    const sigma = exp(t);
    const f = scoreBound(spec, mu, sigma, best);
    const g = f - cut;
    if (Number.isNaN(g)) return NaN;
    if (g < 0) a = t;
    else b = t;
    const z = delta / sigma;
    const slope = exp(-0.5 * z * z - 0.9189385332046728 - (f - t)); // phi(z) / H(z)
    const step = g / slope;
    // deep in the tail the slope's exponent cancels to garbage (an infinite slope): bisect there
    if (Number.isFinite(step) && slope > 0 && Math.abs(step) < 1e-7 && Math.abs(g) < 1e-6 * Math.max(1, Math.abs(cut))) return exp(t - step);
    let next = t - step;
    if (!(slope < Infinity && next > a && next < b)) next = 0.5 * (a + b);
    t = next;
  }
  return NaN;
}

/**
 * The bisection {@link sigmaNeeded} was first built on, and falls back to:
 * lo < hi with scoreBound(lo) below `cut` and scoreBound(hi) at or above it
 * after 36 halvings of [0, sqrt(s2)]. Where the score is flat in sigma to the
 * last bits (EI far above the incumbent), its rounding can wiggle by an ulp
 * around the cut; the cut's own slack (SLACK below the k-th best) covers that.
 */
export function sigmaNeededBisect(spec: AcquisitionSpec, mu: number, best: number, cut: number, s2: number): number {
  const top = Math.sqrt(s2);
  if (scoreBound(spec, mu, 0, best) >= cut) return -Infinity;
  if (!(scoreBound(spec, mu, top, best) >= cut)) return Infinity;
  return bisect(spec, mu, best, cut, top);
}

function bisect(spec: AcquisitionSpec, mu: number, best: number, cut: number, top: number): number {
  let lo = 0;
  let hi = top;
  for (let it = 0; it < 36; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (scoreBound(spec, mu, mid, best) >= cut) hi = mid;
    else lo = mid;
  }
  return lo;
}
