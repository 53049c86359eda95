/**
 * webgpu-bayesopt: Bayesian optimization with a float64 Gaussian process and
 * WebGPU acquisition scoring.
 *
 * The main entry stays free of TensorFlow.js and of Node-only modules, so it
 * bundles for browsers and Deno; the WebGPU module is loaded lazily.
 */
export * from './errors';
export { Rng, type RngState } from './util/rng';
export * from './space';
export * from './gp';
export * from './acquisition';
export * from './optimizer';
export * from './problems';
export {
  createEngine, WebGpuEngine, WEBGPU_DEFAULT_CANDIDATES, requestWebGpuDevice, describeDevice,
  isSoftwareDevice, webGpuUnavailableReason,
  type CreateEngineOptions, type EnginePreference, type WebGpuEngineOptions,
} from './gpu';
export * from './storage';
export * from './data/browser';
export * from './pruners';
