/**
 * The demo page's inputs at their edges, in headless Chromium on the CPU
 * engine (no WebGPU: these are the controls' rules, not the engines'): a
 * refused expression is not stepped past, emptied number fields are refused,
 * a function infinite on the grid is refused, and a tuning run stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildAndServe, chromiumAvailable, launchChromium, watchErrors, type ServedDemo } from './browser';

const idle = () => document.body.dataset.posterior === 'idle';
const errorText = (page: Page) => page.evaluate(() => {
  const el = document.getElementById('posterior-error')!;
  return el.hidden ? '' : (el.textContent ?? '');
});
const observations = (page: Page) => page.evaluate(() => window.bayesDemo.posterior!.session?.observations.length ?? null);

describe.skipIf(!chromiumAvailable())('demo page inputs', () => {
  let demo: ServedDemo;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    demo = await buildAndServe();
    browser = await launchChromium({ webgpu: false });
    page = await browser.newPage({ viewport: { width: 1240, height: 900 } });
    errors = watchErrors(page);
    await page.goto(demo.url);
    await page.waitForFunction(() => (window.bayesDemo?.posterior?.drawLog.length ?? 0) > 0 && document.body.dataset.posterior === 'idle',
      null, { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** Chooses a typed expression on a box and clicks "Use it". */
  async function useExpression(expr: string, box = ['-2', '2', '-2', '2']): Promise<void> {
    await page.selectOption('#fn', 'custom');
    await page.fill('#custom-expr', expr);
    for (const [i, id] of ['custom-xlo', 'custom-xhi', 'custom-ylo', 'custom-yhi'].entries()) await page.fill(`#${id}`, box[i]);
    await page.click('#custom-apply');
    await page.waitForFunction(idle);
  }

  it('a refused expression is not stepped past: Step shows the error again and steps nothing', async () => {
    await page.click('#step');
    await page.waitForFunction(idle);
    const before = await observations(page);
    expect(before).toBeGreaterThan(0);
    await useExpression('x +');
    expect(await errorText(page)).toBe('expression: unexpected end of input at position 4');
    for (const button of ['#step', '#run']) {
      await page.click(button);
      await page.waitForFunction(idle);
      expect(await errorText(page), button).toBe('expression: unexpected end of input at position 4');
      expect(await observations(page), button).toBeNull(); // the Branin session is gone, not stepped
    }
    // corrected, Step starts the typed function
    await page.fill('#custom-expr', 'x^2 + y^2');
    await page.click('#step');
    await page.waitForFunction(idle);
    expect(await errorText(page)).toBe('');
    expect(await page.evaluate(() => window.bayesDemo.posterior!.session!.problem.label)).toBe('f(x, y) = x^2 + y^2');
  }, 60_000);

  it('an emptied bound or seed is refused, not read as 0', async () => {
    await useExpression('x + y', ['', '2', '-2', '2']);
    expect(await errorText(page)).toBe('x low: expected a number, got ""');
    await useExpression('x + y');
    expect(await errorText(page)).toBe('');
    await page.fill('#seed', '');
    await page.click('#reset');
    await page.waitForFunction(idle);
    expect(await errorText(page)).toMatch(/: expected an integer in 0\.\.2147483647, got ""$/);
    await page.fill('#seed', '1');
  }, 60_000);

  it('a refused ξ or seed is said again by Step, not stepped over; a new seed starts a new session; a box too wide for doubles is a typing mistake', async () => {
    await useExpression('x^2 + y^2');
    await page.click('#step');
    await page.waitForFunction(idle);
    const n = await observations(page);
    await page.fill('#acq-param', '-1');
    await page.press('#acq-param', 'Tab');
    await page.waitForFunction(idle);
    expect(await errorText(page)).toBe('ξ: expected a number >= 0, got "-1"');
    await page.click('#step');
    await page.waitForFunction(idle);
    expect(await errorText(page)).toBe('ξ: expected a number >= 0, got "-1"');
    expect(await observations(page)).toBe(n); // not stepped with the old ξ
    await page.fill('#acq-param', '0.01');
    await page.press('#acq-param', 'Tab');
    await page.waitForFunction(idle);
    await page.fill('#seed', '-5');
    await page.click('#step');
    await page.waitForFunction(idle);
    expect(await errorText(page)).toBe('seed: expected an integer in 0..2147483647, got "-5"');
    expect(await observations(page)).toBeNull();
    // a valid new seed: Step starts a session from it (its initial design, then one step)
    await page.fill('#seed', '7');
    await page.click('#step');
    await page.waitForFunction(idle);
    expect(await errorText(page)).toBe('');
    const seeded = await page.evaluate(() => window.bayesDemo.posterior!.session!.observations.map((o) => [o.x1, o.x2]));
    await page.click('#reset');
    await page.waitForFunction(idle);
    await page.click('#step');
    await page.waitForFunction(idle);
    expect(await page.evaluate(() => window.bayesDemo.posterior!.session!.observations.map((o) => [o.x1, o.x2]))).toEqual(seeded);
    await page.fill('#seed', '1');
    await useExpression('x^2 + y^2', ['-1e308', '1e308', '-2', '2']);
    expect(await errorText(page)).toBe('bounds of x: high - low overflows (got [-1e+308, 1e+308]); keep the width below 1.7e308');
    expect(await page.evaluate(() => window.bayesDemo.errors)).toEqual([]);
  }, 120_000);

  it('a function infinite somewhere on the grid is refused with the cell, not shown as f* = -Infinity', async () => {
    await useExpression('-1/abs(x-y)');
    expect(await errorText(page)).toMatch(/^f\(-?[\d.e-]+, -?[\d.e-]+\) = -Infinity: the function must be finite everywhere in the box$/);
    expect(await page.evaluate(() => document.getElementById('bo-info')!.textContent)).not.toContain('Infinity');
    expect(await page.evaluate(() => window.bayesDemo.errors)).toEqual([]);
  }, 60_000);

  it('a refused function puts the suggestion time back and says the maps are the previous function\'s', async () => {
    await page.selectOption('#fn', 'branin');
    await page.click('#step');
    await page.waitForFunction(idle);
    const shown = await page.evaluate(() => document.querySelector('[data-key="suggest"] .value')!.textContent);
    expect(shown).not.toBe('fitting the GP…');
    await useExpression('log(x)');
    expect(await errorText(page)).toMatch(/= NaN: the function must be finite everywhere in the box$/);
    expect(await page.evaluate(() => document.querySelector('[data-key="suggest"] .value')!.textContent)).toBe(shown);
    expect(await page.evaluate(() => document.getElementById('bo-info')!.textContent))
      .toBe('The function was refused (see the error); the maps show the previous one.');
  }, 60_000);

  it('Run N steps yields between steps: Stop ends it after the step in progress', async () => {
    await page.selectOption('#fn', 'branin');
    await page.click('#step');
    await page.waitForFunction(idle);
    const before = (await observations(page))!;
    await page.fill('#run-n', '60');
    await page.click('#run');
    // the page takes the click while the run goes on (it held the tab to its last step)
    await page.waitForFunction(() => /^step [2-9] \/ 60$/.test(document.getElementById('progress')!.textContent ?? ''), null, { timeout: 60_000 });
    await page.click('#stop', { timeout: 5_000 });
    await page.waitForFunction(idle, null, { timeout: 60_000 });
    const ran = (await observations(page))! - before;
    expect(ran).toBeGreaterThanOrEqual(2);
    expect(ran).toBeLessThan(60);
    expect(await page.evaluate(() => window.bayesDemo.errors)).toEqual([]);
  }, 120_000);

  it('fits a 600 px wide window: nothing overflows sideways', async () => {
    await page.setViewportSize({ width: 600, height: 900 });
    try {
      // the charts follow a resize on their next frame (Chart.js's resize observer): give them a moment
      await page.waitForFunction(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth, null, { timeout: 5_000 }).catch(() => undefined);
      const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(w.scroll).toBeLessThanOrEqual(w.client);
    } finally {
      await page.setViewportSize({ width: 1240, height: 900 });
    }
  });

  it('a tuning run stops on Stop: its settings are locked meanwhile, the finished trials stay', async () => {
    await page.fill('#budget', '50');
    await page.fill('#epochs', '50');
    await page.fill('#rows', '300');
    // with a pruner, a training cut short is told to stop as a pruned one is: it came back as a "pruned" trial after the stop
    await page.selectOption('#tune-pruner', 'median');
    await page.click('#tune');
    await page.waitForFunction(() => document.body.dataset.tuning === 'running');
    expect(await page.evaluate(() => ['budget', 'epochs', 'tune-study', 'use-bayes'].map((id) => (document.getElementById(id) as HTMLInputElement).disabled)))
      .toEqual([true, true, true, true]);
    expect(await page.locator('#tune-stop').isVisible()).toBe(true);
    // an epoch or two trained, then stopped
    await page.waitForFunction(() => /epoch [1-9]/.test(document.getElementById('tune-progress')!.textContent ?? ''), null, { timeout: 120_000 });
    const t0 = Date.now();
    await page.click('#tune-stop');
    await page.waitForFunction(() => document.body.dataset.tuning === 'stopped', null, { timeout: 60_000 });
    const ms = Date.now() - t0;
    const after = await page.evaluate(() => ({
      progress: document.getElementById('tune-progress')!.textContent,
      error: document.getElementById('tune-error')!.hidden,
      tune: (document.getElementById('tune') as HTMLButtonElement).disabled,
      budget: (document.getElementById('budget') as HTMLInputElement).disabled,
      stop: document.getElementById('tune-stop')!.hidden,
      errors: window.bayesDemo.errors,
    }));
    expect(after).toMatchObject({ error: true, tune: false, budget: false, stop: true, errors: [] });
    expect(after.progress).toMatch(/^stopped after \d+ trial\(s\)$/);
    // the trainings cut short have ended by then: nothing of them lands in the table or the progress line later
    // (one was labelled pruned and written into the next run's table)
    const rows = await page.locator('#trials tbody tr').count();
    await page.waitForTimeout(3000);
    expect(await page.locator('#trials tbody tr').count()).toBe(rows);
    expect(await page.evaluate(() => document.getElementById('tune-progress')!.textContent)).toBe(after.progress);
    // at most the batch in flight finishes: far from 50 trials x 50 epochs
    console.log(`[demo] tuning stopped ${ms} ms after Stop`);
    expect(errors).toEqual([]);
  }, 240_000);
});
