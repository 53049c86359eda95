/**
 * The same seeded suggestions in Node, Deno and headless Chromium: `--reps`
 * rounds of suggest() and register() on a study of `--n` points in `--d`
 * dimensions (CPU engine, the defaults otherwise), timed in each runtime
 * (bench/runtimes-workload.ts), with whether the WebAssembly likelihood and
 * bounding pass ran there and whether the suggested points equal Node's bit
 * for bit. Prints a table with the load average and writes JSON.
 *
 *   npm run bench:runtimes -- [--n 256] [--d 8] [--reps 6] [--seed 1]
 *     [--runtimes node,deno,chromium] [--likelihood auto|wasm|js] [--bounding auto|wasm|js]
 *     [--out bench/results/runtimes.json]
 *
 * `--likelihood` and `--bounding` pin the two backends for the run (where
 * 'wasm' cannot run, the runtime's run fails).
 *
 * Deno is the `deno` npm package, on an esbuild bundle of src/index.ts;
 * Chromium is CHROMIUM_PATH (default /usr/bin/chromium) driven by
 * playwright-core, on a browser bundle served from 127.0.0.1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { serveDemo } from '../scripts/serve-demo.mjs';
import * as lib from '../src/index';
import { choiceFlag, intFlag, listFlag, outFlag, parseFlags, writeJson } from './args';
import { suggestWorkload, type WorkloadArgs, type WorkloadResult } from './runtimes-workload';

const RUNTIMES = ['node', 'deno', 'chromium'] as const;
const BACKENDS = ['auto', 'wasm', 'js'] as const;
type Runtime = (typeof RUNTIMES)[number];

const values = parseFlags({
  n: { type: 'string', default: '256' },
  d: { type: 'string', default: '8' },
  reps: { type: 'string', default: '6' },
  seed: { type: 'string', default: '1' },
  runtimes: { type: 'string', default: RUNTIMES.join(',') },
  likelihood: { type: 'string', default: 'auto' },
  bounding: { type: 'string', default: 'auto' },
  out: { type: 'string', default: 'bench/results/runtimes.json' },
});
const args: WorkloadArgs = {
  n: intFlag('n', values.n), d: intFlag('d', values.d), reps: intFlag('reps', values.reps, 2), seed: intFlag('seed', values.seed, 0),
  likelihood: choiceFlag('likelihood', values.likelihood, BACKENDS), bounding: choiceFlag('bounding', values.bounding, BACKENDS),
};
const runtimes = listFlag<Runtime>('runtimes', values.runtimes, RUNTIMES);
const out = outFlag('out', values.out);

const dir = mkdtempSync(join(tmpdir(), 'bench-runtimes-'));

async function bundle(file: string, platform: 'neutral' | 'browser'): Promise<void> {
  await build({
    entryPoints: ['src/index.ts'], outfile: file, bundle: true, format: 'esm', platform, target: 'es2022',
    external: ['webgpu', 'node:*', 'cli-progress'], logLevel: 'error',
  });
}

async function inDeno(): Promise<WorkloadResult> {
  const file = join(dir, 'index.js');
  await bundle(file, 'neutral');
  const runner = join(dir, 'run.ts');
  writeFileSync(runner, [
    `import * as lib from '${file}';`,
    `import { suggestWorkload } from '${resolve('bench/runtimes-workload.ts')}';`,
    `console.log(JSON.stringify(await suggestWorkload(lib, ${JSON.stringify(args)})));`,
  ].join('\n'));
  const r = spawnSync(join('node_modules', '.bin', 'deno'), ['run', '-A', runner], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`deno: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkloadResult;
}

async function inChromium(): Promise<WorkloadResult> {
  const root = join(dir, 'page');
  await bundle(join(root, 'lib.js'), 'browser');
  writeFileSync(join(root, 'index.html'), '<!doctype html><meta charset="utf-8"><title>runtimes</title><link rel="icon" href="data:,">\n');
  const server = await serveDemo({ root, port: 0 });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.evaluate(`import('${server.url}lib.js').then((m) => { window.bayesLib = m; })`);
    // tsx keeps function names with an `__name` helper the function's source text then calls
    await page.evaluate('window.__name = (f) => f');
    await page.evaluate(`window.suggestWorkload = ${suggestWorkload.toString()}`);
    return (await page.evaluate(`window.suggestWorkload(window.bayesLib, ${JSON.stringify(args)})`)) as WorkloadResult;
  } finally {
    await browser.close();
    await server.close();
  }
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results: Partial<Record<Runtime, WorkloadResult>> = {};
const loads: number[] = [loadavg()[0]];
try {
  for (const r of runtimes) {
    results[r] = r === 'node' ? await suggestWorkload(lib, args) : r === 'deno' ? await inDeno() : await inChromium();
    loads.push(loadavg()[0]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const reference = results.node?.hash ?? results[runtimes[0]]!.hash;
const rows = runtimes.map((r) => {
  const w = results[r]!;
  return {
    runtime: r,
    wasm: `${w.wasm.likelihood ? 'yes' : 'no'} / ${w.wasm.bounding ? 'yes' : 'no'}`,
    coldMs: w.ms[0],
    warmMedianMs: median(w.ms.slice(1)),
    samePoints: w.hash === reference,
    hash: w.hash,
    ms: w.ms,
  };
});
console.log(`n = ${args.n}, d = ${args.d}, ${args.reps} suggestions each (the first cold), seed ${args.seed}, likelihood ${args.likelihood}, bounding ${args.bounding}; load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
console.log('| runtime | WebAssembly likelihood / bounding | first suggestion ms | later suggestions, median ms | same points as the first row |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) {
  console.log(`| ${row.runtime} | ${row.wasm} | ${row.coldMs.toFixed(0)} | ${row.warmMedianMs.toFixed(0)} | ${row.samePoints ? 'yes' : 'no'} |`);
}
writeJson(out, { args, loadAverage: loads, rows });
