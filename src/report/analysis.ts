/**
 * The numbers behind a study report: a GP fitted to the completed trials,
 * permutation importance of each parameter on its posterior mean, and the
 * mean over the two most important parameters (the contour).
 */
import { GaussianProcess } from '../gp';
import { standardization } from '../gp/standardization';
import { InvalidSpaceError } from '../errors';
import { Space } from '../space';
import { levelCount, levelIndex, levelValue } from '../space/steps';
import type { Params, SpaceSpec } from '../space/types';
import type { Trial } from '../optimizer/types';
import { Rng } from '../util/rng';
import { checkAnalysisArgs } from './arg-checks';
import { permutation, permutationImportance } from './importance';

/** Permutation importance of one parameter. */
export interface ParamImportance {
  name: string;
  /** share of the total (importances sum to 1; all 0 when the model is flat) */
  importance: number;
}

/** The GP mean over a grid of the two most important parameters, the others at the best trial's values. */
export interface ContourData {
  /** [x parameter, y parameter] */
  params: [string, string];
  /** grid coordinates as parameter values (numbers; a categorical's choices as given) */
  xs: Array<number | string | boolean>;
  ys: Array<number | string | boolean>;
  /** `ys.length x xs.length` row-major posterior means, in the objective's units */
  z: number[];
}

/** What {@link analyzeStudy} finds: each parameter's importance and the contour of the GP mean. */
export interface StudyAnalysis {
  /** sorted by importance, largest first; empty with fewer than 3 completed trials */
  importance: ParamImportance[];
  /** null with fewer than 3 completed trials or fewer than 2 parameters */
  contour: ContourData | null;
  /**
   * set when fewer than 3 completed trials hold every parameter (an Optuna
   * study's conditional space) but 3 or more hold some: the parameters every
   * completed trial holds, which the analysis then reads alone (empty: none)
   */
  shared?: string[];
  /**
   * parameters left out because this library's spaces cannot hold their
   * range (an Optuna study's float over the whole double range), with why
   */
  left?: Array<{ name: string; why: string }>;
}

/** Options of {@link analyzeStudy}. Defaults in brackets. */
export interface AnalysisOptions {
  /** seeds the GP fit, the shuffles and the sample of trials analyzed: any finite number [1] */
  seed?: number;
  /**
   * seeded shuffles averaged per parameter, an integer from 1 to
   * MAX_ANALYSIS_REPEATS (1,000): each costs one posterior mean at every
   * analyzed point per parameter, so 1e9 held the thread for hours [8]
   */
  repeats?: number;
  /** contour resolution per axis for numeric parameters, an integer from 2 to MAX_GRID_SIZE (500: 250,000 posterior means) [40] */
  gridSize?: number;
}

/**
 * Fits a GP to the completed trials (targets as given, in the unit cube) and
 * computes permutation importance: for each parameter, the mean squared
 * change of the posterior mean at the observed points when that parameter's
 * column (a categorical's one-hot block) is shuffled among them, averaged
 * over `repeats` seeded shuffles, normalized to sum to 1.
 * @throws InvalidOptionError naming `spec` (not an object), `trials` (not an array of objects with their params) or an option:
 *   unknown, or a value out of its range (repeats 0 gave all-zero importances, gridSize 0 an empty contour)
 */
export function analyzeStudy(spec: SpaceSpec, trials: readonly Pick<Trial, 'status' | 'target' | 'params'>[], opts: AnalysisOptions = {}): StudyAnalysis {
  checkAnalysisArgs(spec, trials, opts);
  // a range a Space refuses (an Optuna float from -1.8e308 to 1.8e308): the analysis goes on without it
  const left: Array<{ name: string; why: string }> = [];
  const names = Object.keys(spec).filter((n) => {
    try {
      Space.fromOptions({ space: { p: spec[n] } });
      return true;
    } catch (e) {
      if (!(e instanceof InvalidSpaceError)) throw e;
      left.push({ name: n, why: e.message.replace(/^parameter "p": /, '') });
      return false;
    }
  });
  const result = analyzeKept(names, spec, trials, opts);
  return left.length > 0 ? { ...result, left } : result;
}

function analyzeKept(names: readonly string[], spec: SpaceSpec, trials: readonly Pick<Trial, 'status' | 'target' | 'params'>[], opts: AnalysisOptions): StudyAnalysis {
  // an Optuna study's parameter may have any name, `__proto__` too, which a Space refuses: the
  // analysis runs on positional names and hands the real ones back
  const key = (i: number) => `p${i}`;
  const renamed = (o: Readonly<Record<string, unknown>>) => Object.fromEntries(names.flatMap((n, i) => (Object.hasOwn(o, n) ? [[key(i), o[n]]] : [])));
  const real = (k: string) => names[Number(k.slice(1))]!;
  const back = (a: StudyAnalysis): StudyAnalysis => ({
    importance: a.importance.map((p) => ({ ...p, name: real(p.name) })),
    contour: a.contour && { ...a.contour, params: [real(a.contour.params[0]), real(a.contour.params[1])] },
  });
  const space = renamed(spec) as SpaceSpec;
  const points = trials.map((t) => ({ ...t, params: renamed(t.params) as Params }));
  // a conditional space: trials that hold every parameter may be too few, those that hold some not
  const done = points.filter((t) => t.status === 'complete' && t.target !== null && Number.isFinite(t.target));
  const held = (t: (typeof done)[number], k: string) => t.params[k] !== undefined && t.params[k] !== null;
  const keys = Object.keys(space);
  if (done.length < 3 || done.filter((t) => keys.every((k) => held(t, k))).length >= 3) return back(analyzeNamed(space, points, opts));
  const shared = keys.filter((k) => done.every((t) => held(t, k)));
  const subset = Object.fromEntries(shared.map((k) => [k, space[k]])) as SpaceSpec;
  const a = shared.length ? back(analyzeNamed(subset, points.map((t) => ({ ...t, params: Object.fromEntries(shared.filter((k) => k in t.params).map((k) => [k, t.params[k]])) as Params })), opts)) : { importance: [], contour: null };
  return { ...a, shared: shared.map(real) };
}

function analyzeNamed(spec: SpaceSpec, trials: readonly Pick<Trial, 'status' | 'target' | 'params'>[], opts: AnalysisOptions): StudyAnalysis {
  if (Object.keys(spec).length === 0) return { importance: [], contour: null }; // a study with no trial yet
  const space = Space.fromOptions({ space: spec });
  // trials the space holds whole (an Optuna study's conditional parameters leave some out)
  const all = trials.filter((t) => t.status === 'complete' && t.target !== null && Number.isFinite(t.target) && space.contains(t.params));
  if (all.length < 3) return { importance: [], contour: null };
  const done = analyzedTrials(all, opts.seed ?? 1);
  const d = space.dim;
  const n = done.length;
  const X = new Float64Array(n * d);
  const yRaw = new Float64Array(n);
  done.forEach((t, i) => {
    X.set(space.encode(t.params), i * d);
    yRaw[i] = t.target as number;
  });
  // standardized targets: importances are shares of squared changes, which overflow (1e200) or
  // underflow (1e-300) in the objective's units; the contour is mapped back to them
  const st = standardization(yRaw);
  const y = yRaw.map((v) => (v / st.scale - st.mean) / st.std);
  const unstandardize = (v: number) => (v * st.std + st.mean) * st.scale;
  const gp = new GaussianProcess({ rng: new Rng(opts.seed ?? 1), restarts: 2 }).fit(X, y, d);
  // in standardized units: the shares below are ratios, which the units' scale leaves as they are
  const raw = permutationImportance(gp.factors(), space.layout, opts.repeats ?? 8, new Rng((opts.seed ?? 1) + 1));
  // targets within rounding noise of each other (standardization's rule) say nothing of importance
  const flat = y.every((v) => Math.abs(v) < 1e-6);
  const total = flat ? 0 : raw.reduce((a, v) => a + v, 0);
  const importance = space.layout
    .map((l, j) => ({ name: l.name, importance: total > 0 ? raw[j] / total : 0 }))
    .sort((a, b) => b.importance - a.importance);
  // a fixed parameter (one value: low == high, a single choice) is no axis
  const varies = new Set(space.layout.filter((l) => (l.kind === 'categorical' ? l.size > 1 : l.low < l.high)).map((l) => l.name));
  const axes = importance.filter((p) => varies.has(p.name));
  if (axes.length < 2) return { importance, contour: null };

  // The contour: the two most important parameters that vary, over their ranges, the rest at the best trial.
  const best = done.reduce((b, t) => ((t.target as number) > (b.target as number) ? t : b), done[0]);
  const [px, py] = [axes[0].name, axes[1].name];
  const axis = (name: string) => {
    const l = space.layout.find((x) => x.name === name)!;
    const size = opts.gridSize ?? 40;
    if (l.kind === 'categorical') return [...l.choices];
    if (l.kind === 'integer' && levelCount(l) <= size) return Array.from({ length: levelCount(l) }, (_, i) => levelValue(l, i));
    const values = Array.from({ length: size }, (_, i) => {
      if (i === 0 || i === size - 1) return i === 0 ? l.low : l.high;
      const u = i / (size - 1);
      const v = l.log ? Math.exp(Math.log(l.low) + u * (Math.log(l.high) - Math.log(l.low))) : l.low + u * (l.high - l.low);
      const c = Math.min(l.high, Math.max(l.low, v)); // exp(log(high)) may round above high
      return l.kind === 'integer' ? levelValue(l, levelIndex(l, c)) : c;
    });
    // an integer on a log scale rounds several of its low points to one level: each level once
    return l.kind === 'integer' ? [...new Set(values)] : values;
  };
  const xs = axis(px);
  const ys = axis(py);
  const G = new Float64Array(xs.length * ys.length * d);
  let k = 0;
  for (const yv of ys) {
    for (const xv of xs) G.set(space.encode({ ...best.params, [px]: xv, [py]: yv }), (k++) * d);
  }
  const z = Array.from(gp.predictMean(G, xs.length * ys.length), unstandardize);
  return { importance, contour: { params: [px, py], xs, ys, z } };
}

/** Trials the analysis fits at most: its GP and 8 permutations per parameter cost O(n^3) each (3,000 trials took minutes). */
export const ANALYSIS_MAX_TRIALS = 400;

/**
 * The completed trials the analysis reads: all of them up to
 * ANALYSIS_MAX_TRIALS; past it the best quarter of that many (where the
 * contour and the importance matter most) and a seeded sample of the rest.
 */
function analyzedTrials<T extends Pick<Trial, 'target'>>(done: T[], seed: number): T[] {
  if (done.length <= ANALYSIS_MAX_TRIALS) return done;
  const order = done.map((_, i) => i).sort((a, b) => (done[b].target as number) - (done[a].target as number));
  const top = order.slice(0, ANALYSIS_MAX_TRIALS / 4);
  const rest = order.slice(ANALYSIS_MAX_TRIALS / 4);
  const pick = permutation(rest.length, new Rng(seed + 7)).slice(0, ANALYSIS_MAX_TRIALS - top.length).map((i) => rest[i]);
  return [...top, ...pick].sort((a, b) => a - b).map((i) => done[i]);
}
