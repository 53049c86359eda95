/**
 * The CPU engine's proposal alone (scoring: bounding pass and exact stage),
 * without the GP fit: n points of bench/suggest.ts's data are registered, 3
 * suggestions made, then the 3rd suggestion's request is proposed again --reps
 * times. Prints the median wall time, main-thread CPU time (Linux
 * /proc/self/task) and all-thread CPU time, the exact variances and the point.
 *
 *   npx tsx bench/propose-only.ts N D CANDIDATES WORKERS REPS   e.g. 1000 6 65536 1 5
 */
import { readFileSync } from 'node:fs';
import { createCpuEngine } from '../src/acquisition/cpu-engine';
import type { ProposeRequest } from '../src/acquisition/engine';
import { BayesianOptimization } from '../src/optimizer';
import { Rng } from '../src/util/rng';

const [ns = '1000', ds = '6', ms = '65536', ws = '1', rs = '5'] = process.argv.slice(2);
const n = +ns, d = +ds, m = +ms, workers = +ws, reps = +rs;
const mainCpu = () => { const st = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'); const f = st.slice(st.lastIndexOf(')') + 2).split(' '); return (+f[11] + +f[12]) * 10; };
const objective = (x: number[]) => { let s = 0; for (const v of x) s += (v - 0.3) ** 2; return -s + 0.1 * Math.sin(10 * x[0]); };
const inner = createCpuEngine({ workers });
let last: ProposeRequest | null = null;
const engine = { ...inner, propose: (req: ProposeRequest) => { last = req; return inner.propose(req); }, dispose: () => inner.dispose() };
const names = Array.from({ length: d }, (_, k) => `x${k}`);
const opt = new BayesianOptimization({ pbounds: Object.fromEntries(names.map((k) => [k, [0, 1] as [number, number]])), randomState: 7, engine, verbose: 0, log: () => {}, candidates: m });
const rng = new Rng(1000 + n + d);
for (let i = 0; i < n; i++) { const x = names.map(() => rng.uniform(0, 1)); await opt.register(Object.fromEntries(names.map((k, j) => [k, x[j]])), objective(x)); }
for (let s = 0; s < 3; s++) { const p = await opt.suggest(); await opt.register(p, objective(names.map((k) => p[k] as number))); }
const req = last!;
const walls: number[] = [], mains: number[] = [], alls: number[] = [];
let res: Awaited<ReturnType<typeof inner.propose>> | null = null;
for (let r = 0; r < reps; r++) {
  const t0 = performance.now(); const m0 = mainCpu(); const u0 = process.cpuUsage();
  res = await inner.propose(req);
  walls.push(performance.now() - t0); mains.push(mainCpu() - m0); const u = process.cpuUsage(u0); alls.push((u.user + u.system) / 1000);
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
res = res!;
console.log(`n=${n} d=${d} m=${res.scored} workers=${workers}: exact ${res.exact} madds ${((res.work?.madds ?? 0) / 1e6).toFixed(0)}M x[0] ${res.x[0]} score ${res.score} | median wall ${med(walls).toFixed(0)} ms, main-thread CPU ${med(mains)} ms, all-thread CPU ${med(alls).toFixed(0)} ms (mains ${mains.join(',')})`);
opt.dispose(); inner.dispose();
