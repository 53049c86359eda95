/**
 * Choosing the TensorFlow.js backend for training: WebGPU on a device shared
 * with the acquisition engine, else wasm, else plain JS (cpu). One log line
 * says which backend was chosen and why.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { EngineError, InvalidOptionError } from '../errors';
import { acquireDevice, checkPowerPreference, describeDevice, isSoftwareDevice, webGpuUnavailableReason } from '../gpu/acquire';
import { loadWasmBackend } from './wasm';
import { errorText } from '../util/error-text';
import { show } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';

export type TfjsBackendName = 'webgpu' | 'wasm' | 'cpu';

const BACKENDS: readonly TfjsBackendName[] = ['webgpu', 'wasm', 'cpu'];

/** Options of {@link setupTfjsBackend}. */
export interface SetupTfjsBackendOptions {
  /**
   * Train on this device (for example the acquisition engine's). tfjs's WebGPU
   * backend is registered on exactly this object; it stays the caller's and is
   * never destroyed here. Default: a device is created (and owned by the
   * returned handle).
   */
  device?: GPUDevice;
  /** First backend to try; later ones in webgpu -> wasm -> cpu are fallbacks. Default `'webgpu'`. */
  prefer?: TfjsBackendName;
  /** Receives the one line that names the backend and the reason. Default `console.warn`. */
  log?: (line: string) => void;
  /** Where the wasm binaries are (browsers); see {@link loadWasmBackend}. */
  wasmPaths?: string | Record<string, string>;
  /** Adapter preference when a device is created here. Default `'high-performance'`. */
  powerPreference?: GPUPowerPreference;
}

/**
 * The chosen backend. Holds GPU resources when `backend` is `'webgpu'`; see `dispose`.
 * If that device is lost (destroyed elsewhere, a driver reset), tfjs moves down to wasm (else
 * cpu), one more line says so, and `backend`, `device` (null) and `reason` say where it went.
 */
export interface TfjsBackendInfo {
  backend: TfjsBackendName;
  /** The device tfjs trains on (`(tf.backend() as WebGPUBackend).device`); `null` off WebGPU. */
  device: GPUDevice | null;
  /** Why this backend (the log line's explanation). */
  reason: string;
  /** Whether `device` was created here (then `dispose()` destroys it); a caller may borrow it meanwhile. */
  ownsDevice: boolean;
  /**
   * Unregisters the WebGPU backend registered here (tensors on it are freed)
   * and destroys the device if it was created here. Idempotent; a no-op off WebGPU.
   */
  dispose(): void;
}

function noopHandle(backend: TfjsBackendName, reason: string): TfjsBackendInfo {
  return { backend, device: null, reason, ownsDevice: false, dispose() {} };
}

/** The initialized backend instance registered under `name`, if any (no side effects, unlike tf.findBackend). */
function registered(name: string): tf.KernelBackend | undefined {
  return tf.engine().registry[name];
}

/**
 * Runs a small computation and reads it back, so a backend that registers but
 * cannot compute is caught here. 2048 elements: above the size tfjs's WebGPU
 * backend would hand to the CPU. The sum 1 + ... + 2048 is exact in float32.
 */
async function probe(): Promise<void> {
  const t = tf.tidy(() => tf.range(0, 2048, 1, 'float32').add(1).sum());
  try {
    const [v] = await t.data();
    if (v !== 2098176) throw new Error(`probe computed ${v}, expected 2098176`);
  } finally {
    t.dispose();
  }
}

async function tryWebGpu(
  opts: SetupTfjsBackendOptions, onLost: (handle: TfjsBackendInfo, why: string) => void,
): Promise<{ ok: true; handle: TfjsBackendInfo } | { ok: false; why: string }> {
  const given = opts.device;
  const device = await acquireDevice({ device: given, powerPreference: opts.powerPreference });
  if (device === null) return { ok: false, why: `WebGPU unavailable: ${webGpuUnavailableReason()}` };
  const owns = given === undefined;
  // the backends made on this device: a fresh one per factory call, as tfjs expects after
  // tf.engine().reset() (which disposes the one it had: handing that back left it disposed, and
  // dispose() here, which removes only a backend of ours, then skipped it, its buffers kept)
  const ours = new WeakSet<tf.KernelBackend>();
  let first: WebGPUBackend | null = null;
  try {
    const { WebGPUBackend: Backend } = await import('@tensorflow/tfjs-backend-webgpu');
    const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    // the first made here, so that a constructor's throw is this function's reason (tfjs prints a
    // factory's throw itself and says only that setBackend returned false)
    const made: WebGPUBackend = new Backend(device, info);
    first = made;
    ours.add(made);
    if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => {
      const b: WebGPUBackend = first ?? new Backend(device, info);
      first = null;
      ours.add(b);
      return b;
    }, 3);
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
    await probe();
  } catch (err) {
    const now = registered('webgpu');
    if (now !== undefined && ours.has(now)) tf.removeBackend('webgpu');
    first?.dispose(); // made here and never handed to tfjs
    if (owns) device.destroy();
    return { ok: false, why: `WebGPU backend failed: ${errorText(err)}` };
  }
  let disposed = false;
  const ourBackendRegistered = () => {
    const now = registered('webgpu');
    return now !== undefined && ours.has(now);
  };
  const handle: TfjsBackendInfo = {
    backend: 'webgpu',
    device,
    ownsDevice: owns,
    reason: (owns
      ? `created a GPUDevice on ${describeDevice(device)}`
      : `on the supplied GPUDevice (${describeDevice(device)})`)
      + (isSoftwareDevice(device) ? '; a software adapter: prefer wasm may train faster' : ''),
    dispose() {
      if (disposed) return;
      disposed = true;
      if (ourBackendRegistered()) tf.removeBackend('webgpu');
      if (owns) device.destroy();
    },
  };
  void device.lost.then((info) => {
    if (disposed) return;
    // every op on a lost device fails (an AbortError without a message): tfjs leaves its backend,
    // and moves down only where it was training on it (another setup's or the caller's choice stays)
    const active = ourBackendRegistered() && tf.getBackend() === 'webgpu';
    if (ourBackendRegistered()) tf.removeBackend('webgpu');
    const why = `the WebGPU device was lost (${info.reason}: ${info.message || 'no message'})`;
    if (active) onLost(handle, why);
    else Object.assign(handle, { device: null, reason: `${handle.reason}; ${why}, where tfjs no longer trained` });
  });
  return { ok: true, handle };
}

async function tryWasm(opts: SetupTfjsBackendOptions): Promise<string | null> {
  try {
    await loadWasmBackend(opts.wasmPaths);
    if (!(await tf.setBackend('wasm'))) return 'tf.setBackend("wasm") returned false';
    await probe();
    return null;
  } catch (err) {
    return errorText(err);
  }
}

/**
 * Moves tfjs off a lost WebGPU device, down the fallbacks (wasm, else cpu), and says so in one
 * line: without it every later training failed at once, each a failed trial the model read as
 * a bad region. A training running at the loss fails. `handle` then names the new backend.
 */
async function leaveLostDevice(handle: TfjsBackendInfo, why: string, opts: SetupTfjsBackendOptions, log: (line: string) => void): Promise<void> {
  const wasm = await tryWasm(opts);
  if (wasm !== null) await tf.setBackend('cpu');
  handle.backend = wasm === null ? 'wasm' : 'cpu';
  handle.device = null;
  handle.reason = `${why}${wasm === null ? '' : `; wasm backend failed: ${wasm}`}; falling back to ${handle.backend}`;
  log(`tfjs backend: ${handle.backend} (${handle.reason})`);
}

/**
 * Selects and initializes tfjs's backend, trying `prefer` first and then the
 * later entries of webgpu -> wasm -> cpu. With `device`, tfjs's WebGPU backend
 * runs on exactly that `GPUDevice`; without, a device is created and exposed as
 * `device` so the acquisition engine can borrow it. Emits one line through
 * `log`, e.g. `tfjs backend: wasm (WebGPU unavailable: no WebGPU adapter found;
 * falling back to wasm)` or `tfjs backend: cpu (prefer=cpu)`.
 */
export async function setupTfjsBackend(opts: SetupTfjsBackendOptions = {}): Promise<TfjsBackendInfo> {
  // all checked before a backend is switched or a device made (a bad log threw at the end, its device lost)
  checkOptionKeys(opts, 'setupTfjsBackend', ['device', 'prefer', 'log', 'wasmPaths', 'powerPreference']);
  if (opts.log !== undefined && typeof opts.log !== 'function') throw new InvalidOptionError(`option "log": expected a function, got ${show(opts.log)}`, 'log');
  checkPowerPreference(opts.powerPreference);
  if (opts.wasmPaths !== undefined && typeof opts.wasmPaths !== 'string' && !(typeof opts.wasmPaths === 'object' && opts.wasmPaths !== null && !Array.isArray(opts.wasmPaths))) {
    throw new InvalidOptionError(`option "wasmPaths": expected a path prefix or an object of file paths, got ${show(opts.wasmPaths)}`, 'wasmPaths');
  }
  const prefer = opts.prefer ?? 'webgpu';
  if (!BACKENDS.includes(prefer)) {
    throw new InvalidOptionError(
      `option "prefer": must be one of webgpu, wasm, cpu (got ${JSON.stringify(prefer)})`, 'prefer');
  }
  const log = opts.log ?? ((line: string) => console.warn(line));
  const failures: string[] = [];
  // 'prefer=X' when the first choice worked, else what failed on the way down.
  const reasonFor = (name: TfjsBackendName) =>
    failures.length === 0 ? `prefer=${prefer}` : `${failures.join('; ')}; falling back to ${name}`;

  let chosen: TfjsBackendInfo | null = null;
  for (const name of BACKENDS.slice(BACKENDS.indexOf(prefer))) {
    if (name === 'webgpu') {
      const r = await tryWebGpu(opts, (handle, why) => void leaveLostDevice(handle, why, opts, log).catch((e) => log(`tfjs backend: could not leave the lost WebGPU device (${errorText(e)})`)));
      if (r.ok) { chosen = r.handle; break; }
      failures.push(r.why);
    } else if (name === 'wasm') {
      const why = await tryWasm(opts);
      if (why === null) { chosen = noopHandle('wasm', reasonFor('wasm')); break; }
      failures.push(`wasm backend failed: ${why}`);
    } else {
      if (!(await tf.setBackend('cpu'))) throw new EngineError('tfjs: the cpu backend could not be initialized');
      chosen = noopHandle('cpu', reasonFor('cpu'));
    }
  }
  if (chosen === null) throw new EngineError('tfjs: no backend could be initialized');
  log(`tfjs backend: ${chosen.backend} (${chosen.reason})`);
  return chosen;
}
