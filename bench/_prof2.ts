import { BayesianOptimization } from '../src/optimizer';
import { createCpuEngine } from '../src/acquisition/cpu-engine';
import { Rng } from '../src/util/rng';
const n = Number(process.argv[2] ?? 256), d = Number(process.argv[3] ?? 8);
const names = Array.from({ length: d }, (_, k) => `x${k}`);
const objective = (x: number[]) => { let s = 0; for (const v of x) s += (v - 0.3) ** 2; return -s + 0.1 * Math.sin(10 * x[0]); };
const opt = new BayesianOptimization({ pbounds: Object.fromEntries(names.map((k) => [k, [0, 1]])), randomState: 7, engine: createCpuEngine(), verbose: 0, log: () => {} });
const rng = new Rng(1000 + n + d);
for (let i = 0; i < n; i++) { const x = names.map(() => rng.uniform(0, 1)); await opt.register(Object.fromEntries(names.map((k, j) => [k, x[j]])), objective(x)); }
const memo = (opt as any).sampler?.warpMemo ?? (opt as any).o?.sampler?.warpMemo;
console.log(Object.keys(opt));
for (let r = 0; r < 3; r++) {
  const t0 = performance.now(); const p = await opt.suggest(); const ms = performance.now() - t0;
  const st = opt.gp.fitStats;
  console.log(`${ms.toFixed(0)} ms  reason=${st.reason} sel=${memo?.selections} reused=${memo?.reused}`);
  await opt.register(p, objective(names.map((k) => p[k] as number)));
}
