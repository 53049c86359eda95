/**
 * The README's quick start runs as written (with the package import pointed
 * at the source) and finds the optimum it promises.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'bayesopt-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs the quick start', () => {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('## Quick start');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  expect(block).not.toBeNull();
  const src = resolve('src/index.ts');
  const code = block![1].replace(`from 'webgpu-bayesopt'`, `from ${JSON.stringify(src)}`)
    + '\nconsole.log("RESULT " + JSON.stringify({ max: opt.max, n: opt.res.length }));\nprocess.exit(0);\n';
  const file = join(dir, 'quick-start.mts');
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 300_000 });
  expect(r.status, r.stderr).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  const { max, n } = JSON.parse(line!.slice(7));
  expect(n).toBe(30);
  expect(max.target).toBeGreaterThan(-3.05);
  expect(r.stdout).toMatch(/\|   iter    \|  target   \|     x     \|     y     \|/);
  // opt.recommend(): the trial the GP rates best, with the model's estimate near the optimum of -3
  expect(r.stdout).toMatch(/predicted: -(2\.9\d|3\.0[0-4])/);
});
