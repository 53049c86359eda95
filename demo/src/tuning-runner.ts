/**
 * The part of the tuning panel that needs TensorFlow.js, loaded on first use
 * (a separate chunk): backend setup on the page's GPUDevice, data, the study.
 */
import { isSoftwareDevice } from '../../src/gpu/device';
import { setupTfjsBackend, type TfjsBackendInfo } from '../../src/tfjs/backend';
import type { Splits, TabularSplit } from '../../src/data/types';
import { loadDigitsSplits, loadTaxiSplits, runTuning, type DigitsData, type TuningOptions, type TuningResult } from './tuning';

let backend: Promise<TfjsBackendInfo> | null = null;
let data: Promise<Splits<TabularSplit>> | null = null;
let digits: Promise<DigitsData> | null = null;

/**
 * TensorFlow.js on `device` (WebGPU, shared with the acquisition engine), or
 * wasm / plain JS without one, or when the device is a software renderer
 * (SwiftShader: a digits trial took 95-140 s there against 1-2.5 s on wasm,
 * the command line's `--backend auto` rule). The page's `?tfjs=webgpu` (or
 * `wasm`, `cpu`) asks for a backend whatever the device. Set up once per page.
 */
export function tfjsBackend(device: GPUDevice | null, log: (line: string) => void): Promise<TfjsBackendInfo> {
  const asked = new URLSearchParams(location.search).get('tfjs');
  const forced = asked === 'webgpu' || asked === 'wasm' || asked === 'cpu' ? asked : null;
  backend ??= setupTfjsBackend({
    device: device ?? undefined,
    prefer: forced ?? (device && !isSoftwareDevice(device) ? 'webgpu' : 'wasm'),
    wasmPaths: new URL('./', location.href).href,
    log,
  });
  return backend;
}

/** The shipped taxi sample, preprocessed once per page. */
export function taxiData(): Promise<Splits<TabularSplit>> {
  data ??= loadTaxiSplits(new URL('nyc-taxi-sample.csv', location.href).href);
  return data;
}

/** The digits shipped with the page (the `digits/` folder), split once per page; generated digits without them. */
export function digitsData(): Promise<DigitsData> {
  digits ??= loadDigitsSplits(new URL('digits/', location.href).href);
  return digits;
}

export { runTuning, type TuningOptions, type TuningResult };
