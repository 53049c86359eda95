/**
 * End to end: the built demo page in headless Chromium, WebGPU on SwiftShader.
 * 10 Bayesian steps on Branin (heatmaps drawn and changing, regret falling),
 * a small tuning run, no console errors, screenshots; and the page without
 * WebGPU saying so and running on the CPU engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  buildAndServe, chromiumAvailable, launchChromium, pageHasWebGpu, screenshot, watchErrors, type ServedDemo,
} from './browser';

/** Settings kept small for software rendering on 2 cores. */
const STEPS = 10;
const CANDIDATES = 16384;
const TUNE = { budget: 4, epochs: 1, rows: 300 };
const INIT_POINTS = 5;

const idle = () => document.body.dataset.posterior === 'idle';

describe.skipIf(!chromiumAvailable())('demo page in headless Chromium', () => {
  let demo: ServedDemo;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let webgpu = false;

  beforeAll(async () => {
    demo = await buildAndServe();
    browser = await launchChromium({ webgpu: true });
    // 1240 px wide keeps the README screenshots under their size limit.
    page = await browser.newPage({ viewport: { width: 1240, height: 900 } });
    errors = watchErrors(page);
    // tfjs on the page's WebGPU device even where it is a software renderer: the tuning test checks the shared device
    await page.goto(`${demo.url}?tfjs=webgpu`);
    webgpu = await pageHasWebGpu(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it(`runs ${STEPS} Bayesian steps on Branin with WebGPU: heatmaps drawn and changing, regret falls`, async (ctx) => {
    if (!webgpu) ctx.skip();
    await page.waitForFunction(() => (window.bayesDemo?.posterior?.drawLog.length ?? 0) > 0 && document.body.dataset.posterior === 'idle',
      null, { timeout: 120_000 });
    expect(await page.evaluate(() => document.body.dataset.engine)).toBe('webgpu');
    expect(await page.locator('#no-webgpu').isHidden()).toBe(true);
    expect(await page.locator('#fn').inputValue()).toBe('branin');
    expect(await page.locator('#acq').inputValue()).toBe('ei');

    await page.selectOption('#cands', String(CANDIDATES));
    await page.waitForFunction(() => window.bayesDemo.posterior!.drawLog.length === 2 && document.body.dataset.posterior === 'idle',
      null, { timeout: 60_000 });
    const before = await page.evaluate(() => ({
      regret: window.bayesDemo.posterior!.session!.regretCurve(),
      pixels: Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas.map')).map((c) => c.toDataURL()),
    }));
    expect(before.regret).toHaveLength(INIT_POINTS);

    await page.fill('#run-n', String(STEPS));
    await page.click('#run');
    await page.waitForFunction((n) => window.bayesDemo.posterior!.drawLog.length === n && document.body.dataset.posterior === 'idle',
      2 + STEPS, { timeout: 240_000 });

    const after = await page.evaluate(() => {
      const p = window.bayesDemo.posterior!;
      const s = p.session!;
      const maps = Array.from(document.querySelectorAll<HTMLElement>('figure.heatmap')).map((fig) => {
        const c = fig.querySelector('canvas.map') as HTMLCanvasElement;
        const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
        const colours = new Set<number>();
        for (let i = 0; i < d.length; i += 4 * 7) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return {
          surface: fig.dataset.surface, colours: colours.size, url: c.toDataURL(),
          lo: (fig.querySelector('.lo') as HTMLElement).textContent, hi: (fig.querySelector('.hi') as HTMLElement).textContent,
        };
      });
      return {
        observations: s.observations.length,
        regret: s.regretCurve(),
        drawLog: p.drawLog,
        suggestion: s.suggestion,
        g: s.g,
        maps,
        status: window.bayesDemo.status!.values,
      };
    });
    expect(after.observations).toBe(INIT_POINTS + STEPS);
    expect(after.g).toBeGreaterThanOrEqual(256);

    // Drawn: every heatmap shows many colours and a labelled colour bar.
    expect(after.maps.map((m) => m.surface)).toEqual(['truth', 'mean', 'std', 'acq']);
    for (const m of after.maps) {
      expect(m.colours, m.surface).toBeGreaterThan(40);
      expect(Number.isFinite(Number(m.hi?.replace(/^[≤≥] /, ''))), `${m.surface} max label "${m.hi}"`).toBe(true);
      expect(m.lo).not.toBe('');
    }
    // Changing: each step's posterior surfaces differ from the previous step's.
    const log = after.drawLog.slice(1);
    expect(log.map((e) => e.evaluations)).toEqual(Array.from({ length: STEPS + 1 }, (_, i) => INIT_POINTS + i));
    for (let i = 1; i < log.length; i++) {
      for (const k of ['mean', 'std', 'acq'] as const) expect(log[i][k], `${k} at step ${i}`).not.toBe(log[i - 1][k]);
    }
    after.maps.slice(1).forEach((m, i) => expect(m.url, m.surface).not.toBe(before.pixels[i + 1]));

    // The regret falls.
    expect(after.regret).toHaveLength(INIT_POINTS + STEPS);
    expect(after.regret[INIT_POINTS + STEPS - 1]).toBeLessThan(before.regret[INIT_POINTS - 1]);

    // The suggestion ran on WebGPU with the chosen candidate count, and the status bar says so.
    expect(after.suggestion).toMatchObject({ engine: 'webgpu', scored: CANDIDATES });
    expect(after.status.engine).toMatch(/^WebGPU · /);
    expect(after.status.candidates).toBe('16,384');
    expect(after.status.suggest).toMatch(/^[\d.]+ (ms|s) \(GP fit/);
    expect(after.status.heatmap).toMatch(/^[\d.]+ (ms|s) for 65,536 points$/);

    const heat = log.slice(1).map((e) => e.ms);
    console.log(`[demo] SwiftShader: suggestion ${(after.suggestion!.fitMs + after.suggestion!.proposeMs).toFixed(0)} ms `
      + `(${CANDIDATES} candidates, GP fit ${after.suggestion!.fitMs.toFixed(1)} ms), heatmap set `
      + `median ${heat.sort((a, b) => a - b)[heat.length >> 1].toFixed(0)} ms for ${after.g}x${after.g} points`);
    await screenshot(page, 'posterior-panel', { selector: '#posterior-panel', docs: true });
    expect(errors).toEqual([]);
  }, 300_000);

  it('completes a small tuning run on the same GPU device with a best-so-far chart, trial table and winner', async (ctx) => {
    if (!webgpu) ctx.skip();
    await page.waitForFunction(idle, null, { timeout: 60_000 });
    await page.fill('#budget', String(TUNE.budget));
    await page.fill('#epochs', String(TUNE.epochs));
    await page.fill('#rows', String(TUNE.rows));
    await page.click('#tune');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.tuning ?? ''), null, { timeout: 280_000 });
    const res = await page.evaluate(() => {
      const t = window.bayesDemo.tuning!;
      const r = t.result;
      const chart = (t as unknown as { chart: { chart: { data: { datasets: { label: string; data: unknown[] }[] } } } }).chart.chart;
      return {
        state: document.body.dataset.tuning,
        errors: window.bayesDemo.errors,
        rows: Array.from(document.querySelectorAll('#trials tbody tr')).map((tr) => (tr as HTMLElement).dataset.strategy),
        trials: r ? [...r.trials.bayes, ...r.trials.random, ...r.trials.grid] : [],
        winner: r?.winner ?? null,
        winnerText: document.getElementById('winner')!.textContent ?? '',
        datasets: chart.data.datasets.map((d) => ({ label: d.label, n: d.data.length })),
        tfjs: window.bayesDemo.status!.values.tfjs,
      };
    });
    expect(res.errors).toEqual([]);
    expect(res.state).toBe('done');
    const b = TUNE.budget;
    expect(res.rows).toEqual([...Array(b).fill('bayes'), ...Array(b).fill('random'), ...Array(b).fill('grid')]);
    expect(res.datasets).toEqual([
      { label: 'Bayesian optimization', n: b }, { label: 'random search', n: b }, { label: 'grid search', n: b },
    ]);
    for (const t of res.trials) expect(Number.isFinite(t.value), JSON.stringify(t)).toBe(true);
    // Model-guided trials were suggested on WebGPU; TensorFlow.js trained on the engine's device.
    const guided = res.trials.filter((t) => t.source === 'suggest');
    expect(guided.length).toBeGreaterThan(0);
    for (const t of guided) expect(t.engine).toBe('webgpu');
    expect(res.tfjs).toBe('webgpu, same device as the engine');
    // The winner is the smallest validation RMSE of all trials.
    expect(res.winner!.value).toBe(Math.min(...res.trials.map((t) => t.value)));
    expect(res.winnerText).toContain(`$${res.winner!.value.toFixed(3)}`);

    await screenshot(page, 'tuning-panel', { selector: '#tuning-panel', docs: true });
    await screenshot(page, 'demo-full', { fullPage: true });
    expect(errors).toEqual([]);
  }, 300_000);
});

describe.skipIf(!chromiumAvailable())('demo page without WebGPU', () => {
  it('says so plainly and runs on the CPU engine', async () => {
    const demo = await buildAndServe();
    const browser = await launchChromium({ webgpu: false });
    try {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      const errors = watchErrors(page);
      await page.goto(demo.url);
      await page.waitForFunction(() => (window.bayesDemo?.posterior?.drawLog.length ?? 0) > 0 && document.body.dataset.posterior === 'idle',
        null, { timeout: 60_000 });
      expect(await page.evaluate(() => document.body.dataset.engine)).toBe('cpu');
      const banner = page.locator('#no-webgpu');
      expect(await banner.isVisible()).toBe(true);
      expect(await banner.textContent()).toContain('WebGPU is not available in this browser');
      const status = await page.evaluate(() => window.bayesDemo.status!.values);
      expect(status.engine).toMatch(/^CPU float64 \(WebGPU unavailable: .+\)$/);
      expect(status.candidates).toBe('10,000');
      await page.click('#step');
      await page.waitForFunction(() => window.bayesDemo.posterior!.drawLog.length === 2 && document.body.dataset.posterior === 'idle');
      const s = await page.evaluate(() => ({
        n: window.bayesDemo.posterior!.session!.observations.length,
        engine: window.bayesDemo.posterior!.session!.suggestion!.engine,
      }));
      expect(s).toEqual({ n: INIT_POINTS + 1, engine: 'cpu' });
      await screenshot(page, 'demo-no-webgpu');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await demo.stop();
    }
  }, 120_000);
});
