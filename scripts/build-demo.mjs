// Builds the demo page into a folder of static files (default demo/dist/):
//   main.js (+ lazily loaded chunks)  the page, bundled from demo/src/main.ts
//   lib/webgpu-bayesopt.js            the library bundle, built as scripts/build.mjs
//                                     builds dist/index.js, for the in-browser bundle test
//   index.html, minimal.html (the library bundle used directly), style.css,
//   nyc-taxi-sample.csv, tfjs-backend-wasm*.wasm, chart.umd.js (the tuning panel's report inlines it),
//   digits/0.json ... 9.json        the first DEMO_DIGITS_PER_CLASS real digits of each
//                                     class from the optional mnist package (skipped
//                                     without it: the page then generates digits)
//   assets.json                       { "digits": n }: the digits shipped (0 without them), read by
//                                     the page first so it asks for no digit file that is missing
// Usage: node scripts/build-demo.mjs [outDir]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Real digits per class the page ships (200 x 10 at 28 x 28: about 4.5 MB of JSON). */
export const DEMO_DIGITS_PER_CLASS = 200;

/**
 * Copies the first `perClass` digits of each class of the installed mnist
 * package into `outDir/digits/` in the package's own format. Returns the
 * number of digits written, 0 when the package is not installed.
 */
function copyDigits(outDir, perClass) {
  const require = createRequire(import.meta.url);
  let src;
  try {
    src = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    return 0;
  }
  if (!existsSync(join(src, '0.json'))) return 0;
  mkdirSync(join(outDir, 'digits'), { recursive: true });
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const data = JSON.parse(readFileSync(join(src, `${d}.json`), 'utf8')).data.slice(0, perClass * 784);
    writeFileSync(join(outDir, 'digits', `${d}.json`), JSON.stringify({ data }));
    n += data.length / 784;
  }
  return n;
}

/** The manifest the page reads before loading its digits (a page without them fetched ten missing files). */
export const DEMO_ASSETS_FILE = 'assets.json';

/**
 * Builds the demo into `outDir` (emptied first) and returns its absolute path.
 * `digits: false` builds the page as it is without the mnist package (generated digits).
 * @param {{ outDir?: string, minify?: boolean, digits?: boolean }} [opts]
 */
export async function buildDemo(opts = {}) {
  const outDir = resolve(root, opts.outDir ?? 'demo/dist');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'lib'), { recursive: true });
  const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning', absWorkingDir: root };

  await build({
    ...common,
    entryPoints: ['demo/src/main.ts'],
    outdir: outDir,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    platform: 'browser',
    minify: opts.minify ?? true,
    // class names survive minifying: an error shown on the page reads "InvalidSpaceError: ...", not "a: ..."
    keepNames: true,
    // The Node-only paths (Dawn, node:fs for journals, node:module for wasm
    // paths, maximize's progress bar) are behind dynamic imports that never run in a browser.
    external: ['webgpu', 'cli-progress', 'node:*'],
  });

  await build({
    ...common,
    entryPoints: ['src/index.ts'],
    outfile: join(outDir, 'lib/webgpu-bayesopt.js'),
    platform: 'neutral',
    external: ['webgpu', 'cli-progress', 'node:*'],
  });

  copyFileSync(join(root, 'demo/index.html'), join(outDir, 'index.html'));
  copyFileSync(join(root, 'demo/minimal.html'), join(outDir, 'minimal.html'));
  copyFileSync(join(root, 'demo/src/style.css'), join(outDir, 'style.css'));
  copyFileSync(join(root, 'data/nyc-taxi-sample.csv'), join(outDir, 'nyc-taxi-sample.csv'));
  const digits = opts.digits === false ? 0 : copyDigits(outDir, DEMO_DIGITS_PER_CLASS);
  writeFileSync(join(outDir, DEMO_ASSETS_FILE), `${JSON.stringify({ digits })}\n`);
  // tfjs's wasm backend (the training fallback without WebGPU) loads these next to the page.
  const require = createRequire(import.meta.url);
  // Chart.js's UMD build, which the tuning panel's report inlines (its exports map hides the file)
  copyFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), join(outDir, 'chart.umd.js'));
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  for (const f of readdirSync(wasmDir)) {
    if (f.endsWith('.wasm')) copyFileSync(join(wasmDir, f), join(outDir, f));
  }
  return outDir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = await buildDemo({ outDir: process.argv[2] });
  console.log(`built ${out}`);
}
