/**
 * The Linv of a GP's factors with m pending points appended (what the WebGPU
 * engine reads at each proposal with running trials): time to build it, with
 * the GP's own Linv already built (as it is from the second WebGPU
 * suggestion on). Median of --reps builds.
 *
 *   npx tsx bench/pending-linv.ts [--n 1000] [--m 3] [--reps 5]
 */
import { parseArgs } from 'node:util';
import { GaussianProcess } from '../src/gp';
import { pendingFactors } from '../src/optimizer/pending';
import { Rng } from '../src/util/rng';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000' }, m: { type: 'string', default: '3' }, reps: { type: 'string', default: '5' } } });
const n = Number(values.n);
const m = Number(values.m);
const d = 4;
const rng = new Rng(1);
const X = Float64Array.from({ length: n * d }, () => rng.random());
const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * X[i * d]) + X[i * d + 1] ** 2 + 0.01 * rng.normal());
const gp = new GaussianProcess({ rng: new Rng(1) }).fit(X, y, d);
void gp.factors().Linv;
const Xp = Float64Array.from({ length: m * d }, () => rng.random());
const times: number[] = [];
for (let r = 0; r < Number(values.reps); r++) {
  const f = pendingFactors(gp, Xp, m, 'believer').factors;
  const t = performance.now();
  void f.Linv;
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(`n ${n}, m ${m}: Linv of the extended factors ${times[times.length >> 1].toFixed(1)} ms (median of ${times.length}; ${times.map((t) => t.toFixed(0)).join(', ')})`);
