/**
 * Studies that start without signal (bench/no-signal-problems.ts): a space
 * that fails outside 2 of 6 decades of lr (when one design point works, the
 * failures are imputed at its value: every value the model sees is one), and
 * a plateau at chance level around a bowl of 16% of the box (when every
 * design point misses the bowl). Bayesian optimization (the defaults,
 * 5 design points) against random search, budget 40, per seed; prints the
 * median best value, its upper quartile and worst, how many seeds stayed
 * stuck (only one completed trial; no value off the plateau), and writes JSON.
 *
 *   npx tsx bench/no-signal.ts [--seeds 20] [--seed0 0] [--out bench/results/no-signal.json]
 */
import { loadavg } from 'node:os';
import { BayesianOptimization, RandomSearch } from '../src/optimizer';
import { intFlag, outFlag, parseFlags, writeJson } from './args';
import { FAILING_SPACE, failing, FLAT_SPACE, flat } from './no-signal-problems';

const values = parseFlags({
  seeds: { type: 'string', default: '20' },
  seed0: { type: 'string', default: '0' },
  out: { type: 'string', default: 'bench/results/no-signal.json' },
});
const seeds = intFlag('seeds', values.seeds);
const seed0 = intFlag('seed0', values.seed0, 0);
const out = outFlag('out', values.out);

const problems = [
  { name: 'failing', space: FAILING_SPACE, f: failing, stuck: (r: { status: string }[]) => r.filter((t) => t.status === 'complete').length <= 1 },
  { name: 'plateau', space: FLAT_SPACE, f: flat, stuck: (r: { target: number | null }[]) => r.every((t) => t.target === 0.9) },
];
const quantile = (s: number[], q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
const rows: { problem: string; method: string; bests: number[]; stuck: number; median: number; q75: number; worst: number }[] = [];
for (const p of problems) {
  for (const [method, Make] of [['bayes', BayesianOptimization], ['random', RandomSearch]] as const) {
    const bests: number[] = [];
    let stuck = 0;
    for (let s = seed0; s < seed0 + seeds; s++) {
      const opt = new Make({ f: p.f, space: p.space, direction: 'minimize', randomState: s, engine: 'cpu', log: () => undefined });
      await opt.maximize({ nIter: 35 });
      bests.push(opt.max?.target ?? Infinity);
      if (p.stuck(opt.res as never)) stuck++;
      opt.dispose();
    }
    const sorted = [...bests].sort((a, b) => a - b);
    rows.push({ problem: p.name, method, bests, stuck, median: quantile(sorted, 0.5), q75: quantile(sorted, 0.75), worst: sorted[sorted.length - 1] });
  }
}
console.log(`seeds ${seed0}-${seed0 + seeds - 1}, budget 40, load average ${loadavg()[0].toFixed(1)}`);
console.log('| problem | method | median best | upper quartile | worst | seeds stuck |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.problem} | ${r.method} | ${r.median.toPrecision(3)} | ${r.q75.toPrecision(3)} | ${r.worst.toPrecision(3)} | ${r.stuck} of ${seeds} |`);
writeJson(out, { seeds, seed0, budget: 40, rows });
