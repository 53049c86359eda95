// Bundles the library (dist/index.js, ESM, importable from Node, Deno and
// browsers), its subpath entries and the command line (dist/cli.js). Type
// declarations come from `tsc -p tsconfig.build.json` and
// scripts/fix-dts.mjs (see the "build" script).
//
// TensorFlow.js is an optional peer dependency: a default install leaves it
// out. So `webgpu-bayesopt/tfjs` and `/studies` load their code with a
// dynamic import that turns a missing package into a MissingDependencyError
// naming it, and the command line loads the built-in studies only when a
// command needs them (code splitting: they sit in their own chunks).
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
};

/** The runtime export names of a module, from esbuild's metafile. */
async function exportNames(entry) {
  const r = await build({
    entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'node', packages: 'external',
    metafile: true, outdir: 'dist', logLevel: 'error',
  });
  return Object.values(r.metafile.outputs).find((o) => o.entryPoint === entry).exports;
}

/** Entries that need TensorFlow.js: `export const { ...names } = await loadWithPeers(() => import(entry), feature)`. */
const PEER_ENTRIES = {
  tfjs: { entry: 'src/tfjs/index.ts', feature: 'webgpu-bayesopt/tfjs' },
  studies: { entry: 'src/studies/index.ts', feature: 'webgpu-bayesopt/studies' },
};
const peerEntries = {
  name: 'peer-entries',
  setup(b) {
    b.onResolve({ filter: /^peer-entry:/ }, (args) => ({ path: args.path.slice('peer-entry:'.length), namespace: 'peer-entry' }));
    b.onLoad({ filter: /.*/, namespace: 'peer-entry' }, async (args) => {
      const { entry, feature } = PEER_ENTRIES[args.path];
      const names = await exportNames(entry);
      return {
        resolveDir: process.cwd(),
        loader: 'ts',
        contents: `import { loadWithPeers } from './src/util/optional-peer';\n` +
          `const m = await loadWithPeers(() => import(${JSON.stringify('./' + entry)}), ${JSON.stringify(feature)});\n` +
          `export const { ${names.join(', ')} } = m;\n`,
      };
    });
  },
};

// One build for every entry, with code splitting: each module is in one file
// (dist/chunks/ holds the ones several entries share), so an error thrown
// by /tfjs, /studies, /data, /report or the command line is an instance of
// the class the main entry exports (`e instanceof BayesOptError`), and state
// kept per module (engine caches) exists once. Code behind a dynamic import
// stays out of its importer's static imports. Packages stay external: the
// main entry imports none statically (webgpu and cli-progress lazily, and
// only in Node; browsers and Deno use navigator.gpu and draw no progress
// bar), so dist/index.js and its chunks load in Node, Deno and browsers;
// node:* modules are imported only by the Node entries' own chunks, or lazily.
await build({
  ...common,
  entryPoints: {
    index: 'src/index.ts',
    tfjs: 'peer-entry:tfjs',
    studies: 'peer-entry:studies',
    data: 'src/data/index.ts',
    report: 'src/report/index.ts',
    cli: 'src/cli/main.ts',
    'cli-worker': 'src/cli/worker-entry.ts',
  },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  platform: 'neutral',
  packages: 'external',
  plugins: [peerEntries],
});
// The command's shebang line (a banner would go into every chunk too), and its
// source map moved down the one line it adds (an empty first line of mappings).
writeFileSync('dist/cli.js', '#!/usr/bin/env node\n' + readFileSync('dist/cli.js', 'utf8'));
const cliMap = JSON.parse(readFileSync('dist/cli.js.map', 'utf8'));
writeFileSync('dist/cli.js.map', JSON.stringify({ ...cliMap, mappings: ';' + cliMap.mappings }));
chmodSync('dist/cli.js', 0o755);
console.log('built dist/');
