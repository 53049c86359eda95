/**
 * The bounding pass of screened scoring alone, JavaScript against WebAssembly
 * SIMD, on the same tasks in the same process, interleaved (js, wasm, js,
 * wasm, ...) so both see the same machine load. Reports the process's CPU
 * time per 10^6 kernel entries (candidates x n), the median over repetitions,
 * and checks that both give the same floats.
 *
 *   npm run bench:bounding -- [--n 256,1000] [--d 8,6] [--m 10000] [--reps 5]
 *     [--kernel matern52|rbf] [--out bench/results/bounding.json]
 *
 * `--n` and `--d` pair up (256 with 8, 1000 with 6). The task is what a
 * suggestion bounds: seeded inputs in [0, 1]^d, lengthscales 0.3, |S| = 512
 * (or n) with a 32-row head.
 */
import { loadavg } from 'node:os';
import { boundingPass, type BoundingResult, type BoundingTask } from '../src/acquisition/bounding-kernel';
import { boundingWasm, wasmBoundingPass } from '../src/acquisition/bounding-wasm';
import { Rng } from '../src/util/rng';
import { choiceFlag, fail, intFlag, intListFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  n: { type: 'string', default: '256,1000' },
  d: { type: 'string', default: '8,6' },
  m: { type: 'string', default: '10000' },
  reps: { type: 'string', default: '5' },
  kernel: { type: 'string', default: 'matern52' },
  out: { type: 'string', default: 'bench/results/bounding.json' },
});
// --n and --d pair up, so either may repeat a value; a --d beyond the --n was dropped unsaid
const ns = intListFlag('n', values.n, 1, { repeats: true });
const ds = intListFlag('d', values.d, 1, { repeats: true });
if (ds.length > ns.length) fail(`--d: ${ds.length} values for ${ns.length} --n values (they pair up; a shorter --d repeats its last)`);
const out = outFlag('out', values.out);
const m = intFlag('m', values.m);
const reps = intFlag('reps', values.reps);
const kernel = choiceFlag('kernel', values.kernel, ['matern52', 'rbf'] as const);
const ex = boundingWasm();
if (!ex) throw new Error('WebAssembly SIMD is not available in this runtime');

function task(n: number, d: number): BoundingTask {
  const rng = new Rng(n * 100 + d);
  const inv = new Float64Array(d).fill(1 / 0.3);
  const Z = Float64Array.from({ length: n * d }, () => rng.uniform(0, 1) / 0.3);
  const s = Math.min(512, n);
  const sL = new Float64Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j <= i; j++) sL[i * s + j] = i === j ? rng.uniform(1, 2) : rng.uniform(-0.3, 0.3);
  return {
    kernel, n, d, s2: 1, noise: 1e-4, Z, inv, alpha: Float64Array.from({ length: n }, () => rng.uniform(-1, 1)),
    points: Float64Array.from({ length: m * d }, () => rng.uniform(0, 1)), count: m,
    sIdx: Int32Array.from({ length: s }, (_, i) => (i * 7) % n), sL, sSize: s, sSlack: 1e-12, head: Math.min(32, s), keepHead: true,
  };
}

/** CPU ms of the process (user + system) while `f` runs. */
function cpuMs(f: () => BoundingResult): { ms: number; r: BoundingResult } {
  const c0 = process.cpuUsage();
  const r = f();
  const c = process.cpuUsage(c0);
  return { ms: (c.user + c.system) / 1000, r };
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
const same = (a: BoundingResult, b: BoundingResult): boolean =>
  (['mean', 'varianceBound', 'wHead', 'qHead'] as const).every((k) => a[k].every((v, i) => Object.is(v, b[k][i])));

const rows: { n: number; d: number; m: number; kernel: string; jsMsPerMEntries: number; wasmMsPerMEntries: number; speedup: number; identical: boolean; load: number[] }[] = [];
console.log(`| n, d | kernel | candidates | JS CPU ms / 10^6 entries | WASM CPU ms / 10^6 entries | speed-up | same floats | load (1 min) |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
for (let c = 0; c < ns.length; c++) {
  const n = ns[c];
  const d = ds[Math.min(c, ds.length - 1)];
  const t = task(n, d);
  // warm-up, both
  boundingPass({ ...t, count: Math.min(m, 500) });
  wasmBoundingPass(ex, { ...t, count: Math.min(m, 500) });
  const js: number[] = [];
  const wa: number[] = [];
  let identical = true;
  const load0 = loadavg()[0];
  for (let r = 0; r < reps; r++) {
    const a = cpuMs(() => boundingPass(t));
    const b = cpuMs(() => wasmBoundingPass(ex, t));
    js.push(a.ms);
    wa.push(b.ms);
    identical &&= same(a.r, b.r);
  }
  const per = 1e6 / (m * n);
  const row = {
    n, d, m, kernel, jsMsPerMEntries: median(js) * per, wasmMsPerMEntries: median(wa) * per,
    speedup: median(js) / median(wa), identical, load: [load0, loadavg()[0]],
  };
  rows.push(row);
  console.log(`| ${n}, ${d} | ${kernel} | ${m} | ${row.jsMsPerMEntries.toFixed(1)} | ${row.wasmMsPerMEntries.toFixed(1)} | ${row.speedup.toFixed(2)}x | ${identical ? 'yes' : 'NO'} | ${row.load.map((l) => l.toFixed(1)).join(' → ')} |`);
}
writeJson(out, { date: new Date().toISOString(), rows });
