/**
 * readStudy and `webgpu-bayesopt report` on a journal that holds several
 * studies: each reads the study it is given by name.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import { readStudy } from '../../src/report/study';
import type { SpaceSpec } from '../../src/space/types';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 }, act: { type: 'categorical', choices: ['relu', 'tanh'] } };
const dir = mkdtempSync(join(tmpdir(), 'report-study-name-'));
const journal = join(dir, 'two.log');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading one study of several in a journal', () => {
  beforeAll(async () => {
    // 'default' maximizes 3 trials, 'small' minimizes 5, in one file
    for (const [studyName, direction, n] of [['default', 'maximize', 3], ['small', 'minimize', 5]] as const) {
      const opt = new RandomSearch({ space: SPACE, direction, journal, studyName, randomState: n, log: () => undefined, f: (p) => (p.x as number) * n });
      await opt.maximize({ initPoints: n, nIter: 0 });
      opt.dispose();
    }
  });

  it('readStudy reads the study it is given, default "default"', async () => {
    const small = await readStudy(journal, { studyName: 'small' });
    expect([small.direction, small.trials.length, small.source]).toEqual(['minimize', 5, 'two.log, study small']);
    expect(small.trials.every((t) => t.target === (t.params.x as number) * 5)).toBe(true);
    const first = await readStudy(journal);
    expect([first.direction, first.trials.length, first.source]).toEqual(['maximize', 3, 'two.log']);
    expect(first.trials.every((t) => t.target === (t.params.x as number) * 3)).toBe(true);
  });

  it('a study name the journal does not hold is a StorageError naming the ones it holds', async () => {
    const e = await readStudy(journal, { studyName: 'nope' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(`journal ${JSON.stringify(journal)}: no study named "nope"; it holds "default", "small"`);
  });

  it('without a name, a journal of other studies only is refused naming them, not read as an empty study', async () => {
    const only = join(dir, 'only-small.log');
    const opt = new RandomSearch({ space: SPACE, journal: only, studyName: 'small', randomState: 1, log: () => undefined, f: (p) => p.x as number });
    await opt.maximize({ initPoints: 2, nIter: 0 });
    await opt.close();
    const e = await readStudy(only).catch((x: unknown) => x);
    expect(e).toEqual(new StorageError(`journal ${JSON.stringify(only)}: no study named "default"; it holds "small"`));
    expect((await readStudy(only, { studyName: 'small' })).trials).toHaveLength(2);
  });

  it('`report --study-name` writes the page of that study', async () => {
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: false } };
    const page = join(dir, 'small.html');
    expect(await runCli(['node', 'webgpu-bayesopt', 'report', journal, '--study-name', 'small', '--out', page], io)).toBe(0);
    expect(out).toBe(`report: ${page} (5 trials)\n`);
    expect(readFileSync(page, 'utf8')).toContain('<title>Study two.log, study small</title>');
    expect(await runCli(['node', 'webgpu-bayesopt', 'report', journal, '--study-name', 'nope', '--out', join(dir, 'x.html')], io)).toBe(1);
    expect(err).toBe(`error: journal ${JSON.stringify(journal)}: no study named "nope"; it holds "default", "small"\n`);
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});
