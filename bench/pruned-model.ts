/**
 * How Bayesian optimization should learn from pruned trials: 'worst' (at the
 * worst completed value), 'last' (at the last reported value), 'extrapolate'
 * (that value plus the completed curves' median gain after it) or 'ignore',
 * on a synthetic learning-curve problem with ASHA, against random search with
 * ASHA. Per mode: the best final loss found and the epochs spent, over seeds.
 *
 *   npm run bench:pruned-model -- [--seeds 1,...,8] [--trials 40] [--epochs 27] [--epoch-budget 150] [--modes worst,last,extrapolate,ignore,fidelity,random] [--graces 1] [--out bench/results/pruned-model.json]
 *
 * `--graces 1,4` runs every mode once per ASHA minimum resource (the first
 * rung's epoch; 1 is the library's default).
 *
 * Besides the best after all trials, the best among the trials finished
 * within the first --epoch-budget epochs of training (the modes spend
 * different numbers of epochs per trial, so that is the fair comparison).
 *
 * The problem: x in [0,1]^3; a trial's validation loss after e epochs is
 * f(x) + a(x) / sqrt(e) + noise, with f a shifted quadratic bowl (minimum
 * 0.05 at (0.7, 0.3, 0.5)) and a(x) = 0.2 + 0.6 x3, so some good
 * configurations learn slowly and look bad early: the case where a pruned
 * trial's last value misleads.
 */
import { loadavg } from 'node:os';
import { BayesianOptimization, RandomSearch, type TrialContext } from '../src/optimizer';
import { SuccessiveHalvingPruner } from '../src/pruners';
import { Rng } from '../src/util/rng';
import { intFlag, intListFlag, listFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  seeds: { type: 'string', default: '1,2,3,4,5,6,7,8' },
  trials: { type: 'string', default: '40' },
  'epoch-budget': { type: 'string', default: '150' },
  epochs: { type: 'string', default: '27' },
  modes: { type: 'string', default: 'worst,last,extrapolate,ignore,random' },
  graces: { type: 'string', default: '1' },
  out: { type: 'string', default: 'bench/results/pruned-model.json' },
});
const seeds = intListFlag('seeds', values.seeds, 0);
// the runs take 5 initial points (below): fewer trials was an nIter below 0
const nTrials = intFlag('trials', values.trials, 5);
const epochBudget = intFlag('epoch-budget', values['epoch-budget']);
const epochs = intFlag('epochs', values.epochs);

const finalLoss = (x: number[]) => 0.05 + 2 * ((x[0] - 0.7) ** 2 + (x[1] - 0.3) ** 2 + 0.5 * (x[2] - 0.5) ** 2);

function objective(seed: number) {
  return async (p: Record<string, unknown>, ctx: TrialContext): Promise<number> => {
    const x = [p.x1, p.x2, p.x3] as number[];
    const rng = new Rng((seed * 7919 + ctx.trialId) >>> 0);
    let v = NaN;
    for (let e = 1; e <= epochs; e++) {
      v = finalLoss(x) + (0.2 + 0.6 * x[2]) / Math.sqrt(e) + 0.01 * rng.normal();
      if (await ctx.report(e, v)) return v;
    }
    return v;
  };
}

interface Row { mode: string; grace: number; seed: number; bestFinal: number; bestAtBudget: number; epochs: number; pruned: number }

type Mode = 'worst' | 'last' | 'extrapolate' | 'ignore' | 'fidelity' | 'random';
const modes = listFlag<Mode>('modes', values.modes, ['worst', 'last', 'extrapolate', 'ignore', 'fidelity', 'random']);
const graces = intListFlag('graces', values.graces);
const out = outFlag('out', values.out);

async function run(mode: Mode, grace: number, seed: number): Promise<Row> {
  let spent = 0;
  const f = objective(seed);
  const counted = async (p: Record<string, unknown>, ctx: TrialContext) => f(p, { ...ctx, report: async (s, v) => (spent++, ctx.report(s, v)) });
  const common = {
    f: counted, space: { x1: { type: 'float' as const, low: 0, high: 1 }, x2: { type: 'float' as const, low: 0, high: 1 }, x3: { type: 'float' as const, low: 0, high: 1 } },
    direction: 'minimize' as const, randomState: seed, pruner: new SuccessiveHalvingPruner({ minResource: grace }), log: () => {},
  };
  const opt = mode === 'random' ? new RandomSearch(common)
    : new BayesianOptimization({ ...common, engine: 'cpu', candidates: 2000, prunedTrials: mode });
  await opt.maximize({ initPoints: 5, nIter: nTrials - 5 });
  const trueLoss = (t: { params: Record<string, unknown> }) => finalLoss([t.params.x1, t.params.x2, t.params.x3] as number[]);
  let used = 0;
  let bestFinal = Infinity;
  let bestAtBudget = Infinity;
  for (const t of opt.res) { // trials run one after another: cumulative epochs in res order
    used += Object.keys(t.intermediate ?? {}).length;
    if (t.status !== 'complete') continue;
    bestFinal = Math.min(bestFinal, trueLoss(t));
    if (used <= epochBudget) bestAtBudget = Math.min(bestAtBudget, trueLoss(t));
  }
  opt.dispose();
  return { mode, grace, seed, bestFinal, bestAtBudget, epochs: spent, pruned: opt.res.filter((t) => t.status === 'pruned').length };
}

const load0 = loadavg();
const rows: Row[] = [];
for (const seed of seeds) {
  for (const grace of graces) for (const mode of modes) {
    const r = await run(mode, grace, seed);
    rows.push(r);
    console.log(`seed ${seed} grace ${grace} ${mode.padEnd(11)} best true final loss ${r.bestFinal.toFixed(4)} (within ${epochBudget} epochs ${r.bestAtBudget.toFixed(4)})  epochs ${r.epochs}  pruned ${r.pruned}/${nTrials}`);
  }
}
console.log(`\nmean over ${seeds.length} seeds (${nTrials} trials x <= ${epochs} epochs, ASHA); true final loss, optimum 0.05`);
console.log(`mode        grace   best, all trials   best within ${epochBudget} epochs   epochs spent`);
const summary = graces.flatMap((g) => modes.map((m) => {
  const rs = rows.filter((r) => r.mode === m && r.grace === g);
  const mean = (k: 'bestFinal' | 'bestAtBudget' | 'epochs') => rs.reduce((a, r) => a + r[k], 0) / rs.length;
  console.log(`${m.padEnd(11)} ${String(g).padStart(5)}   ${mean('bestFinal').toFixed(4).padStart(16)}   ${mean('bestAtBudget').toFixed(4).padStart(22)}   ${mean('epochs').toFixed(0).padStart(12)}`);
  return { mode: m, grace: g, meanBestFinal: mean('bestFinal'), meanBestAtBudget: mean('bestAtBudget'), meanEpochs: mean('epochs') };
}));
console.log(`load average ${load0.map((x) => x.toFixed(2)).join(' ')}`);
writeJson(out, { date: new Date().toISOString(), seeds, trials: nTrials, epochs, epochBudget, loadavg: load0, summary, rows });
