/**
 * Shared pieces of the browser tests: the built demo served on an ephemeral
 * port, headless Chromium (Debian's, driven by playwright-core) with WebGPU
 * on SwiftShader, console-error collection and screenshots.
 *
 * Policy: with CI=true a missing Chromium or a page without a WebGPU adapter
 * fails the tests (CI installs Chromium); elsewhere those tests skip.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildDemo } from '../../scripts/build-demo.mjs';
import { serveDemo, type DemoServer } from '../../scripts/serve-demo.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const IN_CI = process.env.CI === 'true';
export const SCREENSHOT_DIR = 'test-output/screenshots';
export const DOCS_SCREENSHOT_DIR = 'docs/screenshots';
/** Screenshots committed for the README stay small. */
export const MAX_DOCS_SCREENSHOT_BYTES = 300 * 1024;

/**
 * Flags for headless Chromium. `--enable-unsafe-webgpu` exposes WebGPU on
 * Linux (on SwiftShader where there is no GPU); the rest keep a test run
 * quiet and offline.
 */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--no-sandbox'];
const QUIET_ARGS = [
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-quic', '--disable-gpu-sandbox',
];

/** Whether Chromium is installed; with CI=true its absence throws. */
export function chromiumAvailable(): boolean {
  const found = existsSync(CHROMIUM_PATH);
  if (!found && IN_CI) {
    throw new Error(`CI=true but Chromium is missing at ${CHROMIUM_PATH}; install Debian's "chromium" package (scripts/setup.sh does)`);
  }
  return found;
}

export function launchChromium(opts: { webgpu: boolean }): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...(opts.webgpu ? WEBGPU_ARGS : ['--no-sandbox', '--disable-features=WebGPU']), ...QUIET_ARGS],
  });
}

/** The demo built into a temporary folder and served on 127.0.0.1. */
export interface ServedDemo extends DemoServer {
  root: string;
  stop(): Promise<void>;
}

/** `digits: false` builds the page as without the mnist package (generated digits). */
export async function buildAndServe(opts: { digits?: boolean } = {}): Promise<ServedDemo> {
  const root = mkdtempSync(join(tmpdir(), 'demo-dist-'));
  await buildDemo({ outDir: root, digits: opts.digits });
  const server = await serveDemo({ root, port: 0 });
  return {
    ...server, root,
    async stop() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Collects console errors and uncaught page errors. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Whether the page's origin offers a WebGPU adapter; with CI=true its absence throws. */
export async function pageHasWebGpu(page: Page): Promise<boolean> {
  const why = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) return 'navigator.gpu is missing';
    return (await gpu.requestAdapter()) ? null : 'navigator.gpu.requestAdapter() returned null';
  });
  if (why !== null && IN_CI) throw new Error(`CI=true but the page has no WebGPU: ${why}`);
  return why === null;
}

/**
 * Saves a PNG screenshot to test-output/screenshots/<name>.png. With `docs`,
 * asserts it is small enough for the README and copies it to
 * docs/screenshots/ when that copy is missing or UPDATE_SCREENSHOTS=1 (so a
 * plain test run leaves the committed images alone).
 */
export async function screenshot(
  page: Page, name: string, opts: { selector?: string; fullPage?: boolean; docs?: boolean } = {},
): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  if (opts.selector) await page.locator(opts.selector).screenshot({ path });
  else await page.screenshot({ path, fullPage: opts.fullPage ?? false });
  if (opts.docs) {
    const size = statSync(path).size;
    if (size > MAX_DOCS_SCREENSHOT_BYTES) {
      throw new Error(`screenshot ${name}: ${size} bytes, over the ${MAX_DOCS_SCREENSHOT_BYTES}-byte limit for docs/`);
    }
    const target = join(DOCS_SCREENSHOT_DIR, `${name}.png`);
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(target)) {
      mkdirSync(DOCS_SCREENSHOT_DIR, { recursive: true });
      copyFileSync(path, target);
    }
  }
  return path;
}
