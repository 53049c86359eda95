import { describe, expect, it } from 'vitest';
import { atLeastAsGood, bestSoFar, bestWithinEpochs, checkGoal, checkPruneGoal, epochsAtMost, formatEpochs, randomBestShared, reach, summarize, totalEpochs } from '../../src/cli/summary';
import type { StrategyRecord } from '../../src/cli/types';
import { fixtureRecord, prunedRuns, run, strategy, trials } from './record-fixture';

/** Means of a few decimals: exact up to float64 rounding. */
const TOL_MEAN = 1e-12;

describe('bestSoFar', () => {
  it('tracks the running minimum or maximum and skips failed evaluations', () => {
    expect(bestSoFar([3, null, 4, 2, 2.5, 1], 'minimize')).toEqual([3, 3, 3, 2, 2, 1]);
    expect(bestSoFar([0.5, 0.7, null, 0.6, 0.9], 'maximize')).toEqual([0.5, 0.7, 0.7, 0.7, 0.9]);
    expect(bestSoFar([null, null, 4], 'minimize')).toEqual([null, null, 4]);
    expect(bestSoFar([], 'minimize')).toEqual([]);
  });

  it('ignores non-finite values', () => {
    expect(bestSoFar([NaN, 2, Infinity], 'minimize')).toEqual([null, 2, 2]);
  });

  it('ties count as reaching a target in both directions', () => {
    expect(atLeastAsGood(1, 1, 'minimize') && atLeastAsGood(1, 1, 'maximize')).toBe(true);
    expect(atLeastAsGood(1, 2, 'minimize')).toBe(true);
    expect(atLeastAsGood(1, 2, 'maximize')).toBe(false);
  });
});

describe('reach', () => {
  it('is the first evaluation whose best so far matches the target, with its end time', () => {
    const t = trials([5, 4.6, 4.4, 4.3], 500);
    expect(reach(t, 4.5, 'minimize')).toEqual({ evaluations: 3, ms: 1500 });
    expect(reach(t, 4.4, 'minimize')).toEqual({ evaluations: 3, ms: 1500 });
    expect(reach(t, 5, 'minimize')).toEqual({ evaluations: 1, ms: 500 });
    expect(reach(t, 4.2, 'minimize')).toBeNull();
    expect(reach(t, null, 'minimize')).toBeNull();
  });

  it('counts the epochs trained up to it, pruned evaluations with the epochs they ran', () => {
    const t = trials([5, 4.6, 4.4, 4.3], 500).map((x, i) => ({ ...x, epochsRun: [3, 1, 3, 2][i] }));
    expect(reach(t, 4.5, 'minimize')).toEqual({ evaluations: 3, ms: 1500, epochs: 7 });
    expect(reach(t, 4.3, 'minimize')).toEqual({ evaluations: 4, ms: 2000, epochs: 9 });
    // an evaluation without its epochs: no epoch count
    const missing = t.map((x, i) => (i === 1 ? { ...x, epochsRun: undefined } : x));
    expect(reach(missing, 4.5, 'minimize')).toEqual({ evaluations: 3, ms: 1500 });
  });
});

describe('summarize and checkGoal', () => {
  it('averages per strategy over seeds (hand-computed from the fixture)', () => {
    const r = fixtureRecord();
    const [grid, random, bayes] = r.summary;
    expect(r.summary.map((s) => s.strategy)).toEqual(['grid', 'random', 'bayes']);
    expect(grid).toMatchObject({ seeds: 2, meanEvaluations: 4, meanWallMs: 4000, reached: 0, meanReachEvaluations: null });
    expect(grid.meanBest).toBeCloseTo(4.7, 12);
    expect(Math.abs((grid.meanTest as number) - 4.85)).toBeLessThan(TOL_MEAN);
    expect(random).toMatchObject({ reached: 2, meanReachEvaluations: 3.5 });
    expect(Math.abs((random.meanBest as number) - 4.45)).toBeLessThan(TOL_MEAN);
    expect(bayes).toMatchObject({ reached: 1, meanReachEvaluations: 3 });
    expect(Math.abs((bayes.meanBest as number) - 4.4)).toBeLessThan(TOL_MEAN);
    expect(Math.abs((bayes.meanTest as number) - 4.55)).toBeLessThan(TOL_MEAN);
  });

  it('counts seeds where bayes reached random\'s best within half the budget and had the best test metric', () => {
    // fixture: seed 1 bayes reaches at 3 of 4 (> 2) but tests best; seed 2 never reaches and tests worse than random
    expect(fixtureRecord().goal).toEqual({ bayesHalfBudget: 0, sharedBest: 0, bayesBestTest: 1, seeds: 2, met: false });
    const good = run(7, [
      strategy('grid', [5.0, 4.9, 4.8, 4.8], 4.9),
      strategy('random', [5.1, 4.9, 4.7, 4.5], 4.6),
      strategy('bayes', [5.1, 4.5, 4.4, 4.4], 4.6), // reaches at 2 = budget / 2; test ties random
    ]);
    expect(checkGoal([good], 'minimize')).toEqual({ bayesHalfBudget: 1, sharedBest: 0, bayesBestTest: 1, seeds: 1, met: true });
    // random's best a shared initial point: not counted (every strategy evaluates it at once), and a goal
    // whose every seed is such is not met
    const shared = run(8, [
      strategy('grid', [5.0, 4.9, 4.8, 4.8], 4.9),
      strategy('random', [4.2, 4.9, 4.7, 4.5], 4.6),
      strategy('bayes', [4.2, 4.5, 4.4, 4.4], 4.6),
    ]);
    for (const s of shared.strategies) if (s.strategy !== 'grid') s.trials[0].source = 'init';
    expect(checkGoal([shared], 'minimize')).toEqual({ bayesHalfBudget: 0, sharedBest: 1, bayesBestTest: 1, seeds: 1, met: false });
    expect(checkGoal([good, shared], 'minimize')).toEqual({ bayesHalfBudget: 1, sharedBest: 1, bayesBestTest: 2, seeds: 2, met: true });
  });

  it('is null unless grid, random and bayes all ran', () => {
    const partial = run(1, [strategy('bayes', [1, 2], 1)]);
    expect(checkGoal([partial], 'minimize')).toBeNull();
    expect(checkGoal([], 'minimize')).toBeNull();
    expect(summarize([partial])[0]).toMatchObject({ strategy: 'bayes', reached: 0, meanReachEvaluations: null });
  });
});

describe('checkGoal without retraining', () => {
  it('reports the test part as not measured and the goal as not met', () => {
    const strip = (s: ReturnType<typeof strategy>) => ({ ...s, retrain: null });
    const r = run(1, [
      strip(strategy('grid', [5, 5], 5)), strip(strategy('random', [5, 4], 4)), strip(strategy('bayes', [4, 4], 4)),
    ]);
    expect(checkGoal([r], 'minimize')).toEqual({ bayesHalfBudget: 1, sharedBest: 0, bayesBestTest: null, seeds: 1, met: false });
  });
});

describe('the pruning goal (checkPruneGoal)', () => {
  const [seedA, seedB] = [() => prunedRuns()[0], () => prunedRuns()[1]];

  it('counts seeds where random\'s best was a shared initial point apart, and checks time, epochs and test on the others', () => {
    const runs = [seedA(), seedB()];
    expect(randomBestShared(runs[0].strategies[0])).toBe(false);
    expect(randomBestShared(runs[1].strategies[0])).toBe(true);
    expect(runs[0].strategies.map(totalEpochs)).toEqual([48, 48, 18]);
    expect(runs[0].strategies[2].reachRandomBest).toEqual({ evaluations: 3, ms: 1200, epochs: 16 });
    expect(checkPruneGoal(runs, 'asha', 'minimize')).toEqual({
      strategy: 'bayes+asha', seeds: 2, sharedBest: 1, thirdOfTime: 1, thirdOfEpochs: 1, fewerEpochsThanBayes: 1, testNoWorse: 1,
    });
  });

  it('fails each count on its own: slower than a third, more epochs, worse test', () => {
    const a = seedA();
    const p = a.strategies[2];
    p.trials = p.trials.map((t, i) => ({ ...t, endMs: 1000 * (i + 1), epochsRun: [12, 12, 12, 2][i] }));
    p.retrain = { ...(p.retrain as NonNullable<StrategyRecord['retrain']>), testMetric: 4.51 };
    p.reachRandomBest = reach(p.trials, a.randomBest, 'minimize');
    expect(p.reachRandomBest).toEqual({ evaluations: 3, ms: 3000, epochs: 36 });
    expect(checkPruneGoal([a], 'asha', 'minimize')).toEqual({
      strategy: 'bayes+asha', seeds: 1, sharedBest: 0, thirdOfTime: 0, thirdOfEpochs: 0, fewerEpochsThanBayes: 0, testNoWorse: 0,
    });
  });

  it('is null without a pruner or without the rows it compares', () => {
    expect(checkPruneGoal([seedA()], 'none', 'minimize')).toBeNull();
    expect(checkPruneGoal([seedA()], 'median', 'minimize')).toBeNull();
    expect(checkPruneGoal([], 'asha', 'minimize')).toBeNull();
    const noBayes = seedA();
    noBayes.strategies.splice(1, 1);
    expect(checkPruneGoal([noBayes], 'asha', 'minimize')).toMatchObject({ fewerEpochsThanBayes: null, testNoWorse: null, thirdOfEpochs: 1 });
  });
});

describe('bestWithinEpochs', () => {
  it('is the best value of the evaluations that fit in the epochs, in order', () => {
    const s = { trials: trials([5, 4.6, 4.4, 4.3]).map((t, i) => ({ ...t, epochsRun: [12, 5, 12, 2][i] })) };
    expect(bestWithinEpochs(s, 11, 'minimize')).toBeNull();
    expect(bestWithinEpochs(s, 12, 'minimize')).toBe(5);
    expect(bestWithinEpochs(s, 28, 'minimize')).toBe(4.6);
    // evaluations end at 12, 17, 29 and 31 epochs
    expect(bestWithinEpochs(s, 30, 'minimize')).toBe(4.4);
    expect(bestWithinEpochs(s, 31, 'minimize')).toBe(4.3);
    expect(bestWithinEpochs(s, 29, 'maximize')).toBe(5);
    const failed = { trials: trials([5, null, 4]).map((t) => ({ ...t, epochsRun: 3 })) };
    expect(bestWithinEpochs(failed, 6, 'minimize')).toBe(5);
    expect(bestWithinEpochs({ trials: trials([5]) }, 100, 'minimize')).toBeNull();
  });
});

describe('diverged retrainings and fractional epochs', () => {
  it('a test metric of NaN (a diverged retraining) is no score: it beats nothing, and the seed mean leaves it out', () => {
    const runs = fixtureRecord().runs;
    // seed 1: bayes 4.4 was the best test; random's retraining diverging must not take that away
    runs[0].strategies[1].retrain!.testMetric = NaN;
    expect(checkGoal(runs, 'minimize')?.bayesBestTest).toBe(1);
    // bayes's own NaN is not the best
    runs[0].strategies[2].retrain!.testMetric = NaN;
    expect(checkGoal(runs, 'minimize')?.bayesBestTest).toBe(0);
    // means over the seeds with a score: random's 4.5 (seed 2), bayes's 4.7 (seed 2)
    const s = summarize(runs);
    expect(s.find((x) => x.strategy === 'random')?.meanTest).toBe(4.5);
    expect(s.find((x) => x.strategy === 'bayes')?.meanTest).toBe(4.7);
    // the pruning check: a pruned row with a score is no worse than a plain one without; none is not no worse
    const pruned = prunedRuns();
    pruned[0].strategies[1].retrain!.testMetric = NaN; // plain bayes of seed 1
    pruned[1].strategies[2].retrain!.testMetric = NaN; // bayes+asha of seed 2
    expect(checkPruneGoal(pruned, 'asha', 'minimize')?.testNoWorse).toBe(1);
  });

  it('epoch counts summed from thirds of an epoch compare as the whole counts they are', () => {
    expect(epochsAtMost((1 / 3) * 6, 2)).toBe(true); // 6 x 0.333... = 1.9999999999999998
    expect(epochsAtMost(2 + 1e-6, 2)).toBe(false);
    expect(formatEpochs(2 + 1 / 3)).toBe('2.33');
    expect(formatEpochs(5 / 3)).toBe('1.67');
    expect(formatEpochs(12)).toBe('12');
    // a plain row whose first evaluation trained 2 epochs fits in 6 thirds (sum 2 - 2e-16): it was dropped
    const plain = { trials: trials([4.2, 4.0]).map((t) => ({ ...t, epochsRun: 2 })) };
    let spent = 0;
    for (let k = 0; k < 6; k++) spent += 1 / 3;
    expect(spent).toBeLessThan(2);
    expect(bestWithinEpochs(plain, spent, 'minimize')).toBe(4.2);
  });
});
