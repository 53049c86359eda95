/**
 * The warm suggestions' scoring and refinement alone, replayed: n points of
 * bench/suggest.ts's data are registered, 5 suggestions made, then the
 * engine requests of suggestions 2-5 (warm: the hyperparameters kept) are
 * proposed and refined again, REPS times each. Prints per request the mean
 * wall time, main-thread CPU time (Linux /proc/self/task, 10 ms ticks) and
 * all-thread CPU time, and per request the exact variances and the first
 * coordinate of the engine's and the refined point (to compare two versions).
 * With WORKERS 0 everything runs on one thread, so the CPU time is the work.
 *
 *   npx tsx bench/propose-replay.ts N D CANDIDATES WORKERS REPS   e.g. 256 8 10000 0 5
 */
import { readFileSync } from 'node:fs';
import { refineFromWinner } from '../src/acquisition/refine';
import { recordWarmRequests } from './warm-requests';

const [ns = '256', ds = '8', ms = '10000', ws = '0', rs = '5'] = process.argv.slice(2);
const n = +ns, d = +ds, m = +ms, workers = +ws, reps = +rs;
const mainCpu = () => { const st = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'); const f = st.slice(st.lastIndexOf(')') + 2).split(' '); return (+f[11] + +f[12]) * 10; };
const { warm, engine: inner, opt } = await recordWarmRequests(n, d, m, workers);
let wall = 0, main = 0, all = 0;
const sig: string[] = [];
for (let r = 0; r < reps; r++) {
  for (const req of warm) {
    const t0 = performance.now(); const m0 = mainCpu(); const u0 = process.cpuUsage();
    const res = await inner.propose(req);
    const x = refineFromWinner({ factors: req.factors, acquisition: req.acquisition, best: req.best, layout: req.layout }, res.x, req.incumbents, req.nIncumbents, res.score);
    wall += performance.now() - t0; main += mainCpu() - m0; const u = process.cpuUsage(u0); all += (u.user + u.system) / 1000;
    if (r === 0) sig.push(`${res.exact}:${res.x[0].toFixed(12)}:${x[0].toFixed(12)}`);
  }
}
const k = reps * warm.length;
console.log(`n=${n} d=${d} m=${m} workers=${workers}, per request: wall ${(wall / k).toFixed(1)} ms, main-thread CPU ${(main / k).toFixed(1)} ms, all-thread CPU ${(all / k).toFixed(1)} ms | exact:engine x0:refined x0 ${sig.join(' ')}`);
opt.dispose(); inner.dispose();
