/**
 * The tfjs WebGPU backend and our own compute code share one GPUDevice, in
 * both directions: a device we created is the one tfjs trains on, and a
 * device tfjs's backend was set up with is one our kernels can use. Buffers
 * cross between the two; a buffer from another device would be a validation
 * error, so the error scopes below prove the sharing beyond object identity.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { acquireDevice, isSoftwareDevice, webGpuUnavailableReason } from '../../src/tfjs/device';
import { tinyRegression } from './tiny-regression';

const CI = process.env.CI === 'true';
const probe = await acquireDevice();
const hasGpu = probe !== null;
probe?.destroy();

const DOUBLE_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < arrayLength(&dst)) { dst[g.x] = 2.0 * src[g.x]; }
}`;

/**
 * dst = 2 * src[0..n) on `device`, in a new buffer the caller destroys. Its
 * usage includes COPY_DST because tfjs copies an imported buffer into one of
 * the same usage.
 */
function doubleOn(device: GPUDevice, src: GPUBuffer, n: number): GPUBuffer {
  const module = device.createShaderModule({ code: DOUBLE_WGSL });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const dst = device.createBuffer({
    size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }],
  });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(Math.ceil(n / 64));
  pass.end();
  device.queue.submit([enc.finish()]);
  return dst;
}

async function readBack(device: GPUDevice, buf: GPUBuffer, n: number): Promise<number[]> {
  const staging = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buf, 0, staging, 0, n * 4);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = Array.from(new Float32Array(staging.getMappedRange().slice(0)));
  staging.unmap();
  staging.destroy();
  return out;
}

async function isLost(device: GPUDevice): Promise<boolean> {
  const lost = device.lost.then(() => true);
  return Promise.race([lost, new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
}

function requireGpu(): void {
  if (!hasGpu) throw new Error(`CI=true requires a WebGPU adapter: ${webGpuUnavailableReason()}`);
}

const owned: GPUDevice[] = [];
afterAll(() => owned.forEach((d) => d.destroy()));

describe.skipIf(!hasGpu && !CI)('tfjs WebGPU backend on a shared GPUDevice', () => {
  it('trains on the device our engine created (engine -> tfjs)', async () => {
    requireGpu();
    const device = (await acquireDevice())!;
    owned.push(device);
    const lines: string[] = [];
    const info = await setupTfjsBackend({ device, log: (l) => lines.push(l) });
    expect(info.backend).toBe('webgpu');
    expect(info.device).toBe(device);
    expect(info.ownsDevice).toBe(false);
    expect((tf.backend() as WebGPUBackend).device).toBe(device);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tfjs backend: webgpu \(on the supplied GPUDevice \(.+\)(; a software adapter: prefer wasm may train faster)?\)$/);

    // A tfjs tensor's GPU buffer feeds a pipeline built on our device. (Large
    // enough that tfjs computes it on the GPU rather than forwarding to CPU.)
    const n = 4096;
    device.pushErrorScope('validation');
    const t = tf.tidy(() => tf.range(0, n).add(1));
    const gpu = t.dataToGPU();
    const dst = doubleOn(device, gpu.buffer!, n);
    expect(await readBack(device, dst, n)).toEqual(Array.from({ length: n }, (_, i) => 2 * (i + 1)));
    expect(await device.popErrorScope()).toBeNull();
    dst.destroy();
    gpu.tensorRef.dispose();
    t.dispose();

    // Handing tfjs's backend back leaves the caller's device alive.
    info.dispose();
    expect(await isLost(device)).toBe(false);
  });

  it('exposes the device tfjs trains on to our engine (tfjs -> engine)', async () => {
    requireGpu();
    const lines: string[] = [];
    const info = await setupTfjsBackend({ log: (l) => lines.push(l) });
    expect(info.backend).toBe('webgpu');
    expect(info.ownsDevice).toBe(true);
    const device = info.device!;
    expect(device).toBe((tf.backend() as WebGPUBackend).device);
    expect(lines[0]).toMatch(/^tfjs backend: webgpu \(created a GPUDevice on .+\)$/);
    expect(lines[0].endsWith('; a software adapter: prefer wasm may train faster)')).toBe(isSoftwareDevice(device));

    // Our kernel writes a buffer on tfjs's device; tfjs reads it as a tensor.
    device.pushErrorScope('validation');
    const src = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(src, 0, new Float32Array([0.5, -1, 3, 7]));
    const dst = doubleOn(device, src, 4);
    const t = tf.tensor({ buffer: dst }, [4], 'float32');
    const plusOne = t.add(1);
    expect(Array.from(await plusOne.data())).toEqual([2, -1, 7, 15]);
    expect(await device.popErrorScope()).toBeNull();
    tf.dispose([t, plusOne]);
    src.destroy();
    dst.destroy();

    // The handle created the device, so it destroys it.
    info.dispose();
    expect((await device.lost).reason).toBe('destroyed');
  });

  it('trains a tiny model on WebGPU without validation errors or leaked tensors', async () => {
    requireGpu();
    const device = (await acquireDevice())!;
    owned.push(device);
    const info = await setupTfjsBackend({ device, log: () => {} });
    expect(tf.getBackend()).toBe('webgpu');
    device.pushErrorScope('validation');
    const { relativeRmse, leaked } = await tinyRegression(41);
    expect(await device.popErrorScope()).toBeNull();
    expect(relativeRmse).toBeLessThan(0.3);
    expect(leaked).toBe(0);
    info.dispose();
  });

  it('moves tfjs to wasm when its device is lost, in one more line, and trains there (every later op failed with an empty AbortError)', async () => {
    requireGpu();
    const device = (await acquireDevice())!;
    owned.push(device);
    const lines: string[] = [];
    const info = await setupTfjsBackend({ device, log: (l) => lines.push(l) });
    expect([info.backend, tf.getBackend()]).toEqual(['webgpu', 'webgpu']);
    device.destroy();
    for (let i = 0; i < 200 && lines.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lines[1]).toMatch(/^tfjs backend: wasm \(the WebGPU device was lost \(destroyed: .*\); falling back to wasm\)$/);
    expect([info.backend, info.device, tf.getBackend()]).toEqual(['wasm', null, 'wasm']);
    const { relativeRmse } = await tinyRegression(41);
    expect(relativeRmse).toBeLessThan(0.3);
    info.dispose(); // nothing of ours is registered any more: a no-op
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fails a training whose device is lost mid-way with an EngineError saying so (it failed with a ReferenceError for OffscreenCanvas, or could finish on zeros in a browser)', async () => {
    requireGpu();
    const device = (await acquireDevice())!;
    owned.push(device);
    const info = await setupTfjsBackend({ device, log: () => {} });
    const training = tinyRegression(41);
    setTimeout(() => device.destroy(), 150);
    const e = await training.then(() => null, (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(EngineError);
    expect(e!.message).toBe('trainTrial: TensorFlow.js changed backend during the training (its WebGPU device was lost?); the trial\'s tensors were on the old one');
    expect(tf.getBackend()).toBe('wasm');
    info.dispose();
  });

  it('leaves tfjs where it is when the device of a setup it no longer trains on is lost', async () => {
    requireGpu();
    const [a, b] = [(await acquireDevice())!, (await acquireDevice())!];
    owned.push(a, b);
    const lines: string[] = [];
    const first = await setupTfjsBackend({ device: a, log: (l) => lines.push(l) });
    const second = await setupTfjsBackend({ device: b, log: (l) => lines.push(l) });
    a.destroy();
    await a.lost;
    await new Promise((r) => setTimeout(r, 50));
    expect([tf.getBackend(), (tf.backend() as WebGPUBackend).device === b, lines.length]).toEqual(['webgpu', true, 2]);
    expect([first.device, second.backend]).toEqual([null, 'webgpu']);
    second.dispose();
    first.dispose();
  });

  it('gives tfjs a new backend on the device after tf.engine().reset(), and dispose() frees it (it got the disposed one back and kept its buffers)', async () => {
    requireGpu();
    const device = (await acquireDevice())!;
    owned.push(device);
    const info = await setupTfjsBackend({ device, log: () => {} });
    const first = tf.backend();
    tf.engine().reset();
    await tf.setBackend('webgpu');
    const second = tf.backend() as WebGPUBackend;
    expect(second).not.toBe(first);
    expect(second.device).toBe(device);
    const t = tf.tensor([1, 2, 3]).add(1);
    expect(Array.from(await t.data())).toEqual([2, 3, 4]);
    t.dispose();
    info.dispose();
    expect(tf.engine().registry.webgpu).toBeUndefined();
  });
});
