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
import { factorSolver } from '../gp/cholesky-wasm';
import { isFixedFloat } from '../space/encode';
import type { DimLayout } from '../space/types';
import { minimizeLbfgsb } from '../util/lbfgsb';
import { pcgHash, randNormal } from './candidates';
import type { AcquisitionSpec } from './functions';
import { GradientScratch, ROWS, scoreGradient, transposed, type Factors } from './score-gradient';

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

/** 1 at the encoded coordinates the ascent moves: floats that can vary (integers, categoricals and fixed floats stay put). */
function freeDims(layout: readonly DimLayout[], d: number): Uint8Array {
  const free = new Uint8Array(d);
  for (const p of layout) if (p.kind === 'continuous' && !isFixedFloat(p)) free[p.dim] = 1;
  return free;
}

/**
 * Ascends the acquisition from each of `k` starts (`k x d` row-major, feasible
 * encoded points) and returns the best point reached. Coordinates of
 * integer and categorical parameters are held fixed.
 */
export function refineProposal(req: RefineRequest, starts: Float64Array, k: number): RefineResult {
  const d = req.factors.d;
  const free = freeDims(req.layout, d);
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
  const free = freeDims(req.layout, d);
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
