#!/usr/bin/env node
// Compiles the WebAssembly SIMD bounding pass (AssemblyScript: the entry
// assembly/bounding-pass.ts and what it imports from assembly/) and writes
// its bytes, base64, as a string constant to
// src/acquisition/bounding-wasm-source.ts. The generated file is committed:
// the library loads those bytes with the WebAssembly API and needs no
// compiler at run time.
//
//   node scripts/gen-bounding-wasm.mjs          write src/acquisition/bounding-wasm-source.ts
//   node scripts/gen-bounding-wasm.mjs --check  exit 1 if it is stale
import { generateWasmSource } from './asc-module.mjs';

await generateWasmSource({
  entry: 'bounding-pass.ts',
  target: 'src/acquisition/bounding-wasm-source.ts',
  constName: 'BOUNDING_WASM_BASE64',
  doc: 'The WebAssembly SIMD bounding pass (see ./bounding-wasm.ts), base64.',
  script: 'gen-bounding-wasm.mjs',
  check: process.argv.includes('--check'),
});
