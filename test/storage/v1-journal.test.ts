/**
 * Journals in this library's v1 format (before Optuna's journal format) still
 * load, read only, and convert to Optuna's format with nothing lost. The
 * fixture was written by the v1 writer: a minimizing study over float,
 * log-float, int and categorical parameters with a registered, a failed, eight
 * complete and one pending trial; v1-journal.expected.json is what the v1
 * reader loaded from it.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { BayesianOptimization } from '../../src/optimizer';
import { Journal, migrateJournal } from '../../src/storage';
import { journalOps } from './journal-lines';

const FIXTURE = join(__dirname, 'fixtures/v1-journal.jsonl');
const expected = JSON.parse(readFileSync(join(__dirname, 'fixtures/v1-journal.expected.json'), 'utf8'));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'v1-journal-'));
  dirs.push(d);
  return d;
}

describe('v1 journals', () => {
  it('load read only with every trial, the random and the model state', async () => {
    const j = await Journal.open(FIXTURE, { readOnly: true });
    expect(j.format).toBe('v1');
    const s = await j.load();
    expect(s.skipped).toEqual([]);
    expect(s.trials).toEqual(expected.trials);
    expect(s.trials.map((t) => t.status)).toEqual(['complete', 'failed', ...Array(8).fill('complete'), 'pending']);
    expect(s.rngState).toEqual(expected.rngState);
    expect(s.modelState).toEqual(expected.modelState);
    expect(s.header).toMatchObject({ space: expected.header.space, direction: 'minimize', created: expected.header.created });
  });

  it('are not written to: opening one for writing is a StorageError naming migrateJournal', async () => {
    const path = join(tmp(), 'old.jsonl');
    copyFileSync(FIXTURE, path);
    const before = readFileSync(path, 'utf8');
    await expect(Journal.open(path)).rejects.toThrow(StorageError);
    await expect(Journal.open(path)).rejects.toThrow(/v1 journal format, which is read only now: convert it with migrateJournal\(from, to\)/);
    const opt = new BayesianOptimization({ space: expected.header.space, direction: 'minimize', journal: path, engine: 'cpu', log: () => undefined });
    await expect(opt.ready()).rejects.toThrow(StorageError);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('one that lost its study line is not migrated (its direction and space are unknown): nothing is written', async () => {
    const d = tmp();
    const from = join(d, 'old.jsonl');
    const to = join(d, 'new.log');
    writeFileSync(from, readFileSync(FIXTURE, 'utf8').split('\n').slice(1).join('\n'));
    await expect(migrateJournal(from, to)).rejects.toThrow(
      new StorageError(`migrateJournal: ${JSON.stringify(from)} has no study line (its direction and space are unknown); nothing was written`));
    expect(existsSync(to)).toBe(false);
  });

  it('migrate to Optuna format with nothing lost, and the optimizer resumes from it', async () => {
    const d = tmp();
    const from = join(d, 'old.jsonl');
    const to = join(d, 'new.log');
    copyFileSync(FIXTURE, from);
    const before = readFileSync(from, 'utf8');
    expect(await migrateJournal(from, to)).toEqual({ trials: 11, skipped: [] });
    expect(readFileSync(from, 'utf8')).toBe(before);
    expect(journalOps(to).every((o) => typeof o.op_code === 'number')).toBe(true);
    const j = await Journal.open(to, { readOnly: true });
    expect(j.format).toBe('optuna');
    const s = await j.load();
    expect(s.skipped).toEqual([]);
    expect(s.trials).toEqual(expected.trials);
    expect(s.rngState).toEqual(expected.rngState);
    expect(s.modelState).toEqual(expected.modelState);
    expect(s.header).toMatchObject({ name: 'default', space: expected.header.space, direction: 'minimize', created: expected.header.created });
    // a second migration into the same study would double it
    await expect(migrateJournal(from, to)).rejects.toThrow('migrateJournal: study "default" in the target already has trials');

    const opt = new BayesianOptimization({ space: expected.header.space, direction: 'minimize', storage: to, engine: 'cpu', candidates: 200, log: () => undefined });
    await opt.ready();
    expect(opt.res).toEqual(expected.trials.filter((t: { status: string }) => t.status !== 'pending').map(({ worker: _w, ...t }: { worker?: string }) => t));
    // a v1 model state predates fitN/fitKey: they restore as 0 (refit at the next fit)
    expect(opt.gp.state()).toEqual({ ...expected.modelState, fitN: 0, fitKey: 0 });
    opt.dispose();
  });
});
