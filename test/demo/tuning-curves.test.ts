/**
 * The tuning panel in headless Chromium, on the page without WebGPU (the CPU
 * engine and tfjs's wasm backend, the cheapest setting on 2 cores): the
 * pruner choice reaches the study, every trial's learning curve is drawn as
 * it trains (pruned ones grey and dashed), and the digits study trains on the
 * real digits the page ships, with no request leaving the page's own server.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_DIGITS_PER_CLASS } from '../../scripts/build-demo.mjs';
import { mnistPackageDir } from '../../src/data';
import { buildAndServe, chromiumAvailable, launchChromium, screenshot, watchErrors, type ServedDemo } from './browser';

interface PanelState {
  state: string | undefined;
  errors: string[];
  pruner: string | null;
  trials: { strategy: string; index: number; pruned: boolean; curve: number[]; curveEpochs: number[]; epochsRun: number; value: number }[];
  winner: { value: number; pruned: boolean } | null;
  curves: { label: string; colour: string; dashed: boolean; xs: number[]; ys: number[] }[];
  curvesTitle: string;
  rows: { pruned: boolean; text: string }[];
  progress: string;
}

/** The panel's result, its learning-curve chart and its table, read in the page. */
function readPanel(): PanelState {
  const t = window.bayesDemo.tuning!;
  const r = t.result;
  const chart = (t as unknown as {
    curvesChart: { chart: { data: { datasets: { label: string; borderColor: string; borderDash: number[]; data: { x: number; y: number }[] }[] };
      options: { scales: { y: { title: { text: string } } } } } };
  }).curvesChart.chart;
  return {
    state: document.body.dataset.tuning,
    errors: window.bayesDemo.errors,
    pruner: r?.pruner ?? null,
    trials: r ? [...r.trials.bayes, ...r.trials.random, ...r.trials.grid].map((x) => ({
      strategy: x.strategy, index: x.index, pruned: x.pruned, curve: x.curve, curveEpochs: x.curveEpochs, epochsRun: x.epochsRun, value: x.value,
    })) : [],
    winner: r?.winner ? { value: r.winner.value, pruned: r.winner.pruned } : null,
    curves: chart.data.datasets.map((d) => ({
      label: d.label, colour: d.borderColor, dashed: d.borderDash.length > 0, xs: d.data.map((p) => p.x), ys: d.data.map((p) => p.y),
    })),
    curvesTitle: chart.options.scales.y.title.text,
    rows: Array.from(document.querySelectorAll('#trials tbody tr')).map((tr) => ({
      pruned: tr.classList.contains('pruned'), text: tr.textContent ?? '',
    })),
    progress: document.getElementById('tune-progress')!.textContent ?? '',
  };
}

describe.skipIf(!chromiumAvailable())('demo tuning panel: pruner and learning curves (no WebGPU: CPU engine, wasm training)', () => {
  let demo: ServedDemo;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const foreign: string[] = [];

  beforeAll(async () => {
    demo = await buildAndServe();
    browser = await launchChromium({ webgpu: false });
    page = await browser.newPage({ viewport: { width: 1240, height: 900 } });
    errors = watchErrors(page);
    const origin = new URL(demo.url).origin;
    // Anything not served by the page's own server is refused and remembered.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    await page.goto(demo.url);
    await page.waitForFunction(() => window.bayesDemo?.tuning !== undefined && document.body.dataset.tuning === 'idle',
      null, { timeout: 120_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  async function tune(o: { study: string; pruner: string; budget: number; epochs: number; rows: number; strategies: string[]; concurrency?: number }) {
    await page.waitForFunction(() => document.body.dataset.tuning !== 'running');
    await page.selectOption('#tune-study', o.study);
    await page.selectOption('#tune-concurrency', String(o.concurrency ?? 1));
    await page.selectOption('#tune-pruner', o.pruner);
    await page.fill('#budget', String(o.budget));
    await page.fill('#epochs', String(o.epochs));
    await page.fill('#rows', String(o.rows));
    for (const s of ['bayes', 'random', 'grid']) await page.setChecked(`#use-${s}`, o.strategies.includes(s));
    await page.click('#tune');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.tuning ?? ''), null, { timeout: 400_000 });
    return page.evaluate(readPanel);
  }

  it('runs the taxi study with ASHA: the pruner reaches the optimizers, curves drawn per epoch, pruned trials grey and never the winner', async () => {
    const epochs = 3;
    const res = await tune({ study: 'taxi', pruner: 'asha', budget: 4, epochs, rows: 200, strategies: ['random'] });
    expect(res.errors).toEqual([]);
    expect(res.state).toBe('done');
    expect(res.pruner).toBe('asha');
    expect(res.curvesTitle).toBe('validation RMSE after each epoch ($)');
    expect(res.trials).toHaveLength(4);
    // one curve per trial, with one point per epoch trained (all of them unless pruned or stopped early)
    expect(res.curves).toHaveLength(4);
    res.trials.forEach((t, i) => {
      const c = res.curves[i];
      expect(c.ys).toEqual(t.curve);
      expect(t.curve.length).toBeGreaterThanOrEqual(1);
      expect(t.curve.length).toBeLessThanOrEqual(epochs);
      for (const y of c.ys) expect(Number.isFinite(y)).toBe(true);
      expect(c.label).toBe(`random #${t.index}${t.pruned ? ' (pruned)' : ''}`);
      expect(c.dashed).toBe(t.pruned);
      expect(c.colour).toBe(t.pruned ? '#8d99ae' : '#f8961e');
      expect(res.rows[i].pruned).toBe(t.pruned);
      if (t.pruned) expect(res.rows[i].text).toContain(`(pruned at epoch ${t.curve.length})`);
    });
    // ASHA (eta 4, r 1) keeps only the best of the first few values at epoch 1: with 4 trials
    // every trial that is not the best so far at epoch 1 stops there.
    const pruned = res.trials.filter((t) => t.pruned);
    for (const t of pruned) expect(t.curve).toHaveLength(1);
    let best = Infinity;
    for (const t of res.trials) {
      if (t.curve[0] < best) expect(t.pruned, `trial ${t.index} was the best at epoch 1`).toBe(false);
      else expect(t.pruned, `trial ${t.index} was not among the best at epoch 1`).toBe(true);
      best = Math.min(best, t.curve[0]);
    }
    // seeded: this run prunes, so the grey curves are exercised
    expect(pruned.length).toBeGreaterThan(0);
    expect(pruned.length).toBeLessThan(4);
    expect(res.progress).toContain(`(${pruned.length} pruned by asha)`);
    await screenshot(page, 'tuning-curves-asha', { selector: '#tuning-panel' });
    expect(res.winner).not.toBeNull();
    expect(res.winner!.pruned).toBe(false);
    // the run's study as the command line's study report, rendered in the page and downloaded
    expect(await page.textContent('#tune-report')).toBe('Report (random search)');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tune-report')]);
    expect(download.suggestedFilename()).toBe('taxi-random-report.html');
    const html = readFileSync(await download.path(), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<title>random search on the taxi study</title>');
    expect(html).toContain(`4 trial(s): ${4 - pruned.length} complete, ${pruned.length} pruned.`);
    expect(html).toContain('Intermediate values');
    expect(html).toContain('Chart.js v4');
    // it opens and draws offline, as the written report does
    const shown = await browser.newPage();
    const drawErrors = watchErrors(shown);
    await shown.setContent(html);
    expect(await shown.locator('#trials tbody tr').count()).toBe(4);
    await shown.close();
    expect(drawErrors).toEqual([]);
    expect(errors).toEqual([]);
  }, 420_000);

  it('trains 2 at once (the "At once" choice): every trial numbered once, one curve each, at distinct points', async () => {
    const res = await tune({ study: 'taxi', pruner: 'none', budget: 4, epochs: 2, rows: 100, strategies: ['bayes'], concurrency: 2 });
    expect(res.errors).toEqual([]);
    expect(res.state).toBe('done');
    expect(res.trials.map((t) => t.index).sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    expect(res.curves.map((c) => c.label).sort()).toEqual(['BO #1', 'BO #2', 'BO #3', 'BO #4']);
    expect(res.rows).toHaveLength(4);
    expect(errors).toEqual([]);
  }, 420_000);

  it('runs the digits study on the digits the page ships, with no request leaving the page\'s server', async () => {
    const res = await tune({ study: 'digits', pruner: 'none', budget: 2, epochs: 1, rows: 100, strategies: ['random'] });
    expect(res.errors).toEqual([]);
    expect(res.state).toBe('done');
    expect(res.pruner).toBe('none');
    expect(res.curvesTitle).toBe('validation accuracy after each epoch');
    expect(res.trials.map((t) => t.pruned)).toEqual([false, false]);
    for (const t of res.trials) {
      expect(t.curve).toHaveLength(1);
      expect(t.value).toBeGreaterThanOrEqual(0);
      expect(t.value).toBeLessThanOrEqual(1);
    }
    expect(res.curves.map((c) => c.ys.length)).toEqual([1, 1]);
    const source = mnistPackageDir() === null ? 'generated digits' : `real MNIST digits (${10 * DEMO_DIGITS_PER_CLASS})`;
    expect(res.progress).toContain(`(${source})`);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  }, 420_000);

  it('draws a digits trial pruned inside an epoch at the epoch it was pruned at, as its table row says', async () => {
    // digits reports every 1/3 or 1/4 epoch: ASHA stops trials inside their first (they were drawn at epoch 1)
    const res = await tune({ study: 'digits', pruner: 'asha', budget: 6, epochs: 1, rows: 100, strategies: ['random'], concurrency: 2 });
    expect(res.errors).toEqual([]);
    expect(res.state).toBe('done');
    // seeded: this run prunes inside the first epoch
    const inside = res.trials.filter((t) => t.pruned && t.epochsRun < 1);
    expect(inside.length).toBeGreaterThan(0);
    for (const t of res.trials) {
      const c = res.curves.find((k) => k.label === `random #${t.index}${t.pruned ? ' (pruned)' : ''}`)!;
      expect(c.ys).toEqual(t.curve);
      expect(c.xs).toEqual(t.curveEpochs);
      expect(c.xs.at(-1)).toBe(t.epochsRun);
      const row = res.rows.find((r) => r.text.startsWith(`random #${t.index}`))!;
      if (t.pruned) expect(row.text).toContain(`(pruned at epoch ${Number(c.xs.at(-1)!.toFixed(2))})`);
    }
    for (const t of inside) {
      expect(t.epochsRun).toBeGreaterThan(0);
      expect(t.curveEpochs).toEqual([t.epochsRun]);
    }
    expect(errors).toEqual([]);
  }, 420_000);
});
