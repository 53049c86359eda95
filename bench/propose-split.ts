/**
 * The warm suggestions' proposal and refinement, replayed on one thread
 * (`workers: 0`, so CPU time is the work): n points of bench/suggest.ts's
 * data are registered, 5 suggestions made, then the engine requests of
 * suggestions 2-5 (the hyperparameters kept) are proposed once untimed, then
 * proposed (proposeOnCpu) and refined (refineFromWinner) REPS times. Prints the minimum and
 * median over the REPS of the CPU ms per request of each part (the minimum
 * is the figure to compare under load), and per request the exact
 * variances and the first coordinate of the engine's and the refined point
 * (to check that two versions agree). With PROF=DIR it writes a CPU profile
 * of the timed part to DIR/r.cpuprofile.
 *
 *   npx tsx bench/propose-split.ts N D CANDIDATES REPS   e.g. 256 8 10000 10
 */
import { createCpuEngine, proposeOnCpu } from '../src/acquisition/cpu-engine';
import type { ProposeRequest } from '../src/acquisition/engine';
import { refineFromWinner } from '../src/acquisition/refine';
import { BayesianOptimization } from '../src/optimizer';
import { Rng } from '../src/util/rng';
const [ns = '256', ds = '8', ms = '10000', rs = '15'] = process.argv.slice(2);
const n = +ns, d = +ds, m = +ms, reps = +rs;
const objective = (x: number[]) => { let s = 0; for (const v of x) s += (v - 0.3) ** 2; return -s + 0.1 * Math.sin(10 * x[0]); };
const inner = createCpuEngine({ workers: 0 });
const reqs: ProposeRequest[] = [];
const engine = { ...inner, propose: (req: ProposeRequest) => { reqs.push(req); return inner.propose(req); }, dispose: () => inner.dispose() };
const names = Array.from({ length: d }, (_, k) => `x${k}`);
const opt = new BayesianOptimization({ pbounds: Object.fromEntries(names.map((k) => [k, [0, 1] as [number, number]])), randomState: 7, engine, verbose: 0, log: () => {}, candidates: m });
const rng = new Rng(1000 + n + d);
for (let i = 0; i < n; i++) { const x = names.map(() => rng.uniform(0, 1)); await opt.register(Object.fromEntries(names.map((k, j) => [k, x[j]])), objective(x)); }
for (let s = 0; s < 5; s++) { const p = await opt.suggest(); await opt.register(p, objective(names.map((k) => p[k] as number))); }
const warm = reqs.slice(1);
const { Session } = await import('node:inspector/promises');
const prof = process.env.PROF ? new Session() : null;
if (prof) { prof.connect(); await prof.post('Profiler.enable'); await prof.post('Profiler.setSamplingInterval', { interval: 100 }); }
for (const req of warm) proposeOnCpu(req);
if (prof) await prof.post('Profiler.start');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const prop: number[] = [], ref: number[] = [];
const sig: string[] = [];
for (let r = 0; r < reps; r++) {
  let a = 0, b = 0;
  for (const req of warm) {
    const c0 = cpu();
    const res = proposeOnCpu(req);
    const c1 = cpu();
    const x = refineFromWinner({ factors: req.factors, acquisition: req.acquisition, best: req.best, layout: req.layout }, res.x, req.incumbents, req.nIncumbents, res.score);
    b += cpu() - c1; a += c1 - c0;
    if (r === 0) sig.push(`${res.exact}:${res.x[0].toFixed(14)}:${x[0].toFixed(14)}`);
  }
  prop.push(a / warm.length); ref.push(b / warm.length);
}
if (prof) { const { profile } = await prof.post('Profiler.stop'); (await import('node:fs')).mkdirSync(process.env.PROF!, { recursive: true }); (await import('node:fs')).writeFileSync(process.env.PROF + '/r.cpuprofile', JSON.stringify(profile)); }
const s = (v: number[]) => { const q = [...v].sort((x, y) => x - y); return `min ${q[0].toFixed(1)} med ${q[q.length >> 1].toFixed(1)}`; };
console.log(`n=${n} d=${d} load ${(await import('node:os')).loadavg()[0].toFixed(1)}: propose ${s(prop)} | refine ${s(ref)} ms CPU per warm request | ${sig.join(' ')}`);
opt.dispose(); inner.dispose();
