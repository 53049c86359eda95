/**
 * Results the storage could not take are kept and written by the next call
 * that reaches it (README, faults): several in a row, a registered point
 * whose ask failed, and at dispose(); and reading a study through a
 * backend the caller owns leaves that backend open.
 */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import { readStudy } from '../../src/report';
import type { SpaceSpec } from '../../src/space/types';
import { Journal, listStudies, MemoryJournalBackend, type JournalBackend } from '../../src/storage';
import { rejection } from '../optimizer/caught';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };

/** A journal in memory behind a driver that can go down (appends rejected) and counts close() calls. */
function downable(): { backend: JournalBackend; inner: MemoryJournalBackend; down(v: boolean): void; closes(): number } {
  const inner = new MemoryJournalBackend('', 'db');
  let down = false;
  let closes = 0;
  const backend: JournalBackend = {
    name: 'db',
    readAll: () => inner.readAll(),
    append: (l) => (down ? Promise.reject(new Error('db down')) : inner.append(l)),
    withLock: (fn) => inner.withLock(fn),
    close: async () => void closes++,
  };
  return { backend, inner, down: (v) => (down = v), closes: () => closes };
}

const stored = async (inner: MemoryJournalBackend) => {
  const j = await Journal.open(inner, { readOnly: true });
  const s = await j.load();
  await j.close();
  return s.trials.map((t) => [t.id, t.status, t.target]);
};

describe('kept results', () => {
  it('every result told while the storage is down is kept, not only the first, and all are written when it is back', async () => {
    const db = downable();
    const opt = new RandomSearch({ space: SPACE, storage: db.backend, randomState: 1, log: () => undefined });
    const ps = [await opt.suggest(), await opt.suggest(), await opt.suggest()];
    db.down(true);
    const errs: string[] = [];
    for (const [i, p] of ps.entries()) errs.push((await rejection(opt.register(p, i + 1))).message);
    expect(errs).toEqual([0, 1, 2].map((id) => `journal "db": append failed: db down; the result of trial ${id} is kept: its write may have landed, and the next call that reaches the storage checks and writes it only if not`));
    db.down(false);
    await opt.suggest();
    expect(await stored(db.inner)).toEqual([[0, 'complete', 1], [1, 'complete', 2], [2, 'complete', 3], [3, 'pending', null]]);
    opt.dispose();
  });

  it('a registered point whose ask failed is kept whole: asked and told by the next call', async () => {
    const db = downable();
    const opt = new RandomSearch({ space: SPACE, storage: db.backend, randomState: 1, log: () => undefined });
    await opt.ready();
    db.down(true);
    const e = await rejection(opt.register({ x: 0.25 }, 7));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toBe('journal "db": append failed: db down; the registered result is kept and written by the next call that reaches the storage');
    db.down(false);
    await opt.suggest();
    expect(await stored(db.inner)).toEqual([[0, 'complete', 7], [1, 'pending', null]]);
    expect(opt.trials[0]).toMatchObject({ id: 0, params: { x: 0.25 }, status: 'complete', target: 7, source: 'register' });
    opt.dispose();
  });

  it('dispose() writes the kept results before it lets the storage go', async () => {
    const db = downable();
    const opt = new RandomSearch({ space: SPACE, storage: db.backend, randomState: 1, log: () => undefined });
    const p = await opt.suggest();
    db.down(true);
    await rejection(opt.register(p, 1));
    db.down(false);
    opt.dispose();
    await new Promise((r) => setTimeout(r, 20));
    expect(await stored(db.inner)).toEqual([[0, 'complete', 1]]);
    expect(db.closes()).toBe(0); // the caller's backend: the caller closes it
  });

  it('listStudies and readStudy on the caller\'s backend leave it open, and a running optimizer on it unharmed', async () => {
    const db = downable();
    const opt = new RandomSearch({ space: SPACE, storage: db.backend, randomState: 2, log: () => undefined });
    const p = await opt.suggest();
    expect((await listStudies(db.backend)).map((s) => [s.name, s.pending])).toEqual([['default', 1]]);
    expect((await readStudy(db.backend)).trials).toHaveLength(1);
    expect(db.closes()).toBe(0);
    expect(await opt.register(p, 3)).toMatchObject({ id: 0, status: 'complete', target: 3 });
    opt.dispose();
  });
});

describe('UntoldResults.flush', () => {
  it('a kept result no write can record (its tell a StateError: the study deleted, the trial gone) is said once and dropped, not retried by every later call', async () => {
    const { UntoldResults } = await import('../../src/storage/untold-results');
    const { StateError } = await import('../../src/errors');
    const u = new UntoldResults();
    await rejection(Promise.resolve().then(() => u.keepOnFailure(2, { target: 1, at: Date.now() }, () => { throw new StorageError('down'); })));
    expect(u.size).toBe(1);
    const gone = async () => { throw new StateError('tell: unknown trial id 2'); };
    expect((await rejection(u.flush(gone, () => undefined, async () => 0))).message).toBe('tell: unknown trial id 2');
    expect(u.size).toBe(0);
    let told = 0;
    await u.flush(async () => void told++, () => undefined, async () => 0);
    expect(told).toBe(0);
    // a StorageError keeps it, as before: the next call writes it
    await rejection(Promise.resolve().then(() => u.keepOnFailure(3, { target: 2, at: Date.now() }, () => { throw new StorageError('down'); })));
    await rejection(u.flush(async () => { throw new StorageError('still down'); }, () => undefined, async () => 0));
    expect(u.size).toBe(1);
  });
});
