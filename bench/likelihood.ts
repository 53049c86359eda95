/**
 * One evaluation of the GP's hyperparameter objective (MarginalLikelihood
 * with its gradient, what every L-BFGS step of a fit calls), JavaScript
 * against WebAssembly SIMD, interleaved (js, wasm, js, wasm, ...) in one
 * process so both see the same machine load. Reports CPU and wall ms per
 * evaluation (medians over repetitions), GFLOP/s against the nominal n^3
 * flops of an evaluation (Cholesky, triangular inverse and K^{-1}, n^3 / 3
 * each), and checks that both give the same floats.
 *
 *   npm run bench:likelihood -- [--n 256,1000,2000] [--d 8,6,20] [--reps 3]
 *     [--kernel matern52|rbf] [--out bench/results/likelihood.json]
 *
 * `--n` and `--d` pair up. Inputs are seeded in [0, 1]^d, lengthscales 0.3,
 * signal variance 1, noise 1e-4, priors on.
 */
import { loadavg } from 'node:os';
import { MarginalLikelihood } from '../src/gp/likelihood';
import { resolveLikelihoodBackend, setLikelihoodBackend } from '../src/gp/likelihood-wasm';
import { defaultHyperPriors } from '../src/gp/priors';
import { Rng } from '../src/util/rng';
import { choiceFlag, fail, intFlag, intListFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  n: { type: 'string', default: '256,1000,2000' },
  d: { type: 'string', default: '8,6,20' },
  reps: { type: 'string', default: '3' },
  kernel: { type: 'string', default: 'matern52' },
  out: { type: 'string', default: 'bench/results/likelihood.json' },
});
// --n and --d pair up, so either may repeat a value; a --d beyond the --n was dropped unsaid
const ns = intListFlag('n', values.n, 1, { repeats: true });
const ds = intListFlag('d', values.d, 1, { repeats: true });
if (ds.length > ns.length) fail(`--d: ${ds.length} values for ${ns.length} --n values (they pair up; a shorter --d repeats its last)`);
const out = outFlag('out', values.out);
const reps = intFlag('reps', values.reps);
const kernel = choiceFlag('kernel', values.kernel, ['matern52', 'rbf'] as const);
if (resolveLikelihoodBackend('wasm') !== 'wasm') throw new Error('WebAssembly SIMD is not available in this runtime');

interface Run { cpu: number; wall: number; f: number; g: Float64Array }

/** `evals` evaluations with the backend `b`; times per evaluation. */
function run(b: 'js' | 'wasm', n: number, d: number, evals: number): Run {
  setLikelihoodBackend(b);
  const rng = new Rng(n * 100 + d);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * X[i * d]) + 0.1 * rng.normal());
  const ml = new MarginalLikelihood({ kernel, X, y, n, d }, defaultHyperPriors(d));
  const theta = new Float64Array(d + 2).fill(Math.log(0.3));
  theta[d] = 0;
  theta[d + 1] = Math.log(1e-4);
  const g = new Float64Array(d + 2);
  let f = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let e = 0; e < evals; e++) f = ml.evaluate(theta, g);
  const wall = (performance.now() - t0) / evals;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000 / evals, wall, f, g };
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
const rows: Record<string, unknown>[] = [];
console.log('| n, d | kernel | JS CPU ms / eval | WASM CPU ms / eval | JS GFLOP/s | WASM GFLOP/s | speed-up (CPU) | JS wall ms | WASM wall ms | same floats | load (1 min) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (let c = 0; c < ns.length; c++) {
  const n = ns[c];
  const d = ds[Math.min(c, ds.length - 1)];
  const evals = Math.max(1, Math.round(2e9 / n ** 3));
  run('js', n, d, 1);
  run('wasm', n, d, 1);
  const js: Run[] = [];
  const wa: Run[] = [];
  const load0 = loadavg()[0];
  for (let r = 0; r < reps; r++) {
    js.push(run('js', n, d, evals));
    wa.push(run('wasm', n, d, evals));
  }
  const identical = js.every((a, i) => Object.is(a.f, wa[i].f) && a.g.every((v, k) => Object.is(v, wa[i].g[k])));
  const jsCpu = median(js.map((r) => r.cpu));
  const waCpu = median(wa.map((r) => r.cpu));
  const gf = (ms: number): number => n ** 3 / (ms * 1e6);
  const row = {
    n, d, kernel, evals, jsCpuMs: jsCpu, wasmCpuMs: waCpu, jsGflops: gf(jsCpu), wasmGflops: gf(waCpu),
    speedup: jsCpu / waCpu, jsWallMs: median(js.map((r) => r.wall)), wasmWallMs: median(wa.map((r) => r.wall)),
    identical, load: [load0, loadavg()[0]],
  };
  rows.push(row);
  console.log(`| ${n}, ${d} | ${kernel} | ${jsCpu.toFixed(1)} | ${waCpu.toFixed(1)} | ${row.jsGflops.toFixed(2)} | ${row.wasmGflops.toFixed(2)} | ${row.speedup.toFixed(2)}x | ${row.jsWallMs.toFixed(1)} | ${row.wasmWallMs.toFixed(1)} | ${identical ? 'yes' : 'NO'} | ${row.load.map((l) => l.toFixed(1)).join(' → ')} |`);
}
setLikelihoodBackend('auto');
writeJson(out, { date: new Date().toISOString(), rows });
