/**
 * The browser journal backend in a real Chromium (headless, via
 * playwright-core): OPFS, IndexedDB, Web Locks, several tabs on one journal.
 * Skipped when no Chromium executable is found (set CHROMIUM_PATH to point at one).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const executable = CANDIDATES.find((p): p is string => !!p && existsSync(p));
const ORIGIN = 'http://localhost:4173';

describe.skipIf(!executable)('browser journal in Chromium', () => {
  let browser: Browser;
  let ctx: BrowserContext;

  beforeAll(async () => {
    const out = await build({
      entryPoints: [fileURLToPath(new URL('../../src/storage/index.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      globalName: 'BayesStorage',
      platform: 'browser',
      external: ['node:*'],
      write: false,
      logLevel: 'silent',
    });
    const bundle = out.outputFiles[0].text;
    browser = await chromium.launch({ executablePath: executable, headless: true, args: ['--no-sandbox'] });
    ctx = await browser.newContext();
    await ctx.route(`${ORIGIN}/**`, (route) => {
      const js = route.request().url().endsWith('/storage.js');
      return route.fulfill({
        contentType: js ? 'text/javascript' : 'text/html',
        body: js ? bundle : '<!doctype html><script src="/storage.js"></script>',
      });
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function tab(): Promise<Page> {
    const page = await ctx.newPage();
    await page.goto(`${ORIGIN}/`);
    return page;
  }

  it('runs a study on OPFS and on IndexedDB, and reads it back', async () => {
    const page = await tab();
    const result = await page.evaluate(async () => {
      const { Journal, BrowserJournalBackend } = (globalThis as any).BayesStorage;
      const out: Record<string, unknown> = {};
      for (const store of ['opfs', 'indexeddb']) {
        const name = `round-${store}.jsonl`;
        const j = await Journal.open(await BrowserJournalBackend.open(name, { store }), { space: { x: { type: 'float', low: 0, high: 1 } } });
        for (let i = 0; i < 3; i++) {
          const { trial } = await j.ask({ x: i / 4 }, { rng: [i, 0, 0, 1] });
          await j.tell(trial.id, { target: i === 1 ? NaN : i });
        }
        await j.ask({ x: 0.9 });
        await j.close();
        const backend = await BrowserJournalBackend.open(name, { store });
        const s = await (await Journal.open(backend)).load();
        out[store] = {
          kind: backend.kind,
          trials: s.trials.map((t: any) => [t.id, t.status, t.target]),
          rng: s.rngState,
          skipped: s.skipped,
          lines: (await backend.readAll()).split('\n').length,
        };
      }
      return out;
    });
    for (const store of ['opfs', 'indexeddb']) {
      expect(result[store]).toEqual({
        kind: store,
        trials: [
          [0, 'complete', 0],
          [1, 'failed', null],
          [2, 'complete', 2],
          [3, 'pending', null],
        ],
        rng: [2, 0, 0, 1],
        skipped: [],
        lines: 13, // create study and 2 study attrs, 4 asks, 3 tells (one with its failure reason), the close's mark (trial 3 left pending), final ''
      });
    }
    await page.close();
  });

  it('two tabs asking at the same time get distinct ids; a closed tab`s trial becomes orphaned, is failed and retried', async () => {
    const [p1, p2] = await Promise.all([tab(), tab()]);
    const work = (page: Page): Promise<number[]> =>
      page.evaluate(async () => {
        const { Journal } = (globalThis as any).BayesStorage;
        const j = await Journal.open('shared.jsonl');
        const ids: number[] = [];
        for (let i = 0; i < 15; i++) {
          const { trial } = await j.ask({ x: Math.random() });
          ids.push(trial.id);
          await j.tell(trial.id, { target: i });
        }
        return ids;
      });
    const [a, b] = await Promise.all([work(p1), work(p2)]);
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));

    // p1 asks and is closed without telling; p2 sees the trial as orphaned, fails it and retries its params as a new trial
    const asked = await p1.evaluate(async () => {
      const { Journal } = (globalThis as any).BayesStorage;
      const j = await Journal.open('shared.jsonl');
      const { trial } = await j.ask({ x: 0.5 });
      return trial.id as number;
    });
    const before = await p2.evaluate(async () => {
      const { Journal } = (globalThis as any).BayesStorage;
      return (await (await Journal.open('shared.jsonl')).load()).orphaned.map((t: any) => t.id);
    });
    expect(before).toEqual([]);
    await p1.close();
    // a closed tab`s locks are released asynchronously: poll (for up to a minute on a loaded machine)
    let after: { orphaned: number[]; failed: unknown; retry: unknown; skipped: number } | undefined;
    for (const t0 = Date.now(); Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 50))) {
      after = await p2.evaluate(async () => {
        const { Journal } = (globalThis as any).BayesStorage;
        const j = await Journal.open('shared.jsonl');
        const s = await j.load();
        const re = s.orphaned.length ? await j.reclaim(s.orphaned[0].id) : null;
        await j.close();
        return {
          orphaned: s.orphaned.map((t: any) => t.id), skipped: s.skipped.length,
          failed: re && [re.failed.id, re.failed.status], retry: re && [re.retry.id, re.retry.retryOf, re.retry.params.x],
        };
      });
      if (after.orphaned.length) break;
    }
    expect(after).toEqual({ orphaned: [asked], failed: [asked, 'failed'], retry: [asked + 1, asked, 0.5], skipped: 0 });
    await p2.close();
  });

  it('IndexedDB deleted by a page while a journal is open: the open journal lets it go and says so, and opening again does not hang', async () => {
    const page = await tab();
    const result = await page.evaluate(async () => {
      const { Journal, BrowserJournalBackend } = (globalThis as any).BayesStorage;
      const space = { x: { type: 'float', low: 0, high: 1 } };
      const j = await Journal.open(await BrowserJournalBackend.open('vc.jsonl', { store: 'indexeddb' }), { space });
      await j.ask({ x: 0.5 });
      const deleted = await new Promise<string>((resolve) => {
        const r = indexedDB.deleteDatabase('webgpu-bayesopt-journals');
        r.onsuccess = () => resolve('deleted');
        r.onerror = () => resolve('error');
        setTimeout(() => resolve('still blocked after 5 s'), 5000);
      });
      const later = await j.ask({ x: 0.25 }).then(() => 'asked', (e: Error) => `${e.name}: ${e.message}`);
      const again = await Promise.race([
        BrowserJournalBackend.open('vc.jsonl', { store: 'indexeddb' }).then(async (b: any) => { await b.close(); return 'opened'; }),
        new Promise((resolve) => setTimeout(() => resolve('hung'), 5000)),
      ]);
      return { deleted, later, again };
    });
    expect(result.deleted).toBe('deleted');
    expect(result.later).toMatch(/^StorageError: .*IndexedDB "webgpu-bayesopt-journals" was deleted or upgraded by another page while open/);
    expect(result.again).toBe('opened');
    await page.close();
  }, 30_000);
});
