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

/**
 * How many digits the build shipped, from its manifest (`assets.json`, written by
 * scripts/build-demo.mjs); null where it cannot be read (then the digit files are tried).
 */
async function shippedDigits(): Promise<number | null> {
  try {
    const res = await fetch(new URL('assets.json', location.href).href);
    const n = res.ok ? ((await res.json()) as { digits?: unknown }).digits : undefined;
    return typeof n === 'number' ? n : null;
  } catch {
    return null;
  }
}

/**
 * The digits shipped with the page (the `digits/` folder), split once per page; generated
 * digits without them (a page built without the mnist package asks for none of the ten files,
 * whose 404s the console logged as errors).
 */
export function digitsData(): Promise<DigitsData> {
  digits ??= shippedDigits().then((n) => loadDigitsSplits(n === 0 ? null : new URL('digits/', location.href).href));
  return digits;
}

export { runTuning, type TuningOptions, type TuningResult };
