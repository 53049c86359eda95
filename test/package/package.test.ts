/**
 * The package as a user gets it: `npm pack`, the tarball installed offline
 * into an empty folder (see ./install.ts), then: its size and contents, its
 * types under strict `nodenext` and `bundler` settings, the README's quick
 * start, and the command line (`tune --objective`, `report`) through npx,
 * with the report opened in headless Chromium.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, watchErrors } from '../demo/browser';
import { buildAndPack, diskBytes, installOffline, root } from './install';

const dir = mkdtempSync(join(tmpdir(), 'bayesopt-pack-'));
const app = join(dir, 'app');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  mkdirSync(app);
  const tarball = buildAndPack(dir);
  installOffline(app, tarball);
}, 600_000);

/** Runs `node file` in the app; returns its exit code and output. */
function node(file: string, code: string): { code: number; out: string; err: string } {
  writeFileSync(join(app, file), code);
  const r = spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('a default install', () => {
  it('leaves /tfjs and /studies working where TensorFlow.js is installed (this repository, built)', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', [
      `const t = await import(${JSON.stringify(pathToFileURL(join(root, 'dist/tfjs.js')).href)});`,
      `const s = await import(${JSON.stringify(pathToFileURL(join(root, 'dist/studies.js')).href)});`,
      `const m = await import(${JSON.stringify(pathToFileURL(join(root, 'dist/index.js')).href)});`,
      // an error from /tfjs is an instance of the main entry's classes (one copy of src/errors.ts)
      "const e = await t.setupTfjsBackend({ prefer: 'tpu' }).catch((x) => x);",
      'const shared = e instanceof m.InvalidOptionError && e instanceof m.BayesOptError;',
      'console.log(JSON.stringify({ setup: typeof t.setupTfjsBackend, dropout: typeof t.SeededDropout, taxi: Object.keys(s.TAXI_SPACE), error: [e.name, shared] }));',
    ].join('\n')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({
      setup: 'function', dropout: 'function', taxi: ['learning_rate', 'l2'], error: ['InvalidOptionError', true],
    });
  });

  it('maps the command\'s lines to their source through the shebang line the build adds (its map was one line off)', async () => {
    const { SourceMap } = await import('node:module');
    const dist = join(app, 'node_modules/webgpu-bayesopt/dist');
    const map = new SourceMap(JSON.parse(readFileSync(join(dist, 'cli.js.map'), 'utf8')));
    const cli = readFileSync(join(dist, 'cli.js'), 'utf8').split('\n');
    expect(cli[0]).toBe('#!/usr/bin/env node');
    const line = cli.findIndex((l) => l.startsWith('function packageVersion('));
    const entry = map.findEntry(line, 0) as { originalSource: string; originalLine: number };
    const src = readFileSync(join(root, 'src/cli/version.ts'), 'utf8').split('\n');
    expect(line).toBeGreaterThan(0);
    expect([entry.originalSource.endsWith('src/cli/version.ts'), src[entry.originalLine].includes('function packageVersion(')]).toEqual([true, true]);
  });

  it('weighs at most 160 MB and holds no TensorFlow.js', () => {
    const nm = join(app, 'node_modules');
    const mb = diskBytes(nm) / 1e6;
    const top = readdirSync(nm).filter((n) => !n.startsWith('.'));
    console.log(`default install: ${mb.toFixed(1)} MB in node_modules (${top.join(', ')})`);
    expect(existsSync(join(nm, '@tensorflow'))).toBe(false);
    expect(existsSync(join(nm, 'webgpu-bayesopt/dist/index.js'))).toBe(true);
    expect(mb).toBeLessThanOrEqual(160);
  });

  it('names the missing peer dependency when webgpu-bayesopt/tfjs or /studies is imported', () => {
    for (const entry of ['webgpu-bayesopt/tfjs', 'webgpu-bayesopt/studies']) {
      const r = node('peer.mjs', [
        "import { BayesOptError, MissingDependencyError } from 'webgpu-bayesopt';",
        `try { await import('${entry}'); console.log('loaded'); }`,
        'catch (e) { console.log(JSON.stringify({ name: e.name, shared: e instanceof MissingDependencyError && e instanceof BayesOptError, pkg: e.packageName, message: e.message })); }',
      ].join('\n'));
      expect(r.err).toBe('');
      expect(JSON.parse(r.out)).toEqual({
        name: 'MissingDependencyError',
        shared: true,
        pkg: '@tensorflow/tfjs',
        message: `${entry} needs the optional peer dependency "@tensorflow/tfjs", which is not installed: ` +
          'npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu',
      });
    }
  });

  it('names ioredis, not installed by default, when a redis:// storage is opened', () => {
    const r = node('redis-peer.mjs', [
      "import { BayesianOptimization, MissingDependencyError } from 'webgpu-bayesopt';",
      "const opt = new BayesianOptimization({ pbounds: { x: [0, 1] }, storage: 'redis://127.0.0.1:1/0', verbose: 0, engine: 'cpu' });",
      'try { await opt.ready(); console.log(\'ready\'); }',
      'catch (e) { console.log(JSON.stringify({ name: e.name, missing: e instanceof MissingDependencyError, pkg: e.packageName, message: e.message })); }',
    ].join('\n'));
    expect(JSON.parse(r.out)).toEqual({
      name: 'MissingDependencyError', missing: true, pkg: 'ioredis',
      message: 'journal "redis://127.0.0.1:1/0": a redis:// storage needs the optional peer dependency "ioredis", which is not installed: npm install ioredis',
    });
  });

  it('shows the README images from jsDelivr at this version, files that the package holds; the repository README keeps relative paths', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
    const installed = join(app, 'node_modules', pkg.name);
    const urls = [...readFileSync(join(installed, 'README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    const prefix = `https://cdn.jsdelivr.net/npm/${pkg.name}@${pkg.version}/`;
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) {
      expect(url.startsWith(prefix), url).toBe(true);
      expect(existsSync(join(installed, url.slice(prefix.length))), url).toBe(true);
    }
    // postpack put the relative paths back
    const local = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    expect(local).toEqual(urls.map((u) => u.slice(prefix.length)));
  });

  it('draws maximize\'s progress on stderr in Node (cli-progress loaded lazily from the install): one line per trial off a terminal', () => {
    const r = node('progress.mjs', [
      "import { RandomSearch } from 'webgpu-bayesopt';",
      "const opt = new RandomSearch({ f: ({ x }) => x, pbounds: { x: [0, 1] }, randomState: 2 });",
      'await opt.maximize({ initPoints: 3, nIter: 0, progress: true });',
      'console.log(JSON.stringify(opt.res.map((t) => t.id)));',
    ].join('\n'));
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual([0, 1, 2]);
    const lines = r.err.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    lines.forEach((l, i) => expect(l).toMatch(new RegExp(`^\\[${i + 1}/3\\] trial ${i}: [\\d.e-]+ \\(best [\\d.e-]+\\) \\(\\d+\\.\\d s\\)$`)));
  });

  it('loads with require() where Node loads ES modules synchronously, and /tfjs says to use import() (top-level await)', () => {
    const r = node('required.cjs', [
      "const m = require('webgpu-bayesopt');",
      "const d = require('webgpu-bayesopt/data');",
      "let tfjs = 'loaded';",
      "try { require('webgpu-bayesopt/tfjs'); } catch (e) { tfjs = e.code; }",
      'console.log(JSON.stringify([typeof m.BayesianOptimization, typeof d.loadMnistJson, tfjs]));',
    ].join('\n'));
    // Node 20.19+ and 22.12+ load ES modules with require(); older ones refuse with ERR_REQUIRE_ESM, which says to use import()
    if ((process.features as { require_module?: boolean }).require_module !== true) {
      expect(r.err).toContain('ERR_REQUIRE_ESM');
      return;
    }
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toEqual(['function', 'function', 'ERR_REQUIRE_ASYNC_MODULE']);
  });

  it('shares one copy of the error classes between its entries: errors from /data and /report are instances of the main entry\'s', () => {
    const r = node('shared-errors.mjs', [
      "import { BayesOptError, StorageError } from 'webgpu-bayesopt';",
      "import { readIdx } from 'webgpu-bayesopt/data';",
      "import { readStudy } from 'webgpu-bayesopt/report';",
      'const out = [];',
      "for (const call of [() => readIdx('no-such.idx'), () => readStudy('.')]) {",
      '  const e = await call().catch((x) => x);',
      '  out.push([e.name, e instanceof StorageError, e instanceof BayesOptError]);',
      '}',
      'console.log(JSON.stringify(out));',
    ].join('\n'));
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toEqual([['StorageError', true, true], ['StorageError', true, true]]);
  });
});

/** Runs tsc on `files` in the app with the given module settings, skipLibCheck off; returns its output. */
function typecheck(files: string[], module: Record<string, string>): { code: number; out: string } {
  const config = {
    compilerOptions: {
      ...module,
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      verbatimModuleSyntax: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
    },
    files,
  };
  const name = `tsconfig.${module.module}.json`;
  writeFileSync(join(app, name), JSON.stringify(config, null, 2));
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', name], { cwd: app, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

describe('bundling the installed package for a browser', () => {
  /** A minified browser bundle of `code`, written in the app (the README's esbuild flags); its text. */
  async function bundle(name: string, code: string): Promise<string> {
    const { build } = await import('esbuild');
    writeFileSync(join(app, `${name}.js`), code);
    await build({
      entryPoints: [join(app, `${name}.js`)], outfile: join(app, 'out', `${name}.js`), bundle: true, minify: true, format: 'esm',
      platform: 'browser', external: ['node:*', 'webgpu', 'cli-progress'], logLevel: 'error', absWorkingDir: app,
    });
    return readFileSync(join(app, 'out', `${name}.js`), 'utf8');
  }

  it('keeps only what an app imports (the package declares no side effects): a parser is a few kB, and /data\'s file loaders stay out unless used', async () => {
    const csv = await bundle('csv-root', "import { parseCsv } from 'webgpu-bayesopt';\nconsole.log(parseCsv('a,b\\n1,2'));\n");
    const data = await bundle('csv-data', "import { parseCsv } from 'webgpu-bayesopt/data';\nconsole.log(parseCsv('a,b\\n1,2'));\n");
    const loader = await bundle('loader', "import { loadTaxiCsv } from 'webgpu-bayesopt/data';\nconsole.log(loadTaxiCsv);\n");
    // 73 kB and 11 kB, the second with static node:fs imports a browser cannot load, before the declaration
    expect([csv.length < 10_000, data.length < 10_000, /from"node:/.test(data)]).toEqual([true, true, false]);
    expect(loader).toMatch(/from"node:fs\/promises"/);
  });
});

describe('types of the installed package', () => {
  beforeAll(() => {
    copyFileSync(join(root, 'test/package/fixtures/typed-params.ts'), join(app, 'typed-params.ts'));
    writeFileSync(join(app, 'data.ts'), [
      "import { readIdx, loadTaxiCsv } from 'webgpu-bayesopt/data';",
      "import { readStudy, writeStudyReport, type StudyData } from 'webgpu-bayesopt/report';",
      'export { readIdx, loadTaxiCsv, readStudy, writeStudyReport, type StudyData };',
    ].join('\n'));
  });

  it.each([
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler', { module: 'preserve', moduleResolution: 'bundler' }],
  ])('compile under module %s with skipLibCheck false: typed params, GPU types, the data and report entries', (_name, module) => {
    const r = typecheck(['typed-params.ts', 'data.ts'], module);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('report type errors in user code (the check can fail)', () => {
    writeFileSync(join(app, 'bad.ts'), [
      "import { BayesianOptimization } from 'webgpu-bayesopt';",
      "new BayesianOptimization({ space: { act: { type: 'categorical', choices: ['relu', 'tanh'] as const } },",
      "  f: ({ act }) => { const n: 'relu' = act; return n; } });",
    ].join('\n'));
    const r = typecheck(['bad.ts'], { module: 'nodenext', moduleResolution: 'nodenext' });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/bad\.ts\(3,\d+\): error TS2322: Type '"relu" \| "tanh"' is not assignable to type '"relu"'/);
  });
});

describe('the installed package at work', () => {
  it('runs the README quick start as written', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Quick start')));
    expect(block).not.toBeNull();
    // Plain JavaScript as well as TypeScript: run it as a module, then check it under strict nodenext.
    writeFileSync(join(app, 'quick-start.ts'), block![1]);
    const t = typecheck(['quick-start.ts'], { module: 'nodenext', moduleResolution: 'nodenext' });
    expect(t.out).toBe('');
    const r = node('quick-start.mjs', block![1] + '\nconsole.log("RESULT " + JSON.stringify({ max: opt.max, n: opt.res.length }));\n');
    expect(r.code, r.err).toBe(0);
    const { max, n } = JSON.parse(r.out.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7));
    expect(n).toBe(30);
    expect(max.target).toBeGreaterThan(-3.05);
  }, 300_000);

  it('tunes a user objective with npx webgpu-bayesopt tune, then reports the journal', async () => {
    writeFileSync(join(app, 'objective.mjs'), [
      "export const space = { lr: { type: 'float', low: 1e-4, high: 1e-1, log: true }, units: { type: 'int', low: 8, high: 256 },",
      "  act: { type: 'categorical', choices: ['relu', 'tanh'] } };",
      "export const direction = 'minimize';",
      "export default ({ lr, units, act }) => (Math.log10(lr) + 2.5) ** 2 + ((units - 100) / 100) ** 2 + (act === 'tanh' ? 0.2 : 0);",
    ].join('\n'));
    const npx = (...args: string[]) => spawnSync('npx', ['--offline', 'webgpu-bayesopt', ...args], { cwd: app, encoding: 'utf8', timeout: 300_000 });
    const tune = npx('tune', '--objective', './objective.mjs', '--budget', '12', '--journal', 'study.jsonl');
    expect(tune.status, tune.stderr).toBe(0);
    expect(tune.stdout).toMatch(/^bayes search, minimizing: 12 trial\(s\) in [\d.]+ s$/m);
    // Optuna's journal: each trial ends with one SET_TRIAL_STATE_VALUES (op 6) to a finished state
    const ended = readFileSync(join(app, 'study.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)).filter((o) => o.op_code === 6 && o.state !== 0);
    expect(ended).toHaveLength(12);
    // a TypeScript objective under a Node without a TypeScript loader (Node 20): the error says how to run one
    writeFileSync(join(app, 'objective-ts.ts'), "export const space = { x: { type: 'float', low: 0, high: 1 } };\nexport default (p: { x: number }): number => p.x;\n");
    if (Number(process.versions.node.split('.')[0]) < 22) {
      const ts = npx('tune', '--objective', './objective-ts.ts', '--budget', '2', '--no-report');
      expect(ts.status).toBe(2);
      expect(ts.stderr).toContain('cannot import ./objective-ts.ts: Unknown file extension ".ts"');
      expect(ts.stderr).toContain('(a TypeScript objective needs a loader: run the command with `node --import tsx`, or compile it to .js)');
    }
    // the TypeScript objective compiled by tsc to CommonJS (exports.default with __esModule): the installed CLI refused it
    writeFileSync(join(app, 'objective-tsc.cjs'), ['"use strict";', 'Object.defineProperty(exports, "__esModule", { value: true });',
      "exports.space = { x: { type: 'float', low: 0, high: 1 } };", 'function default_1(p) { return p.x; }', 'exports.default = default_1;', ''].join('\n'));
    const tsc = npx('tune', '--objective', './objective-tsc.cjs', '--budget', '2', '--no-report', '--quiet');
    expect(tsc.status, tsc.stderr).toBe(0);
    expect(tsc.stdout).toMatch(/^bayes search, maximizing: 2 trial\(s\) in [\d.]+ s$/m);
    const report = npx('report', 'study.jsonl', '--out', 'report.html');
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toBe('report: report.html (12 trials)\n');
    if (!chromiumAvailable()) return;
    const browser = await launchChromium({ webgpu: false });
    try {
      const page = await browser.newPage({ viewport: { width: 1240, height: 1400 } });
      const errors = watchErrors(page);
      await page.goto(pathToFileURL(join(app, 'report.html')).href);
      await page.waitForFunction(() => document.querySelectorAll('canvas[data-drawn]').length >= 4);
      const drawn = await page.evaluate(() => document.querySelectorAll('canvas[data-drawn]').length);
      expect(drawn).toBeGreaterThanOrEqual(4);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 600_000);
});

describe('Deno, importing the unpublished package', () => {
  const deno = join(root, 'node_modules', '.bin', 'deno');
  const APP = [
    "import { BayesianOptimization } from 'webgpu-bayesopt';",
    'const opt = new BayesianOptimization({',
    '  f: ({ x, y }) => -(x ** 2) - (y - 1) ** 2 + 1, pbounds: { x: [2, 4], y: [-3, 3] }, randomState: 1, engine: "cpu",',
    '});',
    'await opt.maximize({ initPoints: 3, nIter: 3, progress: true }); // nothing to draw outside Node',
    'console.log(JSON.stringify({ n: opt.res.length, best: opt.max?.target }));',
    'await opt.close();',
  ].join('\n');

  function check(r: ReturnType<typeof spawnSync>): void {
    expect(r.status, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).not.toMatch(/trial \d/);
    const out = JSON.parse(String(r.stdout).trim().split('\n').pop()!);
    expect(out.n).toBe(6);
    expect(out.best).toBeLessThan(-3);
  }

  it('resolves the bare name from node_modules in a folder where the tarball is installed', () => {
    writeFileSync(join(app, 'deno-app.ts'), APP);
    check(spawnSync(deno, ['run', '--allow-read', '--allow-env', 'deno-app.ts'], { cwd: app, encoding: 'utf8', timeout: 120_000 }));
  });

  it('resolves it through an import map anywhere else', () => {
    const other = join(dir, 'deno-elsewhere');
    mkdirSync(other, { recursive: true });
    const built = (f: string) => pathToFileURL(join(app, 'node_modules/webgpu-bayesopt/dist', f)).href;
    // the README's map: the main entry and the /report subpath
    writeFileSync(join(other, 'deno.json'), JSON.stringify({ imports: { 'webgpu-bayesopt': built('index.js'), 'webgpu-bayesopt/report': built('report.js') } }));
    writeFileSync(join(other, 'app.ts'), `import { trialsCsv } from 'webgpu-bayesopt/report';\nif (typeof trialsCsv !== 'function') throw new Error('no trialsCsv');\n${APP}`);
    check(spawnSync(deno, ['run', '--allow-read', '--allow-env', 'app.ts'], { cwd: other, encoding: 'utf8', timeout: 120_000 }));
  });
});
