/**
 * Model-guided points and what `suggest()` hands out, for the runner: an
 * interrupted trial first, then the initial design (shared with other
 * workers of the same seed without repeats), then proposals. A proposal
 * another worker's new trial made stale while it was being chosen is made
 * again from the refreshed study (see TrialAsker.ask's `seen`).
 */
import type { Study } from '../storage/study';
import type { Trial } from '../study/types';
import { DESIGN_DONE, STALE, type TrialAsker } from './asking';
import type { Design } from './design-points';
import type { InterruptedTrials } from './interrupted';
import type { Sampler } from './sampler';

/**
 * Proposals made again at most, per point, when another worker took the spot
 * meanwhile (see Suggester.proposeAndAsk). Processes proposing in step from the
 * same trials are refused one after another: with 3, 4 processes on Branin
 * still asked 13 pairs of points within 1e-3 over 10 runs of 40; with 8, none.
 */
const RE_PROPOSALS = 8;

export interface SuggesterOptions {
  study: Study;
  sampler: Sampler;
  asker: TrialAsker;
  reask: InterruptedTrials;
  /** picks up other workers' trials (see Runner.refresh) */
  refresh: () => Promise<void>;
  /** throws StateError once the optimizer is disposed */
  assertUsable: () => void;
  /** an enqueued trial, taken (see Runner.nextWaiting) */
  nextWaiting: () => Promise<Trial | null>;
}

export class Suggester {
  /** the initial design `suggest()` hands out, and how far */
  private design: Design | null = null;
  /** the `initPoints` that design was drawn for */
  private designSize: number | null = null;

  constructor(private readonly o: SuggesterOptions) {}

  /**
   * The next trial for `suggest()`: an interrupted one of a resumed study,
   * else an enqueued one (see BaseOptimizer.enqueue), else a point of the initial design while the study holds fewer than
   * `initPoints` trials (the design `maximize` draws, shared with other
   * workers of the same seed without repeats), else a model-guided point
   * that accounts for every pending trial.
   */
  async suggestOne(initPoints: number): Promise<Trial> {
    const { study, sampler, asker } = this.o;
    // other workers' news first: a pending trial of a worker that stopped since is re-asked by this very call
    await this.o.refresh();
    const again = await this.o.reask.next();
    if (again) return again;
    const waiting = await this.o.nextWaiting();
    if (waiting) return waiting;
    if (!sampler.plan && study.budgetSize < initPoints) {
      if (this.design === null || this.designSize !== initPoints) {
        // a loaded study stopped within its design: the rest of that design (see InterruptedTrials.drawDesign)
        this.design = this.o.reask.drawDesign(initPoints, 'first');
        this.designSize = initPoints;
      }
      // counted again under the lock: another worker may have asked meanwhile
      const t = await asker.askFromDesign(this.design, undefined, initPoints);
      if (t !== DESIGN_DONE) return t as Trial;
    }
    return (await this.proposeAndAsk()) as Trial;
  }

  /**
   * `q` trials for `suggestBatch` with a sampler that chooses batches
   * together (Sampler.proposeBatch): interrupted trials and the initial
   * design first, one at a time as `suggestOne` hands them out, then the
   * rest of the batch proposed at once and asked. A point another worker
   * took meanwhile (see TrialAsker.ask's `seen`) is replaced by a single
   * proposal made with the asked ones pending.
   */
  async suggestBatch(q: number, initPoints: number): Promise<Trial[]> {
    const { study, sampler, asker } = this.o;
    const out: Trial[] = [];
    while (out.length < q) {
      this.o.assertUsable();
      await this.o.refresh();
      const batch = sampler.proposeBatch;
      if (!batch || this.o.reask.length || study.hasWaiting() || (!sampler.plan && study.budgetSize < initPoints)) {
        out.push(await this.suggestOne(initPoints));
        continue;
      }
      const seen = study.ids();
      const props = await batch.call(sampler, study, q - out.length);
      for (const prop of props) {
        this.o.assertUsable();
        const t = await asker.ask(prop.params, prop.source, prop, undefined, seen);
        out.push(t === STALE ? ((await this.o.refresh(), await this.proposeAndAsk()) as Trial) : (t as Trial));
      }
    }
    return out;
  }

  /**
   * A model-guided point, asked. When another worker asked a trial next to it
   * while it was being proposed (see TrialAsker.ask's `seen`), it is proposed
   * again from the refreshed study, with that trial pending, up to
   * RE_PROPOSALS times; after that asked as it is (moved, under the lock,
   * off an exact repeat and out of every in-flight trial's NEAR box: see
   * TrialAsker.offInFlight).
   */
  async proposeAndAsk(limit?: number): Promise<Trial | null> {
    const { study, sampler, asker } = this.o;
    for (let attempt = 0; ; attempt++) {
      const seen = study.ids();
      const prop = await sampler.propose(study);
      if (attempt >= RE_PROPOSALS) return asker.ask(prop.params, prop.source, prop, limit);
      const t = await asker.ask(prop.params, prop.source, prop, limit, seen);
      if (t !== STALE) return t;
      await this.o.refresh();
    }
  }
}
