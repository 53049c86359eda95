/**
 * Regret benchmark: BayesianOptimization vs RandomSearch on Branin,
 * Hartmann6 and Ackley-5 (published optima), several seeds, a fixed budget.
 * Prints a table of median simple regret and mean time per suggestion, and
 * writes the same to bench/results/regret.json.
 *
 *   npm run bench:regret -- [--seeds 10] [--budget 40] [--init 8] [--engine cpu|auto|webgpu] [--acquisition ei]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BayesianOptimization, RandomSearch } from '../src/optimizer';
import { ackley, branin, evaluateProblem, hartmann6, type TestProblem } from '../src/problems';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    budget: { type: 'string', default: '40' },
    init: { type: 'string', default: '8' },
    engine: { type: 'string', default: 'cpu' },
    acquisition: { type: 'string', default: 'ei' },
    problems: { type: 'string', default: 'branin,hartmann6,ackley5' },
    out: { type: 'string', default: 'bench/results/regret.json' },
    candidates: { type: 'string' },
    xi: { type: 'string' },
    kernel: { type: 'string', default: 'matern52' },
    priors: { type: 'string', default: 'true' },
    warping: { type: 'string', default: 'winsorize' },
  },
});
const seeds = Number(values.seeds);
const budget = Number(values.budget);
const init = Number(values.init);
const problems: Record<string, TestProblem> = { branin, hartmann6, ackley5: ackley(5) };
const chosen = values.problems!.split(',').map((n) => problems[n]);

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Row { problem: string; method: string; medianRegret: number; regrets: number[]; meanSuggestMs: number; engine: string }
const rows: Row[] = [];

for (const prob of chosen) {
  for (const method of ['bo', 'random'] as const) {
    const regrets: number[] = [];
    const suggestMs: number[] = [];
    let engine = 'none';
    for (let s = 0; s < seeds; s++) {
      const opts = {
        f: async (p: Record<string, unknown>) => -evaluateProblem(prob, p),
        pbounds: prob.bounds,
        randomState: 1000 + s,
        engine: values.engine as 'cpu',
        ...(values.candidates ? { candidates: Number(values.candidates) } : {}),
        acquisition: { kind: values.acquisition as 'ei', ...(values.xi ? { xi: Number(values.xi) } : {}) },
        kernel: values.kernel as 'matern52',
        gp: { priors: values.priors === 'true' },
        outputWarping: values.warping as 'winsorize',
      };
      const opt = method === 'bo' ? new BayesianOptimization(opts) : new RandomSearch(opts);
      await opt.maximize({ initPoints: init, nIter: budget - init });
      regrets.push(-opt.max!.target - prob.minimum);
      for (const r of opt.res) {
        if (r.suggestMs !== undefined) suggestMs.push(r.suggestMs);
        if (r.engine) engine = r.engine;
      }
      opt.dispose();
    }
    const meanSuggestMs = suggestMs.length ? suggestMs.reduce((a, b) => a + b, 0) / suggestMs.length : 0;
    rows.push({ problem: prob.name, method, medianRegret: median(regrets), regrets, meanSuggestMs, engine });
    console.error(`${prob.name} ${method}: median regret ${median(regrets).toExponential(3)}`);
  }
}

const header = ['problem', 'method', 'engine', 'median regret', 'ms/suggestion'];
const body = rows.map((r) => [r.problem, r.method, r.engine, r.medianRegret.toExponential(3), r.meanSuggestMs.toFixed(1)]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const fmt = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log(fmt(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const b of body) console.log(fmt(b));
for (const prob of chosen) {
  const bo = rows.find((r) => r.problem === prob.name && r.method === 'bo')!;
  const rs = rows.find((r) => r.problem === prob.name && r.method === 'random')!;
  console.log(`${prob.name}: random / BO median regret = ${(rs.medianRegret / bo.medianRegret).toFixed(1)}x`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out!, JSON.stringify({ date: new Date().toISOString(), seeds, budget, init, engine: values.engine, acquisition: values.acquisition, rows }, null, 2));
console.log(`wrote ${values.out}`);
