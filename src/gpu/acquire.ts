/**
 * Getting a WebGPU device in Node, Deno and browsers, so that TensorFlow.js
 * and the acquisition engine can run on one shared `GPUDevice`.
 *
 * Browsers and Deno expose `navigator.gpu`. Node has no WebGPU of its own: the
 * `webgpu` package (Dawn) is loaded lazily, by dynamic import, so bundles for
 * other runtimes never touch it, and its globals (`GPUBufferUsage`, ...) and a
 * `navigator.gpu` are installed because tfjs's WebGPU backend looks for them.
 *
 * Only the provider (`GPU` object) is cached per process. Devices are never
 * cached: the caller owns the device it gets and destroys it.
 */
import { InvalidOptionError } from '../errors';

/** Options of {@link acquireDevice}. */
export interface AcquireDeviceOptions {
  /** Use this device as is (returned unchanged); nothing is created. */
  device?: GPUDevice;
  /** Adapter preference; default `'high-performance'`. */
  powerPreference?: GPUPowerPreference;
  /**
   * Extra Dawn toggles for Node's `webgpu` package `create(...)`; only used by
   * the first call that loads the provider. Default `[]`.
   */
  dawnOptions?: readonly string[];
}

/**
 * Adapter limits raised to the adapter's maximum on devices created here, the
 * same set tfjs's own WebGPU backend asks for, so a device made here is as
 * capable for tfjs as the one tfjs would make itself.
 */
const RAISED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
] as const;

type GlobalWithGpu = typeof globalThis & {
  navigator?: { gpu?: GPU };
  Deno?: unknown;
  process?: { versions?: { node?: string; bun?: string } };
};

let providerPromise: Promise<GPU | null> | null = null;
let providerNote = '';

function isNode(): boolean {
  const g = globalThis as GlobalWithGpu;
  return g.Deno === undefined && typeof g.process?.versions?.node === 'string';
}

/** Installs `navigator.gpu` without clobbering a `navigator` the runtime already has. */
function installNavigatorGpu(gpu: GPU): void {
  const g = globalThis as GlobalWithGpu;
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu }, configurable: true, writable: true, enumerable: false,
    });
  } else if (g.navigator.gpu === undefined) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

async function loadNodeProvider(dawnOptions: readonly string[]): Promise<GPU | null> {
  // A non-literal specifier keeps bundlers from following it into browser builds.
  const spec = 'webgpu';
  let mod: { create: (opts: string[]) => GPU; globals: Record<string, unknown> };
  try {
    mod = await import(/* @vite-ignore */ spec);
  } catch (err) {
    providerNote = `the "webgpu" package could not be loaded (${(err as Error).message})`;
    return null;
  }
  for (const [name, value] of Object.entries(mod.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  const gpu = mod.create([...dawnOptions]);
  installNavigatorGpu(gpu);
  return gpu;
}

/**
 * The process's WebGPU provider (`navigator.gpu`), loading Dawn in Node on
 * first use; `null` where the runtime has no WebGPU. Also makes sure the
 * globals tfjs's WebGPU backend needs exist. Cached per process.
 */
export function getGpu(dawnOptions: readonly string[] = []): Promise<GPU | null> {
  if (providerPromise === null) {
    const existing = (globalThis as GlobalWithGpu).navigator?.gpu;
    if (existing !== undefined) {
      providerPromise = Promise.resolve(existing);
    } else if (isNode()) {
      providerPromise = loadNodeProvider(dawnOptions);
    } else {
      providerNote = 'this runtime has no navigator.gpu';
      providerPromise = Promise.resolve(null);
    }
  }
  return providerPromise;
}

/** Why the last {@link getGpu} / {@link acquireDevice} found no WebGPU, for log lines. */
export function webGpuUnavailableReason(): string {
  return providerNote || 'no WebGPU adapter found';
}

/**
 * A new `GPUDevice`, or `null` where WebGPU (or an adapter) is missing.
 * With `opts.device` that device is returned unchanged (after making sure the
 * WebGPU globals exist). The caller owns the returned device and should
 * `destroy()` it when done: in Node a live Dawn device can keep the process
 * from exiting.
 */
export async function acquireDevice(opts: AcquireDeviceOptions = {}): Promise<GPUDevice | null> {
  if (opts.device !== undefined) {
    await getGpu(opts.dawnOptions ?? []);
    return opts.device;
  }
  const adapter = await acquireAdapter(opts);
  return adapter === null ? null : deviceOf(adapter);
}

/**
 * The adapter a device would be made on, or `null` where WebGPU (or an
 * adapter) is missing. An adapter holds nothing: it lets a caller look at
 * the hardware (`adapter.info`, see {@link isSoftwareAdapter}) before
 * deciding to make a device with {@link deviceOf}.
 */
export async function acquireAdapter(opts: Omit<AcquireDeviceOptions, 'device'> = {}): Promise<GPUAdapter | null> {
  const gpu = await getGpu(opts.dawnOptions ?? []);
  if (gpu === null) return null;
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  } catch (err) {
    providerNote = `requestAdapter failed (${(err as Error).message})`;
    return null;
  }
  if (adapter === null) providerNote = 'no WebGPU adapter found';
  return adapter;
}

/** A new device on `adapter` (at most one per adapter), owned by the caller, or `null` with the reason kept. */
export async function deviceOf(adapter: GPUAdapter): Promise<GPUDevice | null> {
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  // Subgroups let the posterior kernel share rows across SIMD lanes (a large win on software adapters).
  if (adapter.features.has('subgroups')) requiredFeatures.push('subgroups' as GPUFeatureName);
  // as tfjs's own device factory asks: its WebGPU backend draws to a canvas in bgra8unorm only with it
  if (adapter.features.has('bgra8unorm-storage')) requiredFeatures.push('bgra8unorm-storage');
  try {
    return await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } catch (err) {
    providerNote = `requestDevice failed (${(err as Error).message})`;
    return null;
  }
}

type AdapterInfo = GPUAdapterInfo & { isFallbackAdapter?: boolean };

/** A GPUDevice as far as can be told without a WebGPU implementation's classes (Dawn, Deno and browsers each have their own): createBuffer and a queue. */
export function isDeviceLike(v: unknown): v is GPUDevice {
  const o = v as Partial<GPUDevice> | null;
  return typeof o === 'object' && o !== null && typeof o.createBuffer === 'function' && typeof o.queue === 'object' && o.queue !== null;
}

function describeNonDevice(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object without createBuffer and queue';
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}

/**
 * @throws InvalidOptionError naming `device` unless `v` looks like a GPUDevice, the message prefixed by the
 *   function `who` when given (undefined was a TypeError reading adapterInfo)
 */
export function checkDevice(v: unknown, who?: string): asserts v is GPUDevice {
  if (!isDeviceLike(v)) throw new InvalidOptionError(`${who === undefined ? '' : `${who}: `}device: expected a GPUDevice, got ${describeNonDevice(v)}`, 'device');
}

/**
 * A short description of a device's adapter, for log lines ("llvmpipe: Mesa ...").
 * @throws InvalidOptionError naming `device` unless it looks like a GPUDevice
 */
export function describeDevice(device: GPUDevice): string {
  checkDevice(device, 'describeDevice');
  return describeAdapterInfo((device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo);
}

/** {@link describeDevice} from an adapter's info (`adapter.info`). */
export function describeAdapterInfo(info: GPUAdapterInfo | undefined): string {
  if (info === undefined) return 'unknown adapter';
  const text = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ');
  return text || 'unknown adapter';
}

/**
 * Whether the device runs on a CPU implementation of the GPU API (Mesa's
 * llvmpipe/lavapipe, SwiftShader, Microsoft's WARP / Basic Render Driver, or
 * an adapter flagged as fallback). On such adapters tfjs's wasm backend
 * trains faster than its WebGPU backend.
 * @throws InvalidOptionError naming `device` unless it looks like a GPUDevice
 */
export function isSoftwareDevice(device: GPUDevice): boolean {
  checkDevice(device, 'isSoftwareDevice');
  return isSoftwareAdapter((device as GPUDevice & { adapterInfo?: AdapterInfo }).adapterInfo);
}

/** {@link isSoftwareDevice} from an adapter's info (`adapter.info`), before any device is made. */
export function isSoftwareAdapter(info: AdapterInfo | undefined): boolean {
  if (info === undefined) return false;
  if (info.isFallbackAdapter === true || info.architecture === 'software') return true;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  return /llvmpipe|lavapipe|swiftshader|microsoft basic render|\bwarp\b/i.test(text);
}

/**
 * Throws unless `value` is undefined or a GPUPowerPreference: a misspelt
 * preference made the adapter request fail, which read as "WebGPU unavailable".
 * @throws InvalidOptionError naming `powerPreference`
 */
export function checkPowerPreference(value: unknown): void {
  if (value !== undefined && value !== 'high-performance' && value !== 'low-power') {
    throw new InvalidOptionError(`powerPreference: expected "high-performance" or "low-power", got ${JSON.stringify(value) ?? String(value)}`, 'powerPreference');
  }
}
