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
 * most shapes on a software adapter anyway. Such an engine needs WebGPU
 * only for `evaluate` and the optimizer's batch scoring, so createEngine
 * gives it a deferred WebGPU engine, whose device is made on first use.
 */
import { proposeOnCpu, scorePoints } from '../acquisition/cpu-engine';
import type { Engine, EngineKind, Evaluation, ProposeRequest, ProposeResult } from '../acquisition/engine';
import type { AcquisitionSpec } from '../acquisition/functions';
import type { PosteriorFactors } from '../gp/types';
import { EngineError, StateError } from '../errors';
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
 * Candidate counts the CPU engine is timed on before its time for the full
 * count is extrapolated (above CPU_SAMPLE the full count runs). The CPU engine
 * screens: it scores every candidate's mean and a bound in O(n d + 32 n), but
 * the exact O(n^2) variance only where the bound can still win, a few dozen
 * candidates whatever the count. So its time is a fixed part plus a
 * per-candidate part, and two samples give both (see {@link extrapolateCpuMs});
 * scaling one sample in proportion counted the screened exact part m / sample
 * times over.
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

/** What was measured for one shape, and the pick. */
export interface AutoDecision {
  engine: EngineKind;
  /** measured WebGPU time for the full candidate count (ms) */
  webgpuMs: number;
  /** CPU time for the full candidate count (ms), extrapolated from two samples when above CPU_SAMPLE; after a switch ({@link cpuTooSlow}), the CPU run that caused it */
  cpuMs: number;
}

const decisions = new WeakMap<GPUDevice, Map<string, AutoDecision>>();

/** The shape a decision is kept for: kernel, d, candidate count and n to the nearest power of two. */
export function shapeKey(req: ProposeRequest): string {
  const f = req.factors;
  const nb = f.n < 1 ? 0 : Math.round(Math.log2(f.n));
  return `${f.kernel}:d${f.d}:n2^${nb}:m${Math.floor(req.candidates)}:${req.acquisition.kind}`;
}

export class AutoEngine implements Engine {
  readonly description: string;
  private gpu: WebGpuEngine | null;
  private readonly deferred: DeferredWebGpu | null;
  private opening: Promise<WebGpuEngine | null> | null = null;
  private disposed = false;

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
   * 'webgpu' while the GPU works, so the optimizer's default candidate count
   * stays WebGPU's 65,536 whichever engine a shape is given; each
   * `ProposeResult.engine` says which one ran. A deferred engine not opened
   * yet, or that failed to open, counts as working: a repeatable engine's
   * proposals run on the CPU whatever the GPU does.
   */
  get kind(): EngineKind {
    return this.gpu?.kind ?? 'webgpu';
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
    if (this.gpu === null || this.gpu.kind === 'cpu' || this.repeatable) return proposeCpu(req); // no timing, or the GPU failed earlier
    const gpu = this.gpu;
    const known = this.decision(req);
    if (known?.engine === 'webgpu') return gpu.propose(req);
    if (known) {
      // Keep measuring what runs: a CPU run slower than WebGPU was measured hands the shape to WebGPU.
      const r = proposeCpu(req);
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
    // Measure: the CPU on the real request or on two samples, the GPU on the real request.
    const m = Math.max(1, Math.floor(req.candidates));
    const sample = Math.min(m, CPU_SAMPLE);
    let t: number;
    let cpuMs: number;
    let cpuSample: ProposeResult;
    if (sample < m) {
      proposeCpu({ ...req, candidates: 256 }); // warm-up, so the first sample's time is not the compiler's
      t = performance.now();
      proposeCpu({ ...req, candidates: CPU_SAMPLE_SMALL });
      const msA = performance.now() - t;
      t = performance.now();
      cpuSample = proposeCpu({ ...req, candidates: sample });
      cpuMs = extrapolateCpuMs(CPU_SAMPLE_SMALL, msA, sample, performance.now() - t, m);
    } else {
      t = performance.now();
      cpuSample = proposeCpu(req);
      cpuMs = performance.now() - t;
    }
    t = performance.now();
    const onGpu = await gpu.propose(req);
    const webgpuMs = performance.now() - t;
    if (onGpu.engine === 'cpu') return onGpu; // fell back during the measurement
    const engine: EngineKind = cpuMs < webgpuMs ? 'cpu' : 'webgpu';
    let byDevice = decisions.get(gpu.device);
    if (!byDevice) decisions.set(gpu.device, (byDevice = new Map()));
    byDevice.set(shapeKey(req), { engine, webgpuMs, cpuMs });
    this.log?.(
      `engine: auto picked ${engine === 'cpu' ? 'the CPU' : 'WebGPU'} for n = ${req.factors.n}, d = ${req.factors.d}, `
      + `${m} candidates: CPU ${fmt(cpuMs)}${sample < m ? ` (extrapolated from ${CPU_SAMPLE_SMALL} and ${sample}, screening included)` : ''} vs WebGPU on ${gpu.description} `
      + `${fmt(webgpuMs)} (software adapter, measured)`);
    if (engine === 'webgpu') return onGpu;
    return sample === m ? cpuSample : proposeCpu(req);
  }

  async evaluate(
    factors: PosteriorFactors, points: Float32Array | Float64Array, m: number, acquisition: AcquisitionSpec, best: number,
  ): Promise<Evaluation> {
    const gpu = await this.webGpu();
    if (gpu === null) {
      if (this.disposed) throw new StateError('engine: used after dispose()');
      return scorePoints(factors, points, m, acquisition, best); // the deferred device could not be made
    }
    return gpu.evaluate(factors, points, m, acquisition, best);
  }

  dispose(): void {
    this.disposed = true;
    this.gpu?.dispose();
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

function proposeCpu(req: ProposeRequest): ProposeResult {
  const t0 = performance.now();
  const r = proposeOnCpu(req);
  r.timings = { uploadMs: 0, scoringMs: performance.now() - t0, readbackMs: 0 };
  return r;
}

const fmt = (ms: number) => (ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`);
