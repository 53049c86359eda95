/**
 * Where the work runs: tfjs's training backend and the acquisition engine,
 * on one shared GPUDevice when both use WebGPU.
 *
 * 'auto' trains on WebGPU only on a hardware adapter: on a software one
 * (llvmpipe, SwiftShader) tfjs's WebGPU backend is no faster than wasm per
 * epoch, spends seconds compiling shaders and competes for the same cores.
 * The acquisition engine still uses such an adapter under 'auto'.
 */
import * as tf from '@tensorflow/tfjs';
import { cpus } from 'node:os';
import type { Engine } from '../acquisition/engine';
import { createEngine, isSoftwareDevice } from '../gpu';
import { acquireDevice, describeDevice, setupTfjsBackend, type TfjsBackendInfo } from '../tfjs';
import type { BackendChoice, EngineChoice, EnvironmentInfo } from './types';

/** The backends and engine of a run; `dispose()` frees them (idempotent). */
export interface RunEnvironment {
  info: EnvironmentInfo;
  /** the engine Bayesian search uses (owned here, not by the optimizer) */
  engine: Engine;
  dispose(): void;
}

/**
 * Sets up tfjs (`backend`) and the acquisition engine (`engine`). Lines saying
 * what was chosen and why go to `log`.
 * @throws EngineError when `engine` is 'webgpu' and no adapter exists
 */
export async function setupEnvironment(
  backend: BackendChoice, engine: EngineChoice, log: (line: string) => void,
): Promise<RunEnvironment> {
  const wantsGpu = backend === 'auto' || backend === 'webgpu' || engine !== 'cpu';
  let device: GPUDevice | null = wantsGpu ? await acquireDevice() : null;
  const software = device !== null && isSoftwareDevice(device);
  const adapter = device === null ? null : describeDevice(device);

  let prefer: 'webgpu' | 'wasm' | 'cpu';
  if (backend === 'auto') prefer = device !== null && !software ? 'webgpu' : 'wasm';
  else prefer = backend;
  const lines: string[] = [];
  // held while the environment is set up (the tfjs line is reworded below), then said as they come:
  // a lost device's fallback lines and the engine's later notices were pushed to a list nobody read
  let sink = (line: string): void => void lines.push(line);
  let tfInfo: TfjsBackendInfo | null = null;
  let eng: Engine | null = null;
  try {
    tfInfo = await setupTfjsBackend({
      prefer,
      device: prefer === 'webgpu' && device !== null ? device : undefined,
      log: (line) => sink(line),
    });
    let tfReason = tfInfo.reason;
    if (backend === 'auto' && software && tfInfo.backend === 'wasm') {
      tfReason = `auto: the WebGPU adapter is a software renderer (${adapter}), so training runs on wasm`;
    }
    if (tfInfo.backend !== 'webgpu' && device !== null) {
      // tfjs did not take the device: the engine (if on WebGPU) gets one of its own.
      device.destroy();
      device = null;
    }
    const tfLine = lines.length;
    eng = await createEngine({
      prefer: engine, device: tfInfo.backend === 'webgpu' ? tfInfo.device ?? undefined : undefined, log: (line) => sink(line),
    });
    const shared = tfInfo.backend === 'webgpu' && eng.kind === 'webgpu';
    const tfLabel = tfInfo.backend === 'webgpu' ? `webgpu on ${describeDevice(tfInfo.device as GPUDevice)}` : tfInfo.backend;
    const engLabel = eng.kind === 'webgpu' ? `webgpu on ${eng.description}` : 'cpu (float64 reference)';
    const summary = `tfjs backend ${tfLabel}, acquisition engine ${engLabel}` +
      (shared ? ', sharing one GPUDevice' : eng.kind === 'webgpu' ? ' (training on the CPU, so no device is shared)' : '');
    if (tfReason !== tfInfo.reason) lines.splice(tfLine - 1, 1, `tfjs backend: ${tfInfo.backend} (${tfReason})`);
    for (const line of lines) log(line);
    sink = log;
    const info: EnvironmentInfo = {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      tfjsVersion: tf.version.tfjs,
      tfjsBackend: tfInfo.backend,
      tfjsReason: tfReason,
      engine: eng.kind,
      engineDescription: eng.description,
      adapter,
      sharedDevice: shared,
      summary,
    };
    const tfHandle = tfInfo;
    const engineHandle = eng;
    const ownDevice = device;
    let disposed = false;
    return {
      info,
      engine: engineHandle,
      dispose() {
        if (disposed) return;
        disposed = true;
        engineHandle.dispose();
        tfHandle.dispose();
        ownDevice?.destroy();
      },
    };
  } catch (err) {
    eng?.dispose();
    tfInfo?.dispose();
    device?.destroy();
    throw err;
  }
}
