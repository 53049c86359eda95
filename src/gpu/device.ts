/**
 * Getting a WebGPU device. Uses the process-wide provider of ./acquire
 * (Node: the `webgpu` package, loaded lazily; Deno and browsers:
 * `navigator.gpu`), which TensorFlow.js's backend set-up uses too, so the
 * engine and TensorFlow.js can run on one device.
 */
import { InvalidOptionError } from '../errors';
import { checkOptionKeys } from '../util/option-keys';
import { acquireDevice, checkPowerPreference, describeDevice, isSoftwareDevice, webGpuUnavailableReason } from './acquire';

export interface RequestDeviceOptions {
  /** adapter preference ['high-performance'] */
  powerPreference?: GPUPowerPreference;
  /** extra Dawn toggles for Node's `webgpu` package (first load only) [[]] */
  dawnOptions?: readonly string[];
}

/**
 * A new `GPUDevice` owned by the caller (destroy it when done), or `null`
 * where the runtime has no WebGPU or no adapter; `webGpuUnavailableReason()`
 * then says why.
 * @throws InvalidOptionError naming an unknown or ill-typed option
 */
export async function requestWebGpuDevice(opts: RequestDeviceOptions = {}): Promise<GPUDevice | null> {
  // as createEngine's: a misspelt option (powerPreferance) was ignored without a word
  checkOptionKeys(opts, 'requestWebGpuDevice', ['powerPreference', 'dawnOptions']);
  checkPowerPreference(opts.powerPreference);
  if (opts.dawnOptions !== undefined && !(Array.isArray(opts.dawnOptions) && opts.dawnOptions.every((o) => typeof o === 'string'))) {
    throw new InvalidOptionError('dawnOptions: expected an array of strings', 'dawnOptions');
  }
  return acquireDevice({ powerPreference: opts.powerPreference, dawnOptions: opts.dawnOptions });
}

/**
 * `isSoftwareDevice` is true for CPU-emulated adapters (Mesa llvmpipe,
 * SwiftShader, WARP), where every shader load costs a loop over the SIMD
 * lanes: the engine then uses wider register tiles and smaller chunks.
 */
export { describeDevice, isSoftwareDevice, webGpuUnavailableReason };

/**
 * True when `device` was created with the 'subgroups' feature and its
 * subgroups are always 8 lanes wide (llvmpipe with AVX2), as
 * posterior-subgroup.wgsl needs.
 */
export function hasEightLaneSubgroups(device: GPUDevice): boolean {
  if (!device.features.has('subgroups')) return false;
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number } })
    .adapterInfo;
  return info?.subgroupMinSize === 8 && info.subgroupMaxSize === 8;
}

