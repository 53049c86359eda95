/**
 * The proposal step of Bayesian optimization, study -> GP -> engine -> point
 * (proposeNext), used by BayesianOptimization and by the demo's posterior
 * panel alike.
 */
import { DEFAULT_CANDIDATES, type Engine, type EngineKind } from '../acquisition/engine';
import type { AcquisitionSpec } from '../acquisition/functions';
import { scorePoints } from '../acquisition/cpu-engine';
import { refineFromWinner } from '../acquisition/refine';
import { GaussianProcess } from '../gp/gaussian-process';
import { selectOutputTransform, type GapPowerTransform } from '../gp/transforms';
import type { WarpMemo } from '../gp/warp-memo';
import type { PosteriorFactors } from '../gp/types';
import type { Space } from '../space/space';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import type { Trial } from '../study/types';
import { Rng } from '../util/rng';
import { avoidDuplicate, randomUntried } from './untried';
import { trialObservations, type FailedTrialPolicy, type Observations, type PrunedTrialPolicy } from './observations';
import { fidelityObservations, modelSpace } from './fidelity';
import { chooseByFantasies, FANTASY_COUNT } from './fantasy-choice';
import { chooseByPendingQei } from './pending-qei';
import { chooseByPenalization } from './penalized-choice';
import { fantasyModels, pendingFactors, type PendingStrategy } from './pending';
import { fitOrder, permuteRows } from './fit-order';
import { checkProposalArgs } from './proposal-args';

/** How many of the best observations seed the local candidates. */
export const INCUMBENTS = 5;

export interface ProposalContext {
  space: Space;
  /** refitted on each call; its own random stream drives the restarts */
  gp: GaussianProcess;
  /** the engine, or a function resolving it (called only once a model is fitted) */
  engine: Engine | (() => Promise<Engine>);
  acquisition: AcquisitionSpec;
  /** draws the engine's candidate seed and any random replacement point */
  rng: Rng;
  /** candidates scored [the engine's defaultCandidates(n, d), else DEFAULT_CANDIDATES of its kind] */
  candidates?: number;
  /** 'power' (a Box-Cox warp of the gap below the best target, when the evidence favours it, then winsorizing), 'winsorize' or 'none' ['power'] */
  outputWarping?: OutputWarping;
  /** polish the engine's winner by float64 gradient ascent of the acquisition [true] */
  refine?: boolean;
  /** how failed trials enter the GP ['worst'] */
  failedTrials?: FailedTrialPolicy;
  /** how pruned trials enter the GP ['last'] */
  prunedTrials?: PrunedTrialPolicy;
  /** how pending trials enter the posterior ['believer'] (see ./pending) */
  pending?: PendingStrategy;
  /** 'lcb-believer': standard deviations below the posterior mean [LCB_KAPPA, 1] */
  pendingKappa?: number;
  /**
   * remembers the 'power' warp's choice between hyperparameter refits (see
   * src/gp/warp-memo.ts) [none: the evidence comparison runs every call]
   */
  warpMemo?: WarpMemo;
  /**
   * a stall-exploration step's GP without the output warp (./stall): fitted,
   * to the winsorized targets, in place of `gp` only where the 'power' warp
   * chosen for `gp`'s targets is not the identity. With the identity both
   * would fit the same targets, so `gp` serves the step and stays warm [none]
   */
  unwarpedGp?: () => GaussianProcess;
}

export interface ProposedPoint {
  params: Params;
  /** 'random' with no completed trial yet (no model then, `factors` null) or while every value is one value (a flat model) */
  source: 'suggest' | 'random';
  /** the engine that scored the candidates (absent for a random point) */
  engine?: EngineKind;
  /** acquisition score of the engine's point (NaN for a random one) */
  score: number;
  /** candidates scored */
  scored: number;
  /** the fitted posterior and incumbent (standardized units); null without a fit */
  factors: PosteriorFactors | null;
  best: number;
  /** GP fit and engine time, ms */
  fitMs: number;
  proposeMs: number;
  /** the GP that was fitted: `ctx.gp`, or `ctx.unwarpedGp`'s (absent for a random point) */
  gp?: GaussianProcess;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** What the proposal step reads of a study (a Study, or a view with more pending points, see ./batch-choice). */
export type StudyTrials = Pick<Study, 'completed' | 'pending' | 'finished' | 'trials' | 'sign'>;

/**
 * The next point for `study`, in four steps:
 *
 * 1. the study's completed trials become the GP's data (`sign * target`,
 *    the disastrous tail winsorized), failed trials join at the worst
 *    completed value (so the model learns where the objective fails, see
 *    ./observations), pruned ones at their last reported value (the data
 *    alone while no trial has completed);
 * 2. the float64 GP is fitted to them (hyperparameters from these
 *    observations only; from 64 rows on in the order the trials' ends were
 *    recorded, so its factor grows between refits, ./fit-order); pending trials then join the posterior at their
 *    believed value, the hyperparameters kept (Kriging believer by default,
 *    see ./pending), so asked points repel new ones without misleading the
 *    model;
 * 3. the engine maximizes the acquisition over candidates around the best
 *    observations and over the whole space;
 * 4. a point already tried is replaced by an untried random one.
 *
 * @example
 * ```ts
 * const study = Study.open(undefined, { direction: 'minimize' });
 * // ... record a few trials ...
 * const p = await proposeNext(study, { space, gp, engine, acquisition, rng });
 * p.params; // the next point to evaluate
 * ```
 * @throws InvalidOptionError naming `study` (not a study's trials), `ctx` (not an object) or the field of `ctx` that is
 *   missing or of the wrong kind: `ctx.space`, `ctx.gp`, `ctx.engine`, `ctx.acquisition`, `ctx.rng` (each was a TypeError)
 */
export async function proposeNext(study: StudyTrials, ctx: ProposalContext): Promise<ProposedPoint> {
  checkProposalArgs(study, ctx);
  const { space, rng } = ctx;
  const done = study.completed().filter((t) => fits(space, t.params));
  // With 'fidelity' the GP's inputs end with the training progress, 1 for every candidate (./fidelity).
  const ms = modelSpace(space, ctx.prunedTrials === 'fidelity');
  const d = ms.dim;
  // The model's measured rows come first: the completed trials, or, while none has completed,
  // the trials pruned at a value ('last', 'extrapolate': every trial so far stopped by the pruner)
  const atValue = (ctx.prunedTrials ?? 'last') === 'last' || ctx.prunedTrials === 'extrapolate';
  const real = done.length > 0 || !atValue ? done.length
    : study.trials.filter((t) => t.status === 'pruned' && t.target !== null && fits(space, t.params)).length;
  if (real === 0) return randomProposal(space, rng, study.trials); // no model yet
  const t0 = now();
  const pend = study.pending().filter((t) => fits(space, t.params));
  const usable = study.trials.filter((t) => fits(space, t.params));
  const finished = study.finished(); // the order the GP takes its rows in (./fit-order)
  const strategy = ctx.pending ?? 'believer';
  const refit = strategy === 'refit-liar' ? pend.length : 0;
  const Xp = new Float64Array(pend.length * d);
  pend.forEach((t, i) => Xp.set(ms.encode(t.params), i * d));
  // With a warp memo the warp is chosen afresh only when the GP will refit its hyperparameters.
  const memo = ctx.outputWarping === undefined || ctx.outputWarping === 'power' ? ctx.warpMemo : undefined;
  const build = (keep: boolean, model = ctx.gp, warping = ctx.outputWarping) => {
    // the memo sees the rows in the GP's order too, so that the rows it chose on stay a prefix (./fit-order)
    const chooser = memo && warping === ctx.outputWarping && ((Xo: Float64Array, yo: Float64Array, n: number, fit: { rows: readonly Trial[]; total: number }): GapPowerTransform => {
      const ordered = permuteRows(Xo, yo, d, fitOrder(fit.rows, fit.total, finished));
      return memo.choose(ordered.X, ordered.y, n, d, keep, () => warpGp(model, n));
    });
    const o = observations(space, study.sign, usable, refit, warping, ctx.failedTrials, ctx.prunedTrials, model, chooser || undefined);
    const nObs = o.y.length - refit;
    if (refit) {
      let worst = Infinity;
      for (let i = 0; i < real; i++) worst = Math.min(worst, o.y[i]);
      o.X.set(Xp, nObs * d);
      o.y.fill(worst, nObs);
    }
    // the GP's rows in the order their ends were recorded (./fit-order); measured[r]: fitted row r is a completed trial's (or a pruned one's while none completed)
    const perm = fitOrder(o.rows, o.y.length, finished);
    const fitRows = permuteRows(o.X, o.y, d, perm);
    const measured = new Uint8Array(o.y.length).map((_, r) => ((perm && r < perm.length ? perm[r] : r) < real ? 1 : 0));
    return { ...o, fit: { ...fitRows, measured } };
  };
  let gp = ctx.gp;
  let obs = build(true);
  if (memo?.reused && gp.plannedRefit(obs.fit.X, obs.y.length, d) !== 'kept') obs = build(false);
  if (ctx.unwarpedGp && obs.transform.kind !== 'identity') {
    gp = ctx.unwarpedGp();
    obs = build(false, gp, 'winsorize');
  }
  // Every value the model would see is the same (one completed trial and the failures imputed at its
  // value, or a plateau): the fit has no data term, its lengthscales run to their bound, and EI follows the
  // variance to the box's corners (8 of 20 seeds of a study failing outside 2 of 6 decades of lr spent all
  // 35 guided trials in failing corners; random search, none). A random point, as with no model, until a
  // value differs. The GP is still fitted (a flat posterior), for callers that draw it (the demo's panel).
  const flat = constant(obs.y, obs.y.length - refit);
  const { X, y } = obs;
  const { measured } = obs.fit;
  gp.fit(obs.fit.X, obs.fit.y, d);
  // Incumbent: best posterior mean over the real observations (robust to noise), raised below to pending values.
  const fitted = gp.trainingMean({ standardized: true });
  let best = -Infinity;
  for (let r = 0; r < fitted.length; r++) if (measured[r]) best = Math.max(best, fitted[r]);
  if (flat) return { ...randomProposal(space, rng, study.trials), factors: gp.factors(), best, fitMs: now() - t0, gp };
  const fz = strategy === 'fantasies' && pend.length > 0 ? fantasyModels(gp, Xp, pend.length, FANTASY_COUNT, best, rng) : null;
  const { factors, values } = refit ? { factors: gp.factors(), values: new Float64Array(0) }
    : fz ?? pendingFactors(gp, Xp, pend.length, (strategy === 'fantasies' || strategy === 'qei' || strategy === 'penalization' ? 'believer' : strategy) as 'believer' | 'lcb-believer' | 'liar' | 'fantasy', rng, measured, ctx.pendingKappa);
  const completedBest = best;
  // The incumbent counts the values pending points were entered at (see pendingFactors).
  for (const v of values) best = Math.max(best, v);
  const order = Array.from({ length: real }, (_, i) => i).sort((a, b) => y[b] - y[a]).slice(0, INCUMBENTS);
  const incumbents = new Float64Array(order.length * d);
  order.forEach((i, r) => incumbents.set(X.subarray(i * d, i * d + d), r * d));
  const t1 = now();
  const engine = typeof ctx.engine === 'function' ? await ctx.engine() : ctx.engine;
  const res = await engine.propose({
    factors, acquisition: ctx.acquisition, best, candidates: ctx.candidates ?? engine.defaultCandidates?.(factors.n, d) ?? DEFAULT_CANDIDATES[engine.kind],
    incumbents, nIncumbents: order.length, layout: ms.layout, seed: rng.nextUint32(),
  });
  // Polish the engine's winner by float64 gradient ascent (src/acquisition/refine.ts).
  const x = ctx.refine === false ? res.x : refineFromWinner(
    { factors, acquisition: ctx.acquisition, best, layout: ms.layout }, res.x, incumbents, order.length, res.score,
  );
  // 'fantasies': the believer's point against candidates scored over the fantasy models (./fantasy-choice)
  const chosen = fz ? (await chooseByFantasies({
    factors, fantasies: fz.fantasies, acquisition: ctx.acquisition, engine, winner: x, incumbents,
    nIncumbents: order.length, layout: ms.layout, seed: rng.nextUint32(),
  })).x : x;
  // 'qei': that point against candidates scored by qEI together with the running points (./pending-qei)
  const picked = strategy === 'qei' && pend.length > 0 ? (await chooseByPendingQei({
    factors: gp.factors(), best: completedBest, xi: ctx.acquisition.xi, pending: Xp, m: pend.length, engine, winner: chosen,
    incumbents, nIncumbents: order.length, layout: ms.layout, seed: rng.nextUint32(),
  })).x : chosen;
  // 'penalization': that point against candidates scored by the penalized acquisition (./penalized-choice)
  const penalized = strategy === 'penalization' && pend.length > 0 ? (await chooseByPenalization({
    factors: gp.factors(), best: completedBest, acquisition: ctx.acquisition, pending: Xp, m: pend.length, winner: picked,
    incumbents, nIncumbents: order.length, layout: ms.layout, seed: rng.nextUint32(),
  })).x : picked;
  const t2 = now();
  const proposed = ms.decode(penalized);
  // a tried point in a small discrete space: the best untried point by the same acquisition (./untried)
  const params = avoidDuplicate(space, rng, proposed, study.trials, (qs) => {
    const X = new Float64Array(qs.length * ms.dim);
    qs.forEach((q, i) => X.set(ms.encode(q), i * ms.dim));
    return scorePoints(factors, X, qs.length, ctx.acquisition, best).score;
  });
  return {
    params, source: 'suggest', engine: res.engine, score: res.score, scored: res.scored,
    factors, best, fitMs: t1 - t0, proposeMs: t2 - t1, gp,
  };
}

/** A random point no trial holds (see randomUntried), for a study the model cannot guide yet. */
function randomProposal(space: Space, rng: Rng, trials: readonly Trial[]): ProposedPoint {
  return { params: randomUntried(space, rng, trials), source: 'random', score: NaN, scored: 0, factors: null, best: NaN, fitMs: 0, proposeMs: 0 };
}

/** Whether the first `n` values of `y` are all one value. */
function constant(y: Float64Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (y[i] !== y[0]) return false;
  return true;
}

/**
 * Whether a trial's params are a point of `space`: trials another program
 * wrote (Optuna: a running trial whose params are not all set yet, or a
 * parameter the space does not have) are left out of the model.
 */
export function fits(space: Space, p: Params): boolean {
  return space.contains(p);
}

/**
 * Trials as model inputs (see ./observations): rows `0..nComplete-1` are the
 * completed trials in order (`sign * target`, bad tail winsorized unless
 * `warping` is 'none'), then `nFailed` failed trials imputed per `failed`,
 * (the 'power' warp chosen by the evidence of GPs with `model`'s kernel, prior mean and lengthscale groups),
 * then `extra` rows left for the caller to fill. Every trial's params must
 * be a point of `space` (see `fits`).
 */
export function observations(
  space: Space, sign: 1 | -1, trials: readonly Trial[], extra: number, warping: OutputWarping = 'power',
  failed: FailedTrialPolicy = 'worst', pruned: PrunedTrialPolicy = 'last', model: WarpModel = PLAIN_MODEL,
  choose?: (X: Float64Array, y: Float64Array, n: number, fit: { rows: readonly Trial[]; total: number }) => GapPowerTransform,
): Observations {
  const d = space.dim + (pruned === 'fidelity' ? 1 : 0);
  // No gap warp over a categorical: its log of the gap below the best is a cusp at the incumbent whose fit
  // shrinks every lengthscale, the one-hot columns' too, so a choice tried only far from the incumbent (where
  // the log also flattens a choice's step) is predicted at the prior mean, sds below the incumbent, and
  // never tried near it again (a 4-D quadratic with a 3-choice step: the right choice on 21 of 40 seeds,
  // winsorized 38 of 40; docs/benchmarks/mixed.md). Spaces without one keep the warp, which refines them.
  const warp = warping === 'power' && space.layout.some((l) => l.kind === 'categorical' && l.size > 1) ? 'winsorize' : warping;
  // The warp is chosen by evidence: one cheap GP (a single restart, its own stream) per candidate warp.
  const transform = warp === 'power'
    ? choose ?? ((X: Float64Array, y: Float64Array, n: number) => selectOutputTransform(X, y, n, d, () => warpGp(model, n)))
    : undefined;
  const build = pruned === 'fidelity' ? fidelityObservations : trialObservations;
  return build((p) => space.encode(p), space.dim, trials, { sign, winsorize: warping !== 'none', failed, pruned, extra, transform });
}

/** What the 'power' warp's evidence GPs take from the model they serve. */
export type WarpModel = Pick<GaussianProcess, 'kernel' | 'priorMean' | 'lengthscaleGroups'>;

const PLAIN_MODEL: WarpModel = { kernel: 'matern52', priorMean: 0, lengthscaleGroups: null };

/** One of the cheap GPs (a single restart, its own stream) whose evidence chooses the warp. */
function warpGp(model: WarpModel, n: number): GaussianProcess {
  const groups = model.lengthscaleGroups;
  return new GaussianProcess({ kernel: model.kernel, priorMean: model.priorMean, restarts: 1, rng: new Rng(n), ...(groups ? { lengthscaleGroups: groups } : {}) });
}

/** How targets are shaped before the GP fit (see OptimizerOptions.outputWarping). */
export type OutputWarping = 'power' | 'winsorize' | 'none';

export { winsorizeLowerTail } from './observations';
