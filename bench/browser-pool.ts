/**
 * The CPU engine's bounding pass on Web Workers in headless Chromium: one
 * proposal (screened scoring of --m candidates on a GP of --n points in
 * --d dimensions) with `workers: 0` and with --workers, timed in the page
 * (median of --reps warm calls each, alternated), with the pool's worker
 * count and the share of the pass each side did (candidates bounded by the
 * workers and by the page's thread: a load-independent split). Prints a
 * table with the load average and writes JSON.
 *
 *   npx tsx bench/browser-pool.ts [--n 1000] [--d 6] [--m 10000] [--workers auto|N]
 *     [--reps 5] [--out bench/results/browser-pool.json]
 *
 * Chromium from CHROMIUM_PATH (default /usr/bin/chromium), driven by playwright-core.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { serveDemo } from '../scripts/serve-demo.mjs';
import type { PoolPageArgs, PoolPageResult } from './browser-pool-page';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The page (bench/browser-pool-page.ts bundled as the demo's code is) served on 127.0.0.1. */
export async function servePoolPage(): Promise<{ url: string; stop(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'pool-page-'));
  await build({
    entryPoints: ['bench/browser-pool-page.ts'], outfile: join(root, 'page.js'), absWorkingDir: ROOT,
    bundle: true, format: 'esm', target: 'es2022', platform: 'browser', logLevel: 'warning',
    external: ['webgpu', 'cli-progress', 'node:*'],
  });
  writeFileSync(join(root, 'index.html'), '<!doctype html><meta charset="utf-8"><title>pool</title><link rel="icon" href="data:,"><script type="module" src="page.js"></script>\n');
  const server = await serveDemo({ root, port: 0 });
  return {
    url: server.url,
    async stop() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function launchHeadless(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

/** Runs the page's check in a fresh tab; throws on page errors. */
export async function runInPage(browser: Browser, url: string, args: PoolPageArgs): Promise<PoolPageResult> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => 'poolBench' in globalThis);
    const res = await page.evaluate((a) => (globalThis as unknown as { poolBench: { runPoolPage: (x: PoolPageArgs) => Promise<PoolPageResult> } }).poolBench.runPoolPage(a), args);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return res;
  } finally {
    await page.close();
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '1000' }, d: { type: 'string', default: '6' }, m: { type: 'string', default: '10000' },
      workers: { type: 'string', default: 'auto' }, reps: { type: 'string', default: '5' },
      out: { type: 'string', default: 'bench/results/browser-pool.json' },
    },
  });
  const args: PoolPageArgs = {
    seed: 7, n: Number(values.n), d: Number(values.d), m: Number(values.m), reps: Number(values.reps),
    workers: values.workers === 'auto' ? 'auto' : Number(values.workers),
  };
  const served = await servePoolPage();
  const browser = await launchHeadless();
  const loadBefore = loadavg()[0];
  let r: PoolPageResult;
  try {
    r = await runInPage(browser, served.url, args);
  } finally {
    await browser.close();
    await served.stop();
  }
  const loadAfter = loadavg()[0];
  const same = JSON.stringify(r.serial) === JSON.stringify(r.pooled);
  const total = r.bounded.workers + r.bounded.here;
  const row = {
    n: args.n, d: args.d, m: args.m, workers: args.workers, hardwareConcurrency: r.hardwareConcurrency, poolSize: r.poolSize,
    serialMs: median(r.serialMs), pooledMs: median(r.pooledMs), sameProposal: same,
    workersShare: total ? r.bounded.workers / total : 0, load1: [loadBefore, loadAfter],
  };
  console.log('| n/d | candidates | workers | Web Workers | workers: 0 ms | pooled ms | pass share (workers / page thread) | same proposal | load (1 min) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(`| ${row.n}/${row.d} | ${row.m} | ${row.workers} (cores ${row.hardwareConcurrency}) | ${row.poolSize} | ${row.serialMs.toFixed(0)} | ${row.pooledMs.toFixed(0)} | `
    + `${(100 * row.workersShare).toFixed(0)}% / ${(100 - 100 * row.workersShare).toFixed(0)}% | ${same} | ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)} |`);
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, JSON.stringify({ ...row, serialRunsMs: r.serialMs, pooledRunsMs: r.pooledMs, bounded: r.bounded, fitMs: r.fitMs }, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
