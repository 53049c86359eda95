/**
 * Whole-suggestion benchmark: wall time of `BayesianOptimization.suggest()`
 * with n observations already registered, for each engine, with the split
 * into phases (hyperparameter fit, final factorization, Linv, upload,
 * scoring, readback; 'rest' is the remainder: the observations and the output
 * warp's choice, refinement of the winner, bookkeeping) and the log-log slope of time against n between 1,000
 * and 4,000. Data: x ~ U(0,1)^d, y = -|x - 0.3|^2 + 0.1 sin(10 x0). Each cell
 * is the median of --reps suggest() calls, each registering its point before
 * the next call; the first (cold: no previous fit) call is also reported.
 * Prints a table (with the load average per cell and, for the CPU engine, the
 * load-independent work per call: exact variances, kernel rows, multiply-adds)
 * and writes JSON.
 *
 *   npm run bench:suggest -- [--quick] [--n 64,256,1000,2000,4000] [--d 6,8,20]
 *     [--engines cpu,webgpu,auto] [--reps 3] [--budget 120] [--candidates N]
 *     [--out bench/results/suggest.json] [--linalg] [--evaluations [--steps 30]]
 *     (--linalg, --fit-growth and --evaluations write beside --out, their names ending
 *     -linalg.json, -fit-growth.json and -evaluations.json)
 *     [--workers auto|N] [--fit-workers auto|N] [--screening auto|true|false] [--fit-growth [--steps 3]] [--bounding auto|wasm|js]
 *     [--failed K]
 *
 * --quick   n in {64, 256, 1000}, d in {6, 8}, engines cpu and auto
 * --linalg  only time the float64 Cholesky (plain, blocked, and the WebAssembly
 *           one the GP factors with) and the row-wise inverse (JavaScript and the
 *           WebAssembly one the GP uses) at --n sizes,
 *           in GFLOP/s (n^3 / 3 and n^3 / 3 flops)
 * --evaluations  load-independent counts instead of times: from --n (first
 *           value, default 64) registered points, --steps suggestions (30), each
 *           registered; prints the GP likelihood evaluations (the main GP's and
 *           the output warp's evidence GPs') and the warp's evidence comparisons
 * --workers the CPU engine's helper threads for the bounding pass (its
 *           `workers` option, default 'auto'). Each call also reports its
 *           CPU time over all threads and that of the main thread alone (the
 *           critical path with a core per thread), which machine load
 *           inflates far less than wall time
 * --fit-workers  helper threads for the GP hyperparameter fit's restarts (the
 *           optimizer's `gp.workers`, default 'auto'); the cold call shows the gain
 * --fit-growth  the GP fit alone at --n sizes (first --d): a cold fit, then
 *           --steps fits adding one point each (hyperparameters kept, factor
 *           extended), and the log-log slope of the kept fit's time
 * --screening  the WebGPU engine's `screening` option (auto, true, false;
 *           default auto: on CPU-emulated adapters from n = 512)
 * --bounding  the bounding pass's implementation (setBoundingBackend; default
 *           'auto': WebAssembly SIMD where it loads); the suggestions are the same
 * --profile DIR  a CPU profile of each warm call that kept the hyperparameters
 *           (DIR/n-d-engine-call.cpuprofile, this thread only); summarise them with
 *           `npx tsx bench/profile-split.ts DIR` (the split by stage); the
 *           profiler slows the calls it records, so take times from a run without it
 * --failed  K of the n registered points are failed trials (spread evenly; default 0):
 *           they are GP rows too, imputed at the worst value, and a study that
 *           holds one once refitted the whole GP at every suggestion
 * --budget  seconds one cell may take: a larger n of the same engine and d is
 *           skipped once the previous cell predicts more (time ~ n^2.5)
 */
import { cpus, loadavg } from 'node:os';
import { setBoundingBackend, type BoundingBackend } from '../src/acquisition/bounding-wasm';
import { makeEngine, objective, runCell, type Cell } from './suggest-cell';
import { countEvaluations, fitGrowth, timeLinalg } from './suggest-modes';
import { MAX_CANDIDATES } from '../src/acquisition/engine';
import { choiceFlag, intFlag, intListFlag, listFlag, numFlag, outFlag, parseFlags, workersFlag, writeJson } from './args';

const values = parseFlags({
  quick: { type: 'boolean', default: false },
  linalg: { type: 'boolean', default: false },
  evaluations: { type: 'boolean', default: false },
  steps: { type: 'string' },
  n: { type: 'string' },
  d: { type: 'string' },
  engines: { type: 'string' },
  reps: { type: 'string', default: '3' },
  budget: { type: 'string', default: '120' },
  candidates: { type: 'string' },
  workers: { type: 'string' },
  'fit-workers': { type: 'string' },
  'fit-growth': { type: 'boolean', default: false },
  profile: { type: 'string' },
  bounding: { type: 'string', default: 'auto' },
  screening: { type: 'string', default: 'auto' },
  failed: { type: 'string', default: '0' },
  out: { type: 'string', default: 'bench/results/suggest.json' },
});
// a flag given is checked even when empty ('' once ran the whole default grid)
const ns = values.n !== undefined ? intListFlag('n', values.n) : values.quick ? [64, 256, 1000] : [64, 256, 1000, 2000, 4000];
const ds = values.d !== undefined ? intListFlag('d', values.d) : values.quick ? [6, 8] : [6, 8, 20];
const engineNames = values.engines !== undefined ? listFlag('engines', values.engines, ['cpu', 'webgpu', 'auto'] as const) : values.quick ? ['cpu', 'auto'] : ['cpu', 'webgpu', 'auto'];
const reps = intFlag('reps', values.reps);
const budgetS = numFlag('budget', values.budget, 0);
setBoundingBackend(choiceFlag('bounding', values.bounding, ['auto', 'wasm', 'js'] as const satisfies readonly BoundingBackend[]));
const screeningFlag = choiceFlag('screening', values.screening, ['auto', 'true', 'false'] as const);
const fitWorkers = values['fit-workers'] === undefined ? 'auto' : workersFlag('fit-workers', values['fit-workers']);
// the engine's own checks ran only once the engine was built, as stack traces
if (values.workers !== undefined) workersFlag('workers', values.workers);
if (values.candidates !== undefined) intFlag('candidates', values.candidates, 1, MAX_CANDIDATES);
/** --steps: the suggestions of --evaluations (30), the kept fits of --fit-growth (3) */
const steps = intFlag('steps', values.steps ?? (values.evaluations ? '30' : '3'));
const out = outFlag('out', values.out);
const failed = intFlag('failed', values.failed, 0);

if (values.evaluations) {
  await countEvaluations({ n: ns[0], d: ds[0], steps, objective, out });
  process.exit(0);
}
if (values.linalg) {
  await timeLinalg(ns, out);
  process.exit(0);
}
if (values['fit-growth']) {
  await fitGrowth({ ns, d: ds[0], fitWorkers, objective, out, steps });
  process.exit(0);
}

const cells: Cell[] = [];
const skipped: { n: number; d: number; engine: string; why: string }[] = [];
const descriptions: Record<string, string> = {};
const load0 = loadavg();
for (const name of engineNames) {
  const engine = await makeEngine(name, { workers: values.workers, screening: screeningFlag });
  if (!engine) continue;
  descriptions[name] = engine.description;
  for (const d of ds) {
    let prev: Cell | null = null;
    for (const n of [...ns].sort((a, b) => a - b)) {
      if (prev) {
        const predicted = (prev.coldMs + reps * prev.medianMs) / 1000 * (n / prev.n) ** 2.5;
        if (predicted > budgetS) {
          skipped.push({ n, d, engine: name, why: `predicted ${predicted.toFixed(0)} s > budget ${budgetS} s` });
          console.log(`skip n=${n} d=${d} ${name}: predicted ${predicted.toFixed(0)} s`);
          continue;
        }
      }
      const c = await runCell(engine, n, d, { reps, fitWorkers, candidates: values.candidates, profile: values.profile, failed });
      cells.push(c);
      prev = c;
      const p = c.phases;
      console.log(`n=${n}${failed ? ` (${failed} failed)` : ''} d=${d} ${name}(${c.ran}, ${c.candidates}, exact ${c.exact}, ${c.refit}): median ${c.medianMs.toFixed(0)} ms (CPU ${c.medianCpuMs.toFixed(0)} ms, main thread ${c.medianMainCpuMs.toFixed(0)} ms), cold ${c.coldMs.toFixed(0)} ms `
        + `(its fit ${c.calls[0].fitMs.toFixed(0)} ms, main thread CPU ${c.calls[0].mainCpuMs.toFixed(0)} ms) `
        + `[fit ${p.fitMs.toFixed(0)}, factor ${p.factorMs.toFixed(0)}, Linv ${p.linvMs.toFixed(0)}, upload ${p.uploadMs.toFixed(0)}, `
        + `scoring ${p.scoringMs.toFixed(0)}, readback ${p.readbackMs.toFixed(0)}]; peak RSS ${c.peakRssMiB.toFixed(0)} MiB`);
    }
  }
  engine.inner.dispose();
}

/** log-log slope of median time (and of fit + factor time) between n = 1000 and n = 4000. */
const slopes: { engine: string; d: number; total: number; fit: number }[] = [];
for (const name of engineNames) {
  for (const d of ds) {
    const a = cells.find((c) => c.engine === name && c.d === d && c.n === 1000);
    const b = cells.find((c) => c.engine === name && c.d === d && c.n === 4000);
    if (!a || !b) continue;
    const fitOf = (c: Cell) => c.phases.fitMs + c.phases.factorMs;
    slopes.push({
      engine: name, d,
      total: Math.log(b.medianMs / a.medianMs) / Math.log(4),
      fit: Math.log(fitOf(b) / fitOf(a)) / Math.log(4),
    });
  }
}

const f0 = (v: number) => v.toFixed(0);
/** The median call's time outside the six phases: observations and the output warp's choice, refinement, bookkeeping. */
const restOf = (c: Cell) => c.medianMs - Object.values(c.phases).reduce((a, b) => a + b, 0);
/** Exact variances and scoring work of every call (first, cold call first): load-independent. */
const workOf = (c: Cell) => c.calls.map((k) => (k.madds === undefined ? `${k.exact}`
  : `${k.exact}; ${(k.kernelRows! / 1000).toFixed(1)}k rows; ${(k.madds / 1e6).toFixed(0)}M`)).join(' / ');
console.log('\n| n, d | engine (ran) | candidates | median ms | CPU ms (main thread) | cold ms | hyperparameters | fit | factor | Linv | upload | scoring | readback | rest | load | peak RSS MiB | exact variances; kernel rows; multiply-adds, per call |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const c of cells) {
  const p = c.phases;
  console.log(`| ${c.n}, ${c.d} | ${c.engine} (${c.ran}) | ${c.candidates} | ${f0(c.medianMs)} | ${f0(c.medianCpuMs)} (${f0(c.medianMainCpuMs)}) | ${f0(c.coldMs)} | ${c.refit} | ${f0(p.fitMs)} | `
    + `${f0(p.factorMs)} | ${f0(p.linvMs)} | ${f0(p.uploadMs)} | ${f0(p.scoringMs)} | ${f0(p.readbackMs)} | ${f0(restOf(c))} | ${c.load.toFixed(1)} | ${f0(c.peakRssMiB)} | ${workOf(c)} |`);
}
for (const s of slopes) {
  console.log(`slope 1000->4000 (${s.engine}, d=${s.d}): whole suggestion ${s.total.toFixed(2)}, fit + factor ${s.fit.toFixed(2)}`);
}
const load1 = loadavg();
console.log(`load average (1 min) before ${load0[0].toFixed(2)}, after ${load1[0].toFixed(2)}; ${cpus().length} cores`);

writeJson(out, {
  date: new Date().toISOString(), cores: cpus().length, loadavg: { before: load0, after: load1 },
  reps, workers: values.workers ?? 'auto', fitWorkers, bounding: values.bounding, engines: descriptions, cells, slopes, skipped,
});
