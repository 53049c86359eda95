/**
 * Every `npm run bench:*` flag goes through bench/args.ts and is checked
 * before any work: each case below once ran on (a table of NaN, the full
 * default grid for an empty list, a row run twice) or ended in a stack trace
 * or crash mid-run or after the run, losing what it measured.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { intListFlag, jsonObjectFlag, listFlag, outFlag, workersFlag } from '../../bench/args';

const dir = mkdtempSync(join(tmpdir(), 'bench-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missing = join(dir, 'missing.json');
const notJson = join(dir, 'not.json');
writeFileSync(notJson, 'not json');
const otherBudget = join(dir, 'budget-99.json');
writeFileSync(otherBudget, JSON.stringify({ seeds: 10, seed0: 1000, budget: 99, init: 8, pending: 'believer', options: {}, rows: [] }));

/** Runs `cmd args` (a bench script); exit code, stdout, stderr. */
function run(cmd: string, args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const tsx = (file: string, args: string[]) => run(process.execPath, ['--import', 'tsx', `bench/${file}`, ...args]);

/** What `fn` printed when it ended the run with exit code 2 (it must). */
function failure(fn: () => unknown): string {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
    throw new Error(`exit ${code}`);
  }) as never);
  try {
    fn();
    return 'no failure';
  } catch (e) {
    expect((e as Error).message).toBe('exit 2');
    return err.mock.calls.map((c) => c.join(' ')).join('\n');
  } finally {
    err.mockRestore();
    exit.mockRestore();
  }
}

describe('shared flag checks (bench/args.ts)', () => {
  it('lists: an empty item or an item given twice is refused; --methods \'\' where a script allows none', () => {
    expect(failure(() => listFlag('problems', 'branin,'))).toBe('error: --problems: an empty item in "branin," (expected a comma-separated list)');
    expect(failure(() => listFlag('problems', ''))).toBe('error: --problems: expected a comma-separated list, got ""');
    expect(failure(() => listFlag('methods', 'bo, bo', ['bo', 'random']))).toBe('error: --methods: "bo" given twice');
    expect(failure(() => intListFlag('n', '64,064'))).toBe('error: --n: 64 given twice');
    expect(listFlag('methods', '', undefined, { none: true })).toEqual([]);
    expect(intListFlag('d', '8,8', 1, { repeats: true })).toEqual([8, 8]);
  });

  it('--out: a file path, not \'\', a folder or a path under a file', () => {
    expect(failure(() => outFlag('out', ''))).toBe('error: --out: expected a file path, got ""');
    expect(failure(() => outFlag('out', dir))).toBe(`error: --out: ${JSON.stringify(dir)} is a folder, expected a file path`);
    expect(failure(() => outFlag('out', `${notJson}/x.json`))).toBe(`error: --out: ${JSON.stringify(notJson)} is a file, not a folder to write into`);
    expect(outFlag('out', join(dir, 'new', 'x.json'))).toBe(join(dir, 'new', 'x.json'));
  });

  it('JSON options must be an object; workers \'auto\' or 0..64', () => {
    expect(failure(() => jsonObjectFlag('opt', '"abc"'))).toBe('error: --opt: expected a JSON object, got "abc"');
    expect(failure(() => jsonObjectFlag('opt', '[1]'))).toBe('error: --opt: expected a JSON object, got [1]');
    expect(failure(() => jsonObjectFlag('opt', '{'))).toMatch(/^error: --opt: not JSON \(/);
    expect(jsonObjectFlag('opt', '{"acquisition":"ei"}')).toEqual({ acquisition: 'ei' });
    expect(failure(() => workersFlag('workers', '65'))).toBe('error: --workers: expected \'auto\' or an integer from 0 to 64, got "65"');
    expect(workersFlag('workers', 'auto')).toBe('auto');
    expect(workersFlag('workers', '0')).toBe(0);
  });
});

describe('benchmark flags, checked before any work', () => {
  const lengthscales = '{"gp":{"lengthscaleGroups":[0,0]}}';
  it.each([
    // an empty list ran the whole default grid; --steps abc wrote NaN, --steps 0 a TypeError; the rest stack traces after the engine was built
    ['suggest.ts', ['--n', ''], 'error: --n: expected a comma-separated list, got ""'],
    ['suggest.ts', ['--evaluations', '--n', '8', '--d', '2', '--steps', 'abc'], 'error: --steps: expected an integer >= 1, got "abc"'],
    ['suggest.ts', ['--engines', 'cpu', '--n', '8', '--d', '2', '--candidates', '0'], 'error: --candidates: expected an integer from 1 to 16777216, got "0"'],
    ['suggest.ts', ['--engines', 'cpu', '--n', '8', '--d', '2', '--fit-workers', 'x'], 'error: --fit-workers: expected \'auto\' or an integer from 0 to 64, got "x"'],
    // screening ran the first cell of --m 4096,x, then crashed; throughput took --budget abc as no cap
    ['screening.ts', ['--m', '4096,x'], 'error: --m: expected an integer >= 1, got "x"'],
    ['throughput.ts', ['--budget', 'abc'], 'error: --budget: expected a number >= 0, got "abc"'],
    // batch-4 with a budget of 5 crashed after the earlier methods' rows
    ['parallel.ts', ['--budget', '5', '--init', '2', '--methods', 'sequential,batch-4'], 'error: --budget: batch-4 runs rounds of 4 trials: 5 is not a multiple of 4'],
    ['parallel.ts', ['--methods', 'sequential,sequential'], 'error: --methods: "sequential" given twice'],
    ['parallel.ts', ['--with', missing], `error: --with: ${missing}: ENOENT: no such file or directory, open '${missing}'`],
    ['parallel.ts', ['--with', otherBudget], `error: --with: ${otherBudget}: other settings (budget 99, init 8, pending believer, options {})`],
    ['parallel.ts', ['--problems', 'branin,hartmann6', '--opt', lengthscales],
      'error: --opt: hartmann6: option "gp.lengthscaleGroups": expected 6 entries (one per encoded column of the space), got 2'],
    // --opt that suits branin but not hartmann6 finished branin's row, then crashed
    ['regret.ts', ['--problems', 'branin,hartmann6', '--opt', lengthscales],
      'error: --opt: hartmann6: option "gp.lengthscaleGroups": expected 6 entries (one per encoded column of the space), got 2'],
    ['regret.ts', ['--opt', '[1]'], 'error: --opt: expected a JSON object, got [1]'],
    ['regret.ts', ['--problems', 'branin,'], 'error: --problems: an empty item in "branin," (expected a comma-separated list)'],
    ['mixed.ts', ['--opt', '{"bogus":1}'], 'error: --opt: cat5-shift: option "bogus": unknown option (known: f, pbounds, space, randomState, direction, acquisition, verbose, engine, candidates, kernel, initDesign, outputWarping, refine, stallExploration, failedTrials, gp, journal, storage, studyName, pruner, prunedTrials, trialTimeoutMs, log, pending, initPoints, batchSelection, pendingKappa, pendingAcquisition)'],
    ['mixed.ts', ['--n', 'abc'], 'error: --n: expected an integer >= 1, got "abc"'],
    ['mixed.ts', ['--speed', '1'], 'error: --speed: expected an integer >= 2, got "1"'],
    // --out a folder or '' failed in writeJson after the whole run
    ['failures.ts', ['--out', 'bench'], 'error: --out: "bench" is a folder, expected a file path'],
    ['likelihood.ts', ['--out', ''], 'error: --out: expected a file path, got ""'],
    ['journal-run.ts', ['--trials', '5'], 'error: --trials: expected an integer >= 10, got "5"'],
    // checked only after the load benchmark had run (here hours of it: the spawn's timeout)
    ['storage.ts', ['--sizes', '100000', '--reps', '1000', '--file-steps', '0'], 'error: --file-steps: expected an integer >= 1, got "0"'],
    // five initial points are hard-coded: --trials 4 was an nIter of -1
    ['pruned-model.ts', ['--trials', '4'], 'error: --trials: expected an integer >= 5, got "4"'],
    ['bounding.ts', ['--n', '32,64', '--d', '2,3,9'], 'error: --d: 3 values for 2 --n values (they pair up; a shorter --d repeats its last)'],
  ])('%s %j', (file, args, message) => {
    const r = tsx(file, args);
    expect(r.err.trim()).toBe(message);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
  });

  it.each([
    [['--init', '5', '--budget', '3'], 'error: --init: 5 initial points do not fit a budget of 3'],
    [['--ours', missing], `error: --ours: ${missing}: no such file or directory`],
    [['--seeds', '0'], 'error: --seeds: expected an integer >= 1, got \'0\''],
  ])('anchors/run.py %j', (args, message) => {
    const r = run('/usr/bin/python3', ['bench/anchors/run.py', ...args]);
    expect(r.err.trim()).toBe(message);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
  });
});
