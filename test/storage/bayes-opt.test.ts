/**
 * bayes_opt interchange. The fixtures were written by CPython's json module in
 * the shapes bayes_opt 2.x writes: `json.dump(state, f, indent=2)` for
 * save_state (bayes-opt-state.json, bayes-opt-export-state.json) and
 * `f.write(json.dumps(data) + "\n")` for JSONLogger (bayes-opt-log.json,
 * bayes-opt-export-log.json, where "DT" stands for the local datetime).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError, InvalidSpaceError, StorageError } from '../../src/errors';
import { thrown } from '../optimizer/caught';
import type { Trial } from '../../src/study/types';
import {
  exportBayesOptLog,
  exportBayesOptState,
  importBayesOpt,
  importBayesOptLog,
  importBayesOptState,
  Journal,
  MemoryJournalBackend,
} from '../../src/storage/index';
import { parsePyJson, pyDumps, pyFloat, PyInt } from '../../src/storage/py-json';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('Python JSON', () => {
  it('formats floats as repr() does', () => {
    // [value, CPython repr]
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1e-5, '1e-05'],
      [1e16, '1e+16'],
      [123456789, '123456789.0'],
      [2.5e-7, '2.5e-07'],
      [1 / 3, '0.3333333333333333'],
      [1e22, '1e+22'],
      [-0, '-0.0'],
      [0, '0.0'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [0.0001, '0.0001'],
      [1234567890123456, '1234567890123456.0'],
      [12345678901234567, '1.2345678901234568e+16'],
      [100, '100.0'],
      [-2.5, '-2.5'],
      [0.000123456, '0.000123456'],
      [1e15, '1000000000000000.0'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
    ];
    for (const [x, repr] of cases) expect(pyFloat(x)).toBe(repr);
  });

  it('writes json.dumps output byte for byte', () => {
    expect(pyDumps({ 'a\u00e9\u2603\u{1F600}\x7f\x01\n"\\': 't\tb\bf\f' })).toBe(
      '{"a\\u00e9\\u2603\\ud83d\\ude00\\u007f\\u0001\\n\\"\\\\": "t\\tb\\bf\\f"}',
    );
    expect(pyDumps([Infinity, -Infinity, NaN, [], {}, true, null, new PyInt(3)])).toBe('[Infinity, -Infinity, NaN, [], {}, true, null, 3]');
    expect(pyDumps({ e: [], o: {}, n: [new PyInt(1), [2, { k: null }]] }, 2)).toBe(
      '{\n  "e": [],\n  "o": {},\n  "n": [\n    1,\n    [\n      2.0,\n      {\n        "k": null\n      }\n    ]\n  ]\n}',
    );
  });

  it('reads NaN and Infinity tokens, but not inside strings', () => {
    expect(parsePyJson('[NaN, Infinity, -Infinity, "NaN", "a\\"NaN", 1]')).toEqual([NaN, Infinity, -Infinity, 'NaN', 'a"NaN', 1]);
    expect(() => parsePyJson('[nan]')).toThrow(SyntaxError);
    // a string that reads like the stand-in for a bare token stays a string (Optuna reads it so)
    expect(parsePyJson('{"score": NaN, "label": "\\u0000py:Infinity", "b": "\\u0000\\u0000py:NaN", "c": -Infinity}'))
      .toEqual({ score: NaN, label: '\u0000py:Infinity', b: '\u0000\u0000py:NaN', c: -Infinity });
  });
});

describe('bayes_opt import', () => {
  it('reads a save_state file', () => {
    const r = importBayesOptState(fixture('bayes-opt-state.json'));
    expect(r.keys).toEqual(['x', 'y']);
    expect(r.pbounds).toEqual({ x: [-2, 2], y: [-3, 3] });
    expect(r.params).toEqual([
      { x: 1, y: 2.5 },
      { x: 1e-5, y: -0.1 },
      { x: 2, y: -3 },
    ]);
    expect(r.targets).toEqual([-3.25, 0.5, -13]);
    expect(r.skipped).toEqual([{ line: 3, reason: 'target is NaN' }]);
    // minimizing: bayes_opt stored -f
    expect(importBayesOptState(fixture('bayes-opt-state.json'), { direction: 'minimize' }).targets).toEqual([3.25, -0.5, 13]);
  });

  it('reads a JSONLogger log, constrained lines included', () => {
    const r = importBayesOptLog(fixture('bayes-opt-log.json'));
    expect(r.keys).toEqual(['x', 'y']);
    expect(r.params).toEqual([
      { x: 2.8340440094051482, y: 1.3219469606529488 },
      { x: 2.0002287496346898, y: -1.1860045642089614 },
      { x: 4, y: -3 },
      { x: 1e-7, y: 0.5 },
    ]);
    expect(r.targets).toEqual([-7.135455292718879, -7.779531005607566, -19, 0.5]);
    expect(r.skipped).toEqual([]);
    expect(r.pbounds).toBeUndefined();
  });

  it('skips a constrained log\'s infeasible points ("allowed": false), which bayes_opt\'s max leaves out too', () => {
    const lines = fixture('bayes-opt-log.json').split('\n');
    const bad = lines[3].replace('"allowed": true', '"allowed": false').replace('"target": 0.5', '"target": 5');
    const r = importBayesOptLog([...lines.slice(0, 3), bad].join('\n'));
    expect(r.targets).toEqual([-7.135455292718879, -7.779531005607566, -19]);
    expect(r.skipped).toEqual([{ line: 4, reason: 'infeasible ("allowed": false under the file\'s constraint)' }]);
  });

  it('reads a file that begins with a byte order mark, in both formats', () => {
    expect(importBayesOpt('\ufeff' + fixture('bayes-opt-log.json')).params).toHaveLength(4);
    expect(importBayesOpt('\ufeff' + fixture('bayes-opt-log.json')).format).toBe('log');
    const state = fixture('bayes-opt-state.json');
    expect(importBayesOpt('\ufeff' + state)).toEqual(importBayesOpt(state));
    expect(importBayesOpt(state).format).toBe('state');
  });

  it('skips and reports bad log lines, keeping the good ones', () => {
    const good = fixture('bayes-opt-log.json').split('\n');
    const text = [
      good[0],
      'not json',
      '{"target": NaN, "params": {"x": 1.0}}',
      '{"target": "1", "params": {"x": 1.0}}',
      '{"target": 1.0, "params": {"x": [1.0]}}',
      '[1.0]',
      good[1],
      '{"target": 2.0, "par',
    ].join('\n');
    const r = importBayesOptLog(text);
    expect(r.targets).toEqual([-7.135455292718879, -7.779531005607566]);
    expect(r.skipped).toEqual([
      { line: 2, reason: 'invalid JSON' },
      { line: 3, reason: 'target is NaN' },
      { line: 4, reason: '"target" must be a number' },
      { line: 5, reason: '"params" must be an object of numbers, strings or booleans' },
      { line: 6, reason: 'not a JSON object' },
      { line: 8, reason: 'truncated last line (no newline at the end, not valid JSON)' },
    ]);
    // a file that is no JSON at all is not a truncated log
    expect(importBayesOptLog('not json').skipped).toEqual([{ line: 1, reason: 'invalid JSON' }]);
  });

  it('tells the two formats apart', () => {
    expect(importBayesOpt(fixture('bayes-opt-state.json')).pbounds).toEqual({ x: [-2, 2], y: [-3, 3] });
    expect(importBayesOpt(fixture('bayes-opt-log.json')).params).toHaveLength(4);
    expect(importBayesOpt(fixture('bayes-opt-log.json').split('\n')[0]).params).toHaveLength(1);
  });

  it('rejects a file that is not a saved state with a StorageError', () => {
    const bad = (o: unknown): (() => unknown) => () => importBayesOptState(JSON.stringify(o));
    expect(() => importBayesOptState('{')).toThrow(new StorageError('bayes_opt state: invalid JSON'));
    expect(bad([1])).toThrow(new StorageError('bayes_opt state: not a JSON object'));
    expect(bad({ params: [], target: [] })).toThrow(new StorageError('bayes_opt state: needs "keys" or "pbounds" to name the parameters'));
    // JSON.parse lists "1" before "b" whatever the text says: without "keys" the columns' order is lost
    expect(() => importBayesOptState('{"pbounds": {"b": [0, 20], "1": [0, 20]}, "params": [[15, 2]], "target": [1]}')).toThrow(
      new StorageError('bayes_opt state: parameter "1" is named like an integer, so "pbounds" cannot give the columns\' order: add "keys"'),
    );
    expect(importBayesOptState('{"keys": ["b", "1"], "pbounds": {"b": [0, 20], "1": [0, 20]}, "params": [[15, 2]], "target": [1]}').params)
      .toEqual([{ b: 15, 1: 2 }]);
    expect(importBayesOptState('{"pbounds": {"1": [0, 20]}, "params": [[2]], "target": [1]}').params).toEqual([{ 1: 2 }]);
    expect(bad({ keys: ['x'], params: [[1]], target: [1, 2] })).toThrow(
      new StorageError('bayes_opt state: "target" has 2 values but "params" has 1 points'),
    );
    expect(bad({ keys: ['x', 'y'], params: [[1, 0, 1]], target: [1] })).toThrow(
      new StorageError(
        'bayes_opt state: point 1 of "params" has 3 values for 2 keys (categorical parameters are saved one-hot and cannot be read back)',
      ),
    );
    expect(bad({ keys: ['x'], params: [['a']], target: [1] })).toThrow(
      new StorageError('bayes_opt state: point 1 of "params" must be a list of finite numbers'),
    );
    expect(bad({ pbounds: { x: [1] }, params: [], target: [] })).toThrow(
      new StorageError('bayes_opt state: "pbounds" entry "x" must be [low, high]'),
    );
  });
});

const trial = (id: number, params: Trial['params'], target: number | null, extra: Partial<Trial> = {}): Trial => ({
  id,
  params,
  target,
  status: target === null ? 'failed' : 'complete',
  source: 'suggest',
  ...extra,
});

describe('bayes_opt export', () => {
  const trials: Trial[] = [
    trial(0, { x: 1, y: 2.5 }, -3.25),
    trial(1, { x: 0, y: 0 }, null, { error: 'boom' }),
    trial(2, { x: 1e-5, y: -0.1 }, 0.5),
    { ...trial(3, { x: 0.5, y: 0.5 }, null), status: 'pending' },
    trial(4, { x: -1.5, y: 1 / 3 }, 1e-7),
  ];

  it('writes save_state as bayes_opt does (complete trials only)', () => {
    const expected = fixture('bayes-opt-export-state.json');
    expect(exportBayesOptState(trials, { x: [-2, 2], y: [-3, 3] })).toBe(expected);
    expect(
      exportBayesOptState(trials, { x: { type: 'float', low: -2, high: 2 }, y: { type: 'int', low: -3, high: 3 } }),
    ).toBe(expected);
  });

  it('writes JSONLogger lines as bayes_opt does', () => {
    const t0 = new Date(2024, 4, 1, 12, 0, 0).getTime();
    const space = {
      lr: { type: 'float', low: 1e-5, high: 1, log: true },
      units: { type: 'int', low: 8, high: 64 },
      act: { type: 'categorical', choices: ['relu', 'tanh'] },
      bs: { type: 'categorical', choices: [32, 64] },
    } as const;
    const ts: Trial[] = [
      trial(1, { lr: 1e-5, units: 8, act: 'tanh', bs: 64 }, 0.5, { startedAt: t0 + 1000, durationMs: 500 }),
      trial(0, { lr: 0.001, units: 64, act: 'relu', bs: 32 }, -3.25, { startedAt: t0 - 2000, durationMs: 2000 }),
    ];
    const dt = (ms: number): string => {
      const d = new Date(ms);
      const p = (n: number): string => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    };
    const [l0, l1] = fixture('bayes-opt-export-log.json').split('\n');
    expect(exportBayesOptLog(ts, { space })).toBe(`${l0.replace('DT', dt(t0))}\n${l1.replace('DT', dt(t0 + 1500))}\n`);
    // told within one millisecond, in the other order: the log follows the told times, as `res` does
    const told = [{ ...ts[0], finishedAt: t0 + 0.002 }, { ...ts[1], finishedAt: t0 + 0.001 }];
    expect(exportBayesOptLog(told).split('\n').filter(Boolean).map((l) => JSON.parse(l).target)).toEqual([-3.25, 0.5]);
    const reversed = [{ ...ts[0], finishedAt: t0 + 0.001 }, { ...ts[1], finishedAt: t0 + 0.002 }];
    expect(exportBayesOptLog(reversed).split('\n').filter(Boolean).map((l) => JSON.parse(l).target)).toEqual([0.5, -3.25]);
    // `ordered`: the trials' own order (a study's told order), whatever their times say
    expect(exportBayesOptLog(told, { ordered: true }).split('\n').filter(Boolean).map((l) => JSON.parse(l).target)).toEqual([0.5, -3.25]);
  });

  it('refuses categorical parameters in a saved state', () => {
    expect(() => exportBayesOptState([], { act: { type: 'categorical', choices: ['a'] } })).toThrow(
      new InvalidSpaceError('parameter "act": categorical parameters cannot be written to a bayes_opt saved state', 'act'),
    );
  });

  it('export -> import round trips, and imported points go into a journal', async () => {
    const pb = { x: [-2, 2], y: [-3, 3] } as const;
    for (const direction of ['maximize', 'minimize'] as const) {
      const st = importBayesOptState(exportBayesOptState(trials, pb, { direction }), { direction });
      const lg = importBayesOptLog(exportBayesOptLog(trials, { direction }), { direction });
      for (const r of [st, lg]) {
        expect(r.params).toEqual([trials[0].params, trials[2].params, trials[4].params]);
        expect(r.targets).toEqual([-3.25, 0.5, 1e-7]);
      }
      expect(st.pbounds).toEqual(pb);
    }
    const imported = importBayesOptLog(fixture('bayes-opt-log.json'));
    const j = await Journal.open(new MemoryJournalBackend());
    for (let i = 0; i < imported.params.length; i++) await j.record(imported.params[i], { target: imported.targets[i] });
    const s = await j.load();
    expect(s.trials.map((t) => [t.source, t.status, t.target])).toEqual(imported.targets.map((t) => ['register', 'complete', t]));
  });

  it('refuses bad options, naming them, where a bad direction flipped every target', () => {
    const log = '{"target": -1.5, "params": {"x": 0.5}, "datetime": {"datetime": "2024-01-01 00:00:00", "elapsed": 0.0, "delta": 0.0}}\n';
    const refused = (fn: () => unknown, option: string, message: string): void => {
      const e = thrown(fn);
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect(e.message).toBe(message);
      expect((e as InvalidOptionError).option).toBe(option);
    };
    const dir = (got: string): string => `option "direction": expected "maximize" or "minimize", got ${got}`;
    refused(() => importBayesOpt(log, { direction: 'min' as never }), 'direction', dir('"min"'));
    refused(() => importBayesOptLog(log, { direction: 'Minimize' as never }), 'direction', dir('"Minimize"'));
    refused(() => importBayesOptState('{}', { direction: null as never }), 'direction', dir('null'));
    refused(() => importBayesOpt(log, { Direction: 'minimize' } as never), 'Direction', 'option "Direction": unknown option of importBayesOpt (known: direction)');
    refused(() => importBayesOpt(log, null as never), 'options', 'importBayesOpt: options must be an object, got null');
    refused(() => importBayesOpt(log, 'minimize' as never), 'options', 'importBayesOpt: options must be an object, got string');
    refused(() => exportBayesOptState(trials, { x: [0, 1] }, { direction: 'min' as never }), 'direction', dir('"min"'));
    refused(() => exportBayesOptState(trials, { x: [0, 1] }, { ordered: true } as never), 'ordered', 'option "ordered": unknown option of exportBayesOptState (known: direction)');
    refused(() => exportBayesOptLog(trials, { directon: 'minimize' } as never), 'directon', 'option "directon": unknown option of exportBayesOptLog (known: direction, space, ordered)');
    refused(() => exportBayesOptLog(trials, null as never), 'options', 'exportBayesOptLog: options must be an object, got null');
    refused(() => exportBayesOptLog(trials, { ordered: 'yes' } as never), 'ordered', 'option "ordered": expected a boolean, got "yes"');
    refused(() => exportBayesOptLog(trials, { space: 5 } as never), 'space', 'option "space": expected pbounds or a space spec (an object), got 5');
    // undefined is not given
    expect(importBayesOpt(log, { direction: undefined }).targets).toEqual([-1.5]);
    expect(importBayesOpt(log, { direction: 'minimize' }).targets).toEqual([1.5]);
  });
});

describe('the standalone bayes_opt functions check their arguments', () => {
  const T = (params: unknown): Trial => ({ id: 0, status: 'complete', params, target: 1 } as unknown as Trial);
  it('text that is not a string, trials that are not trials: InvalidOptionError naming them (they were TypeErrors)', () => {
    const cases: [() => unknown, string, string][] = [
      [() => importBayesOpt(null as never), 'importBayesOpt: text: expected the bayes_opt file\'s text (a string), got null', 'text'],
      [() => importBayesOpt(5 as never), 'importBayesOpt: text: expected the bayes_opt file\'s text (a string), got 5', 'text'],
      [() => importBayesOptLog(null as never), 'importBayesOptLog: text: expected the bayes_opt file\'s text (a string), got null', 'text'],
      [() => exportBayesOptState(null as never, { x: [0, 1] }), 'exportBayesOptState: trials: expected an array of trials, got null', 'trials'],
      [() => exportBayesOptState([null] as never, { x: [0, 1] }), 'exportBayesOptState: trials[0]: expected a trial ({ id, status, params, target, ... }), got null', 'trials'],
      [() => exportBayesOptLog(null as never), 'exportBayesOptLog: trials: expected an array of trials, got null', 'trials'],
      [() => exportBayesOptLog([T(undefined)]), 'exportBayesOptLog: trials[0]: expected a trial ({ id, status, params, target, ... }), got {"id":0,"status":"complete","target":1}', 'trials'],
    ];
    for (const [call, message, option] of cases) {
      const e = thrown(call) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.message, e.option]).toEqual([message, option]);
    }
  });
  it('a bad space is an InvalidSpaceError naming the parameter; a parameter outside the log\'s space an InvalidPointError', () => {
    for (const [space, param] of [[{ x: 5 }, 'x'], [{ x: [1, 0] }, 'x'], [{ x: [0, 1], y: { type: 'float', low: 2, high: 1 } }, 'y']] as const) {
      const e = thrown(() => exportBayesOptState([T({ x: 0.5 })], space as never));
      expect(e).toBeInstanceOf(InvalidSpaceError);
      expect((e as InvalidSpaceError).param).toBe(param);
    }
    const e = thrown(() => exportBayesOptLog([T({ x: 0.5, y: 'zz' })], { space: { x: [0, 1] } }));
    expect(e).toBeInstanceOf(InvalidPointError);
    expect([e.message, (e as InvalidPointError).param]).toEqual(['trial 0: parameter "y" is not in the space given', 'y']);
    // a good space and trials still write
    expect(exportBayesOptLog([T({ x: 0.5 })], { space: { x: [0, 1] } })).toMatch(/^\{"target": 1.0, "params": \{"x": 0.5\}/);
  });
});
