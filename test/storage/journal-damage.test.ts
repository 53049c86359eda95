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
import { journalEvents } from './journal-lines';

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
  await opt.dispose();
  return { path, text: readFileSync(path, 'utf8') };
}

/** Replaces trial `id`'s params in its ask line. */
function editAsk(text: string, id: number, edit: (p: Record<string, unknown>) => void): { text: string; line: number } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes('"type":"ask"') && JSON.parse(l).id === id);
  const e = JSON.parse(lines[i]);
  edit(e.params);
  lines[i] = JSON.stringify(e);
  return { text: lines.join('\n'), line: i + 1 };
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
      const { text: bad, line } = editAsk(text, 2, edit);
      writeFileSync(path, bad);
      const lines: string[] = [];
      const opt = new BayesianOptimization({ ...FAST, f, space: SPACE, randomState: 3, journal: path, log: (l) => lines.push(l) });
      await opt.ready();
      const tellLine = bad.split('\n').findIndex((l) => l.includes('"type":"tell"') && JSON.parse(l).id === 2) + 1;
      const state = await (await Journal.open(path, { space: SPACE, readOnly: true })).load();
      expect(state.skipped).toEqual([
        { line, reason: `ask: ${reason}` },
        { line: tellLine, reason: `tell: trial 2 was skipped (its ask, line ${line}, does not fit the space)` },
      ]);
      expect(opt.trials.map((t) => t.id)).toEqual([0, 1, 3, 4, 5]);
      expect(lines.join('\n')).toContain(`2 damaged line(s) skipped (line ${line}: ask: ${reason}; line ${tellLine}: tell: trial 2 was skipped`);
      expect(opt.max).toBeDefined();
      await opt.suggest();
      await opt.maximize({ initPoints: 0, nIter: 2 });
      expect((await opt.recommend())!.id).not.toBe(2);
      // ids are never reused: the skipped trial's id stays taken
      expect(opt.trials.map((t) => t.id)).toEqual([0, 1, 3, 4, 5, 6, 7, 8]);
      await opt.dispose();
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
    await opt.dispose();
    const after = readFileSync(path, 'utf8');
    expect(after.split('\n').filter((l) => l.includes('"type":"study"'))).toHaveLength(1);
    expect(journalEvents(path).filter((e) => e.type === 'ask')).toHaveLength(7);
    const state = await (await Journal.open(path, { readOnly: true })).load();
    expect(state.skipped).toEqual([]);

    // a different space is refused on the journal, BOM or not
    const other = { ...SPACE, x: { type: 'float', low: 0, high: 2 } } as SpaceSpec;
    const err = await new BayesianOptimization({ ...FAST, f, space: other, journal: path, log: () => undefined }).ready().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toContain('the search space differs from the one the study was created with');
  });
});
