/**
 * The built page ships a subset of the real digits as static assets, and the
 * tuning panel's loader reads them from the page's own server (no network).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, DEMO_ASSETS_FILE, DEMO_DIGITS_PER_CLASS } from '../../scripts/build-demo.mjs';
import { serveDemo, type DemoServer } from '../../scripts/serve-demo.mjs';
import { classCounts, loadMnistJson, mnistPackageDir } from '../../src/data';
import { loadDigitsSplits } from '../../demo/src/tuning';

const out = mkdtempSync(join(tmpdir(), 'demo-digits-'));
let server: DemoServer;

beforeAll(async () => {
  await buildDemo({ outDir: out, minify: false });
  server = await serveDemo({ root: out, port: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(out, { recursive: true, force: true });
});

describe('demo digits assets', () => {
  it('copies the first digits of each class from the mnist package into digits/, and says how many in its manifest', async () => {
    const pkg = mnistPackageDir();
    const manifest = JSON.parse(readFileSync(join(out, DEMO_ASSETS_FILE), 'utf8'));
    if (pkg === null) {
      expect(existsSync(join(out, 'digits'))).toBe(false);
      expect(manifest).toEqual({ digits: 0 });
      return;
    }
    expect(manifest).toEqual({ digits: 10 * DEMO_DIGITS_PER_CLASS });
    const shipped = await loadMnistJson(join(out, 'digits'));
    expect(classCounts(shipped.labels, 10)).toEqual(new Array(10).fill(DEMO_DIGITS_PER_CLASS));
    const source = await loadMnistJson(pkg, { limit: DEMO_DIGITS_PER_CLASS });
    expect(shipped.x).toEqual(source.x);
  });

  it('the panel loads them over the page\'s own server and splits them stratified (generated digits without them)', async () => {
    const d = await loadDigitsSplits(`${server.url.replace(/\/?$/, '/')}digits/`);
    if (mnistPackageDir() === null) {
      expect(d.source).toBe('generated digits');
      return;
    }
    expect(d.source).toBe(`real MNIST digits (${10 * DEMO_DIGITS_PER_CLASS})`);
    const { train, val, test } = d.splits;
    expect([train.height, train.width]).toEqual([28, 28]);
    expect(classCounts(test.labels, 10)).toEqual(new Array(10).fill(DEMO_DIGITS_PER_CLASS * 0.2));
    expect(train.n + val.n + test.n).toBe(10 * DEMO_DIGITS_PER_CLASS);
  });

  it('built without them (digits: false), the page has no digits/ and its manifest says 0', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'demo-nodigits-'));
    try {
      await buildDemo({ outDir: bare, minify: false, digits: false });
      expect(existsSync(join(bare, 'digits'))).toBe(false);
      expect(JSON.parse(readFileSync(join(bare, DEMO_ASSETS_FILE), 'utf8'))).toEqual({ digits: 0 });
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  }, 120_000);

  it('with null for their folder (the manifest said none), generated digits, nothing fetched', async () => {
    const d = await loadDigitsSplits(null);
    expect(d.source).toBe('generated digits');
    expect(d.splits.train.n).toBeGreaterThan(0);
  });

  it('falls back to generated digits when the page has none', async () => {
    const d = await loadDigitsSplits(`${server.url.replace(/\/?$/, '/')}no-digits-here/`);
    expect(d.source).toBe('generated digits');
    expect(d.splits.train.n).toBeGreaterThan(0);
  });
});
