/**
 * The Bayesian-optimization loop of the posterior panel, without DOM. Each
 * suggestion is the library's own proposal step (`proposeNext`, as
 * BayesianOptimization uses it: winsorized targets, duplicate avoidance) on
 * an in-memory Study, so the GP fitted for a suggestion is the one whose
 * mean, standard deviation and acquisition the heatmaps show: minimize f
 * (the GP models -f), float64 GP on the unit square, the engine scores
 * `candidates` points per suggestion, and the same engine evaluates the
 * `g x g` heatmap grid.
 */
import { DEFAULT_CANDIDATES } from '../../src/acquisition/engine';
import type { Engine, EngineKind } from '../../src/acquisition/engine';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import type { PosteriorFactors } from '../../src/gp/types';
import { proposeNext } from '../../src/optimizer/proposal';
import { Space } from '../../src/space/space';
import { Study } from '../../src/storage/study';
import { Rng } from '../../src/util/rng';
import { InputError } from './input-error';
import type { Problem2D } from './problems';

/** Regret is drawn on a log axis: exact hits are shown at this floor. */
export const REGRET_FLOOR = 1e-9;

export interface SessionOptions {
  problem: Problem2D;
  engine: Engine;
  acquisition: AcquisitionSpec;
  /** seeds the initial design, the GP restarts and the candidate streams */
  seed: number;
  /** initial design points (Latin hypercube) before the first suggestion [5] */
  initPoints?: number;
  /** candidates scored per suggestion [the optimizer's default for the engine: 65,536 WebGPU, 10,000 CPU] */
  candidates?: number;
  /** heatmap resolution, `grid x grid` points [256] */
  grid?: number;
}

export interface Observation {
  x1: number;
  x2: number;
  f: number;
}

export interface Suggestion {
  x1: number;
  x2: number;
  /** acquisition score (log EI, log PI or UCB, standardized units) */
  score: number;
  /** candidates the engine scored */
  scored: number;
  /** GP fit time, ms */
  fitMs: number;
  /** acquisition maximization time (engine.propose), ms */
  proposeMs: number;
  engine: EngineKind;
}

/** Heatmaps, each `g x g` row-major, row 0 at the top (largest x2), column 0 at the left (smallest x1). */
export interface Surfaces {
  g: number;
  /** predicted f (posterior mean, the problem's units) */
  mean: Float64Array;
  /** posterior standard deviation of f */
  std: Float64Array;
  /** acquisition score */
  acq: Float64Array;
  /** wall time of engine.evaluate on the grid, ms */
  ms: number;
}

export class BoSession {
  readonly problem: Problem2D;
  readonly engine: Engine;
  readonly g: number;
  candidates: number;
  readonly initPoints: number;
  readonly space: Space;
  acquisition: AcquisitionSpec;
  readonly observations: Observation[] = [];
  suggestion: Suggestion | null = null;
  private readonly rng: Rng;
  private readonly gp: GaussianProcess;
  /** the observations as trials (f as the target, minimized), read by the proposal step */
  private readonly study = Study.open(undefined, { direction: 'minimize' });
  private factors: PosteriorFactors | null = null;
  private best = 0;
  private gridPoints: Float32Array | null = null;
  private trueValues: Float64Array | null = null;

  private constructor(o: SessionOptions) {
    this.problem = o.problem;
    this.engine = o.engine;
    this.acquisition = o.acquisition;
    this.g = o.grid ?? 256;
    this.candidates = o.candidates ?? DEFAULT_CANDIDATES[o.engine.kind];
    this.initPoints = o.initPoints ?? 5;
    const [b1, b2] = o.problem.bounds;
    this.space = Space.fromOptions({ pbounds: { x1: [b1[0], b1[1]], x2: [b2[0], b2[1]] } });
    this.rng = new Rng(o.seed);
    this.gp = new GaussianProcess({ kernel: 'matern52', rng: this.rng.fork() });
  }

  /** Evaluates the initial design, fits the GP and makes the first suggestion. */
  static async start(o: SessionOptions): Promise<BoSession> {
    const s = new BoSession(o);
    s.checkFinite();
    for (const u of s.space.sample(s.rng, s.initPoints, 'lhs')) s.observe(s.space.decode(u) as { x1: number; x2: number });
    await s.suggest();
    return s;
  }

  /** Evaluates the pending suggestion, refits and suggests the next point. */
  async step(): Promise<Observation> {
    const sug = this.suggestion;
    if (sug === null) throw new Error('step: no suggestion yet');
    const obs = this.observe(sug);
    await this.suggest();
    return obs;
  }

  /** Switches the acquisition and/or the candidate count and re-suggests from the same data. */
  async configure(c: { acquisition?: AcquisitionSpec; candidates?: number }): Promise<void> {
    if (c.acquisition) this.acquisition = c.acquisition;
    if (c.candidates !== undefined) this.candidates = c.candidates;
    await this.suggest();
  }

  /**
   * @throws InputError naming a grid cell where f is not finite: the heatmap,
   * the minimum and the regret need f finite on the whole grid, not only at
   * the points evaluated (-1/abs(x-y) showed f* = -Infinity)
   */
  private checkFinite(): void {
    const truth = this.trueSurface();
    const i = truth.findIndex((v) => !Number.isFinite(v));
    if (i < 0) return;
    const pts = this.grid();
    const [[a1, b1], [a2, b2]] = this.problem.bounds;
    const x1 = a1 + (b1 - a1) * pts[2 * i];
    const x2 = a2 + (b2 - a2) * pts[2 * i + 1];
    throw new InputError(`f(${x1}, ${x2}) = ${truth[i]}: the function must be finite everywhere in the box`);
  }

  private observe(p: { x1: number; x2: number }): Observation {
    const o = { x1: p.x1, x2: p.x2, f: this.problem.fn(p.x1, p.x2) };
    if (!Number.isFinite(o.f)) {
      throw new InputError(`f(${p.x1}, ${p.x2}) = ${o.f}: the function must be finite everywhere in the box`);
    }
    this.observations.push(o);
    void this.study.record({ x1: o.x1, x2: o.x2 }, { target: o.f }); // in memory: recorded at once
    return o;
  }

  private async suggest(): Promise<void> {
    const p = await proposeNext(this.study, {
      space: this.space, gp: this.gp, engine: this.engine, acquisition: this.acquisition,
      rng: this.rng, candidates: this.candidates,
      // The posterior panel plots this GP in the problem's units, so its targets stay unwarped.
      outputWarping: 'winsorize',
    });
    if (p.factors === null) throw new Error('suggest: no observation yet');
    this.factors = p.factors;
    this.best = p.best;
    const x = p.params as { x1: number; x2: number };
    this.suggestion = {
      x1: x.x1, x2: x.x2, score: p.score, scored: p.scored,
      fitMs: p.fitMs, proposeMs: p.proposeMs, engine: p.engine ?? this.engine.kind,
    };
  }

  /** The posterior's factors and incumbent (standardized units) behind the current suggestion. */
  posterior(): { factors: PosteriorFactors; best: number } {
    if (this.factors === null) throw new Error('posterior: not fitted yet');
    return { factors: this.factors, best: this.best };
  }

  /** `g*g x 2` cell centres in the unit square, rows top (x2 high) to bottom. */
  grid(): Float32Array {
    if (this.gridPoints === null) {
      const g = this.g;
      const pts = new Float32Array(g * g * 2);
      for (let r = 0; r < g; r++) {
        for (let c = 0; c < g; c++) {
          pts[(r * g + c) * 2] = (c + 0.5) / g;
          pts[(r * g + c) * 2 + 1] = 1 - (r + 0.5) / g;
        }
      }
      this.gridPoints = pts;
    }
    return this.gridPoints;
  }

  /** The true f on the grid (computed once). */
  trueSurface(): Float64Array {
    if (this.trueValues === null) {
      const pts = this.grid();
      const [[a1, b1], [a2, b2]] = this.problem.bounds;
      const out = new Float64Array(this.g * this.g);
      for (let i = 0; i < out.length; i++) {
        out[i] = this.problem.fn(a1 + (b1 - a1) * pts[2 * i], a2 + (b2 - a2) * pts[2 * i + 1]);
      }
      this.trueValues = out;
    }
    return this.trueValues;
  }

  /** Posterior mean and std of f and the acquisition on the grid, computed by the engine. */
  async surfaces(): Promise<Surfaces> {
    const m = this.g * this.g;
    const t0 = performance.now();
    const v = await this.predictAt(this.grid(), m);
    return { g: this.g, ...v, ms: performance.now() - t0 };
  }

  /**
   * Posterior mean and std of f (the problem's units) and the acquisition
   * score at `m` unit-square points (`m x 2` row-major), computed by the engine.
   */
  async predictAt(points: Float32Array | Float64Array, m: number): Promise<{ mean: Float64Array; std: Float64Array; acq: Float64Array }> {
    const { factors, best } = this.posterior();
    const ev = await this.engine.evaluate(factors, points, m, this.acquisition, best);
    const mean = new Float64Array(m);
    const std = new Float64Array(m);
    const { yMean, yStd } = factors;
    for (let i = 0; i < m; i++) {
      mean[i] = -(ev.mean[i] * yStd + yMean); // the GP models -f
      std[i] = Math.sqrt(Math.max(0, ev.variance[i])) * yStd;
    }
    return { mean, std, acq: Float64Array.from(ev.score) };
  }

  /** The global minimum: the published value, or the grid's smallest value for typed expressions. */
  minimum(): { value: number; exact: boolean } {
    if (this.problem.minimum !== null) return { value: this.problem.minimum, exact: true };
    let min = Infinity;
    for (const v of this.trueSurface()) if (v < min) min = v;
    for (const o of this.observations) if (o.f < min) min = o.f;
    return { value: min, exact: false };
  }

  /** Best-so-far simple regret after each evaluation (floored at REGRET_FLOOR). */
  regretCurve(): number[] {
    const fmin = this.minimum().value;
    let best = Infinity;
    return this.observations.map((o) => {
      best = Math.min(best, o.f);
      return Math.max(REGRET_FLOOR, best - fmin);
    });
  }
}

/**
 * Mean best-so-far regret of uniform random search over `runs` seeded runs
 * of `n` evaluations: the baseline drawn under the Bayesian curve.
 */
export function randomSearchRegret(problem: Problem2D, n: number, fmin: number, runs = 32, seed = 1): number[] {
  const rng = new Rng(seed);
  const sum = new Float64Array(n);
  const [[a1, b1], [a2, b2]] = problem.bounds;
  for (let r = 0; r < runs; r++) {
    let best = Infinity;
    for (let i = 0; i < n; i++) {
      best = Math.min(best, problem.fn(rng.uniform(a1, b1), rng.uniform(a2, b2)));
      sum[i] += Math.max(REGRET_FLOOR, best - fmin);
    }
  }
  return Array.from(sum, (s) => s / runs);
}
