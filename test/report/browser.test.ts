/**
 * `webgpu-bayesopt/report` in a real Chromium (headless, via playwright-core):
 * it loads with no Node built-ins (it imported node:fs, node:path and
 * node:module statically, and a browser bundle failed as it loaded), reads a
 * study from a journal and renders its page from the Chart.js text the page
 * passes. Skipped when no Chromium executable is found (set CHROMIUM_PATH).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartJsSource } from '../../src/report';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const executable = CANDIDATES.find((p): p is string => !!p && existsSync(p));
const ORIGIN = 'http://localhost:4174';
const src = (p: string) => JSON.stringify(fileURLToPath(new URL(`../../src/${p}`, import.meta.url)));

describe.skipIf(!executable)('the report module in Chromium', () => {
  let browser: Browser;
  let bundle: string;

  beforeAll(async () => {
    const out = await build({
      stdin: {
        contents: `export * from ${src('report/index.ts')}; export { Journal, MemoryJournalBackend } from ${src('storage/index.ts')};`,
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
        loader: 'ts',
      },
      bundle: true,
      format: 'iife',
      globalName: 'BayesReport',
      platform: 'browser',
      external: ['node:*'],
      write: false,
      logLevel: 'silent',
    });
    bundle = out.outputFiles[0].text;
    browser = await chromium.launch({ executablePath: executable, headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders a study report from a journal, with the Chart.js text the page gives, and says what it needs without it', async () => {
    const ctx = await browser.newContext();
    const errors: string[] = [];
    await ctx.route(`${ORIGIN}/**`, (route) => {
      const url = route.request().url();
      if (url.endsWith('/report.js')) return route.fulfill({ contentType: 'text/javascript', body: bundle });
      if (url.endsWith('/chart.umd.js')) return route.fulfill({ contentType: 'text/javascript', body: chartJsSource() });
      return route.fulfill({ contentType: 'text/html', body: '<!doctype html><script src="/report.js"></script>' });
    });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ORIGIN}/`);
    const result = await page.evaluate(async () => {
      const R = (globalThis as any).BayesReport;
      const backend = new R.MemoryJournalBackend('', 'tab-study');
      const j = await R.Journal.open(backend, { space: { x: { type: 'float', low: 0, high: 1 }, k: { type: 'int', low: 1, high: 4 } } });
      for (const [x, k, y] of [[0.1, 1, 0.2], [0.5, 2, 0.9], [0.8, 4, 0.4], [0.3, 3, 0.7]]) {
        const { trial } = await j.ask({ x, k });
        await j.tell(trial.id, { target: y });
      }
      await j.close();
      const study = await R.readStudy(backend);
      let refused = '';
      try {
        R.renderStudyReport(study);
      } catch (e) {
        refused = `${(e as Error).name}: ${(e as Error).message}`;
      }
      const chartJs = await (await fetch('/chart.umd.js')).text();
      const html: string = R.renderStudyReport(study, { chartJs });
      return { refused, length: html.length, source: study.source, hasChart: html.includes(chartJs.slice(0, 200)), trials: study.trials.length, html };
    });
    expect(errors).toEqual([]);
    expect(result.refused).toBe('InvalidOptionError: chartJs: this runtime cannot read Chart.js from node_modules; pass the text of ' +
      'chart.js/dist/chart.umd.js as { chartJs } (or await loadChartJs() first, in Node or Deno)');
    expect(result.trials).toBe(4);
    expect(result.hasChart).toBe(true);
    expect(result.html).toContain('4 trial(s): 4 complete.');
    expect(result.html).toContain('Best: trial 1');
    // the page the browser made opens and draws in a browser too
    const shown = await ctx.newPage();
    const drawErrors: string[] = [];
    shown.on('pageerror', (e) => drawErrors.push(e.message));
    await shown.setContent(result.html);
    expect(await shown.locator('#trials tbody tr').count()).toBe(4);
    expect(drawErrors).toEqual([]);
    await ctx.close();
  }, 60_000);
});
