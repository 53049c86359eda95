/**
 * One cell of bench/suggest.ts: an optimizer with n observations registered,
 * timed over --reps suggest() calls on one engine, with the split into
 * phases and the load-independent work; and the engines it times, wrapped to
 * keep their last proposal's result. Apart from the benchmark's driver
 * (flags, the loop over engines, d and n, the table and the JSON), which
 * needs only the cells' results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { createCpuEngine } from '../src/acquisition/cpu-engine';
import { DEFAULT_CANDIDATES, type Engine, type ProposeResult } from '../src/acquisition/engine';
import { createEngine } from '../src/gpu';
import { BayesianOptimization } from '../src/optimizer';
import { Rng } from '../src/util/rng';
import { mainThreadCpuMs } from './suggest-modes';

/** Wraps an engine to keep the last proposal's result (timings, engine that ran). */
export class Recording implements Engine {
  last: ProposeResult | null = null;
  constructor(readonly inner: Engine) {}
  get kind() { return this.inner.kind; }
  get description() { return this.inner.description; }
  async propose(req: Parameters<Engine['propose']>[0]) {
    this.last = await this.inner.propose(req);
    return this.last;
  }
  evaluate(...a: Parameters<Engine['evaluate']>) { return this.inner.evaluate(...a); }
  /** the inner engine's default count, so that `auto` scores what it scores for users */
  defaultCandidates(n: number, d: number) {
    return this.inner.defaultCandidates?.(n, d) ?? DEFAULT_CANDIDATES[this.inner.kind];
  }
  dispose() {}
}

/** The benchmark's objective: y = -|x - 0.3|^2 + 0.1 sin(10 x0). */
export const objective = (x: number[]) => {
  let s = 0;
  for (const v of x) s += (v - 0.3) ** 2;
  return -s + 0.1 * Math.sin(10 * x[0]);
};

export interface Phases { fitMs: number; factorMs: number; linvMs: number; uploadMs: number; scoringMs: number; readbackMs: number }
export interface Call extends Phases {
  totalMs: number; cpuMs: number; mainCpuMs: number; engine: string; scored: number; exact: number; evaluations: number; refit: string; keptRows: number;
  /** load-independent scoring work, where the engine counts it (CPU): kernel rows and forward-substitution multiply-adds */
  kernelRows?: number; madds?: number;
}
export interface Cell {
  n: number; d: number; engine: string; ran: string; candidates: number; exact: number; refit: string;
  /** of the n registered points, how many are failed trials (--failed) */
  failed: number;
  medianMs: number; coldMs: number; calls: Call[]; phases: Phases;
  /** median CPU time over all threads (workers included), and of the main thread alone */
  medianCpuMs: number; medianMainCpuMs: number;
  /** 1-minute load average when the cell finished: wall times are only comparable at similar load */
  load: number;
  /** the process's peak resident memory so far, MiB (cells run in ascending n, so the largest n's is its own) */
  peakRssMiB: number;
}

/** The median of `a` (the mean of the middle two for an even count). */
export const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** How the cells run: the flags of bench/suggest.ts they read. */
export interface CellSettings {
  /** suggest() calls per cell */
  reps: number;
  /** the optimizer's `gp.workers` */
  fitWorkers: number | 'auto';
  /** --candidates, as given (absent: the engine's default) */
  candidates?: string;
  /** --profile: the folder for the CPU profiles of warm calls (absent: none) */
  profile?: string;
  /** --failed: how many of the n registered points are failed trials, spread evenly (a study's crashed runs) [0] */
  failed?: number;
}

/**
 * One cell: `n` registered observations in `d` dimensions, then `reps`
 * suggest() calls on `engine`, each registering its point before the next;
 * the median call's time and phases, the cold (first) call's time.
 */
export async function runCell(engine: Recording, n: number, d: number, o: CellSettings): Promise<Cell> {
  const { reps, fitWorkers } = o;
  const names = Array.from({ length: d }, (_, k) => `x${k}`);
  const pbounds = Object.fromEntries(names.map((k) => [k, [0, 1] as [number, number]]));
  const opt = new BayesianOptimization({
    pbounds, randomState: 7, engine, verbose: 0, log: () => {}, gp: { workers: fitWorkers },
    ...(o.candidates ? { candidates: Number(o.candidates) } : {}),
  });
  const rng = new Rng(1000 + n + d);
  const failed = Math.min(o.failed ?? 0, n);
  for (let i = 0; i < n; i++) {
    const x = names.map(() => rng.uniform(0, 1));
    const p = Object.fromEntries(names.map((k, j) => [k, x[j]]));
    // failed trials spread evenly (the i-th of every n / failed), the rest completed
    if (failed > 0 && Math.floor((i + 1) * failed / n) > Math.floor(i * failed / n)) await opt.registerFailure(p);
    else await opt.register(p, objective(x));
  }
  const calls: Call[] = [];
  const prof = o.profile ? new Session() : null;
  if (prof) {
    prof.connect();
    await prof.post('Profiler.enable');
    mkdirSync(o.profile!, { recursive: true });
  }
  for (let r = 0; r < reps; r++) {
    if (prof && r > 0) await prof.post('Profiler.start');
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    const m0 = mainThreadCpuMs();
    const p = await opt.suggest();
    const mainCpuMs = mainThreadCpuMs() - m0;
    const totalMs = performance.now() - t0;
    const u = process.cpuUsage(u0);
    const cpuMs = (u.user + u.system) / 1000;
    const st = opt.fitStats ?? opt.gp.fitStats; // the GP this suggestion fitted (a stall-exploration step fits its own)
    if (prof && r > 0) {
      const { profile } = await prof.post('Profiler.stop');
      if (st.reason === 'kept' && opt.fitStats?.model !== 'exploration') writeFileSync(`${o.profile}/${n}-${d}-${engineNameOf(engine)}-${r}.cpuprofile`, JSON.stringify(profile));
    }
    const t = engine.last?.timings ?? { uploadMs: 0, scoringMs: 0, readbackMs: 0 };
    calls.push({
      totalMs, cpuMs, mainCpuMs, engine: engine.last?.engine ?? '?', scored: engine.last?.scored ?? 0,
      exact: engine.last?.exact ?? engine.last?.scored ?? 0, evaluations: st.evaluations, refit: st.reason, keptRows: st.keptRows,
      fitMs: st.hyperparameterMs, factorMs: st.factorMs, linvMs: st.linvMs, ...t,
      ...(engine.last?.work ? { kernelRows: engine.last.work.kernelRows, madds: engine.last.work.madds } : {}),
    });
    await opt.register(p, objective(names.map((k) => p[k] as number)));
  }
  prof?.disconnect();
  opt.dispose();
  const med = median(calls.map((c) => c.totalMs));
  const mc = calls.find((c) => c.totalMs === med) ?? calls[calls.length - 1];
  return {
    n, d, failed, engine: engineNameOf(engine), ran: mc.engine, candidates: mc.scored, exact: mc.exact, refit: mc.refit,
    medianMs: med, medianCpuMs: median(calls.map((c) => c.cpuMs)), medianMainCpuMs: median(calls.map((c) => c.mainCpuMs)), coldMs: calls[0].totalMs, calls, load: loadavg()[0],
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    phases: {
      fitMs: mc.fitMs, factorMs: mc.factorMs, linvMs: mc.linvMs,
      uploadMs: mc.uploadMs, scoringMs: mc.scoringMs, readbackMs: mc.readbackMs,
    },
  };
}

const engineNames2 = new WeakMap<Recording, string>();
/** The name `makeEngine` made `e` under ('cpu', 'webgpu', 'auto'). */
export const engineNameOf = (e: Recording) => engineNames2.get(e) ?? '?';

/** What the engines are made with: --workers as given (absent: the default), --screening. */
export interface EngineSettings {
  workers?: string;
  screening: 'auto' | 'true' | 'false';
}

/** The engine `name` ('cpu', 'webgpu' or 'auto'), recording its proposals; null (said on the console) where it cannot start. */
export async function makeEngine(name: string, o: EngineSettings): Promise<Recording | null> {
  let inner: Engine;
  if (name === 'cpu') {
    const w = o.workers;
    inner = createCpuEngine(w === undefined ? {} : { workers: w === 'auto' ? 'auto' : Number(w) });
  }
  else {
    try {
      // 'auto' as the optimizer resolves it: measured per shape on a software adapter
      inner = await createEngine({
        prefer: name as 'auto' | 'webgpu', measure: true, verbose: true, log: (l) => console.log(`[${name}] ${l}`),
        screening: o.screening === 'auto' ? 'auto' : o.screening === 'true',
      });
    } catch (err) {
      console.log(`[${name}] skipped: ${(err as Error).message}`);
      return null;
    }
  }
  const r = new Recording(inner);
  engineNames2.set(r, name);
  return r;
}
