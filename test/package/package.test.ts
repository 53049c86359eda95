/**
 * The package as a user gets it: `npm pack`, the tarball installed offline
 * into an empty folder (see ./install.ts), then its types under strict
 * `nodenext` and `bundler` settings.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
        "import { MissingDependencyError } from 'webgpu-bayesopt';",
        `try { await import('${entry}'); console.log('loaded'); }`,
        'catch (e) { console.log(JSON.stringify({ name: e.name, pkg: e.packageName, message: e.message })); }',
      ].join('\n'));
      expect(r.err).toBe('');
      expect(JSON.parse(r.out)).toEqual({
        name: 'MissingDependencyError',
        pkg: '@tensorflow/tfjs',
        message: `${entry} needs the optional peer dependency "@tensorflow/tfjs", which is not installed: ` +
          'npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu',
      });
    }
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

describe('types of the installed package', () => {
  beforeAll(() => {
    copyFileSync(join(root, 'test/package/fixtures/typed-params.ts'), join(app, 'typed-params.ts'));
    writeFileSync(join(app, 'data.ts'), "import { readIdx, loadTaxiCsv } from 'webgpu-bayesopt/data';\nexport { readIdx, loadTaxiCsv };\n");
  });

  it.each([
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler', { module: 'preserve', moduleResolution: 'bundler' }],
  ])('compile under module %s with skipLibCheck false: typed params, GPU types, the data entry', (_name, module) => {
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

