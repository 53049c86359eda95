/**
 * Local refinement of a proposal: bounded quasi-Newton ascent of the
 * acquisition score (log-EI, log-PI or UCB, see `acquisitionScore`) with its
 * analytic gradient, in float64 on the CPU, from a few starting points (the
 * engine's winner first). Candidate search finds the right basin; this makes
 * the returned point a local optimum of the acquisition, as Optuna's and
 * bayes_opt's L-BFGS-B restarts do. It runs after either engine, so the CPU
 * and WebGPU engines finish on the same float64 optimum.
 *
 * Only continuous parameters move (not into the {@link EDGE_MARGIN} of the
 * cube from an interior start); integer and one-hot dimensions stay at the
 * start's (snapped) values.
 */
import { factorSolver, FactorSolver } from '../gp/cholesky-wasm';
import { kernelAndDerivR2, kernelDerivR2, kernelFromR2 } from '../gp/kernels';
import { forwardRows } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import type { DimLayout } from '../space/types';
import { minimizeLbfgsb } from '../util/lbfgsb';
import { pcgHash, randNormal } from './candidates';
import { SIGMA_FLOOR, type AcquisitionSpec } from './functions';
import { logH, logNormCdf, logNormPdf } from './special';

/**
 * Margin (unit cube) an ascent from an interior start may not enter.
 * Ascent of EI from an exploratory start climbs the posterior variance to the
 * edge of the cube: unguarded, 14 of 64 Rastrigin-4 proposals fell within 1%
 * of a bound, against 3 without refinement. An ascent that ends on the margin
 * is discarded (the start, or another start's result, is kept instead); a
 * start already in the margin may move freely.
 */
const EDGE_MARGIN = 0.01;

/** Iterations per start: the starts are already near a local optimum. */
const REFINE_ITERATIONS = 40;
/**
 * Above this many observations (each gradient costs O(n^2)) only the winner
 * is refined, with {@link LARGE_N_ITERATIONS} iterations, so the refinement
 * stays a small fraction of the candidate scoring.
 */
const LARGE_N = 300;
const LARGE_N_ITERATIONS = 10;

type Factors = Omit<PosteriorFactors, 'Linv'>;

/** The upper triangle of L^T (`n x n`), built in blocks so neither side is read a cache line per entry. */
export function transposed(L: Float64Array, n: number): Float64Array {
  const U = new Float64Array(n * n);
  const B = 64;
  for (let i0 = 0; i0 < n; i0 += B) {
    for (let j0 = i0; j0 < n; j0 += B) {
      for (let j = j0; j < Math.min(j0 + B, n); j++) {
        for (let i = i0; i < Math.min(i0 + B, n, j + 1); i++) U[i * n + j] = L[j * n + i];
      }
    }
  }
  return U;
}

/**
 * Acquisition score at one point `x` (`d`, unit cube) and its gradient,
 * written into `grad` (`d`). Equals `acquisitionScore(spec, mu, sigma, best)`
 * with mu, sigma^2 from `posteriorFromFactors`. Cost O(n^2 + n d).
 */
export function acquisitionScoreGradient(
  f: Factors, spec: AcquisitionSpec, best: number, x: ArrayLike<number>, grad: Float64Array,
): number {
  return scoreGradient(f, spec, best, x, grad, null);
}

/**
 * Solve mode of {@link scoreGradient} for large n: the forward substitution of
 * the exact variance (`forwardRows`, four accumulators) and back substitution
 * along L's rows, with no transposed copy of L (n^2 doubles per refinement).
 * 15 gradients at n = 1,500 took 121 ms of CPU against 161 ms with the
 * transposed copy (load 16); its floats differ from the sequential sums' in
 * the last bits (test/acquisition/refine.test.ts states the tolerance).
 */
export const ROWS = 'rows' as const;

/** Scratch of {@link scoreGradient} for one factor (`n` observations, `d` inputs), reused by a refinement's evaluations. */
export class GradientScratch {
  readonly inv2: Float64Array;
  readonly k: Float64Array;
  /** d k_i / d r2_i */
  readonly dk: Float64Array;
  readonly v: Float64Array;
  readonly w: Float64Array;
  /** the kernel and its derivative at one r^2 */
  readonly kd = new Float64Array(2);
  constructor(readonly n: number, readonly d: number) {
    this.inv2 = new Float64Array(d);
    this.k = new Float64Array(n);
    this.dk = new Float64Array(n);
    this.v = new Float64Array(n);
    this.w = new Float64Array(n);
  }
}

/**
 * {@link acquisitionScoreGradient}, reading L's columns from `U`, the upper
 * triangle of L^T, where given (a refinement evaluates tens of gradients on
 * one factor): the same products in the same order, so the same floats,
 * without a cache miss per product at large n. With `U`, the forward
 * substitution runs by columns: after v_j, every later row's running sum
 * takes its product with v_j. Each row's sum still starts at k_i and
 * subtracts L_i0 v_0, L_i1 v_1, ... in that order (the floats of the row by
 * row loop), but the rows' sums no longer wait on each other's additions;
 * and the kernel and its derivative share one exp (kernelAndDerivR2). Without `U` (the
 * reference) the sums go row by row and the kernels come from kernels.ts,
 * so test/acquisition/refine.test.ts checks the faster path against it bit
 * for bit. `scratch` (for this n and d) saves the five arrays a call allocates.
 */
export function scoreGradient(
  f: Factors, spec: AcquisitionSpec, best: number, x: ArrayLike<number>, grad: Float64Array, U: Float64Array | null | typeof ROWS | FactorSolver,
  scratch?: GradientScratch,
): number {
  const { n, d, X, L, alpha, signalVariance: s2 } = f;
  const sc = scratch && scratch.n === n && scratch.d === d ? scratch : new GradientScratch(n, d);
  const { inv2, k, dk, v, w, kd } = sc;
  for (let j = 0; j < d; j++) inv2[j] = 1 / (f.lengthscales[j] * f.lengthscales[j]);
  const fused = U !== null;
  let mu = 0;
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      const t = x[j] - X[i * d + j];
      r2 += t * t * inv2[j];
    }
    if (fused) {
      kernelAndDerivR2(f.kernel, r2, kd);
      k[i] = s2 * kd[0];
      dk[i] = s2 * kd[1];
    } else {
      k[i] = s2 * kernelFromR2(f.kernel, r2);
      dk[i] = s2 * kernelDerivR2(f.kernel, r2);
    }
    mu += k[i] * alpha[i];
  }
  // v = L^-1 k, var = s2 - v.v, w = L^-T v = K^-1 k.
  let q = 0;
  // the module's solves by rows: the floats of ROWS (null: it could not run, so ROWS)
  const solved = U instanceof FactorSolver ? U.solve(k, w) : null;
  if (solved !== null) {
    q = solved;
  } else if (U === ROWS || U instanceof FactorSolver) {
    // the exact variance's own forward substitution (four accumulators), then
    // back substitution by rows of L (w_i, then its share off the rows above)
    q = forwardRows(L, n, k, v, 0, n, 0);
    for (let i = n - 1; i >= 0; i--) {
      const ri = i * n;
      const wi = v[i] / L[ri + i];
      w[i] = wi;
      for (let j = 0; j < i; j++) v[j] -= L[ri + j] * wi;
    }
  } else if (U instanceof Float64Array) {
    q = forwardColumns(U, n, k, v);
  } else {
    for (let i = 0; i < n; i++) {
      let s = k[i];
      const ri = i * n;
      for (let j = 0; j < i; j++) s -= L[ri + j] * v[j];
      v[i] = s / L[ri + i];
      q += v[i] * v[i];
    }
  }
  if (U instanceof Float64Array) {
    backRows(U, n, v, w);
  } else if (U === null) {
    for (let i = n - 1; i >= 0; i--) {
      let s = v[i];
      for (let j = i + 1; j < n; j++) s -= L[j * n + i] * w[j];
      w[i] = s / L[i * n + i];
    }
  }
  const variance = Math.max(s2 - q, 0);
  const floored = variance <= SIGMA_FLOOR * SIGMA_FLOOR;
  const sigma = floored ? SIGMA_FLOOR : Math.sqrt(variance);

  // Partial derivatives of the score in mu and sigma.
  let dMu: number;
  let dSigma: number;
  let score: number;
  if (spec.kind === 'ucb') {
    score = mu + spec.kappa * sigma;
    dMu = 1;
    dSigma = spec.kappa;
  } else {
    const z = (mu - best - spec.xi) / sigma;
    if (spec.kind === 'pi') {
      score = logNormCdf(z);
      const r = Math.exp(logNormPdf(z) - score); // d log Phi / dz
      dMu = r / sigma;
      dSigma = -r * z / sigma;
    } else {
      const lh = logH(z);
      score = Math.log(sigma) + lh;
      const r = Math.exp(logNormCdf(z) - lh); // d log h / dz = Phi(z) / h(z)
      dMu = r / sigma;
      dSigma = (1 - r * z) / sigma;
    }
  }
  // d mu / dx_j = sum_i alpha_i dk_i/dx_j; d var / dx_j = -2 sum_i w_i dk_i/dx_j;
  // dk_i/dx_j = dk_i/dr2 * 2 (x_j - X_ij) / l_j^2.
  const dVarCoef = floored ? 0 : dSigma / (2 * sigma);
  grad.fill(0);
  for (let i = 0; i < n; i++) {
    const c = 2 * dk[i] * (dMu * alpha[i] - 2 * dVarCoef * w[i]);
    if (c === 0) continue;
    for (let j = 0; j < d; j++) grad[j] += c * (x[j] - X[i * d + j]) * inv2[j];
  }
  return score;
}

/*
 * The transposed path's solves, in functions of their own: inside
 * scoreGradient, V8 optimized its first call on the stack at a loop (OSR),
 * before the code after the loops had run, and that code then left the
 * optimized code on every later call (an eager deoptimization at the same
 * site each time, the rest of the call interpreted). The arithmetic is the
 * same, in the same order.
 */

/**
 * v = U^-T k by columns of U (the upper triangle of L^T); returns v . v,
 * summed as v_j is final (the order of a sum after the solve: j = 0, 1, ...),
 * so that no code runs after the loop (see above).
 */
function forwardColumns(U: Float64Array, n: number, k: Float64Array, v: Float64Array): number {
  v.set(k);
  let q = 0;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const vj = v[j] / U[rj + j];
    v[j] = vj;
    q += vj * vj;
    for (let i = j + 1; i < n; i++) v[i] -= U[rj + i] * vj;
  }
  return q;
}

/** w = U^-1 v by rows of U. */
function backRows(U: Float64Array, n: number, v: Float64Array, w: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = v[i];
    const ri = i * n;
    for (let j = i + 1; j < n; j++) s -= U[ri + j] * w[j];
    w[i] = s / U[ri + i];
  }
}

export interface RefineRequest {
  factors: Factors;
  acquisition: AcquisitionSpec;
  /** incumbent, standardized units */
  best: number;
  layout: readonly DimLayout[];
}

export interface RefineResult {
  /** `d` refined point (the best start when no ascent improved on it) */
  x: Float64Array;
  score: number;
  /** index of the start it came from */
  start: number;
  /** true when the returned point differs from every start (an ascent improved the score) */
  improved: boolean;
}

/**
 * Ascends the acquisition from each of `k` starts (`k x d` row-major, feasible
 * encoded points) and returns the best point reached. Coordinates of
 * integer and categorical parameters are held fixed.
 */
export function refineProposal(req: RefineRequest, starts: Float64Array, k: number): RefineResult {
  const d = req.factors.d;
  const free = new Uint8Array(d);
  for (const p of req.layout) if (p.kind === 'continuous') free[p.dim] = 1;
  // above LARGE_N the faster solves (ROWS); below, the sequential sums with L^T, as before
  // (in the WebAssembly module where it runs: the same floats)
  const U = req.factors.n > LARGE_N ? factorSolver(req.factors.L, req.factors.n) ?? ROWS : transposed(req.factors.L, req.factors.n);
  const scratch = new Float64Array(d);
  const work = new GradientScratch(req.factors.n, d);
  // The ascent's first evaluation is at its start, already evaluated (s0, scratch): reused.
  let startX: Float64Array | null = null;
  let startScore = 0;
  const fg = (x: Float64Array, g: Float64Array) => {
    let s: number;
    if (startX && x.every((v, j) => v === startX![j])) {
      s = startScore;
      g.set(scratch);
    } else {
      s = scoreGradient(req.factors, req.acquisition, req.best, x, g, U, work);
    }
    startX = null;
    for (let j = 0; j < d; j++) g[j] = free[j] ? -g[j] : 0;
    return -s;
  };
  let bestX = starts.slice(0, d);
  let bestScore = -Infinity;
  let bestStart = 0;
  let improved = false;
  for (let s = 0; s < k; s++) {
    const x0 = starts.subarray(s * d, s * d + d);
    const s0 = scoreGradient(req.factors, req.acquisition, req.best, x0, scratch, U, work);
    startX = x0;
    startScore = s0;
    if (s0 > bestScore) { bestScore = s0; bestX = x0.slice(); bestStart = s; improved = false; }
    const lower = new Float64Array(d);
    const upper = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      lower[j] = !free[j] ? x0[j] : x0[j] < EDGE_MARGIN ? 0 : EDGE_MARGIN;
      upper[j] = !free[j] ? x0[j] : x0[j] > 1 - EDGE_MARGIN ? 1 : 1 - EDGE_MARGIN;
    }
    const maxIterations = req.factors.n > LARGE_N ? LARGE_N_ITERATIONS : REFINE_ITERATIONS;
    const res = minimizeLbfgsb(fg, x0, { lower, upper, maxIterations, pgtol: 1e-6, ftol: 1e-9 });
    let onMargin = false;
    for (let j = 0; j < d; j++) {
      if (free[j] && ((lower[j] > 0 && res.x[j] <= lower[j]) || (upper[j] < 1 && res.x[j] >= upper[j]))) onMargin = true;
    }
    if (!onMargin && Number.isFinite(res.f) && -res.f > bestScore) {
      bestScore = -res.f;
      bestX = res.x.slice();
      bestStart = s;
      improved = true;
    }
  }
  return { x: bestX, score: bestScore, start: bestStart, improved };
}

/** Starts besides the winner: this many incumbents, slightly perturbed. */
const INCUMBENT_STARTS = 3;
/** Unit-cube standard deviation of the perturbation of incumbent starts. */
const START_JITTER = 0.01;
/** Hash stream of the start perturbations (candidates.ts uses 1 to 3). */
const STREAM_STARTS = 4;

/**
 * The proposal hook: refines from the engine's `winner` and from up to
 * {@link INCUMBENT_STARTS} incumbents (`nInc x d`, best first) perturbed by a
 * deterministic hash of the winner, so runs stay reproducible without drawing
 * from the optimizer's random stream. Returns the winner itself unless an
 * ascent beat its score.
 */
export function refineFromWinner(
  req: RefineRequest, winner: Float64Array, incumbents: Float64Array, nInc: number, _winnerScore: number,
): Float64Array {
  const d = req.factors.d;
  if (req.factors.n === 0) return winner;
  const free = new Uint8Array(d);
  for (const p of req.layout) if (p.kind === 'continuous') free[p.dim] = 1;
  if (!free.some((v) => v)) return winner;
  const k = req.factors.n > LARGE_N ? 1 : 1 + Math.min(INCUMBENT_STARTS, nInc);
  const starts = new Float64Array(k * d);
  starts.set(winner, 0);
  let seed = 0;
  for (let j = 0; j < d; j++) seed = pcgHash((seed ^ Math.floor(winner[j] * 4294967296)) >>> 0);
  for (let s = 1; s < k; s++) {
    for (let j = 0; j < d; j++) {
      const v = incumbents[(s - 1) * d + j];
      starts[s * d + j] = free[j] ? Math.min(1, Math.max(0, v + START_JITTER * randNormal(seed, STREAM_STARTS, s * d + j))) : v;
    }
  }
  const r = refineProposal(req, starts, k);
  return r.improved || r.start !== 0 ? r.x : winner;
}
