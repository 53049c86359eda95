/**
 * The Bayesian-optimization sampler: the shared proposal step (study -> GP ->
 * engine -> point) with this optimizer's GP, engine and acquisition.
 */
import type { Engine } from '../acquisition/engine';
import { acquisitionSpec, type AcquisitionSpec } from '../acquisition/functions';
import { InvalidOptionError, StateError } from '../errors';
import { GaussianProcess, type GPFitStats } from '../gp/gaussian-process';
import { WarpMemo } from '../gp/warp-memo';
import { REFIT_ALWAYS_BELOW } from '../gp/refit-schedule';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import type { ModelPrediction, ModelState, Recommendation } from '../study/types';
import { Rng } from '../util/rng';
import { resolveEngine } from './engine-choice';
import { parseStallExploration, type OptimizerOptions } from './options';
import { parsePendingAcquisition } from './option-values';
import { proposeNext, type ProposalContext, type ProposedPoint, type StudyTrials } from './proposal';
import { avoidDuplicate } from './untried';
import { completedModel, predictFrom, recommendFrom, type CompletedModel } from './completed-model';
import { gpOptions } from './gp-config';
import { chooseJointBatch, withPendingPoints } from './batch-choice';
import { detachFactors } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import { designPoints, type Proposal, type Sampler, type SamplerContext } from './sampler';
import { exploreInBatch, exploreNow, type StallExploration } from './stall';
import { DISPOSED } from './cut-off';


/** The pending strategies that enter running points as values (not those that score candidates their own way). */
const HALLUCINATED: ReadonlySet<string> = new Set(['believer', 'lcb-believer', 'liar', 'fantasy', 'refit-liar']);

/**
 * Where the GP fit of a suggestion spent its time (see GPFitStats), and which
 * GP it was: 'main' (the optimizer's `gp`) or 'exploration' (the GP of its
 * own that a stall-exploration step fits without the output warp, ./stall).
 */
export type SuggestionFitStats = GPFitStats & { model: 'main' | 'exploration' };

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * BayesianOptimization's Sampler: each model-guided point comes from the
 * shared proposal step (proposeNext) with this optimizer's GP, engine and
 * acquisition; it also answers `recommend` and `predict` from a GP of the
 * completed trials, and disposes of the engine it made on release().
 */
export class BayesSampler implements Sampler {
  readonly gp: GaussianProcess;
  /** the output warp's choice, kept between hyperparameter refits */
  readonly warpMemo = new WarpMemo();
  private engine: Engine | null = null;
  private enginePromise: Promise<Engine> | null = null;
  private ownsEngine = false;
  /** release() ran: an engine made after it is disposed of at once */
  private released = false;
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

  /** A GP with this optimizer's settings (see ./gp-config) drawing from `rng`. */
  private newGp(rng: Rng): GaussianProcess {
    return new GaussianProcess(gpOptions(this.options, this.ctx.space, rng));
  }

  /** The engine that will run (or ran) suggestions; resolved on first use. */
  async getEngine(): Promise<Engine> {
    if (this.released) throw new StateError(DISPOSED);
    if (this.engine) return this.engine;
    // Which engine was chosen is news only to someone who asked for output (verbose or log).
    const verbose = (this.options.verbose ?? 0) > 0;
    const quiet = !verbose && this.options.log === undefined;
    // a seeded run's 'auto' choice is never timed, so the run repeats (see src/gpu/auto-engine.ts)
    const repeatable = this.options.randomState !== undefined;
    this.enginePromise ??= resolveEngine(this.options.engine ?? 'auto', quiet ? () => {} : this.ctx.log, verbose, repeatable).then((r) => {
      if (this.released) {
        // released while the engine was made: nobody else would dispose of it
        if (r.owned) r.engine.dispose();
        throw new StateError(DISPOSED);
      }
      this.engine = r.engine;
      this.ownsEngine = r.owned;
      return r.engine;
    });
    return this.enginePromise;
  }

  initialDesign(k: number, rng?: Rng): Params[] {
    return designPoints(this.ctx, k, undefined, rng);
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
    // a retried trial stands in for the failed one it retries: the uninterrupted run had one trial there, not two
    const n = study.trials.length - study.trials.filter((t) => t.retryOf !== undefined).length;
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
   * Notes the GP that fitted `p` (a random point is not noted: with no
   * completed trial yet none was fitted, and while every value is one value
   * the fit guided nothing): 'exploration' where a step of stall exploration
   * fitted a GP other than the main one.
   */
  private fitted(p: ProposedPoint, explore: boolean): void {
    if (p.source === 'suggest' && p.gp) this.latest = { gp: p.gp, model: explore && p.gp !== this.gp ? 'exploration' : 'main' };
  }

  /** Notices said whatever `verbose` is (see SamplerContext.warn). */
  private readonly warn = (line: string): void => (this.ctx.warn ?? this.ctx.log)(line);

  private noteCapped(p: ProposedPoint): void {
    const asked = this.options.candidates;
    if (asked !== undefined && p.source === 'suggest' && p.scored < asked && !this.saidCapped) {
      this.saidCapped = true;
      this.warn(`candidates: the ${p.engine} engine scores ${p.scored} of the ${asked} requested per suggestion (what fits its memory in ${this.ctx.space.dim} dimensions)`);
    }
  }

  /** See recommendFrom (./completed-model): the completed trials' own model, at least 3 of them. */
  recommend(study: Study): Recommendation | undefined {
    const model = this.completedModel(study, 3);
    return model ? recommendFrom(model, study.sign, this.warn) : undefined;
  }

  /** See predictFrom (./completed-model); null with no completed trial. */
  predict(study: Study, points: readonly Params[]): ModelPrediction[] | null {
    const model = this.completedModel(study, 1);
    return model ? predictFrom(model, this.ctx.space, study.sign, points) : null;
  }

  /** See completedModel (./completed-model), with this optimizer's GP settings. */
  private completedModel(study: Study, min: number): CompletedModel | null {
    return completedModel(this.ctx.space, study, min, this.options.outputWarping, this.gp, (rng) => this.newGp(rng));
  }

  /** The main GP's state, the warp memo's, and the kept exploration GP's (./stall), so a resumed study continues bit for bit. */
  modelState(): ModelState {
    const warp = this.warpMemo.state();
    const explore = this.exploreGp?.state();
    return { ...this.gp.state(), ...(warp ? { warp } : {}), ...(explore ? { explore } : {}) };
  }

  restoreModelState(state: ModelState): void {
    try {
      this.gp.restoreState(state);
    } catch (e) {
      // a journal's state this GP never saves (edited, or another noise floor): the model is fitted afresh
      if (!(e instanceof InvalidOptionError)) throw e;
      this.warn(`journal: the saved model state was not restored (${e.message.replace(/^state: /, '')}); the model is fitted afresh`);
      return;
    }
    this.warpMemo.restore(state.warp);
    this.exploreGp = null;
    if (state.explore) {
      const gp = this.newGp(new Rng(1)); // its stream is the saved one
      try {
        gp.restoreState(state.explore);
        this.exploreGp = gp;
      } catch (e) {
        if (!(e instanceof InvalidOptionError)) throw e;
        this.warn(`journal: the saved exploration model was not restored (${e.message.replace(/^state: /, '')}); it is fitted afresh`);
      }
    }
  }

  release(): void {
    this.released = true;
    if (this.engine && this.ownsEngine) this.engine.dispose();
    this.engine = null;
  }
}
