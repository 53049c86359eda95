/**
 * Which of the library's two WebAssembly modules run in this runtime: the
 * likelihood (every GP fit's O(n^3) work, ../gp/likelihood-wasm.ts) and the
 * bounding pass (the CPU engine's screening, ./bounding-wasm.ts). Both need
 * WebAssembly SIMD (every current browser, Node and Deno have it); where one
 * cannot run, its JavaScript twin does, with the same floats.
 */
import { likelihoodModule } from '../gp/likelihood-wasm';
import { loadBoundingWasm } from './bounding-wasm';

export interface WebAssemblyBackends {
  /** the WebAssembly likelihood runs here */
  likelihood: boolean;
  /** the WebAssembly bounding pass runs here */
  bounding: boolean;
}

/**
 * Loads both modules (once per thread) and says which run here.
 *
 * @example
 * const { likelihood, bounding } = await webAssemblyBackends(); // { likelihood: true, bounding: true }
 */
export async function webAssemblyBackends(): Promise<WebAssemblyBackends> {
  const bounding = await loadBoundingWasm();
  return { likelihood: likelihoodModule() !== null, bounding };
}
