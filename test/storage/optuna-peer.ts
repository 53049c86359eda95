/** Python's Optuna as the peer of the interop tests: running Python, and journal files in temporary folders. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, it } from 'vitest';

export const PYTHON = '/usr/bin/python3';
const hasOptuna = spawnSync(PYTHON, ['-c', 'import optuna'], { encoding: 'utf8' }).status === 0;
// In CI (scripts/setup.sh installs python3-optuna) a missing Optuna fails these tests instead of skipping them.
export const maybe = hasOptuna || process.env.CI ? it : it.skip;

/** Runs `code` with `args` in python3; its stdout (an Error with its stderr when it fails). */
export function python(code: string, args: string[]): string {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Call at a test file's top level: a maker of journal paths in fresh temporary folders, removed after each test. */
export function useJournalPaths(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), 'optuna-interop-'));
    dirs.push(d);
    return join(d, 'journal.log');
  };
}
