/** Choosing and creating the acquisition engine. */
import { checkOptionKeys } from '../util/option-keys';
import { createCpuEngine } from '../acquisition/cpu-engine';
import type { Engine } from '../acquisition/engine';
import { EngineError, InvalidOptionError } from '../errors';
import { acquireAdapter, checkDevice, checkPowerPreference, describeAdapterInfo, deviceOf, isSoftwareAdapter } from './acquire';
import { AutoEngine } from './auto-engine';
import { isSoftwareDevice, requestWebGpuDevice, webGpuUnavailableReason } from './device';
import { checkChunkBytes, WebGpuEngine } from './engine';
import { checkScreeningSetting } from './screening';

export type EnginePreference = 'auto' | 'webgpu' | 'cpu';

/** Options of createEngine. */
export interface CreateEngineOptions {
  /**
   * 'auto': WebGPU where an adapter exists, else the CPU reference;
   * 'webgpu': WebGPU or an EngineError; 'cpu': the float64 reference ['auto']
   */
  prefer?: EnginePreference;
  /**
   * Run on this device (for example the one TensorFlow.js trains on). It is
   * never destroyed by the engine. Without it the engine requests its own
   * device and destroys it in dispose().
   */
  device?: GPUDevice;
  /** receives the line saying which engine was chosen and why, and later notices [console.log] */
  log?: (line: string) => void;
  /** see WebGpuEngineOptions.chunkBytes */
  chunkBytes?: number;
  /** see WebGpuEngineOptions.screening ['auto'] */
  screening?: boolean | 'auto';
  /** adapter preference when requesting a device ['high-performance'] */
  powerPreference?: GPUPowerPreference;
  /**
   * with 'auto' on a CPU-emulated adapter, measure WebGPU against the CPU
   * engine per problem shape and run each on the faster (auto-engine.ts).
   * The optimizer's `engine: 'auto'` sets it [false]
   */
  measure?: boolean;
  /** with `measure`, log one line per measured problem shape [false] */
  verbose?: boolean;
  /**
   * with `measure`: choose without timing, so that a seeded run repeats bit
   * for bit whatever the machine's load: a software adapter's shapes all run
   * on the CPU engine (auto-engine.ts). The optimizer's `engine: 'auto'`
   * sets it when `randomState` is given [false]
   */
  repeatable?: boolean;
}

const CREATE_ENGINE_KEYS: readonly string[] = [
  'prefer', 'device', 'log', 'chunkBytes', 'screening', 'powerPreference', 'measure', 'verbose', 'repeatable',
];

/**
 * The acquisition engine for this runtime. With 'auto' and 'webgpu' the
 * WebGPU module is used where an adapter exists (Node: the `webgpu`
 * package, loaded lazily; Deno and browsers: `navigator.gpu`); 'auto' falls
 * back to the CPU reference otherwise. With `measure`, on a CPU-emulated
 * adapter (llvmpipe, SwiftShader, WARP) 'auto' measures both engines per
 * problem shape and keeps the faster (auto-engine.ts); on a hardware adapter
 * it is WebGPU. With `repeatable` as well, no device is made there until
 * the engine needs one (`evaluate`, the optimizer's batch scoring), since
 * proposals run on the CPU. One line through `log` says which engine runs
 * and why.
 * @throws InvalidOptionError for an unknown `prefer`
 * @throws EngineError when 'webgpu' is requested and unavailable
 */
export async function createEngine(opts: CreateEngineOptions = {}): Promise<Engine> {
  checkOptionKeys(opts, 'createEngine', CREATE_ENGINE_KEYS);
  if (opts.log !== undefined && typeof opts.log !== 'function') throw new InvalidOptionError(`log: expected a function, got ${typeof opts.log}`, 'log');
  checkPowerPreference(opts.powerPreference);
  for (const k of ['measure', 'verbose', 'repeatable'] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== 'boolean') throw new InvalidOptionError(`${k}: expected a boolean, got ${JSON.stringify(opts[k])}`, k);
  }
  const prefer = opts.prefer ?? 'auto';
  if (prefer !== 'auto' && prefer !== 'webgpu' && prefer !== 'cpu') {
    throw new InvalidOptionError(
      `prefer: expected "auto", "webgpu" or "cpu", got ${JSON.stringify(prefer)}`, 'prefer');
  }
  // checked here: with `repeatable` (or `prefer: 'cpu'`) the WebGPU engine is only created later, if at all
  if (opts.screening !== undefined) checkScreeningSetting(opts.screening);
  if (opts.chunkBytes !== undefined) checkChunkBytes(opts.chunkBytes);
  // null is no "not given": it made a device of the engine's own that it took for the caller's and never destroyed
  if (opts.device !== undefined) checkDevice(opts.device);
  const log = opts.log ?? ((line: string) => console.log(line));
  if (prefer === 'cpu') return createCpuEngine();
  const owned = opts.device === undefined;
  const unavailable = (why: string): Engine => {
    if (prefer === 'webgpu') throw new EngineError(`engine: WebGPU was requested but is unavailable (${why})`);
    log(`engine: CPU float64 reference (WebGPU unavailable: ${why})`);
    return createCpuEngine();
  };
  let device: GPUDevice | null;
  if (owned && prefer === 'auto' && opts.measure && opts.repeatable) {
    // A seeded run on a software adapter proposes on the CPU: look at the adapter before making a device.
    const adapter = await acquireAdapter({ powerPreference: opts.powerPreference });
    if (adapter === null) return unavailable(webGpuUnavailableReason());
    if (isSoftwareAdapter(adapter.info)) {
      const description = describeAdapterInfo(adapter.info);
      log(`engine: auto on ${description}: a software adapter, ${REPEATABLE_NOTE}`);
      const open = () => openOwned(adapter, log, opts.chunkBytes, opts.screening); // called once, by the AutoEngine
      return new AutoEngine({ description, open }, opts.verbose ? log : undefined, true);
    }
    device = await deviceOf(adapter);
  } else {
    device = opts.device ?? await requestWebGpuDevice({ powerPreference: opts.powerPreference });
  }
  if (device === null) return unavailable(webGpuUnavailableReason());
  let engine: WebGpuEngine;
  // the engine's lines while it is made are held: a device lost already made it say it went on on the
  // CPU, then this function said the CPU engine runs because WebGPU is unavailable (two lines, one call)
  const held: string[] = [];
  let holding = true;
  try {
    engine = await WebGpuEngine.create(device, {
      ownsDevice: owned, log: (l) => (holding ? held.push(l) : log(l)), chunkBytes: opts.chunkBytes, screening: opts.screening,
    });
  } catch (err) {
    if (owned) device.destroy();
    if (err instanceof InvalidOptionError) throw err;
    return unavailable((err as Error).message);
  }
  // a device lost already (a caller's device destroyed before it was passed): the engine went on on the
  // CPU while it was made, which is no WebGPU engine ('webgpu' wants one or an EngineError)
  if (engine.kind !== 'webgpu') {
    engine.dispose();
    return unavailable('the device was lost');
  }
  holding = false;
  held.forEach((l) => log(l));
  if (prefer === 'auto' && opts.measure && isSoftwareDevice(device)) {
    log(`engine: auto on ${engine.description}${owned ? '' : ' (shared device)'}: a software adapter, `
      + (opts.repeatable
        ? REPEATABLE_NOTE
        : 'so each problem shape is measured on WebGPU and the CPU and runs on the faster'));
    return new AutoEngine(engine, opts.verbose ? log : undefined, opts.repeatable ?? false);
  }
  log(`engine: WebGPU on ${engine.description}${owned ? '' : ' (shared device)'}`);
  return engine;
}

const REPEATABLE_NOTE = 'and the run is seeded, so every problem shape runs on the CPU engine (not timed: the run repeats bit for bit)';

/** A WebGPU engine owning a new device on `adapter`, or null (nothing left allocated) where either fails. */
async function openOwned(
  adapter: GPUAdapter, log: (line: string) => void, chunkBytes?: number, screening?: boolean | 'auto',
): Promise<WebGpuEngine | null> {
  const device = await deviceOf(adapter);
  if (device === null) return null;
  try {
    return await WebGpuEngine.create(device, { ownsDevice: true, log, chunkBytes, screening });
  } catch (err) {
    device.destroy();
    // a bad option is the caller's to see, not a reason to fall back quietly
    if (err instanceof InvalidOptionError) throw err;
    return null;
  }
}
