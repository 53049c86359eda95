/**
 * A FIFO (or a device) where a journal file or its lock should be: the
 * file steps are synchronous calls, so an open or read that waits for a
 * writer would hold the whole process, timers included. Each is refused
 * at once with a StorageError instead, or judged by age (a lock).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import { FileJournalBackend } from '../../src/storage';
import { useTempDirs } from './temp-dirs';

const tmp = useTempDirs('file-special-');
const linux = process.platform === 'linux' ? describe : describe.skip;

function fifo(path: string): string {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
  return path;
}

linux('special files in a journal file\'s place', () => {
  it('a FIFO as the journal: its read and its append are StorageErrors at once, and the process goes on', async () => {
    const path = fifo(join(tmp(), 'study.log'));
    const backend = new FileJournalBackend(path);
    let ticked = false;
    const tick = setTimeout(() => void (ticked = true), 0); // the event loop still turns
    await expect(backend.readWindow(null)).rejects.toThrow(new StorageError(`journal ${JSON.stringify(path)}: cannot read: not a regular file (a FIFO)`));
    await expect(backend.withLock(() => backend.append('{"op_code":0}\n'))).rejects.toThrow(
      new StorageError(`journal ${JSON.stringify(path)}: cannot append: not a regular file (a FIFO)`),
    );
    await new Promise((r) => setTimeout(r, 5));
    clearTimeout(tick);
    expect(ticked).toBe(true);
  });

  it('an optimizer given a FIFO as its journal fails with that StorageError, records nothing, and does not hang', async () => {
    const path = fifo(join(tmp(), 'study.log'));
    const opt = new RandomSearch({ pbounds: { x: [0, 1] }, f: ({ x }) => x, journal: path, randomState: 1, log: () => undefined });
    const e = await opt.maximize({ initPoints: 2, nIter: 0 }).then(() => null, (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(StorageError);
    expect(e!.message).toContain('not a regular file (a FIFO)');
    expect(opt.res).toHaveLength(0);
    await opt.close();
  });

  it('a FIFO as the lock is judged by its age, not read: a fresh one is waited on up to the timeout', async () => {
    const path = join(tmp(), 'study.log');
    fifo(`${path}.lock`);
    const e = await new FileJournalBackend(path, { lockTimeoutMs: 200, staleMs: 60_000 }).withLock(async () => 1).then(() => null, (x: unknown) => x as Error);
    expect(e).toEqual(new StorageError(`journal lock ${JSON.stringify(`${path}.lock`)}: held by a process that has not written its pid yet; gave up after 200 ms`));
  });
});
