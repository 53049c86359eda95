/**
 * Journal lines whose params lie outside the space are skipped and reported,
 * and a byte order mark does not hide the header: the study can always go on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { BayesianOptimization } from '../../src/optimizer';
import type { SpaceSpec } from '../../src/space/types';
import { Journal } from '../../src/storage/index';
import { distributionOf, distributionOfValue, parseDistribution, toExternal, toInternal, type Distribution } from '../../src/storage/optuna-format';
import { journalEvents, journalOps } from './journal-lines';

const SPACE: SpaceSpec = {
  x: { type: 'float', low: 0, high: 1 },
  k: { type: 'int', low: 1, high: 4 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};
const f = ({ x, k, act }: Record<string, unknown>) => -(((x as number) - 0.4) ** 2) - 0.1 * (k as number) + (act === 'tanh' ? 0.05 : 0);
const FAST = { engine: 'cpu', candidates: 300, gp: { restarts: 1 } } as const;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmpJournal(): string {
  const d = mkdtempSync(join(tmpdir(), 'journal-damage-'));
  dirs.push(d);
  return join(d, 'study.jsonl');
}

/** A finished 6-trial study; returns its path and text. */
async function study(): Promise<{ path: string; text: string }> {
  const path = tmpJournal();
  const opt = new BayesianOptimization({ ...FAST, f, space: SPACE, randomState: 3, journal: path, log: () => undefined });
  await opt.maximize({ initPoints: 4, nIter: 2 });
  await opt.close();
  return { path, text: readFileSync(path, 'utf8') };
}

/** A distribution under which `v` is stored as written (an extra choice, a float for a non-integer int). */
function distributionFor(name: string, v: unknown): Distribution {
  const spec = SPACE[name];
  if (!spec) return distributionOfValue(v as number);
  const d = distributionOf(spec);
  const a = d.attributes;
  if (d.name === 'CategoricalDistribution' && !(a.choices as unknown[]).includes(v)) return { name: d.name, attributes: { choices: [...(a.choices as unknown[]), v] } };
  if (d.name === 'IntDistribution' && !Number.isInteger(v)) return { name: 'FloatDistribution', attributes: { step: null, low: a.low, high: a.high, log: false } };
  return d;
}

/**
 * Replaces trial `id`'s params in its CREATE_TRIAL line (Optuna's internal
 * values and distributions). Returns the text, that line and the lines of the
 * trial's later operations.
 */
function editCreate(text: string, id: number, edit: (p: Record<string, unknown>) => void): { text: string; line: number; later: number[] } {
  const lines = text.split('\n');
  let n = -1;
  const i = lines.findIndex((l) => l !== '' && JSON.parse(l).op_code === 4 && ++n === id);
  const o = JSON.parse(lines[i]);
  const params: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o.params)) params[k] = toExternal(parseDistribution(o.distributions[k])!, x);
  edit(params);
  o.params = {};
  o.distributions = {};
  for (const [k, v] of Object.entries(params)) {
    const d = distributionFor(k, v);
    o.params[k] = toInternal(d, v as never);
    o.distributions[k] = JSON.stringify(d);
  }
  lines[i] = JSON.stringify(o);
  // one study per file: Optuna's trial_id is the trial's number
  const later = lines.map((l, j) => (j > i && l !== '' && JSON.parse(l).trial_id === id ? j + 1 : 0)).filter((j) => j > 0);
  return { text: lines.join('\n'), line: i + 1, later };
}

const CASES: [string, (p: Record<string, unknown>) => void, string][] = [
  ['out of range', (p) => { p.x = 7.5; }, 'parameter "x": value 7.5 is outside [0, 1]'],
  ['not a listed choice', (p) => { p.act = 'gelu'; }, 'parameter "act": value "gelu" is not among the choices ["relu", "tanh"]'],
  ['a non-integer int', (p) => { p.k = 2.5; }, 'parameter "k": expected an integer, got 2.5'],
  ['a missing parameter', (p) => { delete p.k; }, 'point: missing parameter "k"'],
  ['an unknown parameter', (p) => { p.y = 1; }, 'point: unknown parameter "y"'],
];

describe('journal lines with params outside the space', () => {
  for (const [what, edit, reason] of CASES) {
    it(`${what}: skipped with line and reason; max, suggest, maximize and recommend go on`, async () => {
      const { path, text } = await study();
      const { text: bad, line, later } = editCreate(text, 2, edit);
      writeFileSync(path, bad);
      const lines: string[] = [];
      const opt = new BayesianOptimization({ ...FAST, f, space: SPACE, randomState: 3, journal: path, log: (l) => lines.push(l) });
      await opt.ready();
      const state = await (await Journal.open(path, { space: SPACE, readOnly: true })).load();
      // its later operations (duration, state and value) are skipped too
      const ops = journalOps(bad, true);
      expect(later.length).toBeGreaterThanOrEqual(2);
      expect(state.skipped).toEqual([
        { line, reason: `create trial 2: ${reason}` },
        ...later.map((l) => ({ line: l, reason: `op ${ops[l - 1].op_code}: trial 2 was skipped (its params, line ${line}, do not fit the space)` })),
      ]);
      expect(opt.trials.map((t) => t.id)).toEqual([0, 1, 3, 4, 5]);
      expect(lines.join('\n')).toContain(`${1 + later.length} damaged line(s) skipped (line ${line}: create trial 2: ${reason}; line ${later[0]}: op `);
      expect(opt.max).toBeDefined();
      await opt.suggest();
      await opt.maximize({ initPoints: 0, nIter: 2 });
      expect((await opt.recommend())!.id).not.toBe(2);
      // ids are never reused: the skipped trial's id stays taken
      expect(opt.trials.map((t) => t.id)).toEqual([0, 1, 3, 4, 5, 6, 7, 8]);
      await opt.close();
    });
  }
});

describe("a study's stored space that is none", () => {
  const BAD: [unknown, string][] = [
    [{}, 'space: must define at least one parameter'],
    [{ x: null }, 'parameter "x": definition must be an object, got null'],
    [[0, 1], 'must be an object of parameter specs, got [0,1]'],
    [{ x: { type: 'float' } }, 'parameter "x": low must be a finite number, got undefined'],
  ];
  for (const [space, reason] of BAD) {
    it(`${JSON.stringify(space)}: skipped with its reason; the trials keep their parameters, read by their own distributions`, async () => {
      const { path, text } = await study();
      const lines = text.split('\n');
      const at = lines.findIndex((l) => l.includes('"wbo:space"'));
      expect(at).toBeGreaterThanOrEqual(0);
      const o = JSON.parse(lines[at]);
      o.system_attr['wbo:space'] = space;
      lines[at] = JSON.stringify(o);
      writeFileSync(path, lines.join('\n'));
      const state = await (await Journal.open(path, { readOnly: true })).load();
      expect(state.skipped).toEqual([{ line: at + 1, reason: `study attr "wbo:space": ${reason}` }]);
      expect(state.header?.space).toBeUndefined();
      expect(state.trials).toHaveLength(6);
      for (const t of state.trials) expect(Object.keys(t.params).sort()).toEqual(['act', 'k', 'x']);
      // a resumed study with its space checks it against the trials' distributions and goes on
      const opt = new BayesianOptimization({ ...FAST, f, space: SPACE, randomState: 3, journal: path, log: () => undefined });
      await opt.maximize({ initPoints: 0, nIter: 1 });
      expect(opt.trials).toHaveLength(7);
      await opt.close();
    });
  }
});

describe("a study created with a direction that is none of Optuna's", () => {
  for (const bad of [3, 'MINIMIZE', null]) {
    it(`${JSON.stringify(bad)}: the line is reported, the study and its trials stand, its direction unknown`, async () => {
      const { path, text } = await study();
      const lines = text.split('\n');
      const o = JSON.parse(lines[0]);
      expect(o.directions).toEqual([2]);
      o.directions = [bad];
      lines[0] = JSON.stringify(o);
      writeFileSync(path, lines.join('\n'));
      const state = await (await Journal.open(path, { readOnly: true })).load();
      expect(state.skipped).toEqual([{ line: 1, reason: `create study: direction ${typeof bad === 'string' ? JSON.stringify(bad) : String(bad)} is none of Optuna's (0 not set, 1 minimize, 2 maximize)` }]);
      expect(state.header?.direction).toBeUndefined();
      expect(state.trials).toHaveLength(6);
    });
  }
});

describe('a UTF-8 byte order mark at the start of a journal', () => {
  it('is stripped: the header is read, the space is checked, no second header is written', async () => {
    const { path, text } = await study();
    writeFileSync(path, '\ufeff' + text);
    const opt = new BayesianOptimization({ ...FAST, f, space: SPACE, randomState: 3, journal: path, log: () => undefined });
    await opt.ready();
    expect(opt.trials).toHaveLength(6);
    await opt.maximize({ initPoints: 0, nIter: 1 });
    await opt.close();
    const after = readFileSync(path, 'utf8');
    expect(after.startsWith('\ufeff')).toBe(true); // left as it was
    expect(journalOps(after.slice(1), true).filter((o) => o.op_code === 0)).toHaveLength(1);
    expect(journalEvents(path).filter((e) => e.type === 'ask')).toHaveLength(7);
    const state = await (await Journal.open(path, { readOnly: true })).load();
    expect(state.skipped).toEqual([]);

    // a different space is refused on the journal, BOM or not
    const other = { ...SPACE, x: { type: 'float', low: 0.5, high: 1 } } as SpaceSpec; // narrower: a wider one is taken
    const err = await new BayesianOptimization({ ...FAST, f, space: other, journal: path, log: () => undefined }).ready().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toContain('the search space differs from the one the study was created with');
  });
});

describe('a path that holds some other file', () => {
  it('is refused, naming its first line, and left as it was', async () => {
    const path = tmpJournal();
    const text = 'export const space = { x: [0, 1] };\nexport default ({ x }) => x;\n';
    writeFileSync(path, text);
    await expect(Journal.open(path, { space: SPACE })).rejects.toThrow(new StorageError(
      `journal ${JSON.stringify(path)}: not a journal (2 line(s), none of them a journal line; line 1: invalid JSON); nothing was written to it`));
    expect(readFileSync(path, 'utf8')).toBe(text);
    // read-only too (`studies`, `report`): refused, not read as a journal with no study
    await expect(Journal.open(path, { readOnly: true })).rejects.toThrow(new StorageError(
      `journal ${JSON.stringify(path)}: not a journal (2 line(s), none of them a journal line; line 1: invalid JSON); nothing was written to it`));
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('a torn first write alone is no such file: the study is written after it', async () => {
    const path = tmpJournal();
    writeFileSync(path, '{"op_code": 0, "worker_id": "w", "study_na');
    const j = await Journal.open(path, { space: SPACE });
    const s = await j.load();
    expect(s.header?.space).toEqual(SPACE);
    await j.close();
  });
});

describe('a last line another writer glued its write onto', () => {
  const summary = async (path: string) => {
    const j = await Journal.open(path, { readOnly: true });
    const l = await j.load();
    await j.close();
    return { trials: l.trials.map((t) => [t.id, t.status, t.target ?? null]), skipped: l.skipped.length };
  };

  it("keeps the whole objects the readers used: the append cuts only the torn write after them, and every reader agrees", async () => {
    const { path, text } = await study();
    const lines = text.split('\n').filter((l) => l !== '');
    // the last op loses its newline, and another writer's torn op is glued straight after it
    const torn = '{"op_code": 4, "worker_id": "w", "stud';
    writeFileSync(path, lines.join('\n') + torn);
    const reader = await Journal.open(path, { readOnly: true });
    const before = await reader.load();
    expect(before.trials.filter((t) => t.status === 'complete')).toHaveLength(6);
    const writer = await Journal.open(path);
    await writer.load();
    await writer.record({ x: 0.5, k: 2, act: 'relu' }, { target: 1 });
    await writer.close();
    const live = await reader.load();
    await reader.close();
    const fresh = await summary(path);
    expect(live.trials.map((t) => [t.id, t.status, t.target ?? null])).toEqual(fresh.trials);
    expect(fresh.trials).toHaveLength(7);
    expect(fresh.trials.filter((t) => t[1] === 'complete')).toHaveLength(7);
    expect(fresh.skipped).toBe(0);
    expect(readFileSync(`${path}.torn`, 'utf8').trimEnd()).toBe(torn);
    // what is left is one op per line again, as Optuna reads it
    expect(readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').every((l) => JSON.parse(l))).toBe(true);
  });
});

describe('toExternal on a float grid', () => {
  it("reads Optuna's low + k step as the grid's level, and a value off the grid as written", () => {
    const d = parseDistribution('{"name": "FloatDistribution", "attributes": {"step": 0.1, "low": -1.0, "high": 1.0, "log": false}}')!;
    expect([-0.19999999999999996, 0.30000000000000004, 5.551115123125783e-17, 0.9999999999999998].map((v) => toExternal(d, v))).toEqual([-0.2, 0.3, 0, 1]);
    expect(toExternal(d, 0.35)).toBe(0.35);
    const plain = parseDistribution('{"name": "FloatDistribution", "attributes": {"step": null, "low": -1.0, "high": 1.0, "log": false}}')!;
    expect(toExternal(plain, 0.30000000000000004)).toBe(0.30000000000000004);
  });
});
