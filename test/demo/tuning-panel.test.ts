/**
 * The tuning panel's own messages and what a run leaves behind, in headless
 * Chromium without WebGPU (CPU engine, wasm training, small taxi runs): an
 * error is shown under the panel's controls (the page's banner was a screen
 * above), each panel's errors are its own, a typo in the next run's settings
 * leaves the previous run's table, winner and Report, and Stop takes the
 * curves of the trainings it cut short off the chart (they have no row).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildAndServe, chromiumAvailable, launchChromium, watchErrors, type ServedDemo } from './browser';

/** A message box's text, '' while hidden. */
const shown = (page: Page, id: string) => page.evaluate((i) => {
  const el = document.getElementById(i)!;
  return el.hidden ? '' : (el.textContent ?? '');
}, id);
const tuning = (page: Page) => page.evaluate(() => document.body.dataset.tuning);
/** The learning-curve chart's series labels and the table's trial names. */
const curvesAndRows = (page: Page) => page.evaluate(() => {
  const t = window.bayesDemo.tuning as unknown as { curvesChart: { chart: { data: { datasets: { label: string }[] } } } };
  return {
    curves: t.curvesChart.chart.data.datasets.map((d) => d.label),
    rows: Array.from(document.querySelectorAll('#trials tbody tr')).map((tr) => (tr as HTMLTableRowElement).cells[0].textContent ?? ''),
  };
});

describe.skipIf(!chromiumAvailable())('demo tuning panel: its messages, a typo after a run, Stop', () => {
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
    await page.waitForFunction(() => window.bayesDemo?.tuning !== undefined && document.body.dataset.posterior === 'idle', null, { timeout: 120_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  async function settings(o: { budget: number; epochs: number; rows: number; concurrency: number }): Promise<void> {
    await page.selectOption('#tune-study', 'taxi');
    await page.selectOption('#tune-pruner', 'none');
    await page.selectOption('#tune-concurrency', String(o.concurrency));
    await page.fill('#budget', String(o.budget));
    await page.fill('#epochs', String(o.epochs));
    await page.fill('#rows', String(o.rows));
    for (const s of ['bayes', 'grid']) await page.setChecked(`#use-${s}`, false);
  }

  async function step(): Promise<void> {
    await page.click('#step');
    await page.waitForFunction(() => document.body.dataset.posterior === 'idle');
  }

  it('shows a refused setting under its controls, in view where Run was clicked; each panel\'s errors are its own', async () => {
    await settings({ budget: 1, epochs: 1, rows: 50, concurrency: 1 });
    await page.locator('#tune').scrollIntoViewIfNeeded();
    await page.click('#tune');
    await page.waitForFunction(() => document.body.dataset.tuning === 'error');
    const budgetError = 'budget: expected an integer in 2..50, got "1"';
    expect(await shown(page, 'tune-error')).toBe(budgetError);
    expect(await shown(page, 'error')).toBe(''); // not the page's banner, 800 px up
    const box = await page.evaluate(() => {
      const r = document.getElementById('tune-error')!.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, height: r.height, viewport: innerHeight };
    });
    expect(box.height).toBeGreaterThan(0);
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.bottom).toBeLessThanOrEqual(box.viewport);
    // the posterior panel's own error, and its next Step, leave the tuning panel's message alone
    await page.fill('#seed', '-5');
    await step();
    expect(await shown(page, 'posterior-error')).toBe('seed: expected an integer in 0..2147483647, got "-5"');
    expect(await shown(page, 'tune-error')).toBe(budgetError);
    await page.fill('#seed', '1');
    await step();
    expect(await shown(page, 'posterior-error')).toBe('');
    expect(await shown(page, 'tune-error')).toBe(budgetError);
    // and a tuning run leaves the posterior panel's
    await page.fill('#seed', '-5');
    await step();
    await settings({ budget: 2, epochs: 1, rows: 50, concurrency: 1 });
    await page.click('#tune');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.tuning ?? ''), null, { timeout: 120_000 });
    expect(await tuning(page)).toBe('done');
    expect(await shown(page, 'tune-error')).toBe('');
    expect(await shown(page, 'posterior-error')).toBe('seed: expected an integer in 0..2147483647, got "-5"');
    await page.fill('#seed', '1');
    expect(await page.evaluate(() => window.bayesDemo.errors)).toEqual([]);
  }, 180_000);

  it('a typo in the next run\'s settings is said without touching the run shown: its table, winner and Report stay', async () => {
    await settings({ budget: 2, epochs: 1, rows: 50, concurrency: 1 });
    await page.click('#tune');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.tuning ?? ''), null, { timeout: 120_000 });
    expect(await tuning(page)).toBe('done');
    const before = await curvesAndRows(page);
    expect(before.rows).toEqual(['random #1', 'random #2']);
    const winner = await page.textContent('#winner');
    expect(winner).toContain('Winning configuration');
    expect(await page.textContent('#tune-report')).toBe('Report (random search)');
    await page.fill('#budget', '0');
    await page.click('#tune');
    await page.waitForFunction(() => document.body.dataset.tuning === 'error');
    expect(await page.locator('#tune-report').isVisible()).toBe(true);
    expect(await page.textContent('#tune-report')).toBe('Report (random search)');
    expect(await curvesAndRows(page)).toEqual(before);
    expect(await page.textContent('#winner')).toBe(winner);
    expect(await page.evaluate(() => window.bayesDemo.tuning!.result?.trials.random.length)).toBe(2);
    // nothing was locked for a run that never started
    expect(await page.evaluate(() => ['tune', 'budget', 'epochs'].map((id) => (document.getElementById(id) as HTMLInputElement).disabled)))
      .toEqual([false, false, false]);
    expect(await page.locator('#tune-stop').isVisible()).toBe(false);
    expect(await shown(page, 'tune-error')).toBe('budget: expected an integer in 2..50, got "0"');
  }, 60_000);

  it('Stop takes the curves of the trainings it cut short off the chart, and the winner box says why it is empty', async () => {
    // long trainings, 2 at once: when the first has finished, another is mid-way
    await settings({ budget: 50, epochs: 20, rows: 100, concurrency: 2 });
    await page.click('#tune');
    await page.waitForFunction(() => document.body.dataset.tuning === 'running');
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('#trials tbody tr').length;
      const t = window.bayesDemo.tuning as unknown as { curves: unknown[] };
      return rows >= 1 && t.curves.length > rows;
    }, null, { timeout: 180_000 });
    const during = await page.textContent('#winner');
    await page.click('#tune-stop');
    await page.waitForFunction(() => document.body.dataset.tuning === 'stopped', null, { timeout: 60_000 });
    const after = await curvesAndRows(page);
    expect(after.rows.length).toBeGreaterThanOrEqual(1);
    expect(after.rows.length).toBeLessThan(50);
    // one curve per row (curves in the order they started, rows as they finished); no curve without a row
    expect([...after.curves].sort()).toEqual([...after.rows].sort());
    // not emptied, as it was: while it ran, and once stopped, the box says why it holds no winner
    expect(during).toBe('The winning configuration appears here when the run ends.');
    expect(await page.textContent('#winner')).toBe('Stopped: a stopped run picks no winner (its finished trials are in the table).');
    expect(await page.locator('#tune-report').isVisible()).toBe(false);
    expect(await shown(page, 'tune-error')).toBe('');
    expect(errors).toEqual([]);
  }, 240_000);
});
