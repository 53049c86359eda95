/**
 * Throughput benchmark: candidates scored per second and achieved GFLOP/s of
 * the WebGPU engine's proposal (generate, score, reduce) against the float64
 * CPU reference (`evaluate` of the CPU engine on given candidates), over
 * n in {64, 256, 1024}, d in {4, 16}, m in {2^14, 2^16, 2^20}, plus the goal
 * cell n = 256, d = 8, m = 2^16. Prints a table and writes JSON with the
 * adapter's description.
 *
 *   npm run bench:throughput -- [--quick] [--reps 3] [--budget 60] [--screening auto|true|false]
 *     [--out bench/results/throughput.json]
 *
 * --quick   a few small cells and the goal cell only
 * --screening  the engine's `screening` option: auto (default: from n = 512),
 *           true, false (every candidate's exact variance); the table's
 *           'exact' column counts the candidates scored exactly
 * --budget  seconds one GPU cell may take; larger cells of the same (n, d)
 *           are skipped once the previous one predicts more [60 on CPU-emulated
 *           adapters, unlimited otherwise]
 * The CPU reference is timed on a sample of at most --cpu-sample candidates
 * (its cost per candidate does not depend on m) and reported as a rate.
 * Besides wall time, the process's CPU time (all threads, so a CPU-emulated
 * adapter's worker threads too) is recorded: on a shared machine wall-clock
 * ratios swing with the load, while `cpuTimeSpeedup` (candidates per
 * CPU-second, GPU path over reference) does not; on an idle machine with c
 * cores a CPU-emulated adapter reaches about min(c, its threads) times that.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { createCpuEngine } from '../src/acquisition/cpu-engine';
import { isSoftwareDevice, requestWebGpuDevice, webGpuUnavailableReason, WebGpuEngine } from '../src/gpu';
import { Rng } from '../src/util/rng';
import { ACQ, flopsPerCandidate, problem, request } from './throughput-problem';
import { choiceFlag, intFlag, numFlag, outFlag, parseFlags } from './args';

const values = parseFlags({
  quick: { type: 'boolean', default: false },
  reps: { type: 'string', default: '3' },
  budget: { type: 'string' },
  'cpu-sample': { type: 'string', default: '1024' },
  screening: { type: 'string', default: 'auto' },
  out: { type: 'string', default: 'bench/results/throughput.json' },
});

// checked before the adapter is asked for (`--budget abc` was NaN: no cap at all)
const budgetFlag = values.budget === undefined ? undefined : numFlag('budget', values.budget, 0);
const reps = intFlag('reps', values.reps);
const cpuSample = intFlag('cpu-sample', values['cpu-sample']);
const screeningFlag = choiceFlag('screening', values.screening, ['auto', 'true', 'false'] as const);
const out = outFlag('out', values.out);

interface Row {
  n: number;
  d: number;
  m: number;
  gpuMs: number | null;
  gpuCandidatesPerSec: number | null;
  gpuGflops: number | null;
  cpuCandidatesPerSec: number;
  cpuGflops: number;
  cpuSample: number;
  speedup: number | null;
  /** candidates whose exact variance the GPU computed (the rest were skipped by their bound) */
  gpuExact: number | null;
  /** candidates per CPU-second of the GPU path over the reference's (see header) */
  cpuTimeSpeedup: number | null;
  note?: string;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** Wall and process CPU milliseconds of `fn`. */
async function timed(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

async function main(): Promise<void> {
  const device = await requestWebGpuDevice();
  if (device === null) throw new Error(`no WebGPU adapter (${webGpuUnavailableReason()})`);
  const software = isSoftwareDevice(device);
  const budget = budgetFlag ?? (software ? 60 : Infinity);
  const screening = screeningFlag === 'auto' ? 'auto' : screeningFlag === 'true';
  const engine = await WebGpuEngine.create(device, { log: (l) => console.log(l), screening });
  const cpu = createCpuEngine();
  console.log(`adapter: ${engine.description}${software ? ' (CPU-emulated)' : ''}`);

  const cells: [number, number, number][] = [];
  const ns = values.quick ? [64, 256] : [64, 256, 1024];
  const ds = values.quick ? [4] : [4, 16];
  const ms = values.quick ? [2 ** 14] : [2 ** 14, 2 ** 16, 2 ** 20];
  for (const n of ns) for (const d of ds) for (const m of ms) cells.push([n, d, m]);
  cells.push([256, 8, 2 ** 16]);

  // Warm-up: the first dispatch of each pipeline compiles it on some drivers.
  await engine.propose(request(problem(16, 2, 1), 4096, 1));

  const rows: Row[] = [];
  const cpuRates = new Map<string, { wall: number; cpu: number }>();
  let skipFrom: { key: string; m: number } | null = null;
  for (const [n, d, m] of cells) {
    const f = problem(n, d, 1000 + n + d);
    const key = `${n}:${d}`;
    if (!cpuRates.has(key)) {
      const k = Math.min(cpuSample, n >= 1024 ? 512 : cpuSample);
      const rng = new Rng(7);
      const pts = Float64Array.from({ length: k * d }, () => rng.random());
      // Twice, keeping the faster: the first run of a shape also pays for JIT compilation.
      const a = await timed(() => cpu.evaluate(f, pts, k, ACQ, 1));
      const b = await timed(() => cpu.evaluate(f, pts, k, ACQ, 1));
      cpuRates.set(key, { wall: k / (Math.min(a.wall, b.wall) / 1000), cpu: k / (Math.min(a.cpu, b.cpu) / 1000) });
    }
    const cpuRate = cpuRates.get(key)!.wall;
    const cpuRatePerCpuSecond = cpuRates.get(key)!.cpu;
    const flops = flopsPerCandidate(n, d);
    const row: Row = {
      n, d, m, gpuMs: null, gpuCandidatesPerSec: null, gpuGflops: null,
      cpuCandidatesPerSec: cpuRate, cpuGflops: (cpuRate * flops) / 1e9,
      cpuSample: Math.min(cpuSample, n >= 1024 ? 512 : cpuSample), speedup: null, cpuTimeSpeedup: null, gpuExact: null,
    };
    if (skipFrom !== null && skipFrom.key === key && m >= skipFrom.m) {
      row.note = `skipped: predicted over ${budget} s`;
    } else {
      const times: number[] = [];
      const cpuTimes: number[] = [];
      for (let r = 0; r < reps; r++) {
        let res: Awaited<ReturnType<typeof engine.propose>> | null = null;
        const t = await timed(async () => { res = await engine.propose(request(f, m, 100 + r)); });
        times.push(t.wall);
        cpuTimes.push(t.cpu);
        if (res!.engine !== 'webgpu') throw new Error(`the GPU engine fell back to the CPU: ${engine.failure}`);
        row.gpuExact = res!.exact ?? m;
        if (times[0] / 1000 > budget) break;
      }
      const t = median(times);
      row.cpuTimeSpeedup = (m / (median(cpuTimes) / 1000)) / cpuRatePerCpuSecond;
      row.gpuMs = t;
      row.gpuCandidatesPerSec = m / (t / 1000);
      row.gpuGflops = (row.gpuCandidatesPerSec * flops) / 1e9;
      row.speedup = row.gpuCandidatesPerSec / cpuRate;
      const next = ms.find((x) => x > m);
      if (next !== undefined && (t / 1000) * (next / m) > budget) skipFrom = { key, m: next };
    }
    rows.push(row);
    const fmt = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));
    console.log(
      `n=${String(n).padStart(4)} d=${String(d).padStart(2)} m=2^${Math.log2(m)}  `
      + `gpu ${fmt(row.gpuMs, 0).padStart(7)} ms ${fmt(row.gpuCandidatesPerSec, 0).padStart(9)} cand/s ${fmt(row.gpuGflops, 2).padStart(7)} GFLOP/s | `
      + `cpu ${cpuRate.toFixed(0).padStart(7)} cand/s ${row.cpuGflops.toFixed(2).padStart(6)} GFLOP/s | `
      + `speedup ${fmt(row.speedup, 1).padStart(6)}x (per CPU-second ${fmt(row.cpuTimeSpeedup, 1)}x) exact ${row.gpuExact ?? '-'}`
      + `${row.note ? `  (${row.note})` : ''}`,
    );
  }
  const goal = rows.find((r) => r.n === 256 && r.d === 8 && r.m === 2 ** 16);
  const big = rows.find((r) => r.n === 1024 && r.m === 2 ** 20 && r.gpuMs !== null);
  const result = {
    adapter: engine.description,
    cpuEmulated: software,
    date: new Date().toISOString(),
    runtime: `node ${process.version}`,
    cpus: cpus().length,
    loadAverage: loadavg(),
    flopModel: 'per candidate: n(3d + 12) kernel + n^2 + 2n posterior + 60 acquisition',
    goals: {
      speedupAtN256D8M65536: goal?.speedup ?? null,
      cpuTimeSpeedupAtN256D8M65536: goal?.cpuTimeSpeedup ?? null,
      msForN1024M1048576: big?.gpuMs ?? null,
    },
    rows,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`goal n=256 d=8 m=2^16: ${goal?.speedup?.toFixed(1) ?? '-'}x the CPU reference `
    + `(${goal?.cpuTimeSpeedup?.toFixed(1) ?? '-'}x per CPU-second; load average ${loadavg()[0].toFixed(1)}); wrote ${out}`);
  engine.dispose();
  device.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
