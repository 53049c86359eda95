/**
 * Output transforms for heavy-tailed targets, fitted before the GP.
 *
 * A steep valley (Rosenbrock, Dixon-Price) spans several orders of magnitude:
 * standardized, the good region is a flat plateau next to a few huge values,
 * and the GP cannot resolve the plateau. Power transforms (Box 1964,
 * Yeo & Johnson 2000, used by HEBO) pull the tail in; the exponent lambda is
 * the maximum-likelihood value under a normal model, Jacobian included, so
 * targets that are already Gaussian-looking keep lambda near 1 (close to the
 * identity).
 *
 * `gapPowerTransform` applies Box-Cox to the gap below the best observation
 * (maximization sense): lambda = 0 is a log warp of the regret, lambda = 1 is
 * the identity up to an affine map. Every transform here is strictly
 * increasing, so argmax and ranking are unchanged, and it inverts exactly.
 */

import { exp, expm1, log, log1p } from '../util/math';
import type { GaussianProcess } from './gaussian-process';
import { meanStd } from './standardization';

/** Box-Cox: (x^lambda - 1) / lambda, log x at lambda = 0; x > 0. */
export function boxCox(x: number, lambda: number): number {
  return Math.abs(lambda) < 1e-12 ? log(x) : expm1(lambda * log(x)) / lambda;
}

/** Inverse of {@link boxCox}: (lambda z + 1)^(1 / lambda), exp z at lambda = 0. */
export function boxCoxInverse(z: number, lambda: number): number {
  return Math.abs(lambda) < 1e-12 ? exp(z) : exp(log1p(lambda * z) / lambda);
}

/**
 * Yeo-Johnson: Box-Cox of (1 + y) for y >= 0, and minus Box-Cox with
 * exponent 2 - lambda of (1 - y) for y < 0; defined for every real y.
 */
export function yeoJohnson(y: number, lambda: number): number {
  return y >= 0 ? boxCox(1 + y, lambda) : -boxCox(1 - y, 2 - lambda);
}

/** Inverse of {@link yeoJohnson}. */
export function yeoJohnsonInverse(z: number, lambda: number): number {
  return z >= 0 ? boxCoxInverse(z, lambda) - 1 : 1 - boxCoxInverse(-z, 2 - lambda);
}

/**
 * Profile log-likelihood of lambda for a power family: the transformed values
 * are modelled as i.i.d. normal with fitted mean and variance, plus the log
 * Jacobian of the transform. Up to a constant:
 * -n/2 log var(psi(x)) + (lambda - 1) sum log J(x_i), with J = x (Box-Cox) or
 * 1 + |y| signed as Yeo-Johnson's derivative.
 */
export function powerLogLikelihood(family: 'box-cox' | 'yeo-johnson', x: ArrayLike<number>, lambda: number): number {
  const n = x.length;
  const t = new Float64Array(n);
  let jac = 0;
  for (let i = 0; i < n; i++) {
    if (family === 'box-cox') {
      t[i] = boxCox(x[i], lambda);
      jac += (lambda - 1) * log(x[i]);
    } else {
      t[i] = yeoJohnson(x[i], lambda);
      jac += (x[i] >= 0 ? lambda - 1 : 1 - lambda) * log1p(Math.abs(x[i]));
    }
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += t[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (t[i] - mean) ** 2;
  v /= n;
  if (!(v > 0) || !Number.isFinite(v)) return -Infinity;
  return -0.5 * n * log(v) + jac;
}

/**
 * Maximum-likelihood lambda in [lo, hi] by golden-section search on the
 * profile log-likelihood (unimodal for the families here in practice; the
 * search is bracketed, so it always returns a value in the interval).
 */
export function fitPowerLambda(
  family: 'box-cox' | 'yeo-johnson', x: ArrayLike<number>, lo = -2, hi = 2, tol = 1e-6,
): number {
  const gr = (Math.sqrt(5) - 1) / 2;
  const ll = (l: number) => powerLogLikelihood(family, x, l);
  let a = lo;
  let b = hi;
  let c = b - gr * (b - a);
  let d = a + gr * (b - a);
  let fc = ll(c);
  let fd = ll(d);
  while (b - a > tol) {
    if (fc >= fd) {
      b = d; d = c; fd = fc;
      c = b - gr * (b - a); fc = ll(c);
    } else {
      a = c; c = d; fc = fd;
      d = a + gr * (b - a); fd = ll(d);
    }
  }
  const mid = (a + b) / 2;
  // The ends themselves may be better (monotone likelihood on the interval).
  let best = mid;
  let fb = ll(mid);
  for (const e of [lo, hi]) {
    const fe = ll(e);
    if (fe > fb) { fb = fe; best = e; }
  }
  return best;
}

/** A strictly increasing map of targets, with its exact inverse. */
export interface OutputTransform {
  readonly kind: string;
  forward(y: number): number;
  inverse(z: number): number;
}

/** The identity transform. */
export const IDENTITY_TRANSFORM: OutputTransform = { kind: 'identity', forward: (y) => y, inverse: (z) => z };

/** Smallest offset of the gap transform, as a fraction of the median gap. */
const GAP_OFFSET = 0.01;

/**
 * Box-Cox of the gap below the best value, fitted to the first `n` entries of
 * `y` (maximization sense): with u = (max - y) / s, s the median gap,
 * z = -boxCox(u + c, lambda), c = {@link GAP_OFFSET}; lambda in [0, 1] by
 * maximum likelihood, so the map compresses the bad tail (lambda < 1) but
 * never stretches it. Fewer than 4 distinct values: the identity.
 */
export function gapPowerTransform(y: ArrayLike<number>, n: number): GapPowerTransform {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, y[i]);
  const gaps = Array.from({ length: n }, (_, i) => max - y[i]).sort((a, b) => a - b);
  const pos = gaps.filter((g) => g > 0);
  const s = pos.length ? pos[pos.length >> 1] : 0;
  // A gap that overflows (targets near the float64 limit), or one so far beyond the median gap that
  // its scaled value does (a 1e308 penalty among losses of 0.1), has no usable scale: keep the targets as they are.
  // Targets within rounding noise of each other (a spread of a few ulps) are constant to the
  // standardization: warping their gaps would make a model of that noise (a band 1e-15 wide).
  const roundingOnly = meanStd(Float64Array.from({ length: n }, (_, i) => y[i])).std === null; // the standardization's own test
  if (n < 4 || pos.length < 3 || roundingOnly || !(s > 0) || !Number.isFinite(s) || !Number.isFinite(gaps[n - 1] / s + GAP_OFFSET)) {
    return { ...IDENTITY_TRANSFORM, lambda: 1, logDerivative: () => 0 };
  }
  const c = GAP_OFFSET;
  const u = gaps.map((g) => g / s + c);
  const lambda = fitPowerLambda('box-cox', u, 0, 1);
  const top = boxCox(c, lambda);
  // c^(lambda - 1), Box-Cox's slope at c, by exp and log (fdlibm's in every runtime), not Math.pow (whose last bit runtimes differ in)
  const slope = exp((lambda - 1) * log(c));
  return {
    kind: 'gap-box-cox',
    lambda,
    // Shifted so the best observation maps to 0; beyond the best, the log
    // slope at the best point continues linearly so every finite y is defined.
    forward: (v: number) => {
      const w = (max - v) / s + c;
      return w >= c ? top - boxCox(w, lambda) : (c - w) * slope;
    },
    inverse: (z: number) => {
      const w = z <= 0 ? boxCoxInverse(top - z, lambda) : c - z / slope;
      return max - (w - c) * s;
    },
    logDerivative: (v: number) => (lambda - 1) * log(Math.max((max - v) / s + c, c)) - log(s),
  };
}

/** The gap transform with its exponent and log dz/dy (for evidence comparisons). */
export interface GapPowerTransform extends OutputTransform {
  lambda: number;
  logDerivative(y: number): number;
}

/**
 * Log evidence of the targets `y` (`n`, original units) under a GP fitted to
 * `transform(y)`: the GP's log marginal likelihood of its standardized targets,
 * minus n log std (the standardization's Jacobian), plus the transform's log
 * Jacobian. Comparable across transforms of the same data.
 */
export function transformedEvidence(
  X: Float64Array, y: ArrayLike<number>, n: number, d: number, t: GapPowerTransform, gp: GaussianProcess,
): number {
  const z = new Float64Array(n);
  let jac = 0;
  for (let i = 0; i < n; i++) {
    z[i] = t.forward(y[i]);
    jac += t.logDerivative(y[i]);
  }
  gp.fit(X.subarray(0, n * d), z, d);
  const std = gp.unstandardize(1) - gp.unstandardize(0);
  return gp.logMarginalLikelihood - n * log(std) + jac;
}

/** Most points the evidence comparison of {@link selectOutputTransform} fits. */
export const EVIDENCE_MAX_POINTS = 200;

/**
 * The output transform for the first `n` targets (maximization sense): the
 * gap power transform when a GP on it has higher evidence than a GP on the raw
 * targets, else the identity (the "log warp chosen by the marginal
 * likelihood"). Noisy, light-tailed targets keep the identity; targets
 * spanning orders of magnitude get the warp. With n > {@link EVIDENCE_MAX_POINTS}
 * the two evidences come from an evenly strided subset. `makeGp` builds the scratch GPs
 * (one per model, deterministic, so a resumed run decides identically).
 * @param X `n x d` (or longer) row-major inputs of the targets
 */
export function selectOutputTransform(
  X: Float64Array, y: ArrayLike<number>, n: number, d: number, makeGp: () => GaussianProcess,
): GapPowerTransform {
  const power = gapPowerTransform(y, n);
  if (power.kind === 'identity') return power;
  const identity: GapPowerTransform = { ...IDENTITY_TRANSFORM, lambda: 1, logDerivative: () => 0 };
  // Large studies compare on an evenly strided subset: the choice needs no O(n^3) factorization of all points.
  let Xs = X;
  let ys: ArrayLike<number> = y;
  let m = n;
  if (n > EVIDENCE_MAX_POINTS) {
    m = EVIDENCE_MAX_POINTS;
    Xs = new Float64Array(m * d);
    const sub = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      const i = Math.floor((a * n) / m);
      sub[a] = y[i];
      Xs.set(X.subarray(i * d, i * d + d), a * d);
    }
    ys = sub;
  }
  const eIdentity = transformedEvidence(Xs, ys, m, d, identity, makeGp());
  const ePower = transformedEvidence(Xs, ys, m, d, power, makeGp());
  return ePower > eIdentity ? power : identity;
}
