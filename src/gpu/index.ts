/** The WebGPU acquisition engine and its building blocks. */
export { createEngine, type CreateEngineOptions, type EnginePreference } from './create-engine';
export { AutoEngine, CPU_SAMPLE, CPU_SAMPLE_SMALL, CPU_SWITCH_FACTOR, cpuTooSlow, extrapolateCpuMs, shapeKey, type AutoDecision } from './auto-engine';
export { WebGpuEngine, WEBGPU_DEFAULT_CANDIDATES, type WebGpuEngineOptions } from './engine';
export {
  requestWebGpuDevice, describeDevice, hasEightLaneSubgroups, isSoftwareDevice, webGpuUnavailableReason,
  type RequestDeviceOptions,
} from './device';
export { BufferPool, sizeClass, type BufferPoolStats, type PooledBuffer } from './buffer-pool';
export { getPipeline, preparePrograms, captureErrors, Recorder, type BindingResource } from './runner';
export { GpuFailure } from '../errors';
export * as programs from './programs';
export { SHADER_SOURCES } from './shader-sources';
export { runEvaluation } from './evaluate';
export type { PosteriorShape } from './programs';
export { gramMatrixGpu, crossCovarianceGpu, acquisitionGpu, topKGpu, candidatesGpu } from './kernels';
export { fantasyScoresGpu } from './fantasy';
export { qEiGpu, MAX_Q_GPU } from './q-batch';
