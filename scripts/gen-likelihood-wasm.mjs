#!/usr/bin/env node
// Compiles the WebAssembly SIMD marginal likelihood (AssemblyScript: the entry
// assembly/likelihood.ts and what it imports from assembly/) and writes
// its bytes, base64, as a string constant to
// src/gp/likelihood-wasm-source.ts. The generated file is committed:
// the library loads those bytes with the WebAssembly API and needs no
// compiler at run time.
//
//   node scripts/gen-likelihood-wasm.mjs          write src/gp/likelihood-wasm-source.ts
//   node scripts/gen-likelihood-wasm.mjs --check  exit 1 if it is stale
import { generateWasmSource } from './asc-module.mjs';

await generateWasmSource({
  entry: 'likelihood.ts',
  target: 'src/gp/likelihood-wasm-source.ts',
  constName: 'LIKELIHOOD_WASM_BASE64',
  doc: 'The WebAssembly SIMD marginal likelihood (see ./likelihood-wasm.ts), base64.',
  script: 'gen-likelihood-wasm.mjs',
  check: process.argv.includes('--check'),
});
