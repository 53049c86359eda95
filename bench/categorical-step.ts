/**
 * Whether Bayesian search ends on the right choice of a categorical whose
 * only effect is a step: f = -sum_k (x_k - c_k)^2 - 0.1 [c != 'b'] over
 * `--floats` floats in [0, 1] (optimum at 0.3, 0.6, 0.8, ...) and one
 * categorical of 3 choices, maximized. The case behind the rule that a
 * space with a categorical is winsorized, not gap-warped (src/optimizer/
 * proposal.ts; docs/benchmarks/mixed.md): with the warp, 21 of 40 seeds
 * ended on a wrong choice at 3 floats. Prints, per method, the seeds that
 * end on the right choice and the median regret (quartiles); writes
 * bench/results/categorical-step.json.
 *
 *   npx tsx bench/categorical-step.ts [--seeds 40] [--seed-base 1] [--floats 3] [--budget 30] [--init 5] [--methods bo,random] [--opt '{"outputWarping":"none"}']
 */
import { BayesianOptimization, RandomSearch } from '../src/optimizer';
import type { Params, SpaceSpec } from '../src/space/types';
import { fail, flagCheck, intFlag, jsonObjectFlag, listFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  seeds: { type: 'string', default: '40' },
  'seed-base': { type: 'string', default: '1' },
  floats: { type: 'string', default: '3' },
  budget: { type: 'string', default: '30' },
  init: { type: 'string', default: '5' },
  methods: { type: 'string', default: 'bo,random' },
  opt: { type: 'string', default: '{}' },
  out: { type: 'string', default: 'bench/results/categorical-step.json' },
});
const seeds = intFlag('seeds', values.seeds);
const seedBase = intFlag('seed-base', values['seed-base'], 0);
const floats = intFlag('floats', values.floats, 1, 8);
const budget = intFlag('budget', values.budget);
const init = intFlag('init', values.init, 0);
if (init > budget) fail(`--init: ${init} initial points do not fit a budget of ${budget}`);
const methods = listFlag('methods', values.methods, ['bo', 'random'] as const);
const extra = jsonObjectFlag('opt', values.opt);
const out = outFlag('out', values.out);

const OPTIMUM = [0.3, 0.6, 0.8, 0.2, 0.5, 0.7, 0.4, 0.9];
const names = Array.from({ length: floats }, (_, k) => `x${k + 1}`);
const space: SpaceSpec = Object.fromEntries([
  ...names.map((n) => [n, { type: 'float', low: 0, high: 1 }]),
  ['c', { type: 'categorical', choices: ['a', 'b', 'c'] }],
]);
const f = (p: Params): number => -names.reduce((s, n, k) => s + ((p[n] as number) - OPTIMUM[k]) ** 2, 0) - (p.c !== 'b' ? 0.1 : 0);
const make = (method: 'bo' | 'random', seed: number) => (method === 'bo'
  ? new BayesianOptimization({ f, space, randomState: seed, engine: 'cpu', ...extra })
  : new RandomSearch({ f, space, randomState: seed }));
flagCheck('opt', () => make('bo', 0).dispose());

const quantile = (a: number[], q: number): number => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};
const rows: { method: string; right: number; seeds: number; median: number; q25: number; q75: number; regrets: number[] }[] = [];
for (const method of methods) {
  const regrets: number[] = [];
  let right = 0;
  for (let s = 0; s < seeds; s++) {
    const opt = make(method, seedBase + s);
    await opt.maximize({ initPoints: init, nIter: budget - init });
    const best = opt.max;
    regrets.push(best ? -best.target : Infinity);
    if (best?.params.c === 'b') right++;
    opt.dispose();
  }
  rows.push({ method, right, seeds, median: quantile(regrets, 0.5), q25: quantile(regrets, 0.25), q75: quantile(regrets, 0.75), regrets });
}
console.log(`| method | right choice | median regret (q25, q75) |\n| --- | --- | --- |`);
const g = (x: number) => x.toPrecision(2);
for (const r of rows) console.log(`| ${r.method} | ${r.right}/${r.seeds} | ${g(r.median)} (${g(r.q25)}, ${g(r.q75)}) |`);
writeJson(out, { floats, budget, init, seedBase, opt: extra, rows });
