/**
 * The page built without the mnist package (a documented mode: generated
 * digits), in headless Chromium without WebGPU: the digits study trains on
 * generated digits and the page asks for none of the ten digit files it
 * lacks (each was a 404 the console logged as an error).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildAndServe, chromiumAvailable, launchChromium, watchErrors, type ServedDemo } from './browser';

describe.skipIf(!chromiumAvailable())('demo page built without digits', () => {
  let demo: ServedDemo;
  let browser: Browser;

  beforeAll(async () => {
    demo = await buildAndServe({ digits: false });
    browser = await launchChromium({ webgpu: false });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('tunes the digits study on generated digits without asking for a digit file', async () => {
    const page = await browser.newPage({ viewport: { width: 1240, height: 900 } });
    const errors = watchErrors(page);
    const requested: string[] = [];
    const failed: string[] = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`); });
    await page.goto(demo.url);
    await page.waitForFunction(() => window.bayesDemo?.tuning !== undefined && document.body.dataset.tuning === 'idle', null, { timeout: 120_000 });
    await page.selectOption('#tune-study', 'digits');
    await page.fill('#budget', '2');
    await page.fill('#epochs', '1');
    await page.fill('#rows', '50');
    for (const s of ['bayes', 'grid']) await page.setChecked(`#use-${s}`, false);
    await page.click('#tune');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.tuning ?? ''), null, { timeout: 300_000 });
    const res = await page.evaluate(() => ({
      state: document.body.dataset.tuning,
      progress: document.getElementById('tune-progress')!.textContent ?? '',
      rows: document.querySelectorAll('#trials tbody tr').length,
      errors: window.bayesDemo.errors,
    }));
    expect(res).toMatchObject({ state: 'done', rows: 2, errors: [] });
    expect(res.progress).toMatch(/^done: 2 trials on 50 training rows, \d+ validation rows \(generated digits\)$/);
    // no digit file asked for, nothing missing: the build's manifest said there are none
    expect(requested.filter((p) => p.startsWith('/digits/'))).toEqual([]);
    expect(failed).toEqual([]);
    expect(requested).toContain('/assets.json');
    expect(errors).toEqual([]);
  }, 360_000);
});
