/**
 * The maximize signal is a hard wall-clock limit while the storage waits: a
 * file journal whose lock another worker holds (for as long as its lock
 * timeout) does not hold back the rejection, and what the run recorded
 * before is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors';
import { BayesianOptimization, type Trial } from '../../src/optimizer';
import { FileJournalBackend } from '../../src/storage';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Another worker's backend on `path` holding its lock until `release()`. */
async function holdLock(path: string): Promise<{ release: () => void; released: () => boolean }> {
  const other = new FileJournalBackend(path);
  let release!: () => void;
  let done = false;
  await new Promise<void>((taken) => {
    void other.withLock(async () => {
      taken();
      await new Promise<void>((r) => (release = r));
      done = true;
    });
  });
  return { release: () => release(), released: () => done };
}

/** How `p` settled: 'resolved', or the error it rejected with. */
const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: unknown) => e);

describe('maximize({ signal }) while the storage waits for a lock', () => {
  it('rejects with the signal\'s StateError while the journal is still locked at open, and close() then ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wbo-signal-lock-'));
    dirs.push(dir);
    const path = join(dir, 'study.jsonl');
    const lock = await holdLock(path);
    const opt = new BayesianOptimization({ f: ({ x }) => x, pbounds: { x: [0, 1] }, storage: path, engine: 'cpu', randomState: 1 });
    const ac = new AbortController();
    const run = outcome(opt.maximize({ initPoints: 3, nIter: 0, signal: ac.signal }));
    await sleep(50);
    ac.abort(new Error('deadline'));
    // the lock is released only after the run settled or 20 s passed (the journal's lock timeout is 60 s)
    const settled = await Promise.race([run, sleep(20_000).then(() => 'pending')]);
    const lockedThen = !lock.released();
    lock.release();
    expect(settled).toBeInstanceOf(StateError);
    expect((settled as StateError).message).toBe('maximize: aborted by its signal');
    expect(((settled as StateError).cause as Error).message).toBe('deadline');
    expect(lockedThen).toBe(true);
    await opt.close();
    expect(opt.res).toEqual([]);
  }, 30_000);

  it('rejects while another worker holds the lock mid-run; the trials recorded before are kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wbo-signal-lock-'));
    dirs.push(dir);
    const path = join(dir, 'study.jsonl');
    const seen: Trial[] = [];
    const make = (f: (p: { x: number }) => Promise<number> | number) =>
      new BayesianOptimization({ f, pbounds: { x: [0, 1] }, storage: path, engine: 'cpu', randomState: 2 });
    const opt = make(async ({ x }) => (await sleep(30), x));
    await opt.ready();
    const ac = new AbortController();
    const run = outcome(opt.maximize({ initPoints: 50, nIter: 0, signal: ac.signal, onTrial: (t) => void seen.push(t) }));
    while (seen.length < 3) await sleep(5);
    const lock = await holdLock(path); // taken between two of the run's steps
    ac.abort(new Error('deadline'));
    const settled = await Promise.race([run, sleep(20_000).then(() => 'pending')]);
    const lockedThen = !lock.released();
    lock.release();
    expect(settled).toBeInstanceOf(StateError);
    expect(lockedThen).toBe(true);
    await opt.close();
    // every trial the run told onTrial about is in the journal, as it was told
    const again = make(({ x }) => x);
    await again.ready();
    for (const t of seen) expect(again.trials.find((u) => u.id === t.id)).toMatchObject({ status: t.status, target: t.target, params: t.params });
    await again.close();
  }, 30_000);
});
