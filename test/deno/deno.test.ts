/**
 * Runs test/deno/smoke.ts under Deno (the `deno` npm package) against an
 * esbuild bundle of src/index.ts: a short optimization with suggestions on
 * Deno's WebGPU. Skips where Deno finds no adapter, unless CI=true.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'bayesopt-deno-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const deno = join(process.cwd(), 'node_modules', '.bin', 'deno');

function denoHasAdapter(): boolean {
  const r = spawnSync(deno, ['eval', 'const a = await navigator.gpu?.requestAdapter(); console.log(a ? "yes" : "no")'],
    { encoding: 'utf8', timeout: 60_000 });
  return r.stdout.trim() === 'yes';
}

const hasAdapter = denoHasAdapter();
if (!hasAdapter && process.env.CI === 'true') throw new Error('CI=true but Deno found no WebGPU adapter');

describe.skipIf(!hasAdapter)('Deno', () => {
  it('runs a short optimization with suggestions on WebGPU', async () => {
    const bundle = join(dir, 'index.js');
    // cli-progress: loaded lazily by maximize({ progress }) in Node only; the package build keeps it external too
    await build({
      entryPoints: ['src/index.ts'], outfile: bundle, bundle: true, format: 'esm', platform: 'neutral',
      target: 'es2022', external: ['webgpu', 'node:*', 'cli-progress'], logLevel: 'error',
    });
    const r = spawnSync(deno, ['run', '--allow-read', '--allow-env', 'test/deno/smoke.ts', bundle],
      { encoding: 'utf8', timeout: 110_000 });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.engineLine).toMatch(/^engine: WebGPU on /);
    expect(out.engines).toEqual(['webgpu', 'webgpu', 'webgpu', 'webgpu']);
    expect(out.trials).toBe(8);
    // The objective is -(x - 0.3)^2 - (y + 0.5)^2: at most 0, at least -3.94 on the box.
    expect(out.best).toBeLessThanOrEqual(0);
    expect(out.best).toBeGreaterThanOrEqual(-3.94);
  });
});

describe('Deno permissions', () => {
  it('readStudy of a file journal needs --allow-read alone (the host name, --allow-sys, was read for every file operation)', async () => {
    const { RandomSearch } = await import('../../src/optimizer');
    const journal = join(dir, 'study.log');
    const opt = new RandomSearch({ pbounds: { x: [0, 1] }, f: ({ x }: { x: number }) => x, randomState: 1, storage: journal });
    await opt.maximize({ initPoints: 3, nIter: 0 });
    await opt.close();
    // and a trial still running: its owner's liveness asked for the host name too
    const running = new RandomSearch({ pbounds: { x: [0, 1] }, f: ({ x }: { x: number }) => x, randomState: 2, storage: journal });
    await running.suggest();
    const bundle = join(dir, 'report.js');
    await build({
      entryPoints: ['src/report/index.ts'], outfile: bundle, bundle: true, format: 'esm', platform: 'neutral',
      target: 'es2022', external: ['webgpu', 'node:*', 'cli-progress', 'chart.js'], logLevel: 'error',
    });
    const reader = join(dir, 'reader.ts');
    writeFileSync(reader, `const lib: any = await import(${JSON.stringify(`file://${bundle}`)});
const s = await lib.readStudy(${JSON.stringify(journal)});
console.log(JSON.stringify({ trials: s.trials.length }));\n`);
    const r = spawnSync(deno, ['run', '--allow-read', reader], { encoding: 'utf8', timeout: 110_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ trials: 4 });
    await running.close();
  });

  it('a report file written over an existing one needs --allow-read and --allow-write alone (access(W_OK) asked for --allow-sys, and its refusal escaped every catch)', async () => {
    const bundle = join(dir, 'report-w.js');
    await build({
      entryPoints: ['src/report/index.ts'], outfile: bundle, bundle: true, format: 'esm', platform: 'neutral',
      target: 'es2022', external: ['webgpu', 'node:*', 'cli-progress', 'chart.js'], logLevel: 'error',
    });
    const out = join(dir, 'trials.csv');
    const writer = join(dir, 'writer.ts');
    writeFileSync(writer, `const lib: any = await import(${JSON.stringify(`file://${bundle}`)});
const study = { space: { x: { type: 'float', low: 0, high: 1 } }, trials: [{ id: 0, status: 'complete', target: 1, params: { x: 0.5 }, source: 'init' }] };
for (let i = 0; i < 2; i++) await lib.writeTrialsCsv(${JSON.stringify(out)}, study);
console.log('written twice');\n`);
    const r = spawnSync(deno, ['run', '--no-prompt', '--allow-read', '--allow-write', writer], { encoding: 'utf8', timeout: 110_000 });
    expect(r.stderr).toBe('');
    expect([r.status, r.stdout.trim()]).toEqual([0, 'written twice']);
    // without --allow-read, Chart.js cannot be read from node_modules: the typed error naming chartJs, not Deno's own
    const render = join(dir, 'render.ts');
    writeFileSync(render, `const lib: any = await import(${JSON.stringify(`file://${bundle}`)});
const study = { space: { x: { type: 'float', low: 0, high: 1 } }, trials: [] };
try { lib.renderStudyReport(study); console.log('rendered'); } catch (e) { console.log(e.name, e.option); }\n`);
    const n = spawnSync(deno, ['run', '--no-prompt', render], { encoding: 'utf8', timeout: 110_000 });
    expect([n.status, n.stdout.trim()]).toEqual([0, 'InvalidOptionError chartJs']);
  });

  it('a whole-file write refused for want of --allow-read leaves no temporary file beside its target (its cleanup asked for read too)', async () => {
    const bundle = join(dir, 'report-nr.js');
    await build({
      entryPoints: ['src/report/index.ts'], outfile: bundle, bundle: true, format: 'esm', platform: 'neutral',
      target: 'es2022', external: ['webgpu', 'node:*', 'cli-progress', 'chart.js'], logLevel: 'error',
    });
    const outDir = mkdtempSync(join(dir, 'out-'));
    const writer = join(dir, 'writer-nr.ts');
    writeFileSync(writer, `const lib: any = await import(${JSON.stringify(`file://${bundle}`)});
const study = { space: { x: { type: 'float', low: 0, high: 1 } }, trials: [{ id: 0, status: 'complete', target: 1, params: { x: 0.5 }, source: 'init' }] };
try { await lib.writeTrialsCsv(${JSON.stringify(join(outDir, 't.csv'))}, study); console.log('written'); } catch (e) { console.log(e.name); }\n`);
    const r = spawnSync(deno, ['run', '--no-prompt', `--allow-write=${outDir}`, `--allow-read=${bundle},${writer}`, writer], { encoding: 'utf8', timeout: 110_000 });
    expect([r.status, r.stdout.trim()]).toEqual([0, 'StorageError']);
    expect(readdirSync(outDir)).toEqual([]);
  });
});
