/**
 * A study's trials as CSV (Optuna's trials_dataframe() columns): from a
 * journal with complete, failed and pruned trials and a categorical whose
 * choices need quoting, read back by the CSV reader the data sets use; and
 * `webgpu-bayesopt report --csv`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program';
import { parseCsv } from '../../src/data/csv';
import { RandomSearch } from '../../src/optimizer';
import { byCodePoint, pythonFloat, trialsCsv } from '../../src/report/csv';
import { parseIsoTime } from '../../src/storage/optuna-format';
import { readStudy, type StudyData } from '../../src/report/study';
import type { SpaceSpec } from '../../src/space/types';

const SPACE: SpaceSpec = {
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  act: { type: 'categorical', choices: ['relu', 'tanh, scaled', 'say "hi"'] },
};
const dir = mkdtempSync(join(tmpdir(), 'report-csv-'));
const journal = join(dir, 'study.jsonl');
let study: StudyData;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const opt = new RandomSearch({
    space: SPACE, journal, randomState: 4, direction: 'minimize', log: () => undefined, pruner: { name: 'third', prune: ({ trial }) => trial.id === 2 },
    f: async ({ lr, act }, ctx) => {
      if (ctx.trialId === 1) throw new Error('diverged, at "epoch 3"');
      await ctx.report(1, (lr as number) * 2);
      return (lr as number) + (act === 'relu' ? 0 : 1);
    },
  });
  await opt.maximize({ initPoints: 6, nIter: 0 });
  await opt.close();
  study = await readStudy(journal);
});

describe('trialsCsv', () => {
  it('one row per trial in the columns of Optuna\'s trials_dataframe, quoted where needed', () => {
    const rows = parseCsv(trialsCsv(study));
    expect(rows[0]).toEqual(['number', 'value', 'datetime_start', 'datetime_complete', 'duration', 'params_act', 'params_lr', 'state', 'source', 'step', 'retry_of', 'objective_duration', 'error']);
    expect(rows).toHaveLength(1 + 6);
    const byId = new Map(study.trials.map((t) => [t.id, t]));
    for (const r of rows.slice(1)) {
      const t = byId.get(Number(r[0]))!;
      // params in name order, as Optuna's columns
      expect(r[6]).toBe(String(t.params.lr));
      expect(r[5]).toBe(t.params.act); // commas and quotes survive the round trip
      // Optuna's table: the journal's naive local time, to the microsecond
      expect(r[2]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
      expect(parseIsoTime(r[2])).toBe(t.startedAt);
      expect(parseIsoTime(r[3])).toBe(t.finishedAt);
      // Optuna's duration: complete - start, to the microsecond; the objective's own time beside the error
      expect(Number(r[4])).toBe(Math.round((parseIsoTime(r[3])! - parseIsoTime(r[2])!) * 1000) / 1e6);
      expect(Number(r[11])).toBeCloseTo(t.durationMs! / 1000, 6);
      expect(r[11]).toMatch(/^\d+(\.\d{1,6})?$/); // to the microsecond: no float noise from the clock's difference
      expect(Number(r[11])).toBeLessThanOrEqual(Number(r[4]) + 1e-3);
    }
    expect(rows.slice(1).map((r) => [r[0], r[7]])).toEqual([['0', 'COMPLETE'], ['1', 'FAIL'], ['2', 'PRUNED'], ['3', 'COMPLETE'], ['4', 'COMPLETE'], ['5', 'COMPLETE']]);
    expect(rows[2].slice(1, 2).concat(rows[2].slice(-1))).toEqual(['', 'objective threw: diverged, at "epoch 3"']);
    const pruned = rows[3];
    expect([pruned[1], pruned[9]]).toEqual([String(2 * (study.trials[2].params.lr as number)), '1']);
    expect(rows[1][1]).toBe(String(study.trials[0].target));
  });
});

describe('trialsCsv column order', () => {
  it('sorts params and user attrs by code point within their groups, as Optuna (Python) sorts its columns', () => {
    const trial = { id: 0, params: { b: 1, a: 2, B: 3 }, target: 1, status: 'complete' as const, source: 'init' as const, userAttrs: { '\uff01': 1, '\u{1f642}': 2, z: 3 } };
    const head = trialsCsv({ space: { b: { type: 'float', low: 0, high: 5 }, a: { type: 'float', low: 0, high: 5 }, B: { type: 'float', low: 0, high: 5 } }, trials: [trial] }).split('\n')[0];
    // JavaScript's default sort puts U+1F642 (a surrogate pair, 0xD83D...) before U+FF01; Python after
    expect(head).toContain('params_B,params_a,params_b,user_attrs_z,user_attrs_\uff01,user_attrs_\u{1f642},state');
    expect(byCodePoint('\uff01', '\u{1f642}')).toBeLessThan(0);
    expect(['\u{1f642}', '\uff01'].sort()).toEqual(['\u{1f642}', '\uff01']);
  });
});

describe('trialsCsv attribute values', () => {
  it("writes NaN and the infinities an Optuna worker's attrs may hold as Python spells them, not as null", () => {
    const trial = { id: 0, params: { a: 1 }, target: 1, status: 'complete' as const, source: 'init' as const, userAttrs: { n: NaN, p: Infinity, m: -Infinity, z: null, o: { k: 1 }, deep: { k: [NaN, -Infinity, null, 'NaN'], i: Infinity } } };
    const [head, row] = parseCsv(trialsCsv({ space: { a: { type: 'float', low: 0, high: 5 } }, trials: [trial] }));
    const cell = (k: string) => row[head.indexOf(`user_attrs_${k}`)];
    expect(['n', 'p', 'm', 'z', 'o'].map(cell)).toEqual(['NaN', 'Infinity', '-Infinity', '', '{"k":1}']); // None is an empty cell in Optuna's table
    // inside arrays and objects too (they were null there)
    expect(cell('deep')).toBe('{"k":[NaN,-Infinity,null,"NaN"],"i":Infinity}');
  });
});

describe("trialsCsv's numbers, as pandas reads them back", () => {
  it("writes floats as Python's repr does, so each reads back exactly and a float column stays one of floats", () => {
    // Python's repr of the same doubles (CPython's float_repr_style 'short'): the expected text
    const xs = [2.463657359423222e-5, 1e-4, 9.99e-5, 1.5e-7, 1e20, 1.5e16, 9999999999999998, 3, 0.1, 123.456, -0, 0, -2.5e-5, 5e-324, 1.7976931348623157e308];
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', ['-c', 'import json,sys; print(json.dumps([repr(float(x)) for x in json.load(sys.stdin)]))'], {
      input: JSON.stringify(xs.map((x) => (Object.is(x, -0) ? '-0.0' : String(x)))), encoding: 'utf8',
    })) as string[];
    expect(xs.map(pythonFloat)).toEqual(theirs);
    const space: SpaceSpec = {
      lr: { type: 'float', low: 1e-6, high: 1e-1, log: true }, n: { type: 'int', low: 1, high: 9 },
      c: { type: 'categorical', choices: [1e-5, 2, true, false, 'a'] },
    };
    const trials = [
      { id: 0, params: { lr: 2.463657359423222e-5, n: 3, c: 1e-5 }, target: 1e20, status: 'complete' as const, source: 'init' as const, userAttrs: { u: 1e-5, b: true, i: 4 } },
      { id: 1, params: { lr: 0.001, n: 4, c: 2 }, target: 3, status: 'complete' as const, source: 'init' as const, userAttrs: { u: -0, b: false, i: 5 } },
      { id: 2, params: { lr: 0.01, n: 5, c: true }, target: -0, status: 'complete' as const, source: 'init' as const },
    ];
    const [head, ...rows] = parseCsv(trialsCsv({ space, trials }));
    const col = (k: string) => rows.map((r) => r[head.indexOf(k)]);
    expect(col('value')).toEqual(['1e+20', '3.0', '-0.0']);
    expect(col('params_lr')).toEqual(['2.463657359423222e-05', '0.001', '0.01']);
    expect(col('params_n')).toEqual(['3', '4', '5']);
    expect(col('params_c')).toEqual(['1e-05', '2', 'True']);
    expect(col('user_attrs_u')).toEqual(['1e-05', '-0.0', '']);
    expect(col('user_attrs_b')).toEqual(['True', 'False', '']);
    expect(col('user_attrs_i')).toEqual(['4', '5', '']);
    for (const r of rows) expect(Number(r[head.indexOf('params_lr')])).toBe(trials[Number(r[0])].params.lr);
  });
});

describe('trialsCsv and formulas', () => {
  it("starts text a spreadsheet would run as a formula with ' (names, choices, attributes, errors); numbers stay numbers", () => {
    const space: SpaceSpec = { '=cmd|calc!A0': { type: 'categorical', choices: ['=HYPERLINK("http://x")', '@SUM(A1)', '+1+1', '-2', 'plain'] }, x: { type: 'float', low: -5, high: 5 } };
    const trials = ['=HYPERLINK("http://x")', '@SUM(A1)', '+1+1', '-2', 'plain'].map((c, id) => ({
      id, params: { '=cmd|calc!A0': c, x: -3.5 }, target: -1, status: 'failed' as const, source: 'init' as const,
      error: id === 0 ? '=1+2' : '\tcell', userAttrs: { note: id === 0 ? '=1+2' : 'ok', n: -7 },
    }));
    const [head, ...rows] = parseCsv(trialsCsv({ space, trials }));
    expect(head[5]).toBe('params_=cmd|calc!A0'); // a column name starts with params_ or user_attrs_: inert
    expect(rows.map((r) => r[5])).toEqual(["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'+1+1", "'-2", 'plain']);
    const col = (k: string) => head.indexOf(k);
    expect(rows.map((r) => [r[col('params_x')], r[col('value')], r[col('user_attrs_n')]])).toEqual(Array(5).fill(['-3.5', '-1.0', '-7']));
    expect(rows.map((r) => r[col('user_attrs_note')])).toEqual(["'=1+2", 'ok', 'ok', 'ok', 'ok']);
    expect(rows.map((r) => r[col('error')])).toEqual(["'=1+2", "'\tcell", "'\tcell", "'\tcell", "'\tcell"]);
  });
});

describe('report --csv', () => {
  it('writes the CSV beside the page, and says where', async () => {
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true, isTTY: false } };
    const page = join(dir, 'r.html');
    const csv = join(dir, 'out', 'trials.csv');
    expect(await runCli(['node', 'webgpu-bayesopt', 'report', journal, '--out', page, '--csv', csv], io)).toBe(0);
    expect(out).toBe(`report: ${page} (6 trials)\ntrials: ${csv}\n`);
    expect(readFileSync(csv, 'utf8')).toBe(trialsCsv(study));
  });
});
