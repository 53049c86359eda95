/**
 * The demo page: picks the acquisition engine (WebGPU on this browser's
 * adapter, else the CPU reference, said plainly), then wires the posterior
 * and tuning panels to it. One GPUDevice is shared by the engine and, once
 * the tuning panel runs, TensorFlow.js.
 */
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import type { Engine } from '../../src/acquisition/engine';
import { createEngine } from '../../src/gpu/create-engine';
import { isSoftwareDevice, requestWebGpuDevice, webGpuUnavailableReason } from '../../src/gpu/device';
import { InputError } from './input-error';
import { PosteriorPanel } from './posterior-panel';
import { StatusBar } from './status';
import { TuningPanel } from './tuning-panel';

export interface DemoHooks {
  /** resolves once the first heatmaps are drawn (or the start failed: see `errors`) */
  ready: Promise<void>;
  engine?: Engine;
  device?: GPUDevice | null;
  posterior?: PosteriorPanel;
  tuning?: TuningPanel;
  status?: StatusBar;
  /** messages of unexpected errors shown on the page (typing mistakes are not counted) */
  errors: string[];
}

declare global {
  interface Window {
    bayesDemo: DemoHooks;
  }
}

/**
 * Shows a failure in the box with id `boxId`: a panel's own, under the controls the user
 * just clicked (the page's banner is a screen above the tuning panel), or the page's banner
 * for start-up and uncaught errors. Typing mistakes are warnings, anything else a console error.
 */
function showError(boxId: string, err: unknown): void {
  const input = err instanceof InputError;
  const msg = input ? (err as Error).message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const box = document.getElementById(boxId) as HTMLElement;
  box.hidden = false;
  box.textContent = msg;
  if (input) {
    console.warn(msg);
  } else {
    window.bayesDemo.errors.push(msg);
    console.error(err);
  }
}

async function pickEngine(status: StatusBar): Promise<{ engine: Engine; device: GPUDevice | null }> {
  const device = await requestWebGpuDevice();
  const lines: string[] = [];
  let engine: Engine;
  let why = webGpuUnavailableReason();
  if (device !== null) {
    // The device is the page's: the engine borrows it, TensorFlow.js will too.
    engine = await createEngine({ device, prefer: 'auto', log: (l) => lines.push(l) });
    if (engine.kind !== 'webgpu') why = lines.join('; ') || 'the WebGPU engine could not start';
  } else {
    engine = createCpuEngine();
  }
  for (const l of lines) console.info(l);
  if (engine.kind === 'webgpu') {
    const soft = device !== null && isSoftwareDevice(device) ? ' (software adapter)' : '';
    status.set('engine', `WebGPU · ${engine.description}${soft}`);
  } else {
    status.set('engine', `CPU float64 (WebGPU unavailable: ${why})`);
    const banner = document.getElementById('no-webgpu') as HTMLElement;
    banner.hidden = false;
    (banner.querySelector('.why') as HTMLElement).textContent = why;
  }
  document.body.dataset.engine = engine.kind;
  return { engine, device: engine.kind === 'webgpu' ? device : null };
}

async function main(): Promise<void> {
  const status = new StatusBar(document.getElementById('status') as HTMLElement);
  window.bayesDemo.status = status;
  const { engine, device } = await pickEngine(status);
  window.bayesDemo.engine = engine;
  window.bayesDemo.device = device;
  status.set('tfjs', 'loads when tuning starts');
  // each panel's messages are its own: one panel starting something hides none of the other's
  const posterior = new PosteriorPanel(engine, status, (e) => showError('posterior-error', e));
  window.bayesDemo.posterior = posterior;
  window.bayesDemo.tuning = new TuningPanel(engine, device, status, (e) => showError('tune-error', e));
  await posterior.guard(() => posterior.reset());
}

const pageError = (e: unknown) => showError('error', e);
window.addEventListener('error', (ev) => pageError(ev.error ?? ev.message));
window.addEventListener('unhandledrejection', (ev) => pageError(ev.reason));
window.bayesDemo = { errors: [], ready: Promise.resolve() };
window.bayesDemo.ready = main().catch(pageError);
