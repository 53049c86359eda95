/**
 * `engine: 'auto'` on a CPU-emulated adapter (Mesa llvmpipe/lavapipe,
 * SwiftShader, WARP): the WebGPU path then runs on the same cores as the
 * float64 CPU engine, and which is faster depends on the problem's shape (the
 * CPU engine skips candidates that cannot win; the GPU scores every one). So
 * the first proposal of each shape is measured on both engines, the faster
 * is kept for that shape, and one line says which and why. Measurements are
 * cached per device and shape (a WeakMap keyed by the device), so optimizers
 * sharing a device share them. On a hardware adapter 'auto' is plain WebGPU
 * (see create-engine.ts).
 */
import { proposeOnCpu } from '../acquisition/cpu-engine';
import type { Engine, EngineKind, Evaluation, ProposeRequest, ProposeResult } from '../acquisition/engine';
import type { AcquisitionSpec } from '../acquisition/functions';
import type { PosteriorFactors } from '../gp/types';
import type { WebGpuEngine } from './engine';

/** Candidates the CPU engine is timed on before its time for the full count is extrapolated. */
export const CPU_SAMPLE = 4096;

/** What was measured for one shape, and the pick. */
export interface AutoDecision {
  engine: EngineKind;
  /** measured WebGPU time for the full candidate count (ms) */
  webgpuMs: number;
  /** CPU time for the full candidate count (ms), extrapolated from CPU_SAMPLE candidates when larger */
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

  /**
   * @param gpu the WebGPU engine (disposed with this one)
   * @param log receives one line per measured shape; omit for silence
   */
  constructor(private readonly gpu: WebGpuEngine, private readonly log?: (line: string) => void) {
    this.description = `auto: ${gpu.description} or the CPU, measured per problem shape`;
  }

  /**
   * 'webgpu' while the GPU works, so the optimizer's default candidate count
   * stays WebGPU's 65,536 whichever engine a shape is given; each
   * `ProposeResult.engine` says which one ran.
   */
  get kind(): EngineKind {
    return this.gpu.kind;
  }

  /** the WebGPU engine's device */
  get device(): GPUDevice {
    return this.gpu.device;
  }

  /** The cached decision for `req`'s shape on this device, if measured. */
  decision(req: ProposeRequest): AutoDecision | undefined {
    return decisions.get(this.gpu.device)?.get(shapeKey(req));
  }

  async propose(req: ProposeRequest): Promise<ProposeResult> {
    if (this.gpu.kind === 'cpu') return proposeCpu(req); // the GPU failed earlier
    const known = this.decision(req);
    if (known) return known.engine === 'cpu' ? proposeCpu(req) : this.gpu.propose(req);
    // Measure: the CPU on a sample, the GPU on the real request.
    const m = Math.max(1, Math.floor(req.candidates));
    const sample = Math.min(m, CPU_SAMPLE);
    let t = performance.now();
    const cpuSample = proposeCpu({ ...req, candidates: sample });
    const cpuMs = (performance.now() - t) * (m / sample);
    t = performance.now();
    const onGpu = await this.gpu.propose(req);
    const webgpuMs = performance.now() - t;
    if (onGpu.engine === 'cpu') return onGpu; // fell back during the measurement
    const engine: EngineKind = cpuMs < webgpuMs ? 'cpu' : 'webgpu';
    let byDevice = decisions.get(this.gpu.device);
    if (!byDevice) decisions.set(this.gpu.device, (byDevice = new Map()));
    byDevice.set(shapeKey(req), { engine, webgpuMs, cpuMs });
    this.log?.(
      `engine: auto picked ${engine === 'cpu' ? 'the CPU' : 'WebGPU'} for n = ${req.factors.n}, d = ${req.factors.d}, `
      + `${m} candidates: CPU ${fmt(cpuMs)}${sample < m ? ' (extrapolated)' : ''} vs WebGPU on ${this.gpu.description} `
      + `${fmt(webgpuMs)} (software adapter, measured)`);
    if (engine === 'webgpu') return onGpu;
    return sample === m ? cpuSample : proposeCpu(req);
  }

  evaluate(
    factors: PosteriorFactors, points: Float32Array | Float64Array, m: number, acquisition: AcquisitionSpec, best: number,
  ): Promise<Evaluation> {
    return this.gpu.evaluate(factors, points, m, acquisition, best);
  }

  dispose(): void {
    this.gpu.dispose();
  }
}

function proposeCpu(req: ProposeRequest): ProposeResult {
  const t0 = performance.now();
  const r = proposeOnCpu(req);
  r.timings = { uploadMs: 0, scoringMs: performance.now() - t0, readbackMs: 0 };
  return r;
}

const fmt = (ms: number) => (ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`);
