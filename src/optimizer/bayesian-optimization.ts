/**
 * Bayesian optimization: a float64 GP fitted to every completed trial, and an
 * acquisition maximized over tens of thousands of candidates by the engine
 * (WebGPU or the CPU reference).
 *
 * @example
 * ```ts
 * import { BayesianOptimization } from 'webgpu-bayesopt';
 * const opt = new BayesianOptimization({
 *   f: ({ x, y }) => -((x as number) ** 2) - ((y as number) - 1) ** 2 + 1,
 *   pbounds: { x: [2, 4], y: [-3, 3] },
 *   randomState: 1,
 * });
 * await opt.maximize({ initPoints: 5, nIter: 25 });
 * console.log(opt.max); // { target, params }
 * ```
 */
import { DEFAULT_CANDIDATES, type Engine } from '../acquisition/engine';
import type { AcquisitionSpec } from '../acquisition/functions';
import { refineFromWinner } from '../acquisition/refine';
import { resolveEngine } from './engine-choice';
import { GaussianProcess } from '../gp';
import { IDENTITY_TRANSFORM, selectOutputTransform, type OutputTransform } from '../gp/transforms';
import type { Params } from '../space/types';
import { Rng } from '../util/rng';
import type { Recommendation, Trial } from './types';
import type { ModelState } from '../storage';
import { BaseOptimizer, pointKey, type Proposal } from './base-optimizer';
import { parseAcquisition, type OptimizerOptions } from './options';

/** How many of the best observations seed the local candidates. */
const INCUMBENTS = 5;

export class BayesianOptimization extends BaseOptimizer {
  /** the acquisition in use, fully specified */
  readonly acquisition: AcquisitionSpec;
  /** the surrogate: the GP fitted at the latest suggestion (`predict` it to plot the model) */
  readonly gp: GaussianProcess;
  private engine: Engine | null = null;
  private enginePromise: Promise<Engine> | null = null;
  private ownsEngine = false;

  constructor(options: OptimizerOptions) {
    super(options);
    this.acquisition = parseAcquisition(options.acquisition);
    this.gp = new GaussianProcess({
      kernel: options.kernel ?? 'matern52',
      rng: this.rng.fork(),
      ...(options.gp ?? {}),
    });
  }

  /** The engine that will run (or ran) suggestions; resolved on first use. */
  async getEngine(): Promise<Engine> {
    if (this.engine) return this.engine;
    this.enginePromise ??= resolveEngine(this.options.engine ?? 'auto', this.log).then((r) => {
      this.engine = r.engine;
      this.ownsEngine = r.owned;
      return r.engine;
    });
    return this.enginePromise;
  }

  protected override async propose(): Promise<Proposal> {
    const t0 = now();
    const done = this.completed();
    const d = this.space.dim;
    if (done.length === 0) {
      const [u] = this.space.sample(this.rng, 1, 'random');
      return { params: this.space.decode(u), source: 'random', suggestMs: now() - t0 };
    }
    // Completed observations, then pending ones at a pessimistic "constant
    // liar" value so parallel/asked points repel new suggestions.
    const pend = this.pending();
    const { X, y } = this.observations(done, pend.length);
    let worst = Infinity;
    for (let i = 0; i < done.length; i++) worst = Math.min(worst, y[i]);
    pend.forEach((t, i) => {
      X.set(this.space.encode(t.params), (done.length + i) * d);
      y[done.length + i] = worst;
    });
    this.gp.fit(X, y, d);
    const factors = this.gp.factors();
    // Incumbent: best posterior mean over the real observations (robust to noise).
    const fitted = this.gp.trainingMean({ standardized: true });
    let best = -Infinity;
    for (let i = 0; i < done.length; i++) best = Math.max(best, fitted[i]);
    const order = done.map((_, i) => i).sort((a, b) => y[b] - y[a]).slice(0, INCUMBENTS);
    const incumbents = new Float64Array(order.length * d);
    order.forEach((i, r) => incumbents.set(X.subarray(i * d, i * d + d), r * d));

    const engine = await this.getEngine();
    const candidates = this.options.candidates ?? DEFAULT_CANDIDATES[engine.kind];
    const res = await engine.propose({
      factors, acquisition: this.acquisition, best, candidates,
      incumbents, nIncumbents: order.length, layout: this.space.layout, seed: this.rng.nextUint32(),
    });
    // Quality hook: polish the engine's winner by float64 gradient ascent (src/acquisition/refine.ts).
    const x = this.options.refine === false ? res.x : refineFromWinner(
      { factors, acquisition: this.acquisition, best, layout: this.space.layout }, res.x, incumbents, order.length, res.score,
    );
    let params = this.space.decode(x);
    params = this.avoidDuplicate(params);
    return { params, source: 'suggest', engine: res.engine, suggestMs: now() - t0 };
  }

  /**
   * The completed trial with the best posterior mean of a GP fitted to every
   * completed trial (as Ax recommends from model predictions): on a noisy
   * objective it discounts a lucky draw next to worse neighbours; on a
   * noiseless one it is the best observed trial, or a neighbour within the
   * GP's noise floor of it. Uses its own GP and random
   * stream, so asking does not change later suggestions. Falls back to the
   * best observed trial with fewer than 3 completed trials.
   */
  override async recommend(): Promise<Recommendation | undefined> {
    const done = this.completed();
    if (done.length < 3) return super.recommend();
    const d = this.space.dim;
    const { X, y, transform } = this.observations(done, 0);
    const gp = new GaussianProcess({ kernel: this.options.kernel ?? 'matern52', ...(this.options.gp ?? {}), rng: new Rng(done.length) });
    const mean = gp.fit(X, y, d).trainingMean();
    let k = 0;
    for (let i = 1; i < done.length; i++) if (mean[i] > mean[k]) k = i;
    const t = done[k];
    return { id: t.id, params: { ...t.params }, target: t.target as number, predicted: this.sign * transform.inverse(mean[k]) };
  }

  /**
   * The completed trials as model inputs: `X` (`(n + extra) x d`, encoded)
   * and `y` (sign * target, bad tail winsorized), with `extra` rows left for
   * the caller to fill.
   */
  private observations(
    done: readonly Trial[], extra: number,
  ): { X: Float64Array; y: Float64Array; transform: OutputTransform } {
    const d = this.space.dim;
    const X = new Float64Array((done.length + extra) * d);
    const y = new Float64Array(done.length + extra);
    done.forEach((t, i) => {
      X.set(this.space.encode(t.params), i * d);
      y[i] = this.sign * (t.target as number);
    });
    // Quality hook: output transforms (src/gp/transforms.ts); strictly increasing, inverted for `predicted`.
    let transform = IDENTITY_TRANSFORM;
    if ((this.options.outputWarping ?? 'power') === 'power') {
      transform = selectOutputTransform(X, y, done.length, d, () => new GaussianProcess({
        kernel: this.options.kernel ?? 'matern52', ...(this.options.gp ?? {}), restarts: 1, rng: new Rng(done.length),
      }));
      for (let i = 0; i < done.length; i++) y[i] = transform.forward(y[i]);
      winsorizeLowerTail(y, done.length); // on the warped scale: still clips a diverged trial
    } else if (this.options.outputWarping !== 'none') winsorizeLowerTail(y, done.length);
    return { X, y, transform };
  }

  /**
   * A proposal equal to a point already tried wastes a trial when the space
   * still has untried points (small discrete spaces): draw random untried ones instead.
   */
  private avoidDuplicate(p: Params): Params {
    const seen = new Set(this.trials.map((t) => pointKey(t.params)));
    if (!seen.has(pointKey(p))) return p;
    for (let i = 0; i < 100; i++) {
      const [u] = this.space.sample(this.rng, 1, 'random');
      const q = this.space.decode(u);
      if (!seen.has(pointKey(q))) return q;
    }
    return p;
  }

  protected override modelState(): ModelState {
    return this.gp.state();
  }

  protected override restoreModelState(state: ModelState): void {
    this.gp.restoreState(state);
  }

  protected override release(): void {
    if (this.engine && this.ownsEngine) this.engine.dispose();
    this.engine = null;
  }
}

/**
 * Clips the bad tail of the first `n` values (maximization sense) at
 * Q1 - 1.5 IQR, as Ax's automatic winsorization does, so a few disastrous
 * trials (a diverged network) do not flatten the standardized landscape
 * around the good ones. Needs at least 4 values and a non-zero IQR.
 */
export function winsorizeLowerTail(y: Float64Array, n: number): void {
  if (n < 4) return;
  const s = Array.from(y.subarray(0, n)).sort((a, b) => a - b);
  const q = (p: number) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * (s[Math.min(lo + 1, n - 1)] - s[lo]);
  };
  const q1 = q(0.25);
  const iqr = q(0.75) - q1;
  if (!(iqr > 0)) return;
  const cut = q1 - 1.5 * iqr;
  for (let i = 0; i < n; i++) if (y[i] < cut) y[i] = cut;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export type { Params };
