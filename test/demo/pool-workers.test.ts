/**
 * The CPU engine's bounding pool in a browser page (headless Chromium): its
 * workers are Web Workers started from a Blob URL, they do part of the pass,
 * and the proposal is the one `workers: 0` makes, bit for bit. The page is
 * bench/browser-pool-page.ts, bundled as the demo's code is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { runInPage, servePoolPage } from '../../bench/browser-pool';
import { AUTO_WORKERS_MAX } from '../../src/util/workers';
import { chromiumAvailable, launchChromium } from './browser';

/** Large enough to be split: n x m = 2.56e6 kernel-row entries, about 20 chunks of MIN_SLICE_WORK. */
const PROBLEM = { seed: 5, n: 256, d: 6, m: 10_000, reps: 0 };

describe.skipIf(!chromiumAvailable())('bounding pool on Web Workers in headless Chromium', () => {
  let served: Awaited<ReturnType<typeof servePoolPage>>;
  let browser: Browser;

  beforeAll(async () => {
    served = await servePoolPage();
    browser = await launchChromium({ webgpu: false });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('2 Web Workers and the page thread split the pass; the proposal equals workers: 0 bit for bit', async () => {
    const r = await runInPage(browser, served.url, { ...PROBLEM, workers: 2 });
    expect(r.webWorkers).toBe(true);
    expect(r.poolSize).toBe(2);
    // every candidate bounded once, and the workers took part
    expect(r.boundedFirst.workers + r.boundedFirst.here).toBe(PROBLEM.m);
    expect(r.boundedFirst.workers).toBeGreaterThan(0);
    expect(r.pooled.scored).toBe(PROBLEM.m);
    expect(r.pooled.exact).toBeGreaterThan(0);
    // float64 values cross from the page exactly, so equal here means equal bit for bit
    expect(r.pooled).toEqual(r.serial);
  }, 180_000);

  it("'auto' starts min(3, navigator.hardwareConcurrency - 1) Web Workers, with the same proposal", async () => {
    const r = await runInPage(browser, served.url, { ...PROBLEM, seed: 6, workers: 'auto' });
    const expected = Math.max(0, Math.min(AUTO_WORKERS_MAX, r.hardwareConcurrency - 1));
    expect(r.poolSize).toBe(expected);
    if (expected > 0) expect(r.boundedFirst.workers).toBeGreaterThan(0);
    expect(r.pooled).toEqual(r.serial);
  }, 180_000);
});
