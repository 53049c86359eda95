/**
 * Compiling and dispatching kernel programs. Shader modules, bind group
 * layouts and pipelines are created once per device and cached in a WeakMap
 * keyed by the device (no global device; a collected device takes its cache
 * with it). A `Recorder` collects dispatches and copies, then encodes them
 * into one command buffer, each dispatch with its own slot of one uniform
 * buffer.
 */
import { GpuFailure } from '../errors';
import type { BufferPool, PooledBuffer } from './buffer-pool';
import { BUFFER_USAGE, SHADER_STAGE_COMPUTE } from './constants';
import { specializedSource, type KernelProgram } from './programs';

interface DeviceCache {
  modules: Map<string, GPUShaderModule>;
  layouts: Map<string, GPUBindGroupLayout>;
  pending: Map<string, Promise<GPUComputePipeline>>;
  ready: Map<string, GPUComputePipeline>;
}

const caches = new WeakMap<GPUDevice, DeviceCache>();

function cacheFor(device: GPUDevice): DeviceCache {
  let c = caches.get(device);
  if (c === undefined) {
    c = { modules: new Map(), layouts: new Map(), pending: new Map(), ready: new Map() };
    caches.set(device, c);
  }
  return c;
}

function layoutFor(device: GPUDevice, cache: DeviceCache, program: KernelProgram): GPUBindGroupLayout {
  let layout = cache.layouts.get(program.cacheKey);
  if (layout === undefined) {
    layout = device.createBindGroupLayout({
      label: program.name,
      entries: program.bindings.map((b) => ({
        binding: b.binding, visibility: SHADER_STAGE_COMPUTE, buffer: { type: b.kind },
      })),
    });
    cache.layouts.set(program.cacheKey, layout);
  }
  return layout;
}

/**
 * The compute pipeline of `program` on `device`, compiled on first use and
 * cached: every later call for the same device and program returns the same
 * object. Rejects (GPUPipelineError) when the shader fails to compile.
 */
export function getPipeline(device: GPUDevice, program: KernelProgram): Promise<GPUComputePipeline> {
  const cache = cacheFor(device);
  let p = cache.pending.get(program.cacheKey);
  if (p === undefined) {
    const moduleKey = `${program.shader}:${JSON.stringify(program.defines)}`;
    let module = cache.modules.get(moduleKey);
    if (module === undefined) {
      module = device.createShaderModule({ label: program.shader, code: specializedSource(program) });
      cache.modules.set(moduleKey, module);
    }
    const layout = layoutFor(device, cache, program);
    p = device.createComputePipelineAsync({
      label: program.name,
      layout: device.createPipelineLayout({ label: program.name, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: program.entryPoint, constants: { ...program.constants } },
    }).then((pipeline) => {
      cache.ready.set(program.cacheKey, pipeline);
      return pipeline;
    });
    // A failed compile is not cached: the next call tries again (and fails loudly again).
    p.catch(() => cache.pending.delete(program.cacheKey));
    cache.pending.set(program.cacheKey, p);
  }
  return p;
}

/** Compiles every program (in parallel); resolves when all are ready. */
export async function preparePrograms(device: GPUDevice, programs: readonly KernelProgram[]): Promise<void> {
  await Promise.all(programs.map((p) => getPipeline(device, p)));
}

function readyPipeline(device: GPUDevice, program: KernelProgram): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
  const cache = caches.get(device);
  const pipeline = cache?.ready.get(program.cacheKey);
  const layout = cache?.layouts.get(program.cacheKey);
  if (pipeline === undefined || layout === undefined) {
    throw new Error(`pipeline ${program.name} used before preparePrograms()`);
  }
  return { pipeline, layout };
}

/** A buffer binding: a pooled buffer (bound over its requested size) or an explicit range. */
export type BindingResource = PooledBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

function toBinding(r: BindingResource): GPUBufferBinding {
  if ('bytes' in r) return { buffer: r.buffer, size: r.bytes };
  return { buffer: r.buffer, offset: r.offset ?? 0, size: r.size };
}

type Op =
  | { kind: 'dispatch'; program: KernelProgram; resources: Record<number, BindingResource>; params: number[]; groups: [number, number, number] }
  | { kind: 'copy'; src: GPUBuffer; srcOffset: number; dst: GPUBuffer; dstOffset: number; size: number };

/**
 * Collects dispatches and buffer copies for one command buffer. Params are
 * packed per dispatch into 256-byte slots of a single uniform buffer (taken
 * from the pool and handed back by the caller after the work completes).
 */
export class Recorder {
  private readonly ops: Op[] = [];
  private dispatches = 0;

  constructor(private readonly device: GPUDevice, private readonly pool: BufferPool) {}

  /**
   * Records `program` over `groups` workgroups. `params` are the Params
   * struct's fields in order; `resources` maps binding numbers 1.. to buffers.
   */
  dispatch(
    program: KernelProgram, params: Record<string, number>,
    resources: Record<number, BindingResource>, groups: [number, number, number],
  ): void {
    const values = program.params.map((field) => {
      const v = params[field.name];
      if (v === undefined) throw new Error(`${program.name}: missing param ${field.name}`);
      return v;
    });
    if (groups.some((g) => g === 0)) return;
    this.ops.push({ kind: 'dispatch', program, resources, params: values, groups });
    this.dispatches++;
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.ops.push({ kind: 'copy', src, srcOffset, dst, dstOffset, size });
  }

  /** Encodes and submits everything; returns the uniform buffer to release once the work is done. */
  submit(label: string): PooledBuffer | null {
    const device = this.device;
    const slot = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
    let uniforms: PooledBuffer | null = null;
    if (this.dispatches > 0) {
      uniforms = this.pool.acquire(this.dispatches * slot, BUFFER_USAGE.UNIFORM | BUFFER_USAGE.COPY_DST);
      const data = new ArrayBuffer(this.dispatches * slot);
      const view = new DataView(data);
      let s = 0;
      for (const op of this.ops) {
        if (op.kind !== 'dispatch') continue;
        op.program.params.forEach((field, i) => {
          if (field.type === 'u32') view.setUint32(s * slot + 4 * i, op.params[i] >>> 0, true);
          else view.setFloat32(s * slot + 4 * i, op.params[i], true);
        });
        s++;
      }
      device.queue.writeBuffer(uniforms.buffer, 0, data);
    }
    const encoder = device.createCommandEncoder({ label });
    let pass: GPUComputePassEncoder | null = null;
    let s = 0;
    for (const op of this.ops) {
      if (op.kind === 'copy') {
        if (pass !== null) { pass.end(); pass = null; }
        encoder.copyBufferToBuffer(op.src, op.srcOffset, op.dst, op.dstOffset, op.size);
        continue;
      }
      if (pass === null) pass = encoder.beginComputePass({ label });
      const { pipeline, layout } = readyPipeline(device, op.program);
      const paramBytes = Math.ceil(op.program.params.length / 4) * 16;
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: uniforms!.buffer, offset: s * slot, size: paramBytes } },
      ];
      for (const b of op.program.bindings) {
        if (b.binding === 0) continue;
        const r = op.resources[b.binding];
        if (r === undefined) throw new Error(`${op.program.name}: binding ${b.binding} missing`);
        entries.push({ binding: b.binding, resource: toBinding(r) });
      }
      const group = device.createBindGroup({ label: op.program.name, layout, entries });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(op.groups[0], op.groups[1], op.groups[2]);
      s++;
    }
    if (pass !== null) pass.end();
    device.queue.submit([encoder.finish()]);
    return uniforms;
  }
}


const FILTERS: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/**
 * Runs `fn` (synchronous allocation, encoding and submission) inside
 * validation, out-of-memory and internal error scopes. `errors` rejects with
 * a GpuFailure naming the first error, or resolves when there was none.
 * If `fn` throws, the scopes are still popped and the exception rethrown.
 */
export function captureErrors<T>(device: GPUDevice, fn: () => T): { value: T; errors: Promise<void> } {
  for (const f of FILTERS) device.pushErrorScope(f);
  // Popped innermost first: internal, out-of-memory, validation.
  const pop = () => [...FILTERS].reverse().map((f) => device.popErrorScope().then(
    (e) => (e === null ? null : { f, e }),
    () => null,
  ));
  let value: T;
  try {
    value = fn();
  } catch (err) {
    void Promise.all(pop());
    throw err;
  }
  const popped = pop();
  const errors = Promise.all(popped).then((list) => {
    const hit = list.reverse().find((x) => x !== null);
    if (hit) throw new GpuFailure(`WebGPU ${hit.f} error: ${hit.e.message}`, hit.f);
  });
  return { value, errors };
}
