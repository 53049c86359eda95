/**
 * Device acquisition lives in the gpu layer (src/gpu/acquire.ts), so the
 * acquisition engine and TensorFlow.js share one provider; re-exported here
 * for the tfjs entry point.
 */
export { acquireDevice, describeDevice, getGpu, isSoftwareDevice, webGpuUnavailableReason } from '../gpu/acquire';
export type { AcquireDeviceOptions } from '../gpu/acquire';
