/**
 * Bounded limited-memory quasi-Newton minimization (projected L-BFGS, in the
 * spirit of L-BFGS-B). Small and dependency-free: meant for a few dozen
 * variables, such as GP hyperparameters in log space.
 *
 * Each iteration:
 * 1. Variables sitting on a bound whose gradient pushes further out are held
 *    fixed (the active set); the rest are free.
 * 2. The L-BFGS two-loop recursion, restricted to the free variables, gives a
 *    search direction (steepest descent when the memory is empty or the
 *    direction is not a descent direction).
 * 3. A backtracking line search along the projected path P(x + t p) accepts
 *    the first step with f(x_t) <= f(x) + c1 g.(x_t - x) (Bertsekas' Armijo
 *    rule for projected methods).
 * Curvature pairs with s.y <= 0 (over the free set) are skipped, which keeps
 * the implicit inverse Hessian positive definite.
 *
 * References: Byrd, Lu, Nocedal & Zhu (1995), "A limited memory algorithm for
 * bound constrained optimization", SIAM J. Sci. Comput. 16(5); Nocedal &
 * Wright, Numerical Optimization (2nd ed.), Alg. 7.4; Bertsekas (1982),
 * "Projected Newton methods for optimization problems with simple constraints".
 */
import { InvalidOptionError } from '../errors';
import { show } from './format-value';

/** Objective: returns f(x) and writes the gradient into `grad` (same length as x). */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsbOptions {
  /** lower bounds (length n); default: -Infinity for all */
  lower?: ArrayLike<number>;
  /** upper bounds (length n); default: +Infinity for all */
  upper?: ArrayLike<number>;
  /** number of stored curvature pairs; default 10 */
  memory?: number;
  /** iteration cap; default 200 */
  maxIterations?: number;
  /** objective-evaluation cap (the first evaluation included); default 1000 */
  maxEvaluations?: number;
  /** stop when the projected gradient's max-norm is at most this; default 1e-5 */
  pgtol?: number;
  /** stop when (f_prev - f) <= ftol * max(|f_prev|, |f|, 1); default 1e-10 */
  ftol?: number;
}

export type LbfgsbStopReason =
  | 'pgtol' // projected gradient small: a (local) KKT point
  | 'ftol' // relative decrease small
  | 'max-iterations'
  | 'max-evaluations'
  | 'line-search' // no step along steepest descent decreased f
  | 'non-finite-start'; // f or its gradient is not finite at the clipped start

export interface LbfgsbResult {
  /** best point found (within bounds) */
  x: Float64Array;
  /** f(x) */
  f: number;
  /** gradient at x */
  grad: Float64Array;
  iterations: number;
  evaluations: number;
  /** true for 'pgtol' and 'ftol' */
  converged: boolean;
  reason: LbfgsbStopReason;
}

const C1 = 1e-4; // Armijo sufficient-decrease constant
const MAX_BACKTRACKS = 40;

/**
 * Minimize `fg` over the box `lower <= x <= upper`, starting from `x0`
 * (clipped into the box). Never throws for a bad objective value: non-finite
 * values during the line search count as "too far" and are backtracked.
 * @param fg objective; writes the gradient into its second argument
 * @param x0 start, length n (not modified)
 */
export function minimizeLbfgsb(
  fg: ObjectiveWithGradient,
  x0: ArrayLike<number>,
  opts: LbfgsbOptions = {},
): LbfgsbResult {
  const n = x0.length;
  const lower = bound(opts.lower, n, -Infinity, 'lower');
  const upper = bound(opts.upper, n, Infinity, 'upper');
  for (let i = 0; i < n; i++) {
    if (!(lower[i] <= upper[i])) {
      throw new InvalidOptionError(
        `lower: bound ${i} (${lower[i]}) must not exceed upper bound (${upper[i]})`, 'lower');
    }
    if (!Number.isFinite(x0[i])) {
      throw new InvalidOptionError(`x0: entry ${i} must be finite (got ${show(x0[i])})`, 'x0');
    }
  }
  const mem = positiveInt(opts.memory, 10, 'memory');
  const maxIter = positiveInt(opts.maxIterations, 200, 'maxIterations');
  const maxEval = positiveInt(opts.maxEvaluations, 1000, 'maxEvaluations');
  const pgtol = opts.pgtol ?? 1e-5;
  const ftol = opts.ftol ?? 1e-10;

  let x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = clamp(x0[i], lower[i], upper[i]);
  let g = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  const done = (reason: LbfgsbStopReason, iterations: number): LbfgsbResult => ({
    x, f, grad: g, iterations, evaluations, reason,
    converged: reason === 'pgtol' || reason === 'ftol',
  });
  if (!Number.isFinite(f) || !allFinite(g)) return done('non-finite-start', 0);

  // curvature pairs in a ring buffer
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const free = new Uint8Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const alphas = new Float64Array(mem);
  const rhos = new Float64Array(mem);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);

  for (let iter = 0; iter < maxIter; iter++) {
    if (projectedGradientNorm(x, g, lower, upper) <= pgtol) return done('pgtol', iter);

    // active set: on a bound with the gradient pointing outward
    for (let i = 0; i < n; i++) {
      free[i] = (x[i] <= lower[i] && g[i] > 0) || (x[i] >= upper[i] && g[i] < 0) ? 0 : 1;
    }
    let usedMemory = twoLoop(S, Y, free, g, p, q, alphas, rhos);
    let gp = 0;
    let pn = 0;
    for (let i = 0; i < n; i++) { gp += g[i] * p[i]; pn += p[i] * p[i]; }
    if (usedMemory && !(gp < 0)) {
      S.length = 0; Y.length = 0; usedMemory = false;
      gp = 0; pn = 0;
      for (let i = 0; i < n; i++) { p[i] = free[i] ? -g[i] : 0; gp += g[i] * p[i]; pn += p[i] * p[i]; }
    }
    if (!(gp < 0)) return done('pgtol', iter); // no free descent direction left

    // first step: unit step for a scaled quasi-Newton direction, else a step of length <= 1
    let t = usedMemory ? 1 : Math.min(1, 1 / Math.sqrt(pn));
    let accepted = false;
    let ft = NaN;
    for (let k = 0; k < MAX_BACKTRACKS; k++) {
      if (evaluations >= maxEval) return done('max-evaluations', iter);
      let moved = false;
      let decrease = 0; // g.(xt - x), negative along a descent path
      for (let i = 0; i < n; i++) {
        xt[i] = clamp(x[i] + t * p[i], lower[i], upper[i]);
        if (xt[i] !== x[i]) moved = true;
        decrease += g[i] * (xt[i] - x[i]);
      }
      if (!moved) break;
      ft = fg(xt, gt);
      evaluations++;
      if (Number.isFinite(ft) && allFinite(gt) && ft <= f + C1 * decrease) { accepted = true; break; }
      // safeguarded quadratic interpolation of f along the step, else halve
      let tNew = 0.5 * t;
      if (Number.isFinite(ft)) {
        const denom = 2 * (ft - f - t * gp);
        if (denom > 0) tNew = Math.min(0.5 * t, Math.max(0.1 * t, (-gp * t * t) / denom));
      }
      t = tNew;
    }
    if (!accepted) {
      if (usedMemory) { S.length = 0; Y.length = 0; continue; } // retry with steepest descent
      return done('line-search', iter);
    }

    // curvature pair
    const s = S.length === mem ? S.shift()! : new Float64Array(n);
    const yv = Y.length === mem ? Y.shift()! : new Float64Array(n);
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xt[i] - x[i];
      yv[i] = gt[i] - g[i];
      sy += s[i] * yv[i];
      yy += yv[i] * yv[i];
    }
    if (sy > 1e-12 * yy) { S.push(s); Y.push(yv); }

    const fPrev = f;
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    f = ft;
    if (fPrev - f <= ftol * Math.max(Math.abs(fPrev), Math.abs(f), 1)) return done('ftol', iter + 1);
  }
  return done('max-iterations', maxIter);
}

/**
 * p = -H g over the free variables (0 elsewhere), H the L-BFGS inverse Hessian
 * built from the stored pairs restricted to the free set. Returns whether any
 * pair was used.
 */
function twoLoop(
  S: Float64Array[], Y: Float64Array[], free: Uint8Array, g: Float64Array,
  p: Float64Array, q: Float64Array, alphas: Float64Array, rhos: Float64Array,
): boolean {
  const n = g.length;
  for (let i = 0; i < n; i++) q[i] = free[i] ? g[i] : 0;
  let gamma = 0;
  let used = false;
  for (let k = S.length - 1; k >= 0; k--) {
    const s = S[k];
    const y = Y[k];
    let sy = 0;
    let yy = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      if (!free[i]) continue;
      sy += s[i] * y[i];
      yy += y[i] * y[i];
      sq += s[i] * q[i];
    }
    if (!(sy > 1e-12 * yy) || yy === 0) { rhos[k] = 0; continue; }
    rhos[k] = 1 / sy;
    if (!used) { gamma = sy / yy; used = true; } // scaling from the newest usable pair
    const a = rhos[k] * sq;
    alphas[k] = a;
    for (let i = 0; i < n; i++) if (free[i]) q[i] -= a * y[i];
  }
  if (!used) {
    for (let i = 0; i < n; i++) p[i] = -q[i];
    return false;
  }
  for (let i = 0; i < n; i++) q[i] *= gamma;
  for (let k = 0; k < S.length; k++) {
    if (rhos[k] === 0) continue;
    const s = S[k];
    const y = Y[k];
    let yq = 0;
    for (let i = 0; i < n; i++) if (free[i]) yq += y[i] * q[i];
    const b = alphas[k] - rhos[k] * yq;
    for (let i = 0; i < n; i++) if (free[i]) q[i] += b * s[i];
  }
  for (let i = 0; i < n; i++) p[i] = -q[i];
  return true;
}

/** max_i |P(x - g)_i - x_i|: zero exactly at a KKT point of the box problem. */
export function projectedGradientNorm(
  x: ArrayLike<number>, g: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>,
): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(clamp(x[i] - g[i], lower[i], upper[i]) - x[i]);
    if (v > m) m = v;
  }
  return m;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

function bound(b: ArrayLike<number> | undefined, n: number, fill: number, name: string): Float64Array {
  if (b === undefined) return new Float64Array(n).fill(fill);
  if (b.length !== n) {
    throw new InvalidOptionError(`${name}: expected ${n} bounds, got ${b.length}`, name);
  }
  const out = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(out[i])) throw new InvalidOptionError(`${name}: bound ${i} is NaN`, name);
  }
  return out;
}

function positiveInt(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) {
    throw new InvalidOptionError(`${name}: must be a positive integer (got ${show(v)})`, name);
  }
  return v;
}
