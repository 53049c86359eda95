/** Pure arithmetic over run records: best-so-far curves, "time to reach", per-strategy means, the goal check. */
import type {
  GoalCheck, PruneCheck, PrunerName, ReachRecord, RunRecord, StrategyLabel, StrategyName, StrategyRecord, StrategySummary, TrialRecord,
} from './types';

type Direction = 'minimize' | 'maximize';

/** Whether `a` is at least as good as `b`. */
export function atLeastAsGood(a: number, b: number, direction: Direction): boolean {
  return direction === 'minimize' ? a <= b : a >= b;
}

/**
 * Running best of `values` (null entries are failed evaluations and are
 * skipped); entry i is the best of values[0..i], null until one is finite.
 */
export function bestSoFar(values: readonly (number | null)[], direction: Direction): (number | null)[] {
  let best: number | null = null;
  return values.map((v) => {
    if (v !== null && Number.isFinite(v) && (best === null || !atLeastAsGood(best, v, direction))) best = v;
    return best;
  });
}

/**
 * The first trial whose best-so-far is at least as good as `target`, with
 * its end time and the epochs trained up to it; null when none is.
 */
export function reach(trials: readonly TrialRecord[], target: number | null, direction: Direction): ReachRecord | null {
  if (target === null) return null;
  let epochs: number | null = 0;
  for (const t of trials) {
    epochs = epochs === null || t.epochsRun === undefined ? null : epochs + t.epochsRun;
    if (t.bestSoFar !== null && atLeastAsGood(t.bestSoFar, target, direction)) {
      return epochs === null ? { evaluations: t.index, ms: t.endMs } : { evaluations: t.index, ms: t.endMs, epochs };
    }
  }
  return null;
}

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * A test metric as compared: a diverged retraining's NaN (no score, see
 * retrainAndTest) is no score, which beats nothing and is beaten by none.
 */
function score(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/**
 * Whether epoch count `a` is at most `b`: counts are sums of fractions of an
 * epoch (a third of an epoch of 3 batches), so six thirds are 1.9999999999999998,
 * not 2; a difference of a billionth of an epoch is none.
 */
export function epochsAtMost(a: number, b: number): boolean {
  return a <= b + 1e-9 * Math.max(1, Math.abs(b));
}

/** An epoch count as printed: at most 2 decimals (2.33, 1.67), whole counts as they are. */
export function formatEpochs(e: number): string {
  return String(Number(e.toFixed(2)));
}

/** Per-strategy means over the runs (one run per seed), in the order strategies first appear. */
export function summarize(runs: readonly RunRecord[]): StrategySummary[] {
  const names: StrategyLabel[] = [];
  for (const r of runs) for (const s of r.strategies) if (!names.includes(s.strategy)) names.push(s.strategy);
  return names.map((name) => {
    const recs = runs.flatMap((r) => r.strategies.filter((s) => s.strategy === name));
    const reached = recs.filter((s) => s.reachRandomBest !== null);
    return {
      strategy: name,
      seeds: recs.length,
      meanEvaluations: mean(recs.map((s) => s.evaluations)) ?? 0,
      meanWallMs: mean(recs.map((s) => s.wallMs)) ?? 0,
      meanBest: mean(recs.flatMap((s) => (s.best ? [s.best.value] : []))),
      // over the seeds with a score: one diverged retraining (NaN) does not hide the others
      meanTest: mean(recs.flatMap((s) => score(s.retrain?.testMetric) ?? [])),
      reached: reached.length,
      meanReachEvaluations: mean(reached.map((s) => (s.reachRandomBest as ReachRecord).evaluations)),
      meanReachMs: mean(reached.map((s) => (s.reachRandomBest as ReachRecord).ms)),
    };
  });
}

/**
 * The success criterion, per seed: Bayesian search reaches random search's
 * best validation metric within half of random search's evaluations, and its
 * retrained test metric is the best of grid, random and Bayesian search
 * (ties count as best). Null unless all three ran on every seed.
 */
export function checkGoal(runs: readonly RunRecord[], direction: Direction): GoalCheck | null {
  let half = 0;
  let shared = 0;
  let test = 0;
  let tested = false;
  for (const r of runs) {
    const get = (n: StrategyName) => r.strategies.find((s) => s.strategy === n);
    const bayes = get('bayes');
    const random = get('random');
    const grid = get('grid');
    if (!bayes || !random || !grid) return null;
    // random's best a shared initial point: every strategy evaluates it, a free hit (as checkPruneGoal)
    if (r.randomBestShared ?? randomBestShared(random)) shared++;
    else if (bayes.reachRandomBest !== null && bayes.reachRandomBest.evaluations <= random.evaluations / 2) half++;
    const t = score(bayes.retrain?.testMetric);
    const others = [random, grid].map((s) => score(s.retrain?.testMetric));
    if ([bayes, random, grid].some((s) => s.retrain?.testMetric !== undefined)) tested = true;
    if (t !== undefined && others.every((o) => o === undefined || atLeastAsGood(t, o, direction))) test++;
  }
  if (runs.length === 0) return null;
  return {
    bayesHalfBudget: half,
    sharedBest: shared,
    bayesBestTest: tested ? test : null,
    seeds: runs.length,
    met: shared < runs.length && half === runs.length - shared && test === runs.length,
  };
}

/** Epochs a strategy trained over all its evaluations; null when one did not record them. */
export function totalEpochs(s: Pick<StrategyRecord, 'trials'>): number | null {
  let n = 0;
  for (const t of s.trials) {
    if (t.epochsRun === undefined) return null;
    n += t.epochsRun;
  }
  return n;
}

/** Whether random search's best evaluation was one of the shared initial points (source 'init'). */
export function randomBestShared(random: StrategyRecord | undefined): boolean {
  const b = random?.best;
  return b !== null && b !== undefined && random?.trials[b.index - 1]?.source === 'init';
}

/**
 * The pruning goal for the row `bayes+<pruner>` (see PruneCheck). Null
 * without a pruner, or unless random search and the pruned row ran on every seed.
 */
export function checkPruneGoal(runs: readonly RunRecord[], pruner: PrunerName, direction: Direction): PruneCheck | null {
  if (pruner === 'none' || runs.length === 0) return null;
  const label = `bayes+${pruner}` as StrategyLabel;
  const c: PruneCheck = { strategy: label, seeds: runs.length, sharedBest: 0, thirdOfTime: 0, thirdOfEpochs: 0, fewerEpochsThanBayes: 0, testNoWorse: 0 };
  for (const r of runs) {
    const random = r.strategies.find((s) => s.strategy === 'random');
    const pruned = r.strategies.find((s) => s.strategy === label);
    if (!random || !pruned) return null;
    const bayes = r.strategies.find((s) => s.strategy === 'bayes');
    if (!bayes) c.fewerEpochsThanBayes = null;
    if (pruned.retrain?.testMetric === undefined || bayes?.retrain?.testMetric === undefined) c.testNoWorse = null;
    else if (c.testNoWorse !== null) {
      const [t, tb] = [score(pruned.retrain.testMetric), score(bayes.retrain.testMetric)];
      // a diverged retraining has no score: the pruned row's is no worse than none, and none is no better than one
      if (t !== undefined && (tb === undefined || atLeastAsGood(t, tb, direction))) c.testNoWorse++;
    }
    if (r.randomBestShared ?? randomBestShared(random)) {
      c.sharedBest++;
      continue;
    }
    const at = pruned.reachRandomBest;
    if (at === null) continue;
    if (at.ms <= random.wallMs / 3) c.thirdOfTime++;
    const randomEpochs = totalEpochs(random);
    if (at.epochs !== undefined && randomEpochs !== null && epochsAtMost(at.epochs, randomEpochs / 3)) c.thirdOfEpochs++;
    const atBayes = bayes?.reachRandomBest;
    if (c.fewerEpochsThanBayes !== null && at.epochs !== undefined &&
        (atBayes === null || (atBayes?.epochs !== undefined && !epochsAtMost(atBayes.epochs, at.epochs)))) c.fewerEpochsThanBayes++;
  }
  return c;
}

/**
 * The best value `s` had found when its evaluations had trained `epochs`
 * epochs in all (evaluations past that budget left out): a plain row's best
 * at the compute its pruned twin spent. Null when none fits or epochs are missing.
 */
export function bestWithinEpochs(s: Pick<StrategyRecord, 'trials'>, epochs: number, direction: Direction): number | null {
  let used = 0;
  let best: number | null = null;
  for (const t of s.trials) {
    if (t.epochsRun === undefined) return null;
    used += t.epochsRun;
    if (!epochsAtMost(used, epochs)) break;
    if (t.value !== null && Number.isFinite(t.value) && (best === null || !atLeastAsGood(best, t.value, direction))) best = t.value;
  }
  return best;
}
