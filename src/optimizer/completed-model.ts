/**
 * The model of the completed trials alone, which `recommend()` and
 * `predict()` read: a GP of its own (random stream seeded by the count),
 * pruned and failed trials left out.
 */
import type { GaussianProcess } from '../gp/gaussian-process';
import type { OutputTransform } from '../gp/transforms';
import type { Space } from '../space/space';
import type { Params } from '../space/types';
import type { Study } from '../storage/study';
import type { ModelPrediction, Recommendation, Trial } from '../study/types';
import { Rng } from '../util/rng';
import { fits, observations, type OutputWarping, type WarpModel } from './proposal';

/** The completed trials, their GP and the output transform of their targets. */
export interface CompletedModel {
  done: Trial[];
  gp: GaussianProcess;
  transform: OutputTransform;
}

/**
 * The leave-one-out z-score beyond which a target is one the model cannot
 * explain as noise, with `n` completed trials: 4 (|z| > 4 has probability
 * 6e-5 under Gaussian noise, so about 6% of studies of 1,000 trials hold
 * one by chance), lower with few trials, where even one huge outlier cannot
 * reach 4 (the model then takes it for noise: its z was 2.4 at n = 5, 2.7
 * to 3.9 at 8, 4.2 at 10, 4.8 at 15, about sqrt(n - 1) + 1).
 */
const looOutlierBar = (n: number): number => Math.min(4, 0.8 * Math.sqrt(n - 1));

/**
 * The completed trial with the best posterior mean of the completed
 * trials' model (the optimizer asks it from 3 of them), or undefined (saying so in
 * the log) when the model's predictions are not finite or its best trial
 * was observed worse than half the completed trials while some trial lies
 * more than 4 sd (fewer with under 26 trials) from what the others predict (see
 * BayesianOptimization.recommend). Its own GP and random stream.
 * Pruned trials stay out whatever `prunedTrials` says (their values were
 * read earlier in training, another quantity: nine trials pruned after a
 * quarter epoch next to a digits study's best pulled its posterior mean
 * below the worst completed trial's, which was then recommended), and so
 * do failed ones (the pick is among completed trials).
 */
export function recommendFrom(model: CompletedModel, sign: 1 | -1, log: (line: string) => void): Recommendation | undefined {
  const { done, gp, transform } = model;
  // ranked in standardized units (the same order): in the targets' units a mean just past an
  // observed ±1.7e308 is ±Infinity
  const mean = gp.trainingMean({ standardized: true });
  if (!mean.every(Number.isFinite)) {
    // Not expected with finite targets (the GP scales huge ones); kept so a model failure never picks a trial at random.
    log('recommend: the model\'s predictions are not finite; recommending the best observed trial instead');
    return undefined;
  }
  // a tie (the same point registered several times: one mean, up to rounding) goes to the best observed target
  const observed = (i: number) => sign * (done[i].target as number);
  const tied = (i: number, j: number) => Math.abs(mean[i] - mean[j]) <= 1e-9 * Math.max(1, Math.abs(mean[j]));
  let k = 0;
  for (let i = 1; i < done.length; i++) {
    if (tied(i, k) ? observed(i) > observed(k) : mean[i] > mean[k]) k = i;
  }
  // A model that cannot represent the data (one outlier 1e9 beside values near 1 spreads into a broad
  // hump) can rate a trial observed worse than most above the outlier itself. But a pick observed below
  // the median is also what ordinary noise gives where the search piled its trials near the optimum
  // (a good point's unlucky draw): it is taken for a misfit only when some target lies more than
  // looOutlierBar predictive sd from what the others predict, which Gaussian noise all but never does
  // (Linv, O(n^3), is made only here: a pick observed below the median).
  const better = done.reduce((c, _, i) => c + (observed(i) > observed(k) ? 1 : 0), 0);
  if (2 * better >= done.length) {
    const z = gp.leaveOneOutZ();
    let o = 0;
    for (let i = 1; i < z.length; i++) if (Math.abs(z[i]) > Math.abs(z[o])) o = i;
    if (!(Math.abs(z[o]) <= looOutlierBar(done.length))) {
      log(`recommend: the model's best trial (#${done[k].id}) was observed worse than ${better} of the ${done.length} completed trials, and trial #${done[o].id} lies ${Math.abs(z[o]).toFixed(1)} sd from what the others predict, so the model does not fit them (an outlier?); recommending the best observed trial instead`);
      return undefined;
    }
  }
  const t = done[k];
  return { id: t.id, params: { ...t.params }, target: t.target as number, predicted: inRange(sign * transform.inverse(gp.unstandardize(mean[k]))) };
}

/**
 * The model of the completed trials (as `recommend` fits it) at `points`,
 * in the objective's units: the posterior mean of the latent function and
 * a 95% band, mapped back through the output warp and the direction (the
 * band is the warped band's image, so it need not be symmetric).
 */
export function predictFrom(model: CompletedModel, space: Space, sign: 1 | -1, points: readonly Params[]): ModelPrediction[] {
  const { gp, transform } = model;
  const d = space.dim;
  const Xs = new Float64Array(points.length * d);
  points.forEach((p, i) => Xs.set(space.encode(p), i * d));
  // the band is taken in standardized units and then mapped back: a variance in the targets' units
  // overflows above about 1e154 and underflows to a zero-width band below 1e-154
  const post = gp.predict(Xs, points.length, { standardized: true });
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
export function completedModel(
  space: Space, study: Study, min: number, warping: OutputWarping | undefined, model: WarpModel, newGp: (rng: Rng) => GaussianProcess,
): CompletedModel | null {
  const done = study.completed().filter((t) => fits(space, t.params));
  if (done.length < min) return null;
  const { X, y, transform } = observations(space, study.sign, done, 0, warping, 'ignore', 'ignore', model);
  return { done, gp: newGp(new Rng(done.length)).fit(X, y, space.dim), transform };
}

/**
 * A prediction in the targets' units, at most the largest double: a GP's mean or band just past
 * an observed ±1.7e308 is beyond the range of doubles, and is its end rather than ±Infinity.
 */
function inRange(v: number): number {
  return v > Number.MAX_VALUE ? Number.MAX_VALUE : v < -Number.MAX_VALUE ? -Number.MAX_VALUE : v;
}
