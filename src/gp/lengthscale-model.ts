/**
 * One shared lengthscale (isotropic) or one per dimension (ARD), and the
 * choice between them by evidence.
 *
 * With few points an ARD kernel can overfit its d lengthscales: on a
 * landscape with the same structure along every axis (Ackley's funnel), a
 * shared lengthscale, as bayes_opt uses, generalizes better. The two are
 * compared by a Laplace approximation of the log evidence of each model,
 *   log p(y | M) ~ -f(theta*) + (k / 2) log 2pi - (1 / 2) log det H,
 * with f the MAP objective (negative log marginal likelihood minus log prior,
 * priors normalized, so ARD's d - 1 extra lengthscales pay for themselves
 * only when the data ask for them) and H its Hessian at the optimum theta*
 * (k parameters), by central differences of the analytic gradient
 * (MacKay 1992; Rasmussen & Williams 2006, sec. 5.4.1). Parameters on a
 * bound of their box are held fixed in H (their curvature is not that of a
 * Gaussian peak).
 */
import { log } from '../util/math';
import { negLogPrior, type HyperPriors } from './priors';

/** Lengthscale model of a GP: 'ard' (one per dimension), 'shared' (isotropic), or 'auto' (chosen by evidence). */
export type LengthscaleModel = 'ard' | 'shared' | 'auto';

export const LENGTHSCALE_MODELS: readonly LengthscaleModel[] = ['ard', 'shared', 'auto'];

/** The objective with its gradient, on packed log-hyperparameters. */
export type Objective = (theta: Float64Array, grad: Float64Array) => number;

/**
 * The MAP objective of the shared-lengthscale model on reduced parameters
 * t = [log l, log s2, log noise], from the likelihood-only objective `nll` on
 * full ARD parameters (length d + 2): one lengthscale prior term, not d.
 */
export function sharedObjective(nll: Objective, d: number, priors: HyperPriors | null): Objective {
  const full = new Float64Array(d + 2);
  const g = new Float64Array(d + 2);
  return (t, grad) => {
    expandShared(t, d, full);
    const f = nll(full, g);
    let gl = 0;
    for (let k = 0; k < d; k++) gl += g[k];
    grad[0] = gl;
    grad[1] = g[d];
    grad[2] = g[d + 1];
    return priors ? f + negLogPrior(t, 1, priors, grad) : f;
  };
}

/** Full parameters (d + 2) of a shared-lengthscale point t = [log l, log s2, log noise]. */
export function expandShared(t: ArrayLike<number>, d: number, out = new Float64Array(d + 2)): Float64Array {
  for (let k = 0; k < d; k++) out[k] = t[0];
  out[d] = t[1];
  out[d + 1] = t[2];
  return out;
}

/** Reduced parameters of a full point: the mean log lengthscale, log s2, log noise. */
export function reduceToShared(theta: ArrayLike<number>, d: number): Float64Array {
  let m = 0;
  for (let k = 0; k < d; k++) m += theta[k];
  return Float64Array.from([m / d, theta[d], theta[d + 1]]);
}

/**
 * Lengthscales tied in groups: `groups` maps each of the d input columns to
 * the index (0 .. G - 1) of the lengthscale it uses, so the one-hot columns
 * of a categorical parameter share one, as its other parameters have one
 * each. ARD over G groups fits G lengthscales, not d: a 1,000-choice
 * categorical is one lengthscale, not 1,000 (each with a prior term and a
 * Hessian row in the evidence). Reduced parameters are
 * t = [log l_0, ..., log l_{G-1}, log s2, log noise].
 */
export function groupCount(groups: ArrayLike<number>): number {
  let g = 0;
  for (let k = 0; k < groups.length; k++) g = Math.max(g, groups[k] + 1);
  return g;
}

/** The MAP objective on tied parameters t (G + 2), from the likelihood-only `nll` on full ones (d + 2): G lengthscale prior terms. */
export function tiedObjective(nll: Objective, groups: Int32Array, G: number, priors: HyperPriors | null): Objective {
  const d = groups.length;
  const full = new Float64Array(d + 2);
  const g = new Float64Array(d + 2);
  return (t, grad) => {
    expandTied(t, groups, G, full);
    const f = nll(full, g);
    for (let j = 0; j < G; j++) grad[j] = 0;
    for (let k = 0; k < d; k++) grad[groups[k]] += g[k];
    grad[G] = g[d];
    grad[G + 1] = g[d + 1];
    return priors ? f + negLogPrior(t, G, priors, grad) : f;
  };
}

/** Full parameters (d + 2) of a tied point t (G + 2). */
export function expandTied(t: ArrayLike<number>, groups: Int32Array, G: number, out = new Float64Array(groups.length + 2)): Float64Array {
  const d = groups.length;
  for (let k = 0; k < d; k++) out[k] = t[groups[k]];
  out[d] = t[G];
  out[d + 1] = t[G + 1];
  return out;
}

/** Tied parameters (G + 2) of a full point: each group's mean log lengthscale, log s2, log noise. */
export function reduceToTied(theta: ArrayLike<number>, groups: Int32Array, G: number): Float64Array {
  const d = groups.length;
  const t = new Float64Array(G + 2);
  const count = new Float64Array(G);
  for (let k = 0; k < d; k++) {
    t[groups[k]] += theta[k];
    count[groups[k]]++;
  }
  for (let j = 0; j < G; j++) t[j] /= count[j];
  t[G] = theta[d];
  t[G + 1] = theta[d + 1];
  return t;
}

/** Step of the central differences of the gradient, in log-hyperparameter units. */
const HESSIAN_STEP = 1e-4;

/**
 * Laplace approximation of the log evidence at the minimizer `x` of the MAP
 * objective `fg` (value `f` there), see the module comment. Coordinates within
 * HESSIAN_STEP of a bound are held fixed. A Hessian that is not positive
 * definite (a flat or saddle direction) has its eigenvalues floored via a
 * diagonal shift, so the result is always finite.
 */
export function laplaceLogEvidence(
  fg: Objective, x: Float64Array, f: number, lower: ArrayLike<number>, upper: ArrayLike<number>,
): number {
  const free: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (x[i] - lower[i] > 2 * HESSIAN_STEP && upper[i] - x[i] > 2 * HESSIAN_STEP) free.push(i);
  }
  const k = free.length;
  if (k === 0) return -f;
  const H = new Float64Array(k * k);
  const gp = new Float64Array(x.length);
  const gm = new Float64Array(x.length);
  const xp = Float64Array.from(x);
  for (let a = 0; a < k; a++) {
    const i = free[a];
    xp[i] = x[i] + HESSIAN_STEP;
    fg(xp, gp);
    xp[i] = x[i] - HESSIAN_STEP;
    fg(xp, gm);
    xp[i] = x[i];
    for (let b = 0; b < k; b++) H[a * k + b] = (gp[free[b]] - gm[free[b]]) / (2 * HESSIAN_STEP);
  }
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < a; b++) H[a * k + b] = H[b * k + a] = 0.5 * (H[a * k + b] + H[b * k + a]);
  }
  const logDet = logDetFloored(H, k);
  return -f + 0.5 * k * log(2 * Math.PI) - 0.5 * logDet;
}

/** Smallest curvature a direction may have (a flat direction counts as this peaked). */
const CURVATURE_FLOOR = 1e-2;

/** log det of the symmetric `k x k` matrix H, shifted until it is positive definite with pivots >= CURVATURE_FLOOR. */
function logDetFloored(H: Float64Array, k: number): number {
  for (let shift = 0; ; shift = shift === 0 ? CURVATURE_FLOOR : shift * 4) {
    const L = Float64Array.from(H);
    for (let i = 0; i < k; i++) L[i * k + i] += shift;
    let ok = true;
    let logDet = 0;
    for (let j = 0; j < k && ok; j++) {
      let s = L[j * k + j];
      for (let p = 0; p < j; p++) s -= L[j * k + p] ** 2;
      if (!(s >= CURVATURE_FLOOR) || !Number.isFinite(s)) { ok = false; break; }
      const ljj = Math.sqrt(s);
      L[j * k + j] = ljj;
      logDet += 2 * log(ljj);
      for (let i = j + 1; i < k; i++) {
        let t = L[i * k + j];
        for (let p = 0; p < j; p++) t -= L[i * k + p] * L[j * k + p];
        L[i * k + j] = t / ljj;
      }
    }
    if (ok) return logDet;
    if (shift > 1e12) return k * log(CURVATURE_FLOOR);
  }
}
