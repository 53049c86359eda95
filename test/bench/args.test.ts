/**
 * The benchmarks' flags are checked before any work: a value a benchmark
 * cannot use ends it at once with `error: --flag: ...` and exit code 2 (not
 * a table of NaN with exit 0, a stack trace, or a crash after the run), and
 * JSON goes into a folder made for it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'bench-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs bench/<file> with `args` through tsx; exit code, stdout, stderr. */
function bench(file: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${file}`, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('benchmark flags', () => {
  it.each([
    ['regret.ts', ['--seeds', '0'], 'error: --seeds: expected an integer >= 1, got "0"'],
    ['regret.ts', ['--methods', 'nope'], 'error: --methods: unknown "nope" (known: bo, random)'],
    ['regret.ts', ['--bogus', '1'], "error: Unknown option '--bogus'"],
    ['parallel.ts', ['--methods', 'sequential,async-x'], 'error: --methods: unknown async-x (known: sequential, random, batch-4, concurrency-4, async-k, procs-k for a k >= 1)'],
    ['pruning.ts', ['--trials', '60'], 'error: --measure-from: 1000 leaves no trial to measure in a study of --trials 60'],
    ['storage.ts', ['--sizes', 'abc'], 'error: --sizes: expected an integer >= 1, got "abc"'],
    // these three threw from inside the first run (exit 1, a stack trace)
    ['parallel.ts', ['--pending', 'bogus'], 'error: --pending: expected one of believer, lcb-believer, liar, fantasy, fantasies, qei, penalization, refit-liar, got "bogus"'],
    ['pruned-model.ts', ['--modes', 'last,bogus'], 'error: --modes: unknown "bogus" (known: worst, last, extrapolate, ignore, fidelity, random)'],
    ['failures.ts', ['--policies', 'worst,bogus'], 'error: --policies: unknown "bogus" (known: worst, below-worst, ignore)'],
  ])('%s %j: exit 2 naming the flag', (file, args, message) => {
    const r = bench(file, ...args);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(message);
    expect(r.out).toBe('');
  });

  it('writes the JSON into a folder it makes', () => {
    const out = join(dir, 'new', 'folder', 'failures.json');
    const r = bench('failures.ts', '--seeds', '1', '--init', '3', '--guided', '1', '--policies', 'worst', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${out}`);
    expect(existsSync(out)).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8')).seeds).toBe(1);
  });
});
