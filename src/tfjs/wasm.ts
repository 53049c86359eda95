/**
 * Loading tfjs's wasm backend. Its `.wasm` binaries must be found without a
 * network: in Node they are read from the installed package's `dist/` folder;
 * in browsers the caller may give a URL prefix (default: tfjs's own lookup,
 * next to the bundled script).
 */
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';

import { registerWasmKernelFixes } from './wasm-kernels';

let wasmModule: Promise<typeof TfWasm> | null = null;
let pathsConfigured = false;

function isNode(): boolean {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: string } } };
  return g.Deno === undefined && typeof g.process?.versions?.node === 'string';
}

/** Folder (with trailing slash) holding the wasm binaries of the installed package, in Node. */
async function nodeWasmDir(): Promise<string> {
  const spec = 'node:module';
  const { createRequire } = (await import(/* @vite-ignore */ spec)) as typeof import('node:module');
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
  return entry.slice(0, Math.max(entry.lastIndexOf('/'), entry.lastIndexOf('\\')) + 1);
}

/**
 * Imports `@tensorflow/tfjs-backend-wasm` (which registers the `'wasm'`
 * backend), replaces the kernels it lacks or runs slowly for training (see
 * wasm-kernels.ts) and points it at its binaries. Path setup happens once per
 * process, before the backend first initializes (tfjs refuses it afterwards).
 *
 * @param wasmPaths URL/path prefix or per-file map; default: the package's
 *   `dist/` folder in Node, tfjs's default elsewhere.
 */
export async function loadWasmBackend(wasmPaths?: string | Record<string, string>): Promise<void> {
  wasmModule ??= import('@tensorflow/tfjs-backend-wasm');
  const mod = await wasmModule;
  registerWasmKernelFixes();
  if (pathsConfigured) return;
  const paths = wasmPaths ?? (isNode() ? await nodeWasmDir() : undefined);
  if (paths !== undefined) mod.setWasmPaths(paths);
  pathsConfigured = true;
}
