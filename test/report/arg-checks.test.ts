/**
 * The report functions called from plain JavaScript with wrong arguments (swapped,
 * or a record of another kind): a typed error naming the argument, nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { MemoryJournalBackend } from '../../src/storage';
import { analyzeStudy, readStudy, renderReport, renderStudyReport, trialsCsv, writeReport, writeStudyReport, writeTrialsCsv } from '../../src/report';
import { fixtureRecord } from '../cli/record-fixture';

const dir = mkdtempSync(join(tmpdir(), 'report-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const study = { space: { x: { type: 'float', low: 0, high: 1 } }, trials: [] } as never;

async function refused(call: () => unknown, option: string, message: string | RegExp): Promise<void> {
  let e: unknown;
  try {
    await call();
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(InvalidOptionError);
  expect((e as InvalidOptionError).option).toBe(option);
  if (typeof message === 'string') expect((e as Error).message).toBe(message);
  else expect((e as Error).message).toMatch(message);
}

describe('report arguments', () => {
  it('study data that is not { space, trials } names study', async () => {
    const msg = (got: string) => `study: expected study data ({ space, trials, ... }, as readStudy returns), got ${got}`;
    await refused(() => renderStudyReport(undefined as never), 'study', msg('undefined'));
    await refused(() => trialsCsv({ space: {} } as never), 'study', msg('{"space":{}}'));
    await refused(() => trialsCsv('study.jsonl' as never), 'study', msg('"study.jsonl"'));
    expect(trialsCsv(study).split('\n')[0]).toMatch(/^number,value,/);
  });

  it('swapped arguments of the writers name path, and nothing is written', async () => {
    const out = join(dir, 'r.html');
    await refused(() => writeStudyReport(study, out as never), 'path', 'path: expected a file path (a non-empty string), got {"space":{"x":{"type":"float","low":0,"high":1}},"trials":[]}');
    await refused(() => writeTrialsCsv('', study), 'path', 'path: expected a file path (a non-empty string), got ""');
    await refused(() => writeReport(fixtureRecord() as never, out as never), 'path', /^path: expected a file path \(a non-empty string\), got \{.{76}\.\.\.$/);
    expect(existsSync(out)).toBe(false);
    await writeStudyReport(out, study);
    expect(existsSync(out)).toBe(true);
  });

  it('the writers take chartJs as the renders do (Chart.js not installed beside the package: Deno through an import map), and refuse other options', async () => {
    const a = join(dir, 'given-chart-study.html');
    const b = join(dir, 'given-chart-compare.html');
    await writeStudyReport(a, study, { chartJs: '/* the given Chart.js */' });
    await writeReport(b, fixtureRecord(), { chartJs: '/* the given Chart.js */' });
    for (const f of [a, b]) {
      const html = readFileSync(f, 'utf8');
      expect([html.includes('/* the given Chart.js */'), html.includes('Chart.js v')]).toEqual([true, false]);
    }
    await refused(() => writeStudyReport(join(dir, 'x.html'), study, { chart: 'x' } as never), 'chart', 'option "chart": unknown option of writeStudyReport (known: chartJs)');
    await refused(() => writeReport(join(dir, 'x.html'), fixtureRecord(), { chartJs: '' }), 'chartJs', 'chartJs: expected the text of Chart.js\'s UMD build (a non-empty string), got ""');
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });

  it('a compare report of something other than a record names record', async () => {
    await refused(() => renderReport(study), 'record', 'record: expected a compare or tune record (the --json file, parsed), got {"space":{"x":{"type":"float","low":0,"high":1}},"trials":[]}');
    expect(renderReport(fixtureRecord())).toMatch(/^<!doctype html>/i);
  });

  it('analyzeStudy refuses unknown options and counts out of range, which hung (repeats 1e9) or gave all-zero importances and empty contours', async () => {
    const space = { lr: { type: 'float', low: 1e-4, high: 1, log: true }, u: { type: 'float', low: 1, high: 9 } } as const;
    const trials = Array.from({ length: 10 }, (_, i) => ({ status: 'complete' as const, target: Math.sin(i), params: { lr: 10 ** (-4 + i * 0.3), u: 1 + (i % 9) } }));
    const cases: [unknown, string, string][] = [
      [{ repeats: 0 }, 'repeats', 'option "repeats": expected an integer from 1 to 1000, got 0'],
      [{ repeats: -1 }, 'repeats', 'option "repeats": expected an integer from 1 to 1000, got -1'],
      [{ repeats: null }, 'repeats', 'option "repeats": expected an integer from 1 to 1000, got null'],
      [{ gridSize: 0 }, 'gridSize', 'option "gridSize": expected an integer from 2 to 500, got 0'],
      [{ gridSize: -5 }, 'gridSize', 'option "gridSize": expected an integer from 2 to 500, got -5'],
      [{ gridSize: 'abc' }, 'gridSize', 'option "gridSize": expected an integer from 2 to 500, got "abc"'],
      [{ gridSize: 1e6 }, 'gridSize', 'option "gridSize": expected an integer from 2 to 500, got 1000000'],
      [{ seed: 'x' }, 'seed', 'option "seed": expected a finite number, got "x"'],
      [{ gridsize: 5 }, 'gridsize', 'option "gridsize": unknown option of analyzeStudy (known: seed, repeats, gridSize)'],
      [null, 'options', 'analyzeStudy: options must be an object, got null'],
      // last: before the check it held the thread for hours
      [{ repeats: 1e9 }, 'repeats', 'option "repeats": expected an integer from 1 to 1000, got 1000000000'],
    ];
    for (const [opts, option, message] of cases) await refused(() => analyzeStudy(space, trials, opts as never), option, message);
    await refused(() => analyzeStudy(space, null as never), 'trials', 'trials: expected an array of trials, got null');
    const a = analyzeStudy(space, trials, { repeats: 1, gridSize: 2, seed: undefined });
    expect(a.contour?.xs).toHaveLength(2);
  });

  it('analyzeStudy refuses a spec or a trial that is not an object, and a trial without params (TypeErrors: Object.keys of null, reading a null trial\'s params)', async () => {
    const space = { u: { type: 'float', low: 1, high: 9 } } as const;
    const trials = Array.from({ length: 4 }, (_, i) => ({ status: 'complete' as const, target: i, params: { u: 1 + i } }));
    const spec = (got: string) => `spec: expected a search space ({ name: { type, ... } }, as readStudy's space), got ${got}`;
    await refused(() => analyzeStudy(null as never, []), 'spec', spec('null'));
    await refused(() => analyzeStudy('x' as never, []), 'spec', spec('"x"'));
    await refused(() => analyzeStudy([] as never, []), 'spec', spec('[]'));
    await refused(() => analyzeStudy(space, [...trials, null as never]), 'trials', 'trials[4]: expected a trial ({ status, target, params }), got null');
    await refused(() => analyzeStudy(space, [{ status: 'complete', target: 1 } as never]), 'trials', 'trials[0].params: expected an object of parameter values, got undefined');
    expect(analyzeStudy(space, trials).importance.map((p) => p.name)).toEqual(['u']);
  });

  it('study data whose trials, title or direction the report cannot read, and unknown options, are refused naming them', async () => {
    const trial = { id: 0, status: 'complete', target: 1, params: { x: 0.5 } };
    const data = { space: { x: { type: 'float', low: 0, high: 1 } }, direction: 'maximize', trials: [trial] } as never;
    const t = (got: string) => `study.trials[0]: expected a trial ({ id, status, params, target, ... }), got ${got}`;
    for (const call of [(d: never) => renderStudyReport(d, { chartJs: '// chart' }), (d: never) => trialsCsv(d)]) {
      await refused(() => call({ ...(data as object), trials: [null] } as never), 'study.trials', t('null'));
      // a field of a trial that is wrong is named: the message said only that the trial was not one
      await refused(() => call({ ...(data as object), trials: [{}] } as never), 'study.trials', 'study.trials[0].id: expected a number, got undefined');
      await refused(() => call({ ...(data as object), trials: [{ ...trial, params: null }] } as never), 'study.trials', 'study.trials[0].params: expected an object of parameter values, got null');
      await refused(() => call({ ...(data as object), trials: [{ ...trial, intermediate: 5 }] } as never), 'study.trials',
        'study.trials[0].intermediate: expected [step, value] pairs or { step: value }, got 5');
      await refused(() => call({ ...(data as object), trials: [{ ...trial, target: '1' }] } as never), 'study.trials', 'study.trials[0].target: expected a number or null, got "1"');
      // a complete trial at -Infinity was the page's best but off its curve, and COMPLETE with no value in the CSV
      for (const [v, shown] of [[-Infinity, '-Infinity'], [NaN, 'NaN'], [null, 'null']] as const) {
        await refused(() => call({ ...(data as object), trials: [{ ...trial, target: v }] } as never), 'study.trials',
          `study.trials[0].target: a complete trial needs a finite number (a non-finite result is a failed trial, as readStudy reads one), got ${shown}`);
      }
    }
    // a title of 5 failed as `s.replace is not a function`
    await refused(() => renderStudyReport({ ...(data as object), title: 5 } as never, { chartJs: '// chart' }), 'study.title', 'study.title: expected a string, got 5');
    await refused(() => renderStudyReport({ ...(data as object), direction: 'min' } as never, { chartJs: '// chart' }), 'study.direction', 'study.direction: expected "maximize" or "minimize", got "min"');
    // a misspelt chartJs was ignored
    await refused(() => renderStudyReport(data, { chartjs: 'x' } as never), 'chartjs', 'option "chartjs": unknown option of renderStudyReport (known: chartJs)');
    await refused(() => renderStudyReport(data, null as never), 'options', 'renderStudyReport: options must be an object, got null');
    // Optuna's study_name read study 'default' without a word
    await refused(() => readStudy(new MemoryJournalBackend(), { study_name: 'x' } as never), 'study_name', 'option "study_name": unknown option of readStudy (known: studyName)');
    await refused(() => readStudy(new MemoryJournalBackend(), null as never), 'options', 'readStudy: options must be an object, got null');
    expect(renderStudyReport(data, { chartJs: '// chart' })).toMatch(/^<!doctype html>/i);
    expect(trialsCsv(data).split('\n')).toHaveLength(3);
  });
});
