/**
 * `trials` and `finished()` hand out frozen copies kept until the trial
 * changes: reading them again copies nothing (a loop reading `res[i]` over
 * 3,000 trials copied the whole study at each read, 7 to 11 s), and every
 * change of the record shows at the next read.
 */
import { describe, expect, it } from 'vitest';
import type { SpaceSpec } from '../../src/space/types';
import { MemoryJournalBackend, Study } from '../../src/storage/index';
import type { Trial } from '../../src/study/types';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };

/** The copies `study` hands out now, by id. */
const byId = (trials: Trial[]): Map<number, Trial> => new Map(trials.map((t) => [t.id, t]));

/**
 * Runs `change`, then checks that the next read holds it: the trials in
 * `changed` are new copies, every other trial the copy read before.
 */
async function expectChange(study: Study, change: () => unknown, changed: number[]): Promise<void> {
  const before = byId(study.trials);
  const finishedBefore = byId(study.finished());
  await change();
  const after = study.trials;
  for (const t of after) {
    if (changed.includes(t.id) || !before.has(t.id)) expect([t.id, t === before.get(t.id)]).toEqual([t.id, false]);
    else expect([t.id, t === before.get(t.id)]).toEqual([t.id, true]);
  }
  for (const t of study.finished()) {
    if (!changed.includes(t.id) && finishedBefore.has(t.id)) expect(t).toBe(finishedBefore.get(t.id));
  }
}

describe('TrialRecord: trials and finished() as cached frozen copies', () => {
  it('a read again hands out the same copies in a new array', async () => {
    const study = Study.open(undefined, { space: SPACE });
    for (let i = 0; i < 3; i++) await study.record({ x: i / 4 }, { target: i });
    const [a, b] = [study.trials, study.trials];
    expect(a).not.toBe(b); // each caller's own array: sorting it changes no other read
    for (let i = 0; i < 3; i++) expect(a[i]).toBe(b[i]);
    expect(study.finished()[2]).toBe(study.finished()[2]);
    expect(study.finished()[2]).toBe(a[2]);
    a.sort((p, q) => (q.target as number) - (p.target as number));
    expect(study.trials.map((t) => t.id)).toEqual([0, 1, 2]);
  });

  it('each change of the record shows at the next read, and only the trial it changed is copied again', async () => {
    const study = Study.open(undefined, { space: SPACE });
    await study.record({ x: 0.5 }, { target: 1 });
    let t1 = 0;
    await expectChange(study, async () => (t1 = (await study.ask(() => ({ x: 0.1 }))).id), []);
    await expectChange(study, () => study.report(t1, 1, 0.25), [t1]);
    expect(study.trials[t1].intermediate).toEqual({ 1: 0.25 });
    await expectChange(study, () => study.setUserAttrs(t1, { note: 'n' }), [t1]);
    expect(study.trials[t1].userAttrs).toEqual({ note: 'n' });
    await expectChange(study, () => study.prune(t1), [t1]);
    expect(study.finished().map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [t1, 'pruned']]);
    const t2 = (await study.ask(() => ({ x: 0.2 }))).id;
    await expectChange(study, () => study.tell(t2, { target: 3 }), [t2]);
    expect(study.finished().map((t) => t.id)).toEqual([0, t1, t2]);
    const w = (await study.enqueue({ x: 0.7 })).id;
    expect(study.trials[w].status).toBe('waiting');
    await expectChange(study, () => study.claimWaiting((p) => p), [w]);
    expect(study.trials[w].status).toBe('pending');
    await expectChange(study, () => study.tell(w, { error: 'boom' }), [w]);
    expect(study.finished().map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [t1, 'pruned'], [t2, 'complete'], [w, 'failed']]);
  });

  it('a read of the storage shows another worker\'s changes, and keeps the copies of the trials it did not change', async () => {
    const backend = new MemoryJournalBackend();
    const a = Study.open(backend, { space: SPACE });
    const b = Study.open(backend, { space: SPACE });
    await a.ready();
    await b.ready();
    const t0 = await a.ask(() => ({ x: 0.1 }));
    const t1 = await a.ask(() => ({ x: 0.2 }));
    await b.load();
    await expectChange(b, async () => (await a.tell(t1.id, { target: 2 }), await b.load()), [t1.id]);
    expect(b.finished().map((t) => t.id)).toEqual([t1.id]);
    await expectChange(b, async () => (await a.report(t0.id, 1, 0.5), await b.load()), [t0.id]);
    expect(b.trials[t0.id].intermediate).toEqual({ 1: 0.5 });
    await expectChange(b, async () => (await a.tell(t0.id, { target: 1 }), await b.load()), [t0.id]);
    expect(b.finished().map((t) => t.id)).toEqual([t1.id, t0.id]);
    await expectChange(b, () => b.load(), []);
    await a.close();
    await b.close();
  });

  it('the copies are frozen: writing to one throws, and the record is as it was', async () => {
    const study = Study.open(undefined, { space: SPACE });
    const t = await study.ask(() => ({ x: 0.5 }));
    await study.report(t.id, 0, 1);
    await study.setUserAttrs(t.id, { deep: { list: [1, 2] } });
    await study.tell(t.id, { target: 2 });
    const [r] = study.finished();
    expect(() => {
      r.target = 9;
    }).toThrow(TypeError);
    expect(() => {
      r.params.x = 0.9;
    }).toThrow(TypeError);
    expect(() => {
      (r.intermediate as Record<number, number>)[5] = 1;
    }).toThrow(TypeError);
    expect(() => {
      ((r.userAttrs as { deep: { list: number[] } }).deep.list).push(3);
    }).toThrow(TypeError);
    const again = study.trials[0];
    expect(again).toMatchObject({ target: 2, params: { x: 0.5 }, intermediate: { 0: 1 }, userAttrs: { deep: { list: [1, 2] } } });
    expect(study.get(t.id)?.target).toBe(2);
  });
});
