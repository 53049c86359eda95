/**
 * Failures the model learns from: an objective that throws inside a band
 * 0.45 < x < 0.6, with its optimum just beside the band (x = 0.62). Counts
 * how many of the guided (model-suggested) trials land in the failing band,
 * and the simple regret, for each way of feeding failed trials to the GP
 * (`failedTrials`). Prints a table and writes bench/results/failures.json.
 *
 *   npm run bench:failures -- [--seeds 10] [--init 5] [--guided 25] [--policies worst,below-worst,ignore] [--out bench/results/failures.json]
 */
import { BayesianOptimization } from '../src/optimizer';
import type { FailedTrialPolicy } from '../src/optimizer/observations';
import type { Params } from '../src/space/types';
import { intFlag, listFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  seeds: { type: 'string', default: '10' },
  init: { type: 'string', default: '5' },
  guided: { type: 'string', default: '25' },
  policies: { type: 'string', default: 'worst,below-worst,ignore' },
  out: { type: 'string', default: 'bench/results/failures.json' },
});
const seeds = intFlag('seeds', values.seeds);
const init = intFlag('init', values.init);
const guided = intFlag('guided', values.guided, 0);
const policies = listFlag<FailedTrialPolicy>('policies', values.policies, ['worst', 'below-worst', 'ignore']);
const out = outFlag('out', values.out);

const inBand = (x: number) => x > 0.45 && x < 0.6;
const OPT_X = 0.62;

interface Problem { name: string; pbounds: Record<string, [number, number]>; f: (p: Params) => number; optimum: number }
const problems: Problem[] = [
  {
    name: '1-D: -(x - 0.62)^2',
    pbounds: { x: [0, 1] },
    f: ({ x }) => -(((x as number) - OPT_X) ** 2),
    optimum: 0,
  },
  {
    name: '2-D: -(x - 0.62)^2 - (y - 0.3)^2',
    pbounds: { x: [0, 1], y: [0, 1] },
    f: ({ x, y }) => -(((x as number) - OPT_X) ** 2) - (((y as number) - 0.3) ** 2),
    optimum: 0,
  },
];

const median = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Row { problem: string; policy: FailedTrialPolicy; inBand: number[]; medianInBand: number; maxInBand: number; regrets: number[]; medianRegret: number }
const rows: Row[] = [];
for (const prob of problems) {
  for (const policy of policies) {
    const counts: number[] = [];
    const regrets: number[] = [];
    for (let s = 0; s < seeds; s++) {
      const opt = new BayesianOptimization({
        f: (p) => {
          if (inBand(p.x as number)) throw new Error('diverged');
          return prob.f(p);
        },
        pbounds: prob.pbounds, randomState: 500 + s, engine: 'cpu', failedTrials: policy, log: () => undefined,
      });
      await opt.maximize({ initPoints: init, nIter: guided });
      const g = opt.trials.filter((t) => t.source === 'suggest');
      counts.push(g.filter((t) => inBand(t.params.x as number)).length);
      regrets.push(prob.optimum - (opt.max?.target ?? -Infinity));
    }
    rows.push({
      problem: prob.name, policy, inBand: counts, medianInBand: median(counts), maxInBand: Math.max(...counts),
      regrets, medianRegret: median(regrets),
    });
    const r = rows[rows.length - 1];
    console.error(`${prob.name} ${policy}: in band ${counts.join(' ')}`);
    void r;
  }
}

const header = ['problem', 'failedTrials', `guided trials in band (of ${guided}): median`, 'max', 'median regret'];
const table = [header, ...rows.map((r) => [r.problem, r.policy, String(r.medianInBand), String(r.maxInBand), r.medianRegret.toExponential(2)])];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
writeJson(out, { seeds, init, guided, band: [0.45, 0.6], optimumX: OPT_X, rows });
