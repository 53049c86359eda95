/**
 * Normal-distribution special functions in float64, accurate far into the
 * tails (JavaScript has no erf). Used by the acquisition functions.
 */
import { exp, log, log1p } from '../util/math';
const SQRT2 = Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const HALF_LOG_2PI = 0.5 * log(2 * Math.PI);
const SQRT_PI = Math.sqrt(Math.PI);

/** Standard normal density. */
export function normPdf(z: number): number {
  return INV_SQRT_2PI * exp(-0.5 * z * z);
}

/** log of the standard normal density. */
export function logNormPdf(z: number): number {
  return -0.5 * z * z - HALF_LOG_2PI;
}

/**
 * Scaled complementary error function erfcx(x) = exp(x^2) erfc(x), x >= 0.
 * Below 2: a positive-term series for erf (no cancellation inside the sum).
 * From 2 on: the Laplace continued fraction, evaluated bottom-up.
 */
export function erfcx(x: number): number {
  if (x < 0) {
    // erfcx(-x) = 2 exp(x^2) - erfcx(x)
    return 2 * exp(x * x) - erfcx(-x);
  }
  if (x < 2) {
    // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    const erf = (2 / SQRT_PI) * exp(-x2) * sum;
    return exp(x2) * (1 - erf);
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1 / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  let f = x;
  for (let k = 120; k >= 1; k--) f = x + k / 2 / f;
  return 1 / (SQRT_PI * f);
}

/** erfc(x) for any real x. */
export function erfc(x: number): number {
  if (x >= 0) return exp(-x * x) * erfcx(x);
  return 2 - exp(-x * x) * erfcx(-x);
}

/** Standard normal CDF Phi(z). */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** log Phi(z), finite for every finite z. */
export function logNormCdf(z: number): number {
  if (z > -1) return log1p(-0.5 * erfc(z / SQRT2));
  // Phi(z) = 0.5 exp(-z^2/2) erfcx(-z/sqrt2)
  return -0.5 * z * z + log(0.5 * erfcx(-z / SQRT2));
}

/**
 * log h(z), h(z) = phi(z) + z Phi(z): the EI of a unit-variance Gaussian with
 * improvement threshold at -z. Finite and strictly increasing for every finite
 * z (Ament et al., "Unexpected Improvements to Expected Improvement for
 * Bayesian Optimization", NeurIPS 2023, eq. 9, with a continued fraction in
 * place of erfcx in the mid tail).
 */
export function logH(z: number): number {
  if (z > -1) return log(normPdf(z) + z * normCdf(z));
  const t = -z;
  if (t < 3) {
    // h = phi(t) (1 - t R(t)), R = Phi(-t)/phi(t) = sqrt(pi/2) erfcx(t/sqrt2)
    const tR = t * Math.sqrt(Math.PI / 2) * erfcx(t / SQRT2);
    return logNormPdf(t) + log1p(-tR);
  }
  if (t > 1e8) return logNormPdf(t) - 2 * log(t);
  // R(t) = 1/(t + c), c = 1/(t + 2/(t + 3/(t + ...)))  =>  1 - tR = c / (t + c)
  let f = t;
  for (let k = 200; k >= 2; k--) f = t + k / f;
  return logHTail(t, f);
}

/**
 * An upper bound of logH(-t) in logH's tail (3 <= t <= 1e8) in a few
 * operations instead of its 199 dependent divisions, for screened
 * scoring's score bounds, most of which only need to be below a cut.
 * h(-t) = phi(t) (1 - t R(t)), R = Phi(-t) / phi(t) Mills' ratio, whose
 * Laplace continued fraction 1/(t + 1/(t + 2/(t + 3/(t + ...)))) has
 * convergents alternately above and below R; the fourth,
 * (t^3 + 5t) / (t^4 + 6t^2 + 3), is below, so
 * 1 - t R <= (t^2 + 3) / (t^4 + 6t^2 + 3): over by about 0.9% (0.009 in log)
 * at t = 3, less further out. Widened by 1e-10 (1 + |value|), far above
 * the rounding of either side, so it is above logH's float too
 * (test/acquisition/score-bounds.test.ts). In all, at most about 0.009
 * above for t up to 1.3e4 (8.4e-3 at 3, 2e-5 at 10, 5e-7 at 100); as
 * |value| grows as t^2 / 2, the widening is the larger part from t = 30
 * on, and the looser one past 1e4: 5e-3 there, 0.5 at 1e5, 50 at 1e6 (a
 * looser bound, never a wrong one).
 */
export function logHTailUpper(t: number): number {
  const t2 = t * t;
  const v = logNormPdf(t) + log((t2 + 3) / (t2 * (t2 + 6) + 3));
  return v + 1e-10 * (1 + Math.abs(v));
}

/** logH's last step in the tail, from the continued fraction's f. */
function logHTail(t: number, f: number): number {
  const c = 1 / f;
  return logNormPdf(t) + log(c / (t + c));
}
