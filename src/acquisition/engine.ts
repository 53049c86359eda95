/**
 * The compute-engine contract. An engine turns a fitted posterior into the
 * next point to evaluate: it generates candidates, scores them under the
 * acquisition and returns the winner. The CPU engine (float64) is the
 * reference and fallback; the WebGPU engine does the same work in WGSL.
 */
import type { PosteriorFactors } from '../gp/types';
import type { DimLayout } from '../space/types';
import { InvalidOptionError, StateError } from '../errors';
import { show } from '../util/format-value';
import { ACQUISITION_KINDS, type AcquisitionSpec } from './functions';

export type EngineKind = 'cpu' | 'webgpu';

/** Candidates scored per suggestion by engine, when the optimizer's `candidates` option is not set. */
export const DEFAULT_CANDIDATES: Readonly<Record<EngineKind, number>> = { webgpu: 65_536, cpu: 10_000 };

/**
 * Most candidates one suggestion may score (2^24, 256 times the WebGPU
 * default): beyond it a suggestion takes minutes even on a GPU, and the
 * dispatch and index counts approach device limits. Larger `candidates`
 * options are refused.
 */
export const MAX_CANDIDATES = 2 ** 24;

/** Memory the CPU engine may give one suggestion's candidates and their scores [256 MiB]. */
export const CPU_CANDIDATE_BYTES = 256 * 2 ** 20;

/**
 * Candidates the CPU engine scores at most in `d` dimensions within
 * `bytes` (each costs d coordinates and 3 scores, float64), never above
 * MAX_CANDIDATES. Requests above it are scored at this count
 * (`ProposeResult.scored` says so).
 */
export function cpuCandidateCap(d: number, bytes = CPU_CANDIDATE_BYTES): number {
  return Math.max(1, Math.min(MAX_CANDIDATES, Math.floor(bytes / ((d + 3) * 8))));
}

/** One acquisition maximization. */
export interface ProposeRequest {
  factors: PosteriorFactors;
  acquisition: AcquisitionSpec;
  /** incumbent in standardized units (the largest posterior mean at the observed points: a lucky noisy draw does not set the bar) */
  best: number;
  /** total candidates scored over both rounds */
  candidates: number;
  /** `k x d` row-major encoded points to perturb around (best observations first) */
  incumbents: Float64Array;
  nIncumbents: number;
  /** how each parameter sits in the encoded cube, for snapping candidates to feasible points */
  layout: readonly DimLayout[];
  /** seed for the counter-based candidate generator (uint32) */
  seed: number;
}

export interface ProposeResult {
  /** `d` encoded point (snapped: integers and one-hot groups are exact) */
  x: Float64Array;
  /** its acquisition score (see `acquisitionScore`) */
  score: number;
  /** candidates scored, or skipped because their score's upper bound could not win */
  scored: number;
  /** of those, candidates whose exact posterior variance was computed (absent: all) */
  exact?: number;
  /**
   * where the WebGPU engine screened: each round's pilot and surviving
   * candidates, whose exact variances were computed; they overlap (the
   * pilot's best survive), so `exact` is each round's sum capped at its size
   */
  screening?: { pilots: [number, number]; survivors: [number, number] };
  /** load-independent work of the scoring, where the engine counts it (the CPU engine does) */
  work?: { kernelRows: number; madds: number };
  engine: EngineKind;
  /** where the proposal spent its time (ms), for profiling */
  timings?: ProposeTimings;
}

/** Phases of one proposal (ms). Phases an engine does not have are 0. */
export interface ProposeTimings {
  /** packing the factors and sending them to the device */
  uploadMs: number;
  /** generating and scoring the candidates (on the GPU: recording, submitting and waiting) */
  scoringMs: number;
  /** reading the winners back and rescoring the winner in float64 */
  readbackMs: number;
}

/** Posterior and acquisition at given points. */
export interface Evaluation {
  mean: Float64Array;
  variance: Float64Array;
  score: Float64Array;
}

/** What maximizes and evaluates the acquisition: the CPU reference (createCpuEngine), WebGpuEngine or one of yours; createEngine makes one for the runtime. */
export interface Engine {
  readonly kind: EngineKind;
  /** human-readable description (adapter name for WebGPU) */
  readonly description: string;
  propose(req: ProposeRequest): Promise<ProposeResult>;
  /**
   * Candidates a suggestion with `n` observations in `d` dimensions scores
   * when the optimizer's `candidates` option is not set; engines without it
   * take DEFAULT_CANDIDATES of their kind.
   */
  defaultCandidates?(n: number, d: number): number;
  /**
   * Posterior mean, variance (standardized units) and acquisition score at
   * `m` given points (`m x d` row-major, unit cube). Used for heatmaps and tests.
   */
  evaluate(
    factors: PosteriorFactors,
    points: Float32Array | Float64Array,
    m: number,
    acquisition: AcquisitionSpec,
    best: number,
  ): Promise<Evaluation>;
  /**
   * The WebGPU device the engine scores on, for the optimizer's batch
   * scoring (fantasies, qEI), made now where the engine defers it; null
   * where there is none. Engines of kind 'webgpu' implement it; the CPU
   * engine need not.
   */
  openDevice?(): Promise<GPUDevice | null>;
  /**
   * true where the optimizer's every score must be float64, so that a seeded
   * run repeats bit for bit (the 'auto' engine of a seeded run on a software
   * adapter): its batch scoring (fantasies, qEI) then runs on the CPU too
   */
  readonly repeatable?: boolean;
  /**
   * Free everything the engine allocated; safe to call twice. `propose` and
   * `evaluate` then throw StateError ('engine: used after dispose()').
   */
  dispose(): void;
}

/**
 * The checks every engine makes of a request before it scores anything, so
 * both engines refuse the same requests with the same typed errors.
 * @throws InvalidOptionError naming `request` (not an object), `candidates` (not an integer from 1 to MAX_CANDIDATES),
 *   `nIncumbents` (not a non-negative integer), `factors` (not posterior factors), `incumbents` (not an array of
 *   nIncumbents x d values), `layout` (not an array covering the d encoded dimensions), `acquisition` (an unknown kind)
 *   or `best` (NaN)
 */
export function checkProposeRequest(req: ProposeRequest): void {
  if (typeof req !== 'object' || req === null) throw new InvalidOptionError(`request: expected a propose request object, got ${show(req)}`, 'request');
  if (!(Number.isInteger(req.candidates) && req.candidates >= 1 && req.candidates <= MAX_CANDIDATES)) {
    throw new InvalidOptionError(`candidates: expected an integer from 1 to ${MAX_CANDIDATES}, got ${show(req.candidates)}`, 'candidates');
  }
  if (!(Number.isInteger(req.nIncumbents) && req.nIncumbents >= 0)) {
    throw new InvalidOptionError(`nIncumbents: expected a non-negative integer, got ${show(req.nIncumbents)}`, 'nIncumbents');
  }
  // missing factors or incumbents were TypeErrors reading d and length
  const d = factorsDim(req.factors);
  const need = req.nIncumbents * d;
  const inc = req.incumbents as ArrayLike<number> | null | undefined;
  if (typeof inc !== 'object' || inc === null || typeof inc.length !== 'number') {
    throw new InvalidOptionError(`incumbents: expected nIncumbents x d = ${need} values (an array), got ${show(inc)}`, 'incumbents');
  }
  if (inc.length < need) {
    throw new InvalidOptionError(`incumbents: expected nIncumbents x d = ${need} values, got ${inc.length}`, 'incumbents');
  }
  checkLayout(req.layout, d);
  checkAcquisitionKind(req.acquisition);
  checkIncumbentValue(req.best);
}

/** The layout must cover the `d` encoded dimensions, each once: candidates are snapped by it (a missing one was a TypeError). */
function checkLayout(layout: readonly DimLayout[], d: number): void {
  if (!Array.isArray(layout)) throw new InvalidOptionError(`layout: expected the space's layout (space.layout), an array, got ${show(layout)}`, 'layout');
  let width = 0;
  for (const l of layout) width += l?.kind === 'categorical' ? l.size : 1;
  if (width !== d) throw new InvalidOptionError(`layout: covers ${width} encoded dimensions, the factors have d = ${d}`, 'layout');
}

/** The incumbent may be ±Infinity (none yet) but not NaN, which the engines read differently (-Infinity and NaN scores). */
function checkIncumbentValue(best: number): void {
  if (typeof best !== 'number' || Number.isNaN(best)) throw new InvalidOptionError(`best: expected a number (the incumbent, standardized), got ${show(best)}`, 'best');
}

/** The dimension of `factors`, refusing what is not posterior factors (null was a TypeError reading `d`). */
export function factorsDim(factors: unknown): number {
  const d = (factors as { d?: unknown } | null)?.d;
  if (typeof factors !== 'object' || factors === null || !(Number.isInteger(d) && (d as number) >= 1)) {
    throw new InvalidOptionError(`factors: expected the posterior factors (GaussianProcess.factors()), got ${show(factors)}`, 'factors');
  }
  return d as number;
}

/**
 * Checks an `evaluate` request alike on every engine: `m` points of `d`
 * finite coordinates (a short array read past its end, and a NaN
 * coordinate came back as NaN on the CPU but as a finite sentinel on the GPU).
 * @throws InvalidOptionError naming `m` (not a non-negative integer), `points`, `acquisition` (an unknown kind) or `best` (NaN)
 */
export function checkEvaluateRequest(d: number, points: ArrayLike<number>, m: number, acquisition: AcquisitionSpec, best: number): void {
  if (!(Number.isInteger(m) && m >= 0)) throw new InvalidOptionError(`m: expected a non-negative integer, got ${show(m)}`, 'm');
  if (typeof points !== 'object' || points === null || typeof points.length !== 'number') {
    throw new InvalidOptionError(`points: expected m x d = ${m * d} values (an array), got ${show(points)}`, 'points');
  }
  if (points.length < m * d) {
    throw new InvalidOptionError(`points: expected m x d = ${m * d} values, got ${points.length}`, 'points');
  }
  for (let i = 0; i < m * d; i++) {
    if (!Number.isFinite(points[i])) {
      throw new InvalidOptionError(`points: value ${i} (point ${Math.floor(i / d)}) is not finite (got ${show(points[i])})`, 'points');
    }
  }
  checkAcquisitionKind(acquisition);
  checkIncumbentValue(best);
}

/** @throws InvalidOptionError naming `acquisition` when its kind is not one of 'ei', 'logei', 'pi', 'ucb' */
export function checkAcquisitionKind(a: AcquisitionSpec): void {
  if (!ACQUISITION_KINDS.includes(a?.kind)) {
    throw new InvalidOptionError(`acquisition: unknown kind ${JSON.stringify(a?.kind)} (expected "ei", "logei", "pi" or "ucb")`, 'acquisition');
  }
}

/** What every engine throws when used after dispose(). */
export function usedAfterDispose(): StateError {
  return new StateError('engine: used after dispose()');
}
