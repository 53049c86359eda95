/**
 * One recorded warm request replayed: n points of bench/suggest.ts's data are
 * registered, 5 suggestions made (bench/warm-requests.ts), then the engine
 * request of suggestion INDEX + 2 (0-3: the hyperparameters kept) is proposed
 * and refined REPS times. Prints per rep the proposal's and the refinement's
 * wall ms and the exact variances; with a PROFILE path, writes a CPU profile
 * of the reps (the calling thread; inspector sampling every 200 µs). With
 * WORKERS 0 everything runs on one thread. Unlike bench/propose-replay.ts,
 * one request at a time: the heaviest (INDEX 3 at 1,000/6) shows what the
 * exact stage costs.
 *
 *   npx tsx bench/propose-one.ts N D CANDIDATES WORKERS INDEX REPS [PROFILE]   e.g. 1000 6 65536 1 3 5
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { refineFromWinner } from '../src/acquisition/refine';
import { recordWarmRequests } from './warm-requests';

const [ns = '1000', ds = '6', ms = '65536', ws = '1', is = '3', rs = '5', prof] = process.argv.slice(2);
const { warm, engine, opt } = await recordWarmRequests(+ns, +ds, +ms, +ws);
const req = warm[+is];
const session = new Session();
session.connect();
if (prof) {
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}
for (let r = 0; r < +rs; r++) {
  const t0 = performance.now();
  const res = await engine.propose(req);
  const t1 = performance.now();
  refineFromWinner({ factors: req.factors, acquisition: req.acquisition, best: req.best, layout: req.layout }, res.x, req.incumbents, req.nIncumbents, res.score);
  console.log(`propose ${(t1 - t0).toFixed(0)} ms, refine ${(performance.now() - t1).toFixed(0)} ms, exact ${res.exact}`);
}
if (prof) writeFileSync(prof, JSON.stringify((await session.post('Profiler.stop')).profile));
session.disconnect();
opt.dispose();
engine.dispose();
