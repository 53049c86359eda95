/** Python's Optuna as the peer of the interop tests: running Python, and journal files in temporary folders. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'vitest';
import { useTempDirs } from './temp-dirs';

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
  const dir = useTempDirs('optuna-interop-');
  return () => join(dir(), 'journal.log');
}

/**
 * Runs `code` in python3 after a prelude that imports json, sys and optuna
 * (warnings and logging quiet) and opens `storage`, the journal file at
 * `path` (sys.argv[1]; `args` follow); its stdout.
 */
export function pythonOnJournal(code: string, path: string, ...args: string[]): string {
  const prelude = `import json, sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
`;
  return python(prelude + code, [path, ...args]);
}
