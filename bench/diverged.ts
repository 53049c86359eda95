/**
 * Trainings that diverge: the objective returns a loss of 1e9 (a finite
 * value, as a diverged network's loss often is) on some evaluations, against
 * the same evaluations failing (NaN: a failed trial, imputed at the worst
 * value) and against no divergence at all. Two ways to diverge: `index`,
 * evaluations 3, 9 and 14 whatever their point; `region`, wherever the first
 * parameter lies in the top fifth of its range (a learning rate too high).
 * Bayesian optimization minimizing, budget 30 with 5 design points; the
 * regret counts only evaluations that did not diverge. Prints the median,
 * upper quartile and worst regret per problem, scenario and kind, and
 * writes JSON.
 *
 *   npx tsx bench/diverged.ts [--seeds 20] [--seed0 1] [--out bench/results/diverged.json]
 */
import { loadavg } from 'node:os';
import { BayesianOptimization } from '../src/optimizer';
import { branin, hartmann3, type TestProblem } from '../src/problems';
import type { Params } from '../src/space/types';
import { intFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  seeds: { type: 'string', default: '20' },
  seed0: { type: 'string', default: '1' },
  out: { type: 'string', default: 'bench/results/diverged.json' },
});
const seeds = intFlag('seeds', values.seeds);
const seed0 = intFlag('seed0', values.seed0, 0);
const out = outFlag('out', values.out);

/** A 4-D quadratic on [0, 1]^4, minimum 0 at (0.2, 0.4, 0.6, 0.8). */
const quad4: TestProblem = {
  name: 'quad4',
  bounds: { x1: [0, 1], x2: [0, 1], x3: [0, 1], x4: [0, 1] },
  fn: (x) => x.reduce((s, v, i) => s + (v - 0.2 * (i + 1)) ** 2, 0),
  minimum: 0,
  argmin: [0.2, 0.4, 0.6, 0.8],
};

type Scenario = 'index' | 'region';
type Kind = '1e9' | 'NaN' | 'none';
const quantile = (s: number[], q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];

async function regret(p: TestProblem, scenario: Scenario, kind: Kind, seed: number): Promise<number> {
  const names = Object.keys(p.bounds);
  const [lo, hi] = p.bounds[names[0]];
  let k = 0;
  let best = Infinity;
  const opt = new BayesianOptimization({
    pbounds: p.bounds, randomState: seed, engine: 'cpu', log: () => undefined, direction: 'minimize',
    f: (params: Params) => {
      const x = names.map((n) => params[n] as number);
      k++;
      const diverges = kind !== 'none' && (scenario === 'index' ? k === 3 || k === 9 || k === 14 : (x[0] - lo) / (hi - lo) > 0.8);
      if (diverges) return kind === '1e9' ? 1e9 : NaN;
      const v = p.fn(x);
      best = Math.min(best, v);
      return v;
    },
  });
  await opt.maximize({ initPoints: 5, nIter: 25 });
  opt.dispose();
  return best - p.minimum;
}

const rows: { problem: string; scenario: Scenario | '-'; kind: Kind; regrets: number[]; median: number; q75: number; worst: number }[] = [];
for (const p of [branin, hartmann3, quad4]) {
  for (const [scenario, kind] of [['index', '1e9'], ['index', 'NaN'], ['region', '1e9'], ['region', 'NaN'], ['index', 'none']] as const) {
    const regrets: number[] = [];
    for (let s = seed0; s < seed0 + seeds; s++) regrets.push(await regret(p, scenario, kind, s));
    const sorted = [...regrets].sort((a, b) => a - b);
    rows.push({ problem: p.name, scenario: kind === 'none' ? '-' : scenario, kind, regrets, median: quantile(sorted, 0.5), q75: quantile(sorted, 0.75), worst: sorted[sorted.length - 1] });
  }
}
console.log(`seeds ${seed0}-${seed0 + seeds - 1}, budget 30 (5 design points), minimizing, load average ${loadavg()[0].toFixed(1)}`);
console.log('| problem | diverges | as | median regret | upper quartile | worst |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const as = r.kind === '1e9' ? 'a loss of 1e9' : r.kind === 'NaN' ? 'NaN (failed)' : '(never)';
  console.log(`| ${r.problem} | ${r.scenario} | ${as} | ${r.median.toExponential(2)} | ${r.q75.toExponential(2)} | ${r.worst.toExponential(2)} |`);
}
writeJson(out, { seeds, seed0, budget: 30, initPoints: 5, rows });
