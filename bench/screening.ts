/**
 * Screening on the GPU: one proposal's wall time with every candidate scored
 * exactly and with screening (WebGpuEngine `screening: false` / `true`), and
 * the candidates scored exactly under screening (each round's pilot and
 * survivors), on bench:throughput's problems. The two proposals must pick the same point;
 * the run fails if they do not. Prints a table and writes JSON with the
 * adapter's description.
 *
 *   npm run bench:screening -- [--n 256,1024] [--d 4,16] [--m 65536,1048576] [--reps 5]
 *     [--out bench/results/screening.json]
 */
import { isSoftwareDevice, requestWebGpuDevice, webGpuUnavailableReason, WebGpuEngine } from '../src/gpu';
import { problem, request } from './throughput-problem';
import { intFlag, intListFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  n: { type: 'string', default: '256,1024' },
  d: { type: 'string', default: '4,16' },
  m: { type: 'string', default: '65536,1048576' },
  reps: { type: 'string', default: '5' },
  out: { type: 'string', default: 'bench/results/screening.json' },
});
// all checked before the adapter is asked for: `--m 4096,x` ran its first cell, then crashed
const ns = intListFlag('n', values.n);
const ds = intListFlag('d', values.d);
const ms = intListFlag('m', values.m);
const reps = intFlag('reps', values.reps);
const out = outFlag('out', values.out);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function main(): Promise<void> {
  const device = await requestWebGpuDevice();
  if (device === null) throw new Error(`no WebGPU adapter (${webGpuUnavailableReason()})`);
  const exhaustive = await WebGpuEngine.create(device, { screening: false, log: (l) => console.log(l) });
  const screened = await WebGpuEngine.create(device, { screening: true, log: (l) => console.log(l) });
  console.log(`adapter: ${exhaustive.description}${isSoftwareDevice(device) ? ' (CPU-emulated)' : ''}`);
  const rows = [];
  for (const n of ns) {
    for (const d of ds) {
      const f = problem(n, d, 1000 + n + d);
      for (const m of ms) {
        const time = async (engine: WebGpuEngine) => {
          const ms: number[] = [];
          let last = await engine.propose(request(f, m, 99)); // warm-up: pipelines, buffers
          for (let r = 0; r < reps; r++) {
            const t0 = performance.now();
            last = await engine.propose(request(f, m, 100 + r));
            ms.push(performance.now() - t0);
          }
          return { ms: median(ms), last };
        };
        const a = await time(exhaustive);
        const b = await time(screened);
        if (a.last.engine !== 'webgpu' || b.last.engine !== 'webgpu') throw new Error('an engine fell back to the CPU');
        if (!a.last.x.every((v, i) => v === b.last.x[i])) throw new Error(`n=${n} d=${d} m=${m}: screened and exhaustive winners differ`);
        const sc = b.last.screening;
        const row = { n, d, m, exhaustiveMs: a.ms, screenedMs: b.ms, exact: b.last.exact ?? m, rounds: sc ?? null };
        rows.push(row);
        console.log(`n=${String(n).padStart(5)} d=${String(d).padStart(2)} m=2^${Math.log2(m)}  exhaustive ${a.ms.toFixed(1).padStart(7)} ms`
          + `  screened ${b.ms.toFixed(1).padStart(7)} ms (exact ${row.exact}, ${(100 * row.exact / m).toFixed(1)}%:`
          + ` pilots ${sc?.pilots.join('+')}, survivors ${sc?.survivors.join('+')})  same winner`);
      }
    }
  }
  const result = { adapter: exhaustive.description, date: new Date().toISOString(), runtime: `node ${process.version}`, rows };
  writeJson(out, result);
  exhaustive.dispose();
  screened.dispose();
  device.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
