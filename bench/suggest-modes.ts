/**
 * The modes of bench/suggest.ts that time or count parts of a suggestion
 * rather than whole suggestions: --evaluations, --linalg and --fit-growth
 * (see the usage there).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { WorkersOption } from '../src/util/workers';
import { GaussianProcess } from '../src/gp/gaussian-process';
import { BayesianOptimization } from '../src/optimizer';
import { GP_DEFAULTS } from '../src/optimizer/gp-config';
import { Rng } from '../src/util/rng';
import { writeJson } from './args';

type Objective = (x: number[]) => number;

/**
 * CPU time of this process's main thread (ms; Linux, 10 ms ticks), NaN
 * elsewhere. With worker threads it is the critical path an idle machine
 * with a core per thread would take, whatever the load here.
 */
export function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 1/100 s
  } catch {
    return NaN;
  }
}

/**
 * --evaluations: GP likelihood evaluations over `steps` suggestions from n0
 * registered points (the model's GP and the output warp's evidence GPs).
 * Fit tasks run on this thread here, so every evaluation is counted.
 */
export async function countEvaluations(o: { n: number; d: number; steps: number; objective: Objective; out: string }): Promise<void> {
  const { MarginalLikelihood } = await import('../src/gp/likelihood');
  const { FitPool } = await import('../src/gp/fit-pool');
  const { runFitTask } = await import('../src/gp/fit-tasks');
  FitPool.prototype.run = (job, tasks) => tasks.map((t) => runFitTask(job, t));
  let all = 0;
  const evaluate = MarginalLikelihood.prototype.evaluate;
  MarginalLikelihood.prototype.evaluate = function (this: InstanceType<typeof MarginalLikelihood>, t, g) {
    all++;
    return evaluate.call(this, t, g);
  };
  const { n: n0, d, steps, objective } = o;
  const names = Array.from({ length: d }, (_, k) => `x${k}`);
  const opt = new BayesianOptimization({
    pbounds: Object.fromEntries(names.map((k) => [k, [0, 1] as [number, number]])), randomState: 7, engine: 'cpu',
    candidates: 2000, verbose: 0, log: () => {},
  });
  const rng = new Rng(1000 + d);
  for (let i = 0; i < n0; i++) {
    const x = names.map(() => rng.uniform(0, 1));
    await opt.register(Object.fromEntries(names.map((k, j) => [k, x[j]])), objective(x));
  }
  all = 0;
  let main = 0;
  const reasons: Record<string, number> = {};
  for (let r = 0; r < steps; r++) {
    const p = await opt.suggest();
    const st = opt.fitStats ?? opt.gp.fitStats; // the GP this suggestion fitted (a stall-exploration step fits its own)
    main += st.evaluations;
    reasons[st.reason] = (reasons[st.reason] ?? 0) + 1;
    await opt.register(p, objective(names.map((k) => p[k] as number)));
  }
  const comparisons = (opt as unknown as { sampler: { warpMemo: { selections: number } } }).sampler.warpMemo.selections;
  console.log(`n = ${n0} -> ${n0 + steps}, d = ${d}: ${all} likelihood evaluations (${main} by the model's GP, `
    + `${all - main} by the output warp's ${comparisons} evidence comparisons); hyperparameters ${JSON.stringify(reasons)}`);
  writeJson(o.out.replace(/\.json$/, '-evaluations.json'), {
    date: new Date().toISOString(), n: n0, d, steps, evaluations: all, byModel: main, byWarp: all - main, warpComparisons: comparisons, refits: reasons,
  });
  opt.dispose();
}

/** --linalg: the float64 Cholesky (blocked vs plain) and the row-wise inverse at sizes `ns`, in GFLOP/s. */
export async function timeLinalg(ns: number[], outPath: string): Promise<void> {
  const { factorLower } = await import('../src/gp/linalg');
  const { factorLowerBlocked, inverseRowsAppend } = await import('../src/gp/linalg-blocked');
  const { choleskyInPlaceFast, inverseRowsAppendFast } = await import('../src/gp/cholesky-wasm');
  const rows: { n: number; plainGflops: number; blockedGflops: number; wasmGflops: number; inverseGflops: number; inverseWasmGflops: number }[] = [];
  for (const n of ns) {
    const rng = new Rng(n);
    const d = 6;
    const X = Float64Array.from({ length: n * d }, () => rng.uniform(0, 1));
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let r2 = 0;
        for (let k = 0; k < d; k++) r2 += ((X[i * d + k] - X[j * d + k]) / 0.5) ** 2;
        K[i * n + j] = Math.exp(-0.5 * r2) + (i === j ? 1e-3 : 0);
      }
    }
    const gf = (ms: number) => (n ** 3 / 3) / (ms * 1e6);
    const a = K.slice();
    let t = performance.now();
    factorLower(a, n);
    const plain = gf(performance.now() - t);
    const b = K.slice();
    t = performance.now();
    factorLowerBlocked(b, n);
    const blocked = gf(performance.now() - t);
    // the GP's factorizations (gp/cholesky-wasm.ts: the same floats); best of 3, its memory grown by the first
    let wasm = 0;
    for (let r = 0; r < 3; r++) {
      const c = K.slice();
      t = performance.now();
      choleskyInPlaceFast(c, n);
      wasm = Math.max(wasm, gf(performance.now() - t));
    }
    for (let i = 0; i < n; i++) b.fill(0, i * n + i + 1, (i + 1) * n);
    const inv = new Float64Array(n * n);
    t = performance.now();
    inverseRowsAppend(b, inv, n, 0);
    const inverse = gf(performance.now() - t);
    // the GP's inverse (gp/cholesky-wasm.ts: the same floats), best of 3
    let inverseWasm = 0;
    for (let r = 0; r < 3; r++) {
      t = performance.now();
      inverseRowsAppendFast(b, inv, n, 0);
      inverseWasm = Math.max(inverseWasm, gf(performance.now() - t));
    }
    rows.push({ n, plainGflops: plain, blockedGflops: blocked, wasmGflops: wasm, inverseGflops: inverse, inverseWasmGflops: inverseWasm });
    console.log(`n=${n}: Cholesky plain ${plain.toFixed(2)} GFLOP/s, blocked ${blocked.toFixed(2)} GFLOP/s, WebAssembly (best of 3) ${wasm.toFixed(2)} GFLOP/s; `
      + `row-wise inverse ${inverse.toFixed(2)} GFLOP/s, WebAssembly (best of 3) ${inverseWasm.toFixed(2)} GFLOP/s`);
  }
  console.log(`load average (1 min) ${loadavg()[0].toFixed(2)}; ${cpus().length} cores`);
  writeJson(outPath.replace(/\.json$/, '-linalg.json'), { date: new Date().toISOString(), loadavg: loadavg(), rows });
}

interface GrowthRow {
  n: number; d: number; fitWorkers: WorkersOption;
  /** first fit: hyperparameters optimized (ms wall, main-thread CPU ms) and the factorization of all n points */
  coldHyperMs: number; coldFactorMs: number; coldMainCpuMs: number;
  /** median over `steps` fits that each add one point: refit reason, ms, CPU ms */
  keptReasons: string[]; keptMs: number; keptCpuMs: number;
  load: number;
}

/**
 * --fit-growth: the GP fit alone, as the optimizer configures it (no
 * scoring). At each n: a cold fit of n points, then `steps` fits that each
 * add one point, which keep the hyperparameters and extend the factor in
 * O(n^2) ('kept'). Prints the log-log slope of the kept fit's time between
 * the smallest and the largest n (the goal: at most 2 between 1,000 and 4,000).
 */
export async function fitGrowth(o: {
  ns: number[]; d: number; fitWorkers: WorkersOption; objective: Objective; out: string; steps?: number;
}): Promise<void> {
  const { ns, d, fitWorkers, objective } = o;
  const steps = o.steps ?? 3;
  const rows: GrowthRow[] = [];
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  for (const n of [...ns].sort((a, b) => a - b)) {
    const rng = new Rng(2000 + n + d);
    const N = n + steps;
    const X = Float64Array.from({ length: N * d }, () => rng.uniform(0, 1));
    const y = Float64Array.from({ length: N }, (_, i) => objective(Array.from(X.subarray(i * d, i * d + d))));
    const gp = new GaussianProcess({ ...GP_DEFAULTS, rng: new Rng(7), workers: fitWorkers });
    let c0 = mainThreadCpuMs();
    gp.fit(X.subarray(0, n * d), y.subarray(0, n), d);
    const coldMainCpuMs = mainThreadCpuMs() - c0;
    const cold = gp.fitStats;
    const ms: number[] = [];
    const cpu: number[] = [];
    const reasons: string[] = [];
    for (let s = 1; s <= steps; s++) {
      const u0 = process.cpuUsage(); // microseconds, all threads: a kept fit runs on this one
      const t = performance.now();
      gp.fit(X.subarray(0, (n + s) * d), y.subarray(0, n + s), d);
      ms.push(performance.now() - t);
      const u = process.cpuUsage(u0);
      cpu.push((u.user + u.system) / 1000);
      reasons.push(gp.fitStats.reason);
    }
    const row: GrowthRow = {
      n, d, fitWorkers, coldHyperMs: cold.hyperparameterMs, coldFactorMs: cold.factorMs, coldMainCpuMs,
      keptReasons: reasons, keptMs: median(ms), keptCpuMs: median(cpu), load: loadavg()[0],
    };
    rows.push(row);
    console.log(`n=${n} d=${d} fit workers ${String(fitWorkers)}: cold hyperparameters ${row.coldHyperMs.toFixed(0)} ms + factor ${row.coldFactorMs.toFixed(0)} ms `
      + `(main thread CPU ${coldMainCpuMs.toFixed(0)} ms); then ${reasons.join('/')} ${row.keptMs.toFixed(1)} ms (CPU ${row.keptCpuMs.toFixed(1)} ms); load ${row.load.toFixed(1)}`);
  }
  const a = rows[0];
  const b = rows[rows.length - 1];
  if (rows.length > 1) {
    const slope = (u: number, v: number) => (Math.log(v / u) / Math.log(b.n / a.n)).toFixed(2);
    console.log(`slope of the kept fit's time, n = ${a.n} -> ${b.n}: ${slope(a.keptCpuMs, b.keptCpuMs)} (CPU time), ${slope(a.keptMs, b.keptMs)} (wall)`);
  }
  console.log(`load average (1 min) ${loadavg()[0].toFixed(2)}; ${cpus().length} cores`);
  writeJson(o.out.replace(/\.json$/, '-fit-growth.json'), { date: new Date().toISOString(), loadavg: loadavg(), rows });
}
