/**
 * Every command-line misuse ends with an error that names only flags the
 * command has (or that the user typed), and a damaged --data file is refused
 * or reported with the rows it skipped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareData } from '../../src/cli/data';
import { resolveOptions } from '../../src/cli/options';
import { buildProgram, runCli } from '../../src/cli/program';
import { formatRecord } from '../../src/cli/table';
import { formatTaxiCsv } from '../../src/data/taxi-csv';
import { generateTaxiTrips } from '../../src/data/taxi-generator';
import { fixtureRecord } from './record-fixture';

const dir = mkdtempSync(join(tmpdir(), 'cli-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clean = formatTaxiCsv(generateTaxiTrips(300, { seed: 5, junkFraction: 0, outlierFraction: 0 }));
const lines = clean.split('\n');
const HEADER = lines[0];
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const garbage = file('garbage.csv', [HEADER, ...Array.from({ length: 50 }, (_, i) => `junk ${i} ;; not a trip`)].join('\n') + '\n');
const strayQuote = file('stray.csv', lines.map((l, i) => (i === 101 ? l.replace(',', ',"') : l)).join('\n'));
const headerOnly = file('header-only.csv', HEADER + '\n');
// real digits' per-class JSON files whose 5.json holds 794 values: the file's key "data" once read as the flag --data
const digitsDir = mkdtempSync(join(dir, 'digits-'));
for (let c = 0; c < 10; c++) writeFileSync(join(digitsDir, `${c}.json`), JSON.stringify({ data: new Array(c === 5 ? 794 : 784).fill(0) }));
const damaged = file('damaged.csv', lines.map((l, i) => (i === 7 || i === 8 || i === 9 ? l.replace(',', ',,') : l)).join('\n'));

const FLAGS = (() => {
  const p = buildProgram();
  return new Set(['--help', ...[p, ...p.commands].flatMap((c) => c.options.map((o) => o.long ?? ''))]);
})();

const FAST = ['--backend', 'cpu', '--engine', 'cpu', '--quiet', '--no-report'];
/** [argv, exit code, a piece of the message] */
const MISUSES: [string[], number, string][] = [
  [['compare', '--budget', '0'], 2, 'option --budget: must be an integer >= 1 (got 0)'],
  [['compare', '--budget', '9007199254740993'], 2, "option '--budget <n>' argument '9007199254740993' is invalid. expected an integer no larger than 9007199254740991."],
  [['compare', '--budget', '-9007199254740993'], 2, "option '--budget <n>' argument '-9007199254740993' is invalid. expected an integer no smaller than -9007199254740991."],
  [['compare', '--budget', 'x'], 2, "option '--budget <n>' argument 'x' is invalid"],
  [['compare', '--budget', '-1'], 2, 'option --budget: must be an integer >= 1 (got -1)'],
  [['compare', '--retrain-epochs', '-1'], 2, 'option --retrain-epochs: must be an integer >= 0 (got -1)'],
  [['compare', '--budget', '1.5'], 2, "option '--budget <n>' argument '1.5' is invalid. expected an integer."],
  [['compare', '--budget'], 2, "option '--budget <n>' argument missing"],
  [['compare', '--budget', '3', '--init', '9'], 2, 'option --init: must be at most the budget (3) (got 9)'],
  [['compare', '--init', '0'], 2, 'option --init: must be an integer >= 1 (got 0)'],
  [['compare', '--epochs', '0'], 2, 'option --epochs: must be an integer >= 1 (got 0)'],
  [['compare', '--retrain-repeats', '0'], 2, 'option --retrain-repeats: must be an integer >= 1 (got 0)'],
  [['compare', '--batch-size', '0'], 2, 'option --batch-size: must be an integer >= 1 (got 0)'],
  [['compare', '--seed', '1', '--seeds', '2,3'], 2, 'option --seeds: give --seed or --seeds, not both'],
  [['compare', '--seeds', '1,1'], 2, 'option --seeds: lists a seed twice (1, 1)'],
  [['compare', '--seeds', '1,,2'], 2, "option '--seeds <list>' argument '1,,2' is invalid"],
  [['compare', '--strategies', 'grid,,bayes'], 2, "option '--strategies <list>' argument 'grid,,bayes' is invalid"],
  [['tune', '--objective', 'nowhere.mjs', '--seed', '4294967296'], 2, 'option --seed: must be an integer in [0, 4294967295] (got 4294967296)'],
  [['compare', '--seeds', ''], 2, "option '--seeds <list>' argument '' is invalid"],
  [['compare', '--seed', '4294967296'], 2, 'option --seed: must be an integer in [0, 4294967295] (got 4294967296)'],
  [['compare', '--rows', '5'], 2, 'option --rows: must be an integer >= 10 (got 5)'],
  [['compare', '--study', 'digits', '--image-size', '3'], 2, 'option --image-size: must be an integer >= 6 (got 3)'],
  [['compare', '--study', 'digits', '--retrain-rows', 'most'], 2, "option '--retrain-rows <n>' argument 'most' is invalid. expected a non-negative integer or \"all\"."],
  [['compare', '--retrain-schedule', 'linear'], 2, 'option --retrain-schedule: applies to the digits study only'],
  [['compare', '--study', 'digits', '--retrain-schedule', 'cosine'], 2, 'option --retrain-schedule: must be one of constant, linear, warmup-linear (got "cosine")'],
  [['compare', '--study', 'digits', '--lr-schedule', 'linear'], 2, 'option --lr-schedule: applies to the taxi study only'],
  [['compare', '--lr-schedule', 'cosine'], 2, 'option --lr-schedule: must be one of constant, linear, warmup-linear (got "cosine")'],
  [['compare', '--study', 'digits', '--retrain-rows', '400'], 2, 'option --retrain-rows: must be at least the rows of the search (500) or "all" (got 400)'],
  [['compare', '--retrain-rows', '2000'], 2, 'option --retrain-rows: applies to the digits study only (taxi retrains on the rows it searched)'],
  [['compare', '--study', 'mnist'], 2, "argument 'mnist' is invalid. Allowed choices are taxi, digits."],
  [['compare', '--backend', 'metal'], 2, 'Allowed choices are auto, webgpu, wasm, cpu.'],
  [['compare', '--engine', 'cuda'], 2, 'Allowed choices are auto, webgpu, cpu.'],
  [['tune', '--strategy', 'anneal'], 2, 'Allowed choices are grid, random, bayes.'],
  [['compare', '--strategy', 'bayes'], 2, "unknown option '--strategy'"],
  [['compare', '--strategies', 'random,anneal'], 2, "option '--strategies <list>' argument 'random,anneal' is invalid. expected a comma-separated list of grid, random, bayes, e.g. random,bayes."],
  [['compare', '--strategies', 'bayes,bayes'], 2, 'option --strategies: lists a strategy twice (bayes, bayes)'],
  [['compare', '--bogus'], 2, "unknown option '--bogus'"],
  [['compare', '--json', dir, ...FAST], 2, `option --json: ${JSON.stringify(dir)} is a directory`],
  // a folder's name whose folder is missing: refused before the run (it failed with EISDIR after it)
  [['compare', '--json', join(dir, 'newdir') + '/', ...FAST], 2, `option --json: ${JSON.stringify(join(dir, 'newdir') + '/')} names a directory (a file name is needed)`],
  [['compare', '--json', '.', ...FAST], 2, 'option --json: "." is a directory'],
  // a pruner that can stop nothing: grid search alone has no pruned row; a grace at the last report, or one report in all
  [['tune', '--strategy', 'grid', '--pruner', 'asha', ...FAST], 2, 'option --pruner: a built-in study runs random and Bayesian search with a pruner, as rows beside the plain ones (random+<name>, bayes+<name>), and this run has grid search only'],
  // an initial design grid search would ignore in silence
  [['tune', '--strategy', 'grid', '--init', '2', ...FAST], 2, 'option --init: applies to random and Bayesian search; grid search has no initial design (its points are the budget)'],
  [['compare', '--strategies', 'grid', '--init', '2', ...FAST], 2, 'option --init: applies to random and Bayesian search; grid search has no initial design (its points are the budget)'],
  [['compare', '--pruner', 'median', '--grace', '5', '--epochs', '2', ...FAST], 2,
    'option --grace: 5 leaves the pruner nothing to judge: an evaluation reports 2 times and its last report is final (at most 1)'],
  [['compare', '--pruner', 'asha', '--epochs', '1', ...FAST], 2,
    'option --pruner: an evaluation reports once (1 epoch), and its last report is never judged: nothing to stop'],
  [['tune', '--report', '', '--backend', 'cpu', '--engine', 'cpu', '--quiet'], 2, 'option --report: expected a file path, got ""'],
  [['frobnicate'], 2, "unknown command 'frobnicate'"],
  [['compare', '--data', ''], 2, 'option --data: must be a path (got "")'],
  [['tune', '--data', join(dir, 'nope.csv'), ...FAST], 1, `${join(dir, 'nope.csv')}: cannot read taxi CSV (`],
  [['tune', '--data', garbage, ...FAST], 2, `option --data: ${garbage}: 0 training rows after filtering 0 (need at least 2); skipped 50 of 50 rows read (malformed 50)`],
  [['tune', '--data', strayQuote, ...FAST], 1, `${strayQuote}: line 102: unterminated quoted field`],
  [['tune', '--data', headerOnly, ...FAST], 2, `option --data: ${headerOnly}: 0 training rows after filtering 0 (need at least 2); skipped 0 of 0 rows read`],
  [['tune', '--study', 'digits', '--data', join(dir, 'no-such-dir'), ...FAST], 1, `${join(dir, 'no-such-dir')}: no train images file`],
  [['tune', '--study', 'digits', '--data', digitsDir, ...FAST], 1, `${join(digitsDir, '5.json')}: "data" holds 794 values, not a positive multiple of 784`],
];

describe('command-line errors name real flags', () => {
  for (const [args, code, piece] of MISUSES) {
    it(`${(args.includes('--quiet') ? args.slice(0, -FAST.length) : args).join(' ')}`, async () => {
      let out = '';
      let err = '';
      const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: false } };
      expect(await runCli(['node', 'webgpu-bayesopt', ...args], io)).toBe(code);
      expect(err.startsWith('error: '), err).toBe(true);
      expect(err).toContain(piece);
      expect(err).not.toMatch(/option "/);
      const named = err.match(/--[a-z][a-z-]*/g) ?? [];
      for (const f of named) expect(FLAGS.has(f) || args.includes(f), `${f} in: ${err}`).toBe(true);
      expect(out).toBe('');
    });
  }
});

describe('skipped rows are counted and printed', () => {
  it('prepareData reports malformed and filtered rows; the table prints them', async () => {
    const o = resolveOptions({ data: damaged, rows: 300 });
    const { info } = await (await prepareData(o))(1);
    expect(info.rowsRead).toBe(300);
    expect(info.skipped).toMatchObject({ malformed: 3 });
    const r = fixtureRecord();
    r.runs[0].data = info;
    const total = Object.values(info.skipped!).reduce((a, b) => a + b, 0);
    expect(info.train + info.val + info.test).toBe(300 - total);
    expect(formatRecord(r).split('\n')[0]).toContain(`; skipped ${total} of 300 rows read (malformed 3`);
  });
});
