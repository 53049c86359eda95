/** Turns the `engine` option into an Engine. */
import { createCpuEngine } from '../acquisition/cpu-engine';
import type { Engine } from '../acquisition/engine';
import type { EngineOption } from './options';

/**
 * 'cpu' gives the float64 reference; 'auto' and 'webgpu' ask the WebGPU module
 * ('auto' on a software adapter measures both engines per problem shape and
 * logs its pick when `verbose`; `repeatable`, for a seeded run, runs the CPU
 * engine there instead of timing, see auto-engine.ts)
 * (loaded lazily so CPU-only users never touch it); an Engine object is used
 * as is and never disposed by the optimizer.
 */
export async function resolveEngine(
  choice: EngineOption, log: (line: string) => void, verbose = false, repeatable = false,
): Promise<{ engine: Engine; owned: boolean }> {
  if (typeof choice === 'object') return { engine: choice, owned: false };
  if (choice === 'cpu') return { engine: createCpuEngine(), owned: true };
  const { createEngine } = await import('../gpu');
  return { engine: await createEngine({ prefer: choice, log, measure: true, verbose, repeatable }), owned: true };
}

/**
 * The WebGPU device `engine` scores on, for the optimizer's batch scoring
 * (fantasies, qEI): null off WebGPU, and for a repeatable engine (a seeded
 * 'auto' run on a software adapter), whose scores are all float64, as its
 * proposals are (f32 batch scores would differ between GPUs and runtimes).
 */
export async function engineDevice(engine: Engine): Promise<GPUDevice | null> {
  if (engine.kind !== 'webgpu' || typeof engine.openDevice !== 'function' || engine.repeatable === true) return null;
  return engine.openDevice();
}
