/** TensorFlow.js integration: shared WebGPU device, backend selection, trial training. */
export { acquireDevice, getGpu, describeDevice, isSoftwareDevice, webGpuUnavailableReason } from './device';
export type { AcquireDeviceOptions } from './device';
export { setupTfjsBackend } from './backend';
export type { SetupTfjsBackendOptions, TfjsBackendInfo, TfjsBackendName } from './backend';
export { loadWasmBackend } from './wasm';
export { registerWasmKernelFixes } from './wasm-kernels';
export { evaluateModel, metricTensor, metricDirection, asTensor } from './metrics';
export type { EvaluateOptions, MetricName, TensorInput } from './metrics';
export { trainTrial, retrainAndTest } from './train';
export { SeededDropout, dropout as seededDropout, type SeededDropoutArgs } from './seeded-dropout';
export type {
  CompileArgs, EpochLogs, RetrainOptions, RetrainResult, TrainTrialOptions, TrainTrialResult, TrialData,
} from './train';
