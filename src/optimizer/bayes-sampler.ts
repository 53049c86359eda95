/**
 * The Bayesian-optimization sampler: the shared proposal step (study -> GP ->
 * engine -> point) with this optimizer's GP, engine and acquisition.
 */
import type { Engine } from '../acquisition/engine';
import { acquisitionSpec, type AcquisitionSpec } from '../acquisition/functions';
import { InvalidOptionError } from '../errors';
import { GaussianProcess, type GPFitStats } from '../gp/gaussian-process';
import { WarpMemo } from '../gp/warp-memo';
import { REFIT_ALWAYS_BELOW } from '../gp/refit-schedule';
import { columnGroups } from '../space/encode';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import type { ModelPrediction, ModelState, Recommendation, Trial } from '../study/types';
import type { OutputTransform } from '../gp/transforms';
import { Rng } from '../util/rng';
import { resolveEngine } from './engine-choice';
import { parseStallExploration, type OptimizerOptions } from './options';
import { parsePendingAcquisition } from './option-values';
import { avoidDuplicate, fits, observations, proposeNext, type ProposalContext, type ProposedPoint, type StudyTrials } from './proposal';
import { chooseJointBatch, withPendingPoints } from './batch-choice';
import { detachFactors } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import { designPoints, type Proposal, type Sampler, type SamplerContext } from './sampler';
import { exploreInBatch, exploreNow, type StallExploration } from './stall';

/**
 * GP settings of the optimizer unless `options.gp` says otherwise: the
 * lengthscale model (one per dimension, or one shared as bayes_opt's) is
 * chosen by evidence at each fit; on bench:regret this made Ackley-5,
 * Rastrigin-4 and Schwefel-4 better. The prior mean sits one standard
 * deviation below the targets' mean (pessimistic), so the model no longer
 * expects average values in unexplored corners and edges, where EI spent a
 * third of the suggestions on Branin (see the README's quality section).
 */
export const GP_DEFAULTS = { lengthscales: 'auto', priorMean: -1 } as const;

/**
 * A categorical with more choices than this has one lengthscale for all its
 * one-hot columns, not one per choice. Each lengthscale costs the fit a
 * prior term and the evidence comparison of 'auto' a Hessian row (a gradient
 * evaluation): with 1,000 choices and 100 trials a suggestion took 19 s,
 * tied 2.7 s. Tied, the 40-choice problem of bench/mixed.ts searched as well
 * (the same median regret); with 3 and 5 choices one lengthscale per choice
 * searched better, so small categoricals keep theirs (README, bench:mixed).
 */
export const TIE_CHOICES = 16;

/** The pending strategies that enter running points as values (not those that score candidates their own way). */
const HALLUCINATED: ReadonlySet<string> = new Set(['believer', 'lcb-believer', 'liar', 'fantasy', 'refit-liar']);

/**
 * Where the GP fit of a suggestion spent its time (see GPFitStats), and which
 * GP it was: 'main' (the optimizer's `gp`) or 'exploration' (the GP of its
 * own that a stall-exploration step fits without the output warp, ./stall).
 */
export type SuggestionFitStats = GPFitStats & { model: 'main' | 'exploration' };

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class BayesSampler implements Sampler {
  readonly gp: GaussianProcess;
  /** the output warp's choice, kept between hyperparameter refits */
  readonly warpMemo = new WarpMemo();
  private engine: Engine | null = null;
  private enginePromise: Promise<Engine> | null = null;
  private ownsEngine = false;
  private saidCapped = false;
  private readonly stall: StallExploration | null;
  private exploreGp: GaussianProcess | null = null;
  /** the GP fitted for the latest model-guided proposal, and which one it is */
  private latest: { gp: GaussianProcess; model: SuggestionFitStats['model'] } | null = null;

  /** the acquisition of a single proposal made while trials are pending (OptimizerOptions.pendingAcquisition); null: `acquisition` */
  readonly pendingAcquisition: AcquisitionSpec | null;

  constructor(
    private readonly ctx: SamplerContext,
    private readonly options: OptimizerOptions,
    readonly acquisition: AcquisitionSpec,
  ) {
    this.gp = this.newGp(ctx.rng.fork());
    this.stall = parseStallExploration(options.stallExploration);
    this.pendingAcquisition = HALLUCINATED.has(options.pending ?? 'believer')
      ? parsePendingAcquisition(options.pendingAcquisition, options.acquisition) : null;
  }

  /** A GP with this optimizer's settings (GP_DEFAULTS, `kernel`, `gp`) drawing from `rng`. */
  private newGp(rng: Rng): GaussianProcess {
    return new GaussianProcess({
      ...this.gpDefaults(), kernel: this.options.kernel ?? 'matern52', lengthscaleGroups: this.groups(), ...(this.options.gp ?? {}), rng,
    });
  }

  /**
   * The GP's lengthscale per column: one each, but one shared by the one-hot
   * columns of a categorical with more than TIE_CHOICES choices (and one for
   * the training progress with 'fidelity'). See TIE_CHOICES.
   */
  private groups(): Int32Array {
    const g = columnGroups(this.ctx.space.layout, TIE_CHOICES);
    if (this.options.prunedTrials !== 'fidelity') return g;
    const out = new Int32Array(g.length + 1);
    out.set(g);
    out[g.length] = g.length === 0 ? 0 : g[g.length - 1] + 1;
    return out;
  }

  /** GP_DEFAULTS; with 'fidelity' ARD lengthscales, so the training progress gets its own (./fidelity) */
  private gpDefaults() {
    return this.options.prunedTrials === 'fidelity' ? { ...GP_DEFAULTS, lengthscales: 'ard' as const } : GP_DEFAULTS;
  }

  /** The engine that will run (or ran) suggestions; resolved on first use. */
  async getEngine(): Promise<Engine> {
    if (this.engine) return this.engine;
    // Which engine was chosen is news only to someone who asked for output (verbose or log).
    const verbose = (this.options.verbose ?? 0) > 0;
    const quiet = !verbose && this.options.log === undefined;
    // a seeded run's 'auto' choice is never timed, so the run repeats (see src/gpu/auto-engine.ts)
    const repeatable = this.options.randomState !== undefined;
    this.enginePromise ??= resolveEngine(this.options.engine ?? 'auto', quiet ? () => {} : this.ctx.log, verbose, repeatable).then((r) => {
      this.engine = r.engine;
      this.ownsEngine = r.owned;
      return r.engine;
    });
    return this.enginePromise;
  }

  initialDesign(k: number): Params[] {
    return designPoints(this.ctx, k);
  }

  /**
   * The GP of an exploration step with `n` trials in the study. Below
   * REFIT_ALWAYS_BELOW observations every fit optimizes the hyperparameters
   * anyway, so each step gets a fresh GP seeded by n (the setting the stall
   * exploration was measured with). From there on one GP is kept between
   * exploration steps, so its hyperparameters can stand between refits like
   * the main GP's: a fresh one paid a cold fit on every exploration step
   * (about 3 s of a 3.7 s suggestion at n = 1,000, d = 6, every 4th
   * suggestion once the incumbent stalls).
   */
  private explorationGp(n: number): GaussianProcess {
    const fresh = () => this.newGp(new Rng(n));
    if (n < REFIT_ALWAYS_BELOW) return fresh();
    return this.exploreGp ??= fresh();
  }

  /**
   * The proposal's settings; on an exploration step (./stall) UCB on a GP
   * fitted without the output warp (see stall.ts for why). From
   * REFIT_ALWAYS_BELOW trials on, that is the main GP wherever its targets
   * carry no warp (the 'power' warp chose the identity, or the warping is
   * 'winsorize' or 'none'): a GP of its own would fit the same targets, and
   * paid a cold fit at its first step (1.1 s of a suggestion at n = 1,000,
   * d = 6) and its own upkeep after. Below that, each step keeps a fresh GP
   * of its own (the setting stall exploration was measured with).
   */
  private context(study: StudyTrials, explore = false): ProposalContext {
    const n = study.trials.length;
    const power = (this.options.outputWarping ?? 'power') === 'power';
    const shared = explore && n >= REFIT_ALWAYS_BELOW;
    const own = explore && !shared;
    return {
      space: this.ctx.space, gp: own ? this.explorationGp(n) : this.gp, engine: () => this.getEngine(),
      acquisition: explore ? acquisitionSpec('ucb', this.acquisition.xi, this.stall!.kappa) : this.acquisition,
      rng: this.ctx.rng, candidates: this.options.candidates, outputWarping: own && power ? 'winsorize' : this.options.outputWarping,
      refine: this.options.refine, failedTrials: this.options.failedTrials, prunedTrials: this.options.prunedTrials,
      pending: this.options.pending, pendingKappa: this.options.pendingKappa, warpMemo: own ? undefined : this.warpMemo,
      ...(shared && power ? { unwarpedGp: () => this.explorationGp(n) } : {}),
    };
  }

  async propose(study: StudyTrials): Promise<Proposal> {
    const t0 = now();
    const explore = this.stall !== null && exploreNow(study.completed().map((t) => study.sign * (t.target as number)), this.stall);
    const ctx = this.context(study, explore);
    // a point chosen while others run, which enter the model as believed values: GP-BUCB's UCB by default
    if (!explore && this.pendingAcquisition && study.pending().length > 0) ctx.acquisition = this.pendingAcquisition;
    const p = await proposeNext(study, ctx);
    this.fitted(p, explore);
    this.noteCapped(p);
    return { params: p.params, source: p.source, engine: p.engine, suggestMs: now() - t0 };
  }

  /**
   * `q` points for `suggestBatch` (see ./batch-choice): greedy, each proposed
   * with the earlier ones pending, then (EI, log EI; unless
   * `batchSelection: 'greedy'`) improved together by qEI swaps. When the
   * stall count passes a multiple of `every` over the batch (exploreInBatch,
   * ./stall), the first point is the exploration step a sequential run would
   * make there, and the others are chosen (greedily and jointly) with it
   * pending, so a batch follows the rule suggest() follows (the regrets with
   * and without the step: the README's Parallel workers section).
   */
  async proposeBatch(study: StudyTrials, q: number): Promise<Proposal[]> {
    const t0 = now();
    const ctx = this.context(study);
    const props: ProposedPoint[] = [];
    // An exploration step first when the stall count passes a multiple of `every` (./stall), the others with it pending.
    const explore = this.stall !== null
      && exploreInBatch(study.completed().map((t) => study.sign * (t.target as number)), this.stall, q);
    if (explore) {
      const ectx = this.context(study, true);
      const p = await proposeNext(study, ectx);
      this.fitted(p, true);
      props.push(p);
    }
    const lead = props.length;
    // the lead proposal's factors, kept for the joint choice below: the later
    // proposals' fits may overwrite the GP's own (a kept factor grows in place)
    let leadFactors: PosteriorFactors | null = null;
    for (let j = lead; j < q; j++) {
      const p = await proposeNext(withPendingPoints(study, props.map((x) => x.params)), ctx);
      this.fitted(p, false);
      this.noteCapped(p);
      props.push(p);
      if (j === lead && q - lead > 1 && p.factors) leadFactors = detachFactors(p.factors as PosteriorFactors);
    }
    const first = props[lead];
    const qj = q - lead;
    const joint = this.options.batchSelection !== 'greedy' && qj > 1 && leadFactors !== null
      && (this.acquisition.kind === 'ei' || this.acquisition.kind === 'logei') && props.every((p) => p.source === 'suggest')
      && this.options.prunedTrials !== 'fidelity'; // its model has the progress coordinate: the greedy batch
    let params = props.map((p) => p.params);
    if (joint) {
      const { space } = this.ctx;
      const greedy = new Float64Array(qj * space.dim);
      params.slice(lead).forEach((p, j) => greedy.set(space.encode(p), j * space.dim));
      const r = await chooseJointBatch({
        factors: leadFactors!, best: first.best, acquisition: this.acquisition, engine: await this.getEngine(),
        greedy, q: qj, layout: space.layout, seed: this.ctx.rng.nextUint32(),
      });
      if (r.swaps > 0) {
        const chosen: Params[] = params.slice(0, lead);
        for (let j = 0; j < qj; j++) {
          const p = space.decode(r.points.subarray(j * space.dim, (j + 1) * space.dim));
          chosen.push(avoidDuplicate(space, this.ctx.rng, p, withPendingPoints(study, chosen).trials));
        }
        params = chosen;
      }
    }
    const ms = (now() - t0) / q;
    return props.map((p, j) => ({ params: params[j], source: p.source, engine: p.engine, suggestMs: ms }));
  }

  /**
   * Where the fit of the latest model-guided proposal spent its time, and on
   * which GP: an exploration step fits its own, so the main GP's fitStats
   * then still describe its previous fit. Undefined before the first.
   */
  get fitStats(): SuggestionFitStats | undefined {
    return this.latest ? { ...this.latest.gp.fitStats, model: this.latest.model } : undefined;
  }

  /**
   * Notes the GP that fitted `p` (a random point, with no completed trial yet,
   * fitted none): 'exploration' where a step of stall exploration fitted a GP
   * other than the main one.
   */
  private fitted(p: ProposedPoint, explore: boolean): void {
    if (p.source === 'suggest' && p.gp) this.latest = { gp: p.gp, model: explore && p.gp !== this.gp ? 'exploration' : 'main' };
  }

  private noteCapped(p: ProposedPoint): void {
    const asked = this.options.candidates;
    if (asked !== undefined && p.source === 'suggest' && p.scored < asked && !this.saidCapped) {
      this.saidCapped = true;
      this.ctx.log(`candidates: the ${p.engine} engine scores ${p.scored} of the ${asked} requested per suggestion (what fits its memory in ${this.ctx.space.dim} dimensions)`);
    }
  }

  /**
   * The completed trial with the best posterior mean of a GP fitted to the
   * completed trials alone, or undefined with fewer than 3 or (saying so in
   * the log) when the model's predictions are not finite or its best trial
   * was observed worse than half the completed trials (see
   * BayesianOptimization.recommend). Its own GP and random stream.
   * Pruned trials stay out whatever `prunedTrials` says (their values were
   * read earlier in training, another quantity: nine trials pruned after a
   * quarter epoch next to a digits study's best pulled its posterior mean
   * below the worst completed trial's, which was then recommended), and so
   * do failed ones (the pick is among completed trials).
   */
  recommend(study: Study): Recommendation | undefined {
    const model = this.completedModel(study, 3);
    if (!model) return undefined;
    const { done, gp, transform } = model;
    // ranked in standardized units (the same order): in the targets' units a mean just past an
    // observed ±1.7e308 is ±Infinity
    const mean = gp.trainingMean({ standardized: true });
    if (!mean.every(Number.isFinite)) {
      // Not expected with finite targets (the GP scales huge ones); kept so a model failure never picks a trial at random.
      this.ctx.log('recommend: the model\'s predictions are not finite; recommending the best observed trial instead');
      return undefined;
    }
    // a tie (the same point registered several times: one mean, up to rounding) goes to the best observed target
    const observed = (i: number) => study.sign * (done[i].target as number);
    const tied = (i: number, j: number) => Math.abs(mean[i] - mean[j]) <= 1e-9 * Math.max(1, Math.abs(mean[j]));
    let k = 0;
    for (let i = 1; i < done.length; i++) {
      if (tied(i, k) ? observed(i) > observed(k) : mean[i] > mean[k]) k = i;
    }
    // A model that cannot represent the data (one outlier 1e9 beside values near 1 spreads into a broad
    // hump) can rate a trial observed worse than most above the outlier itself: a pick observed below
    // the median is a misfit, not a discounted lucky draw.
    const better = done.reduce((c, _, i) => c + (observed(i) > observed(k) ? 1 : 0), 0);
    if (2 * better >= done.length) {
      this.ctx.log(`recommend: the model's best trial (#${done[k].id}) was observed worse than ${better} of the ${done.length} completed trials, so the model does not fit them (an outlier?); recommending the best observed trial instead`);
      return undefined;
    }
    const t = done[k];
    return { id: t.id, params: { ...t.params }, target: t.target as number, predicted: inRange(study.sign * transform.inverse(gp.unstandardize(mean[k]))) };
  }

  /**
   * The model of the completed trials (as `recommend` fits it) at `points`,
   * in the objective's units: the posterior mean of the latent function and
   * a 95% band, mapped back through the output warp and the direction (the
   * band is the warped band's image, so it need not be symmetric). Null with
   * no completed trial.
   */
  predict(study: Study, points: readonly Params[]): ModelPrediction[] | null {
    const model = this.completedModel(study, 1);
    if (!model) return null;
    const { gp, transform } = model;
    const { space } = this.ctx;
    const d = space.dim;
    const Xs = new Float64Array(points.length * d);
    points.forEach((p, i) => Xs.set(space.encode(p), i * d));
    // the band is taken in standardized units and then mapped back: a variance in the targets' units
    // overflows above about 1e154 and underflows to a zero-width band below 1e-154
    const post = gp.predict(Xs, points.length, { standardized: true });
    const sign = study.sign;
    const back = (z: number) => inRange(sign * transform.inverse(gp.unstandardize(z)));
    return points.map((_, i) => {
      const sd = Math.sqrt(Math.max(0, post.variance[i]));
      const [a, b] = [back(post.mean[i] - 1.96 * sd), back(post.mean[i] + 1.96 * sd)];
      return { mean: back(post.mean[i]), lower: Math.min(a, b), upper: Math.max(a, b) };
    });
  }

  /**
   * A GP of its own (random stream seeded by the count) fitted to the
   * completed trials alone, pruned and failed ones left out, and the output
   * transform of their targets; null with fewer than `min` completed trials.
   */
  private completedModel(study: Study, min: number): { done: Trial[]; gp: GaussianProcess; transform: OutputTransform } | null {
    const { space } = this.ctx;
    const done = study.completed().filter((t) => fits(space, t.params));
    if (done.length < min) return null;
    const { X, y, transform } = observations(space, study.sign, done, 0, this.options.outputWarping, 'ignore', 'ignore', this.gp);
    return { done, gp: this.newGp(new Rng(done.length)).fit(X, y, space.dim), transform };
  }

  modelState(): ModelState {
    const warp = this.warpMemo.state();
    return warp ? { ...this.gp.state(), warp } : this.gp.state();
  }

  restoreModelState(state: ModelState): void {
    try {
      this.gp.restoreState(state);
    } catch (e) {
      // a journal's state this GP never saves (edited, or another noise floor): the model is fitted afresh
      if (!(e instanceof InvalidOptionError)) throw e;
      this.ctx.log(`journal: the saved model state was not restored (${e.message.replace(/^state: /, '')}); the model is fitted afresh`);
      return;
    }
    this.warpMemo.restore(state.warp);
  }

  release(): void {
    if (this.engine && this.ownsEngine) this.engine.dispose();
    this.engine = null;
  }
}

/**
 * A prediction in the targets' units, at most the largest double: a GP's mean or band just past
 * an observed ±1.7e308 is beyond the range of doubles, and is its end rather than ±Infinity.
 */
function inRange(v: number): number {
  return v > Number.MAX_VALUE ? Number.MAX_VALUE : v < -Number.MAX_VALUE ? -Number.MAX_VALUE : v;
}
