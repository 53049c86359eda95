/**
 * Acquisition functions in float64 (maximization convention, as in bayes_opt).
 * All take the posterior mean `mu` and standard deviation `sigma` of one
 * point, in standardized target units, and the incumbent `best` (the largest
 * standardized observation). These are the reference for the WGSL versions.
 */
import { log } from '../util/math';
import { logH, logNormCdf, normCdf, normPdf } from './special';

export type AcquisitionKind = 'ei' | 'logei' | 'pi' | 'ucb';

/** Every AcquisitionKind, for checking an option. */
export const ACQUISITION_KINDS: readonly AcquisitionKind[] = ['ei', 'logei', 'pi', 'ucb'];

/** A fully specified acquisition: kind plus both parameters. */
export interface AcquisitionSpec {
  kind: AcquisitionKind;
  /** exploration margin for EI, log-EI and PI (standardized units) */
  xi: number;
  /** exploration weight for UCB */
  kappa: number;
}

/**
 * A spec built in one place, so every spec has one hidden class: screened
 * scoring's hot functions read `kind` first, and a spec of another shape
 * (a spread copy for a UCB exploration step, say) made V8 throw their
 * optimized code away at the next suggestion.
 * @example acquisitionSpec('ucb', 0.01, 2.576)
 */
export function acquisitionSpec(kind: AcquisitionKind, xi: number, kappa: number): AcquisitionSpec {
  return { kind, xi, kappa };
}

/** Smallest standard deviation used, so a zero-variance point is never a division by zero. */
export const SIGMA_FLOOR = 1e-12;

/** Expected improvement: (mu - best - xi) Phi(z) + sigma phi(z), z = (mu - best - xi) / sigma. */
export function expectedImprovement(mu: number, sigma: number, best: number, xi: number): number {
  const s = Math.max(sigma, SIGMA_FLOOR);
  const imp = mu - best - xi;
  const z = imp / s;
  return imp * normCdf(z) + s * normPdf(z);
}

/** log EI = log sigma + log h(z); finite and increasing in z for |z| below about 1e154 (z^2 / 2 overflows past it; the sigma floor keeps |z| far below). */
export function logExpectedImprovement(mu: number, sigma: number, best: number, xi: number): number {
  const s = Math.max(sigma, SIGMA_FLOOR);
  return log(s) + logH((mu - best - xi) / s);
}

/** Probability of improvement Phi((mu - best - xi) / sigma). */
export function probabilityOfImprovement(mu: number, sigma: number, best: number, xi: number): number {
  const s = Math.max(sigma, SIGMA_FLOOR);
  return normCdf((mu - best - xi) / s);
}

/** log PI, finite far into the tail; used to rank PI candidates. */
export function logProbabilityOfImprovement(mu: number, sigma: number, best: number, xi: number): number {
  const s = Math.max(sigma, SIGMA_FLOOR);
  return logNormCdf((mu - best - xi) / s);
}

/** Upper confidence bound mu + kappa sigma. */
export function upperConfidenceBound(mu: number, sigma: number, kappa: number): number {
  return mu + kappa * sigma;
}

/**
 * The score the acquisition maximizer ranks by. EI and PI are ranked by their
 * logarithms (same argmax, no underflow); log-EI is its own score.
 */
export function acquisitionScore(spec: AcquisitionSpec, mu: number, sigma: number, best: number): number {
  switch (spec.kind) {
    case 'ei':
    case 'logei':
      return logExpectedImprovement(mu, sigma, best, spec.xi);
    case 'pi':
      return logProbabilityOfImprovement(mu, sigma, best, spec.xi);
    case 'ucb':
      return upperConfidenceBound(mu, sigma, spec.kappa);
  }
}

/** The acquisition's own value (EI, log EI, PI or UCB), for reporting. */
export function acquisitionValue(spec: AcquisitionSpec, mu: number, sigma: number, best: number): number {
  switch (spec.kind) {
    case 'ei':
      return expectedImprovement(mu, sigma, best, spec.xi);
    case 'logei':
      return logExpectedImprovement(mu, sigma, best, spec.xi);
    case 'pi':
      return probabilityOfImprovement(mu, sigma, best, spec.xi);
    case 'ucb':
      return upperConfidenceBound(mu, sigma, spec.kappa);
  }
}
