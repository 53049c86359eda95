/**
 * opt.importBayesOpt / opt.exportBayesOpt: a study started in Python's
 * bayes_opt goes on here, and back. The texts below are laid out as CPython's
 * json module writes them (`json.dump(state, f, indent=2)` for save_state,
 * `json.dumps(line)` per JSONLogger line; floats as repr, NaN as a bare token).
 */
import { describe, expect, it, vi } from 'vitest';
import { InvalidOptionError, InvalidSpaceError, StorageError } from '../../src/errors';
import { thrown } from './caught';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { Journal, MemoryJournalBackend } from '../../src/storage';

const PB = { x: [-2, 2], y: [-3, 3] } as const;
const FAST = { engine: 'cpu', candidates: 100, gp: { restarts: 1 }, log: () => undefined } as const;
const f = ({ x, y }: Params): number => -((x as number) ** 2) - ((y as number) - 1) ** 2 + 1;

const STATE = `{
  "pbounds": {
    "x": [
      -2.0,
      2.0
    ],
    "y": [
      -3.0,
      3.0
    ]
  },
  "transformed_bounds": null,
  "keys": [
    "x",
    "y"
  ],
  "params": [
    [
      1.0,
      2.5
    ],
    [
      0.5,
      -0.1
    ],
    [
      5.0,
      0.0
    ],
    [
      -1.5,
      0.3333333333333333
    ]
  ],
  "target": [
    -2.25,
    NaN,
    -25.0,
    -1.6944444444444444
  ],
  "constraint_values": null,
  "gp_params": {},
  "allow_duplicate_points": false,
  "verbose": 2,
  "random_state": null,
  "acquisition_params": {}
}`;

const LOG = [
  '{"target": -2.25, "params": {"x": 1.0, "y": 2.5}, "datetime": {"datetime": "2024-05-01 12:00:00", "elapsed": 0.0, "delta": 0.0}}',
  '{"target": -0.21, "params": {"x": 0.1, "y": 0.6}, "datetime": {"datetime": "2024-05-01 12:00:01", "elapsed": 1.0, "delta": 1.0}}',
  '{"target": -0.5, "params": {"x": 0.1, "y": 9.0}, "datetime": {"datetime": "2024-05-01 12:00:02", "elapsed": 2.0, "delta": 1.0}}',
  '{"target": Infinity, "params": {"x": 0.0, "y": 0.0}, "datetime": {"datetime": "2024-05-01 12:00:03", "elapsed": 3.0, "delta": 1.0}}',
  '',
  '{"target": 0.5, "params": {"x": 0.5, "y": 1.0}, "datetime": {"datetime": "2024-05-01 12:00:04", "elapsed": 4.0, "delta": 1.0}}',
  '{"target": 1.0, "params": {"x": 0.0, "y": 1.', // torn by a crash
].join('\n');

describe('importBayesOpt', () => {
  it('registers the points of a saved state, skipping and reporting bad rows', async () => {
    const opt = new BayesianOptimization({ ...FAST, f, pbounds: PB });
    const report = await opt.importBayesOpt(STATE);
    expect(report).toEqual({
      imported: 2,
      skipped: [
        { line: 2, reason: 'target is NaN' },
        { line: 3, reason: 'parameter "x": value 5 is outside [-2, 2]' },
      ],
    });
    expect(opt.res.map((r) => [r.id, r.params, r.target, r.status, r.source])).toEqual([
      [0, { x: 1, y: 2.5 }, -2.25, 'complete', 'register'],
      [1, { x: -1.5, y: 0.3333333333333333 }, -1.6944444444444444, 'complete', 'register'],
    ]);
  });

  it('says how many points of a constrained state it registered without knowing their feasibility (the state keeps no limits)', async () => {
    // a constrained run's infeasible point (constraint value 5, target 100) took max without a word
    const logged: string[] = [];
    const opt = new BayesianOptimization({ ...FAST, f, pbounds: PB, log: (l) => logged.push(l) });
    const state = STATE.replace('"constraint_values": null', '"constraint_values": [0.5, null, 5.0, -1.0]');
    const report = await opt.importBayesOpt(state);
    expect(report.imported).toBe(2);
    expect(report.constrained).toBe(2);
    expect(logged).toContain('bayes_opt import: 2 point(s) of the saved state carry constraint values, and the state keeps no constraint ' +
      'limits: they are registered feasible or not (a JSONLogger log says which were allowed; its infeasible points are skipped)');
    // without constraint values, no such line and no such field
    const plain = new BayesianOptimization({ ...FAST, f, pbounds: PB, log: () => {} });
    expect((await plain.importBayesOpt(STATE)).constrained).toBeUndefined();
  });

  it('a state whose "params" is an object of lists is said to be a broken state, not a log of invalid lines', async () => {
    const opt = new BayesianOptimization({ ...FAST, f, pbounds: PB, log: () => {} });
    const broken = JSON.stringify({ pbounds: { x: [-2, 2], y: [-3, 3] }, keys: ['x', 'y'], params: { x: [1, 0.5], y: [2.5, -0.1] }, target: [-2.25, -0.5] }, null, 2);
    const e = await opt.importBayesOpt(broken).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe('bayes_opt state: "params" must be a list of points');
    expect(opt.trials).toEqual([]);
  });

  it('registers the lines of a JSONLogger log, with line numbers for the bad ones', async () => {
    const logged: string[] = [];
    const opt = new BayesianOptimization({ ...FAST, f, pbounds: PB, log: (l) => logged.push(l) });
    const report = await opt.importBayesOpt(LOG);
    expect(report.imported).toBe(3);
    expect(report.skipped).toEqual([
      { line: 3, reason: 'parameter "y": value 9 is outside [-3, 3]' },
      { line: 4, reason: 'target is Infinity' },
      { line: 7, reason: 'truncated last line (no newline at the end, not valid JSON)' },
    ]);
    expect(opt.res.map((r) => r.target)).toEqual([-2.25, -0.21, 0.5]);
    expect(opt.max).toEqual({ target: 0.5, params: { x: 0.5, y: 1 } });
    expect(logged).toEqual([
      'bayes_opt import: 3 point(s) registered, 3 skipped: 3: parameter "y": value 9 is outside [-3, 3]; ' +
        '4: target is Infinity; 7: truncated last line (no newline at the end, not valid JSON)',
    ]);
  });

  it('imports none of a constrained log whose every point broke the constraint, skipping each (it was refused as no bayes_opt log)', async () => {
    const opt = new BayesianOptimization({ ...FAST, f, pbounds: PB, log: () => undefined });
    const infeasible = [
      '{"target": -1.5, "constraint": 2.0, "allowed": false, "params": {"x": 0.5, "y": 1.0}, "datetime": {"datetime": "2026-12-07 10:00:00", "elapsed": 0.0, "delta": 0.0}}',
      '{"target": -0.5, "constraint": 3.0, "allowed": false, "params": {"x": 1.0, "y": 0.0}, "datetime": {"datetime": "2026-12-07 10:00:01", "elapsed": 1.0, "delta": 1.0}}',
    ].join('\n') + '\n';
    const report = await opt.importBayesOpt(infeasible);
    expect(report.imported).toBe(0);
    expect(report.skipped.map((s) => s.line)).toEqual([1, 2]);
    expect(new Set(report.skipped.map((s) => s.reason))).toEqual(new Set(['infeasible ("allowed": false under the file\'s constraint)']));
    expect(opt.trials).toEqual([]);
    // a run still writing (its last line cut short) reads the same, that line skipped as any log's
    const cut = await opt.importBayesOpt(infeasible + '{"target": -0.25, "constraint"');
    expect([cut.imported, cut.skipped.map((s) => s.line)]).toEqual([0, [1, 2, 3]]);
    // another study's points, feasible or not, are told apart by their names
    const other = infeasible.replace(/"x"/g, '"a"').replace(/"y"/g, '"b"');
    const e = await opt.importBayesOpt(other).then(() => null, (x: unknown) => x as Error);
    expect([e?.constructor.name, e?.message]).toEqual(['StorageError', 'bayes_opt import: the file\'s parameters [a, b] are not the space\'s [x, y]']);
  });

  it('negates targets into a minimizing study (bayes_opt maximized -f)', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, direction: 'minimize' });
    await opt.importBayesOpt(STATE);
    expect(opt.res.map((r) => r.target)).toEqual([2.25, 1.6944444444444444]);
    expect(opt.max!.target).toBe(1.6944444444444444);
  });

  it("refuses a file from another study (no point has the space's names) and registers nothing", async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: { a: [0, 1], b: [0, 1] } });
    await expect(opt.importBayesOpt(STATE)).rejects.toThrow(new StorageError(
      "bayes_opt import: the file's parameters [x, y] are not the space's [a, b]"));
    await expect(opt.importBayesOpt('{"params": 3, "target": []}')).rejects.toThrow(StorageError);
    expect(opt.trials).toEqual([]);
  });

  it('writes imported points into the journal, where a resumed study and its budget see them', async () => {
    const backend = new MemoryJournalBackend();
    const a = new BayesianOptimization({ ...FAST, f, pbounds: PB, journal: backend });
    await a.importBayesOpt(LOG);
    const s = await (await Journal.open(backend)).load();
    expect(s.trials.map((t) => [t.status, t.target, t.source])).toEqual([
      ['complete', -2.25, 'register'], ['complete', -0.21, 'register'], ['complete', 0.5, 'register'],
    ]);
    const b = new BayesianOptimization({ ...FAST, f, pbounds: PB, randomState: 3, journal: backend });
    await b.ready();
    expect(b.res).toEqual(a.res);
    await b.maximize({ initPoints: 2, nIter: 3, resume: true }); // 3 held: 2 more, both model-guided
    expect(b.res.map((r) => r.source)).toEqual(['register', 'register', 'register', 'suggest', 'suggest']);
  });

  it("a rerun that imports again into its resumed journal registers nothing twice (Optuna's skip_if_exists) and says so", async () => {
    // the README's pattern: one script imports, then maximizes with resume; rerunning it duplicated the 3 points,
    // and the copies took the budget's place
    const backend = new MemoryJournalBackend();
    const logged: string[] = [];
    const make = () => new BayesianOptimization({
      ...FAST, f, pbounds: PB, direction: 'minimize', randomState: 3, journal: backend, log: (l) => logged.push(l),
    });
    const a = make();
    expect((await a.importBayesOpt(LOG)).imported).toBe(3);
    await a.maximize({ initPoints: 2, nIter: 3, resume: true });
    await a.close();
    const b = make();
    const again = await b.importBayesOpt(LOG);
    expect([again.imported, again.existing, again.skipped.length]).toEqual([0, 3, 3]);
    expect(logged).toContain('bayes_opt import: 3 point(s) already in the study (a completed trial with the same params and target) ' +
      'not registered again; pass { skipExisting: false } to register them anyway');
    await b.maximize({ initPoints: 2, nIter: 3, resume: true }); // the budget of 5 is full
    expect(b.res.map((r) => r.source)).toEqual(['register', 'register', 'register', 'suggest', 'suggest']);
    expect(b.res.slice(0, 3).map((r) => r.target)).toEqual([2.25, 0.21, -0.5]);
    await b.close();
  });

  it('leaves out as many copies of a point as the study holds; another target, or skipExisting: false, registers it', async () => {
    const line = (target: number) => `{"target": ${target}, "params": {"x": 0.1, "y": 0.6}, "datetime": {"datetime": "2024-05-01 12:00:01", "elapsed": 1.0, "delta": 1.0}}`;
    const text = [line(-0.21), line(-0.21), line(-0.25)].join('\n'); // bayes_opt with allow_duplicate_points
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, log: () => {} });
    opt.register({ y: 0.6, x: 0.1 }, -0.21);
    expect(await opt.importBayesOpt(text)).toEqual({ imported: 2, skipped: [], existing: 1 });
    expect(opt.res.map((r) => r.target)).toEqual([-0.21, -0.21, -0.25]);
    expect(await opt.importBayesOpt(text)).toEqual({ imported: 0, skipped: [], existing: 3 });
    // a rerun's routine: nothing printed without `verbose` or a `log`
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    const quiet = new BayesianOptimization({ ...FAST, pbounds: PB, log: undefined });
    quiet.register({ x: 0.1, y: 0.6 }, -0.21);
    expect((await quiet.importBayesOpt(line(-0.21))).existing).toBe(1);
    expect(printed).not.toHaveBeenCalled();
    printed.mockRestore();
    expect(await opt.importBayesOpt(text, { skipExisting: false })).toEqual({ imported: 3, skipped: [] });
    expect(opt.res).toHaveLength(6);
    const bad = await opt.importBayesOpt(text, { skipExisting: 'yes' } as never).then(() => null, (e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidOptionError);
    expect([(bad as InvalidOptionError).option, (bad as Error).message]).toEqual(['skipExisting', 'option "skipExisting": expected a boolean, got "yes"']);
    await expect(opt.importBayesOpt(text, { skip: true } as never)).rejects.toThrow('option "skip": unknown option of importBayesOpt (known: skipExisting)');
    expect(opt.res).toHaveLength(6);
  });
});

describe('exportBayesOpt', () => {
  it('round trips through both formats, leaving failed trials out', async () => {
    let n = 0;
    const opt = new BayesianOptimization({
      ...FAST, space: { x: { type: 'float', low: -2, high: 2 }, k: { type: 'int', low: 1, high: 9 } }, randomState: 5,
      f: (p) => (++n === 3 ? NaN : f({ x: p.x, y: (p.k as number) / 3 })),
    });
    await opt.maximize({ initPoints: 4, nIter: 3 });
    expect(opt.res.filter((r) => r.status === 'failed')).toHaveLength(1);
    // a log is in order of completion, a state in id order: compare as sets
    const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
    const done = sorted(opt.res.filter((r) => r.status === 'complete').map((r) => [r.params, r.target]));
    for (const format of ['state', 'log'] as const) {
      const text = opt.exportBayesOpt(format);
      const back = new RandomSearch({ space: opt.space.spec, log: () => undefined });
      expect(await back.importBayesOpt(text)).toEqual({ imported: 6, skipped: [] });
      expect(sorted(back.res.map((r) => [r.params, r.target]))).toEqual(done);
    }
    const state = JSON.parse(opt.exportBayesOpt('state'));
    expect(state.keys).toEqual(['x', 'k']);
    expect(state.pbounds).toEqual({ x: [-2, 2], k: [1, 9] });
    expect(opt.exportBayesOpt('log').split('\n').filter(Boolean)).toHaveLength(6);
  });

  it('a saved state with no points (every trial failed, or a fresh bayes_opt optimizer) imports 0 points; another study\'s keys are refused', async () => {
    const space = { x: { type: 'float', low: -2, high: 2 }, y: { type: 'float', low: 0, high: 1 } } as const;
    const failing = new RandomSearch({ space, randomState: 1, f: () => NaN, log: () => undefined });
    await failing.maximize({ initPoints: 3, nIter: 0 });
    const text = failing.exportBayesOpt('state');
    expect(JSON.parse(text)).toMatchObject({ params: [], target: [] });
    const back = new RandomSearch({ space, log: () => undefined });
    expect(await back.importBayesOpt(text)).toEqual({ imported: 0, skipped: [] });
    expect(back.res).toEqual([]);
    const other = new RandomSearch({ space: { a: { type: 'float', low: 0, high: 1 } }, log: () => undefined });
    await expect(other.importBayesOpt(text)).rejects.toThrow(new StorageError("bayes_opt import: the file's parameters [x, y] are not the space's [a]"));
  });

  it('negates targets of a minimizing study, so bayes_opt maximizes -f', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, direction: 'minimize' });
    opt.register({ x: 1, y: 2 }, 3.5);
    expect(JSON.parse(opt.exportBayesOpt('state')).target).toEqual([-3.5]);
    expect(JSON.parse(opt.exportBayesOpt('log')).target).toBe(-3.5);
  });

  it('a saved state allows duplicate points exactly when it holds some (bayes_opt\'s load_state refuses them otherwise)', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB });
    opt.register({ x: 1, y: 2 }, 3.5);
    opt.register({ x: 0.5, y: 2 }, 1);
    expect(JSON.parse(opt.exportBayesOpt('state')).allow_duplicate_points).toBe(false);
    opt.register({ x: 1, y: 2 }, 3.25);
    const state = JSON.parse(opt.exportBayesOpt('state'));
    expect(state.allow_duplicate_points).toBe(true);
    expect(state.params).toEqual([[1, 2], [0.5, 2], [1, 2]]);
  });

  it('categorical parameters: a log works, a saved state cannot hold them', async () => {
    const space = { act: { type: 'categorical', choices: ['relu', 'tanh'] }, lr: { type: 'float', low: 1e-4, high: 1e-1, log: true } } as const;
    const opt = new RandomSearch({ space, log: () => undefined });
    opt.register({ act: 'tanh', lr: 0.01 }, 0.9);
    expect(() => opt.exportBayesOpt('state')).toThrow(InvalidSpaceError);
    expect(() => opt.exportBayesOpt('state')).toThrow(
      'parameter "act": categorical parameters cannot be written to a bayes_opt saved state');
    const back = new RandomSearch({ space, log: () => undefined });
    await back.importBayesOpt(opt.exportBayesOpt('log'));
    expect(back.res.map((r) => [r.params, r.target])).toEqual([[{ act: 'tanh', lr: 0.01 }, 0.9]]);
    const bad = thrown(() => opt.exportBayesOpt('csv' as never));
    expect(bad).toBeInstanceOf(InvalidOptionError);
    expect([(bad as InvalidOptionError).option, bad.message]).toEqual(['format', 'option "format": bayes_opt export: expected "state" or "log", got "csv"']);
  });
});
