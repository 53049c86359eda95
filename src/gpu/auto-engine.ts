/**
 * `engine: 'auto'` on a CPU-emulated adapter (Mesa llvmpipe/lavapipe,
 * SwiftShader, WARP): the WebGPU path then runs on the same cores as the
 * float64 CPU engine, and which is faster depends on the problem's shape (the
 * CPU engine skips candidates that cannot win; the GPU scores every one). So
 * the first proposal of each shape is measured on both engines, the faster
 * is kept for that shape, and one line says which and why. A later CPU run of
 * the shape that is slower than WebGPU was measured hands the shape to WebGPU
 * (one more line says so). Measurements are
 * cached per device and shape (a WeakMap keyed by the device), so optimizers
 * sharing a device share them. On a hardware adapter 'auto' is plain WebGPU
 * (see create-engine.ts).
 *
 * A measured choice depends on the machine's load, and the engines differ
 * (float64 against f32 scoring), so two runs of the same seed could take
 * different points. A `repeatable` engine (the optimizer's 'auto' with
 * `randomState`) therefore times nothing: every shape runs on the CPU engine,
 * the float64 reference that repeats bit for bit, and the first pick of
 * most shapes on a software adapter anyway; the optimizer's batch scoring
 * (fantasies, qEI) runs on the CPU too (`Engine.repeatable`). Such an
 * engine needs WebGPU only for a caller's `evaluate`, so createEngine gives
 * it a deferred WebGPU engine, whose device is made on first use.
 */
import { createCpuEngine, scorePoints } from '../acquisition/cpu-engine';
import { DEFAULT_CANDIDATES, usedAfterDispose, type Engine, type EngineKind, type Evaluation, type ProposeRequest, type ProposeResult } from '../acquisition/engine';
import type { AcquisitionSpec } from '../acquisition/functions';
import type { PosteriorFactors } from '../gp/types';
import { EngineError } from '../errors';
import type { WebGpuEngine } from './engine';

/**
 * A WebGPU engine not made yet: `open` makes it (and its device) at the
 * first call and gives the same engine, or null where that fails, to later
 * ones; the AutoEngine holding it disposes what it opened.
 */
export interface DeferredWebGpu {
  /** the adapter's description, for log lines */
  readonly description: string;
  open(): Promise<WebGpuEngine | null>;
}

/**
 * Candidate counts each engine is timed on before its time for the full
 * count is extrapolated (up to CPU_SAMPLE the full count runs). The CPU engine
 * screens: it scores every candidate's mean and a bound in O(n d + 32 n), but
 * the exact O(n^2) variance only where the bound can still win, a few dozen
 * candidates whatever the count. So its time is a fixed part plus a
 * per-candidate part, and two samples give both (see {@link extrapolateCpuMs});
 * scaling one sample in proportion counted the screened exact part m / sample
 * times over. WebGPU scores every candidate after a fixed cost per dispatch,
 * the same kind of line.
 */
export const CPU_SAMPLE_SMALL = 2048;
export const CPU_SAMPLE = 8192;

/**
 * Predicted CPU time (ms) for `m` candidates from two timed samples
 * (`mA < mB` candidates taking `msA`, `msB`): the line through them, time =
 * fixed + m * per-candidate, where the fixed part holds the screened exact
 * variances (independent of m). The slope is clamped to at least 0, and the
 * prediction to at least `msB`.
 * @example extrapolateCpuMs(2048, 30, 8192, 90, 65536) // 30 + 60 * (65536 - 2048) / 6144 = 650 ms
 */
export function extrapolateCpuMs(mA: number, msA: number, mB: number, msB: number, m: number): number {
  const slope = Math.max(0, (msB - msA) / (mB - mA));
  return Math.max(msB, msB + slope * (m - mB));
}

/**
 * Observations from which a software adapter's suggestions score WebGPU's
 * 65,536 candidates by default; below, the CPU engine's 10,000 (the
 * optimizer's `candidates` option overrides both). On a software adapter
 * either engine runs on the CPU's cores, and 65,536 candidates fit the
 * suggestion-time goals (150 ms at n = 256, 650 ms at 1,000, 2 s at 2,000)
 * only from about n = 1,000 on. Measured on 2 cores, the CPU engine with its
 * helper thread, the median of a process's first three calls:
 * 256/8 65,536 candidates 294-309 ms (10,000: 103-105), 512/8 334 (116),
 * 1,000/6 522-569 (211), 2,000/20 1,244 (500-531); WebGPU on lavapipe is
 * slower still at every one of these sizes. A rule on n alone, not the
 * timed choice, so that a seeded run scores the same count whatever the
 * load.
 */
export const AUTO_FULL_CANDIDATES_FROM = 1000;

/** What was measured for one shape, and the pick. */
export interface AutoDecision {
  engine: EngineKind;
  /** measured WebGPU time for the full candidate count (ms) */
  webgpuMs: number;
  /** CPU time for the full candidate count (ms), extrapolated from two samples when above CPU_SAMPLE; after a switch ({@link cpuTooSlow}), the CPU run that caused it */
  cpuMs: number;
}

const decisions = new WeakMap<GPUDevice, Map<string, AutoDecision>>();

/**
 * The shape a decision is kept for: kernel, d, candidate count and n to the
 * nearest power of two. Not the acquisition: with it in the key, a stall
 * exploration step (UCB) among EI steps measured both engines again at
 * every size (at 1,000/6 on lavapipe a second call of 1.5 s instead of
 * 0.5); the CPU's cost for another acquisition is still checked, by
 * {@link cpuTooSlow} at every CPU run.
 */
export function shapeKey(req: ProposeRequest): string {
  const f = req.factors;
  const nb = f.n < 1 ? 0 : Math.round(Math.log2(f.n));
  return `${f.kernel}:d${f.d}:n2^${nb}:m${Math.floor(req.candidates)}`;
}

export class AutoEngine implements Engine {
  readonly description: string;
  private gpu: WebGpuEngine | null;
  private readonly deferred: DeferredWebGpu | null;
  private opening: Promise<WebGpuEngine | null> | null = null;
  private disposed = false;
  /**
   * The CPU engine every CPU proposal runs on, measurements included: its
   * bounding pass in WebAssembly and helper threads (started at the first
   * proposal large enough), the same result bit for bit as one thread.
   * Before, this engine called the one-thread JavaScript search directly: at
   * n = 256, d = 8 with 65,536 candidates a proposal took 448 ms against 294
   * on the CPU engine.
   */
  private readonly cpu: Engine = createCpuEngine();

  /**
   * @param gpu the WebGPU engine (disposed with this one), or with
   *   `repeatable` a deferred one, opened at the first `evaluate` or
   *   `openDevice` (see the module comment)
   * @param log receives one line per measured shape; omit for silence
   * @param repeatable time nothing and run every shape on the CPU engine (see the module comment) [false]
   */
  constructor(gpu: WebGpuEngine | DeferredWebGpu, private readonly log?: (line: string) => void, readonly repeatable = false) {
    const deferred = 'open' in gpu;
    if (deferred && !repeatable) throw new EngineError('engine: a deferred WebGPU engine needs a repeatable AutoEngine');
    this.gpu = deferred ? null : gpu;
    this.deferred = deferred ? gpu : null;
    this.description = repeatable
      ? `auto: the CPU (repeatable, not timed) beside ${gpu.description}`
      : `auto: ${gpu.description} or the CPU, measured per problem shape`;
  }

  /**
   * 'webgpu' while the GPU works (the count a suggestion scores is
   * {@link defaultCandidates}'s); each `ProposeResult.engine` says which
   * engine ran. A deferred engine not opened
   * yet, or that failed to open, counts as working: a repeatable engine's
   * proposals run on the CPU whatever the GPU does.
   */
  get kind(): EngineKind {
    return this.gpu?.kind ?? 'webgpu';
  }

  /**
   * 65,536 candidates (WebGPU's default) from {@link AUTO_FULL_CANDIDATES_FROM}
   * observations on, the CPU engine's 10,000 below, whichever engine a shape
   * then runs on.
   */
  defaultCandidates(n: number): number {
    return n >= AUTO_FULL_CANDIDATES_FROM ? DEFAULT_CANDIDATES.webgpu : DEFAULT_CANDIDATES.cpu;
  }

  /**
   * The WebGPU engine's device.
   * @throws EngineError for a deferred engine not opened yet (see {@link openDevice})
   */
  get device(): GPUDevice {
    if (this.gpu === null) throw new EngineError('engine: the WebGPU device is not made yet (await openDevice())');
    return this.gpu.device;
  }

  /** The WebGPU engine's device, made now for a deferred engine; null where it cannot be made or after dispose(). */
  async openDevice(): Promise<GPUDevice | null> {
    return (await this.webGpu())?.device ?? null;
  }

  /** The WebGPU engine, opening a deferred one once. */
  private async webGpu(): Promise<WebGpuEngine | null> {
    if (this.gpu !== null || this.deferred === null || this.disposed) return this.disposed ? null : this.gpu;
    this.opening ??= this.deferred.open().then((engine) => {
      if (this.disposed) engine?.dispose(); // disposed while opening: whoever allocates destroys
      else this.gpu = engine;
      return this.disposed ? null : engine;
    });
    return this.opening;
  }

  /** The cached decision for `req`'s shape on this device, if measured. */
  decision(req: ProposeRequest): AutoDecision | undefined {
    return this.gpu === null ? undefined : decisions.get(this.gpu.device)?.get(shapeKey(req));
  }

  async propose(req: ProposeRequest): Promise<ProposeResult> {
    if (this.disposed) throw usedAfterDispose();
    const proposeCpu = (r: ProposeRequest) => this.cpu.propose(r);
    if (this.gpu === null || this.gpu.kind === 'cpu' || this.repeatable) return proposeCpu(req); // no timing, or the GPU failed earlier
    const gpu = this.gpu;
    const known = this.decision(req);
    if (known?.engine === 'webgpu') return gpu.propose(req);
    if (known) {
      // Keep measuring what runs: a CPU run slower than WebGPU was measured hands the shape to WebGPU.
      const r = await proposeCpu(req);
      const ms = r.timings!.scoringMs;
      if (cpuTooSlow(known, ms)) {
        known.engine = 'webgpu';
        known.cpuMs = ms;
        this.log?.(
          `engine: auto switched to WebGPU for n = ${req.factors.n}, d = ${req.factors.d}, ${Math.floor(req.candidates)} candidates: `
          + `the CPU took ${fmt(ms)} against WebGPU's measured ${fmt(known.webgpuMs)}`);
      }
      return r;
    }
    // Measure both engines, on the real request or, above CPU_SAMPLE candidates, on two samples.
    const m = Math.max(1, Math.floor(req.candidates));
    const cpu = await timed(proposeCpu, req);
    const onGpu = await timed((r) => gpu.propose(r), req);
    if (onGpu.result.engine === 'cpu') return onGpu.sampled ? proposeCpu(req) : onGpu.result; // fell back during the measurement
    const engine: EngineKind = cpu.ms < onGpu.ms ? 'cpu' : 'webgpu';
    let byDevice = decisions.get(gpu.device);
    if (!byDevice) decisions.set(gpu.device, (byDevice = new Map()));
    byDevice.set(shapeKey(req), { engine, webgpuMs: onGpu.ms, cpuMs: cpu.ms });
    const how = onGpu.sampled ? `extrapolated from ${CPU_SAMPLE_SMALL} and ${CPU_SAMPLE}` : 'measured';
    this.log?.(
      `engine: auto picked ${engine === 'cpu' ? 'the CPU' : 'WebGPU'} for n = ${req.factors.n}, d = ${req.factors.d}, `
      + `${m} candidates: CPU ${fmt(cpu.ms)}${cpu.sampled ? ` (${how}, screening included)` : ''} vs WebGPU on ${gpu.description} `
      + `${fmt(onGpu.ms)} (software adapter, ${how})`);
    // A sampled measurement has no result for the whole request: the pick runs it now.
    const [chosen, run] = engine === 'cpu' ? [cpu, proposeCpu] : [onGpu, (r: ProposeRequest) => gpu.propose(r)];
    return chosen.sampled ? run(req) : chosen.result;
  }

  async evaluate(
    factors: PosteriorFactors, points: Float32Array | Float64Array, m: number, acquisition: AcquisitionSpec, best: number,
  ): Promise<Evaluation> {
    const gpu = await this.webGpu();
    if (gpu === null) {
      if (this.disposed) throw usedAfterDispose();
      return scorePoints(factors, points, m, acquisition, best); // the deferred device could not be made
    }
    return gpu.evaluate(factors, points, m, acquisition, best);
  }

  dispose(): void {
    this.disposed = true;
    this.gpu?.dispose();
    this.cpu.dispose();
  }
}

/** Above this factor of WebGPU's measured time, a CPU run hands its shape to WebGPU. */
export const CPU_SWITCH_FACTOR = 1.25;

/**
 * Whether a CPU run of `cpuMs` on a shape decided for the CPU says WebGPU is
 * the faster engine after all. The decision is measured on a shape's first
 * proposal, and the CPU's cost can change later at the same shape: once the
 * acquisition is nearly flat around the incumbent, round two's candidates tie
 * within what the bounds separate and every one needs its exact variance
 * (measured at n = 1,000 before the relevance-ordered bound of
 * `screening-bounds.ts`: 19,159 of 65,536 exact instead of a few dozen).
 */
export function cpuTooSlow(decision: AutoDecision, cpuMs: number): boolean {
  return decision.engine === 'cpu' && cpuMs > CPU_SWITCH_FACTOR * decision.webgpuMs;
}

/**
 * The time `run` takes for `req`: measured on the request itself up to
 * CPU_SAMPLE candidates, above that extrapolated from CPU_SAMPLE_SMALL and
 * CPU_SAMPLE candidates after a warm-up run of CPU_SAMPLE_SMALL (the
 * compiler's or the pipelines' first run, and the start of the CPU engine's
 * helper threads, which a sample would otherwise time and so flatten the
 * line), with {@link extrapolateCpuMs}'s line: a fixed part
 * plus a per-candidate part, for the CPU (screened) and WebGPU (every
 * candidate scored) alike. Timing WebGPU on a software adapter at its full
 * count cost seconds per shape (2.5-3 s at 65,536 candidates on lavapipe).
 * `result` is the full request's only when `sampled` is false.
 */
async function timed(
  run: (r: ProposeRequest) => Promise<ProposeResult>, req: ProposeRequest,
): Promise<{ ms: number; result: ProposeResult; sampled: boolean }> {
  const m = Math.max(1, Math.floor(req.candidates));
  let t = performance.now();
  if (m <= CPU_SAMPLE) {
    const result = await run(req);
    return { ms: performance.now() - t, result, sampled: false };
  }
  await run({ ...req, candidates: CPU_SAMPLE_SMALL });
  t = performance.now();
  await run({ ...req, candidates: CPU_SAMPLE_SMALL });
  const msA = performance.now() - t;
  t = performance.now();
  const result = await run({ ...req, candidates: CPU_SAMPLE });
  return { ms: extrapolateCpuMs(CPU_SAMPLE_SMALL, msA, CPU_SAMPLE, performance.now() - t, m), result, sampled: true };
}

const fmt = (ms: number) => (ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`);
