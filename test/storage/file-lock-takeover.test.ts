/**
 * A step whose file lock was taken over while it ran (its process stopped or
 * blocked for longer than staleMs) writes nothing at its append and runs
 * afresh under the lock: its lines never land after another worker's as if
 * the file were still the one it read (an ask kept a trial number that the
 * other worker's trial had, and its tell completed that trial with its value).
 */
import { lstatSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { FileJournalBackend, Journal } from '../../src/storage';
import { rejection } from '../optimizer/caught';

const dir = mkdtempSync(join(tmpdir(), 'lock-takeover-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SPACE = { x: { type: 'float' as const, low: 0, high: 1 } };

/** As another worker does once it judged the lock stale: the lock removed, then its own step run. */
function takeOver(path: string): void {
  unlinkSync(`${path}.lock`); // a symbolic link whose target is no file: existsSync() says false
}

describe('a file lock taken over while its step runs', () => {
  it('the append is refused, nothing written, and the step runs afresh after the other worker\'s lines', async () => {
    const path = join(dir, 'raw.log');
    const a = new FileJournalBackend(path);
    const b = new FileJournalBackend(path);
    let runs = 0;
    await a.withLock(async () => {
      runs++;
      if (runs === 1) {
        takeOver(path);
        await b.withLock(() => b.append('{"from":"b"}\n'));
      }
      await a.append(`{"from":"a","run":${runs}}\n`);
    });
    expect(runs).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe('{"from":"b"}\n{"from":"a","run":2}\n');
    expect(lstatSync(`${path}.lock`, { throwIfNoEntry: false })).toBeUndefined(); // released
    // taken over at every try: the error says what happened, and nothing of this worker's is in the file
    const e = await rejection(a.withLock(async () => {
      takeOver(path);
      await b.withLock(() => b.append('{"from":"b"}\n'));
      await a.append('{"from":"a"}\n');
    }));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toBe(`journal ${JSON.stringify(path)}: the lock was taken over while this worker held it (its process stopped or blocked ` +
      'for longer than staleMs, 10000 ms, 3 times); nothing was written');
    expect(readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"a"')).length).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('two locks on one journal in one process hold distinct tokens: one never takes the other\'s for its own', async () => {
    const path = join(dir, 'tokens.log');
    const a = new FileJournalBackend(path);
    const b = new FileJournalBackend(path);
    let heldByA: boolean | null = null;
    await a.withLock(async () => {
      takeOver(path);
      await b.withLock(async () => {
        // a's append now is refused (the lock is b's), and b's lock survives a's release
        heldByA = await a.append('{"from":"a"}\n').then(() => true, () => false);
      });
    }).catch(() => undefined);
    expect(heldByA).toBe(false);
    await Promise.all([a.close(), b.close()]);
  });

  it('an ask whose lock another worker took over gets its own trial, and its tell lands there, not on the other\'s', async () => {
    const path = join(dir, 'study.jsonl');
    const ja = await Journal.open(new FileJournalBackend(path), { space: SPACE, worker: 'a' });
    const jb = await Journal.open(new FileJournalBackend(path), { space: SPACE, worker: 'b' });
    let chosen = 0;
    const mine = await ja.askWith(async () => {
      chosen++;
      if (chosen === 1) {
        takeOver(path); // a stood still past staleMs while choosing: b took the lock and asked
        await jb.ask({ x: 0.999 });
      }
      return { x: 0.111 };
    });
    expect(chosen).toBe(2);
    expect([mine.trial.id, mine.trial.params]).toEqual([1, { x: 0.111 }]);
    expect(await ja.tell(mine.trial.id, { target: 111 })).toBe(true);
    expect(await jb.tell(0, { target: 999 })).toBe(true);
    const read = await Journal.open(path, { readOnly: true });
    expect((await read.load()).trials.map((t) => [t.id, t.params.x, t.target])).toEqual([[0, 0.999, 999], [1, 0.111, 111]]);
    await Promise.all([ja.close(), jb.close(), read.close()]);
  });
});
