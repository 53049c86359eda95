/**
 * The same seeded study gives the same trials, float for float, in Node, in
 * Deno (the `deno` npm package, on an esbuild bundle of src/index.ts) and in
 * headless Chromium (the demo's library bundle): the library's float64
 * numerics call src/util/math.ts, not the runtimes' Math, and the
 * WebAssembly likelihood and bounding pass run in all three. Before, Deno
 * and Chromium (V8 15) rounded Math.exp and Math.log differently from Node 20,
 * their runs parted from Node's after a few trials, and the WebAssembly
 * modules stayed off there. With CI=true a missing Deno or Chromium fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/index';
import { buildAndServe, chromiumAvailable, launchChromium, type ServedDemo } from '../demo/browser';
import { crossRuntimeStudy, type CrossRuntimeResult } from './cross-runtime-study';

const deno = join(process.cwd(), 'node_modules', '.bin', 'deno');
const IN_CI = process.env.CI === 'true';
if (IN_CI && !existsSync(deno)) throw new Error('CI=true but the deno package is not installed');

let node: CrossRuntimeResult;

beforeAll(async () => {
  node = await crossRuntimeStudy(lib);
}, 120_000);

describe('a seeded study across runtimes', () => {
  it('runs 18 trials in Node with both WebAssembly modules', () => {
    expect(node.trials).toHaveLength(18);
    expect(new Set(node.trials).size).toBe(18);
    expect(node.wasm).toEqual({ likelihood: true, bounding: true });
  });

  describe.skipIf(!existsSync(deno))('Deno', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bayesopt-cross-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("gives Node's trials bit for bit, with both WebAssembly modules", async () => {
      const bundle = join(dir, 'index.js');
      await build({
        entryPoints: ['src/index.ts'], outfile: bundle, bundle: true, format: 'esm', platform: 'neutral',
        target: 'es2022', external: ['webgpu', 'node:*', 'cli-progress'], logLevel: 'error',
      });
      const script = join(dir, 'run.ts');
      writeFileSync(script, [
        `import * as lib from '${bundle}';`,
        `import { crossRuntimeStudy } from '${resolve('test/util/cross-runtime-study.ts')}';`,
        'console.log(JSON.stringify(await crossRuntimeStudy(lib)));',
      ].join('\n'));
      const r = spawnSync(deno, ['run', '--allow-read', '--allow-env', script], { encoding: 'utf8', timeout: 110_000 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as CrossRuntimeResult;
      expect(out.wasm).toEqual({ likelihood: true, bounding: true });
      expect(out.trials).toEqual(node.trials);
    }, 120_000);
  });

  describe.skipIf(!chromiumAvailable())('headless Chromium', () => {
    let demo: ServedDemo;

    beforeAll(async () => {
      demo = await buildAndServe();
    }, 120_000);
    afterAll(async () => demo?.stop());

    it("gives Node's trials bit for bit, with both WebAssembly modules", async () => {
      const browser = await launchChromium({ webgpu: false });
      try {
        const page = await browser.newPage();
        await page.goto(`${demo.url}minimal.html`);
        // A string, so the test runner's module transform leaves this import() alone.
        await page.evaluate(`import('${demo.url}lib/webgpu-bayesopt.js').then((m) => { window.bayesLib = m; })`);
        await page.evaluate(`window.crossRuntimeStudy = ${crossRuntimeStudy.toString()}`);
        const out = (await page.evaluate('window.crossRuntimeStudy(window.bayesLib)')) as CrossRuntimeResult;
        expect(out.wasm).toEqual({ likelihood: true, bounding: true });
        expect(out.trials).toEqual(node.trials);
      } finally {
        await browser.close();
      }
    }, 180_000);
  });
});
