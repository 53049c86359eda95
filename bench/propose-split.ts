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
import { proposeOnCpu } from '../src/acquisition/cpu-engine';
import { refineFromWinner } from '../src/acquisition/refine';
import { recordWarmRequests } from './warm-requests';
const [ns = '256', ds = '8', ms = '10000', rs = '15'] = process.argv.slice(2);
const n = +ns, d = +ds, m = +ms, reps = +rs;
const { warm, engine: inner, opt } = await recordWarmRequests(n, d, m, 0);
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
