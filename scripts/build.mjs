// Bundles the library (dist/index.js, ESM, importable from Node, Deno and
// browsers) and the command line (dist/cli.js). Type declarations come from
// `tsc -p tsconfig.build.json` (see the "build" script).
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  platform: 'neutral',
  // Loaded lazily, and only in Node: browsers and Deno use navigator.gpu.
  external: ['webgpu', 'node:*'],
});

// Subpath entries that depend on TensorFlow.js or Node: kept out of the main
// bundle so optimizer-only users never load them.
await build({
  ...common,
  entryPoints: {
    tfjs: 'src/tfjs/index.ts',
    studies: 'src/studies/index.ts',
    data: 'src/data/index.ts',
  },
  outdir: 'dist',
  platform: 'node',
  packages: 'external',
});

if (existsSync('src/cli/main.ts')) {
  await build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
  });
}
console.log('built dist/');
