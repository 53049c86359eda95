/**
 * A tell that arrives after another worker failed the trial as stale (its
 * owner looked stopped): the storage refuses it, and the study neither
 * claims the refused result nor loses it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors';
import { Journal } from '../../src/storage/index';
import { Study } from '../../src/storage/study';
import { RandomSearch } from '../../src/optimizer';

const space = { x: { type: 'float' as const, low: 0, high: 1 } };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** study A with one pending trial (x = 0.25) that a second worker has failed as stale and retried */
async function staleTrial(): Promise<{ a: Study; path: string }> {
  const d = mkdtempSync(join(tmpdir(), 'late-tell-'));
  dirs.push(d);
  const path = join(d, 'study.jsonl');
  const a = Study.open(path, { space });
  await a.ready();
  const t = await a.ask(() => ({ x: 0.25 }), { source: 'suggest' });
  expect(t.id).toBe(0);
  const b = await Journal.open(path, { space });
  const r = await b.reclaim(0, { force: true });
  expect(r?.retry?.id).toBe(1);
  await b.close();
  return { a, path };
}

describe('a tell after the trial was failed elsewhere', () => {
  it('records the completed result as a new trial; the failed trial stays failed, in memory and in the storage', async () => {
    const { a, path } = await staleTrial();
    const kept = await a.tell(0, { target: 1.5, durationMs: 7 });
    expect(kept).toMatchObject({ id: 2, status: 'complete', target: 1.5, source: 'register', params: { x: 0.25 } });
    expect(a.trials.map((t) => [t.id, t.status])).toEqual([[0, 'failed'], [1, 'pending'], [2, 'complete']]);
    await a.close();
    const stored = await (await Journal.open(path, { readOnly: true })).load();
    expect(stored.trials.map((t) => [t.id, t.status, t.target])).toEqual([[0, 'failed', null], [1, 'pending', null], [2, 'complete', 1.5]]);
  });

  it('a failed evaluation adds nothing: the stored failed trial is returned', async () => {
    const { a } = await staleTrial();
    const t = await a.tell(0, { error: 'diverged' });
    expect(t).toMatchObject({ id: 0, status: 'failed' });
    expect(a.size).toBe(2);
    await a.close();
  });

  it('telling a finished trial again: the same result returns it, another result is a StateError and records nothing', async () => {
    const { a } = await staleTrial();
    const t = await a.ask(() => ({ x: 0.75 }));
    await a.tell(t.id, { target: 2 });
    expect(await a.tell(t.id, { target: 2 })).toMatchObject({ id: t.id, status: 'complete', target: 2 });
    await expect(a.tell(t.id, { target: 3 })).rejects.toThrow(
      new StateError(`tell: trial ${t.id} had already ended (complete) in the storage; this result was not recorded`),
    );
    expect(a.completed().map((x) => [x.id, x.target])).toEqual([[t.id, 2]]);
    await a.close();
  });

  it('the late result takes no new place in a resume budget: it is the failed trial\'s evaluation, whose place the retry fills', async () => {
    const { a, path } = await staleTrial();
    expect(a.budgetSize).toBe(1); // trial 0; its retry fills its place
    const kept = await a.tell(0, { target: 1.5 });
    expect(kept.lateOf).toBe(0);
    expect(a.budgetSize).toBe(1);
    await a.close();
    const stored = await (await Journal.open(path, { readOnly: true })).load();
    expect(stored.trials.map((t) => [t.id, t.retryOf ?? null, t.lateOf ?? null])).toEqual([[0, null, null], [1, 0, null], [2, null, 0]]);
    // the retry finishes; a resumed run with a budget of 3 then asks 2 new points (one place used by trial 0)
    const b = await Journal.open(path, { space });
    await b.tell(1, { target: 1.4 });
    await b.close();
    const opt = new RandomSearch({ f: ({ x }) => x, space, randomState: 1, journal: path, verbose: 0, log: () => {} });
    await opt.maximize({ initPoints: 2, nIter: 1, resume: true });
    expect(opt.trials.map((t) => t.source)).toEqual(['suggest', 'suggest', 'register', expect.any(String), expect.any(String)]);
    expect(opt.trials.slice(3).every((t) => t.status === 'complete' && t.lateOf === undefined && t.retryOf === undefined)).toBe(true);
    opt.dispose();
  });
});
