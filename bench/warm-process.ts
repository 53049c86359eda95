/**
 * The cost of a fresh process: bench/suggest.ts's data (n points, x ~
 * U(0,1)^d, y = -|x - 0.3|^2 + 0.1 sin(10 x0)) registered into a new
 * optimizer and 5 suggestions made, ROUNDS times in one process, each round
 * with the same data, seed and a new CPU engine (so new helper threads). The
 * first round pays for V8 compiling the JavaScript and WebAssembly
 * optimized; the later ones show what the same calls cost once it has.
 * Prints each round's wall ms per call, with the process's CPU ms (every
 * thread, V8's compiler threads too) in brackets.
 *
 *   npx tsx bench/warm-process.ts [N] [D] [CANDIDATES] [ROUNDS]   e.g. 1000 6 65536 3
 */
import { createCpuEngine } from '../src/acquisition/cpu-engine';
import { BayesianOptimization } from '../src/optimizer';
import { Rng } from '../src/util/rng';

const [ns = '1000', ds = '6', ms = '65536', rs = '3'] = process.argv.slice(2);
const n = +ns;
const d = +ds;
const objective = (x: number[]) => { let s = 0; for (const v of x) s += (v - 0.3) ** 2; return -s + 0.1 * Math.sin(10 * x[0]); };
const names = Array.from({ length: d }, (_, k) => `x${k}`);
for (let round = 0; round < +rs; round++) {
  const engine = createCpuEngine();
  const opt = new BayesianOptimization({
    pbounds: Object.fromEntries(names.map((k) => [k, [0, 1] as [number, number]])), randomState: 7, engine, verbose: 0, log: () => {}, candidates: +ms,
  });
  const rng = new Rng(1000 + n + d);
  for (let i = 0; i < n; i++) {
    const x = names.map(() => rng.uniform(0, 1));
    await opt.register(Object.fromEntries(names.map((k, j) => [k, x[j]])), objective(x));
  }
  const t: string[] = [];
  for (let s = 0; s < 5; s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const p = await opt.suggest();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    t.push(`${wall.toFixed(0)} (${((cpu.user + cpu.system) / 1000).toFixed(0)})`);
    await opt.register(p, objective(names.map((k) => p[k] as number)));
  }
  console.log(`round ${round + 1}: ${t.join(', ')} ms`);
  opt.dispose();
  engine.dispose();
}
