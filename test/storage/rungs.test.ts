/**
 * The rung values a successive-halving or Hyperband pruner records with a
 * report (Optuna's trial system attributes `completed_rung_<k>`) are kept on
 * the trial (`rungs`) by every storage, read back from a journal (also when
 * an Optuna worker writes them as an op of their own), and handed to the
 * pruners, which compare them as Optuna does.
 */
import { describe, expect, it } from 'vitest';
import { RandomSearch } from '../../src/optimizer';
import { SuccessiveHalvingPruner } from '../../src/pruners';
import type { SpaceSpec } from '../../src/space/types';
import { Journal, MemoryJournalBackend, MemoryStudyStorage, Study } from '../../src/storage';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };

describe('recorded rung values', () => {
  for (const where of ['memory', 'journal'] as const) {
    it(`a report's completed_rung_<k> attributes become the trial's rungs, seen by the pruners (${where})`, async () => {
      const b = new MemoryJournalBackend();
      const study = Study.open(where === 'memory' ? undefined : b, { space: SPACE, direction: 'minimize' });
      const t = await study.ask(() => ({ x: 0.5 }));
      await study.report(t.id, 1, 0.9, { completed_rung_0: 0.9 });
      await study.report(t.id, 2, 0.8); // judged at no rung
      const r = await study.report(t.id, 9, 0.4, { completed_rung_1: 0.4, completed_rung_2: 0.4, 'wbo:other': 3 });
      expect(r.rungs).toEqual({ 0: 0.9, 1: 0.4, 2: 0.4 });
      expect(study.prunerTrials().map((p) => [p.id, p.rungs])).toEqual([[0, { 0: 0.9, 1: 0.4, 2: 0.4 }]]);
      const u = await study.ask(() => ({ x: 0.25 }));
      expect(study.prunerTrials().map((p) => p.rungs)).toEqual([{ 0: 0.9, 1: 0.4, 2: 0.4 }, {}]);
      expect(u.rungs).toBeUndefined();
      if (where === 'journal') {
        // a fresh read of the journal, and Optuna's way: the attribute as an op of its own after the report
        await b.append(`${JSON.stringify({ op_code: 9, worker_id: 'py', trial_id: u.id, system_attr: { completed_rung_0: 0.75 } })}\n`);
        const j = await Journal.open(b, { readOnly: true });
        const s = await j.load();
        expect(s.trials.map((x) => [x.id, x.rungs ?? null])).toEqual([[0, { 0: 0.9, 1: 0.4, 2: 0.4 }], [1, { 0: 0.75 }]]);
        await j.close();
      }
    });
  }
});

describe("a pruner's own recorded values (wbo:pruner:<name>)", () => {
  for (const where of ['memory', 'journal'] as const) {
    it(`are kept on the trial (prunerAttrs) and given back to the pruners (attrs); other keys are not (${where})`, async () => {
      const b = new MemoryJournalBackend();
      const study = Study.open(where === 'memory' ? undefined : b, { space: SPACE, direction: 'minimize' });
      const t = await study.ask(() => ({ x: 0.5 }));
      const r = await study.report(t.id, 1, 0.9, { 'wbo:pruner:hyperband_max_resource': 10, completed_rung_0: 0.9, 'wbo:other': 3 });
      expect([r.prunerAttrs, r.rungs]).toEqual([{ 'wbo:pruner:hyperband_max_resource': 10 }, { 0: 0.9 }]);
      expect(study.prunerTrials()[0].attrs).toEqual({ 'wbo:pruner:hyperband_max_resource': 10 });
      if (where === 'journal') {
        const j = await Journal.open(b, { readOnly: true });
        expect((await j.load()).trials[0].prunerAttrs).toEqual({ 'wbo:pruner:hyperband_max_resource': 10 });
        await j.close();
      }
    });
  }
});

describe('rung values where the storage cannot record them, and malformed ones', () => {
  /** A seeded RandomSearch with ASHA (eta 2) on `storage`; each trial's status and last step. */
  async function run(storage: unknown): Promise<string[]> {
    const opt = new RandomSearch({
      pbounds: { x: [0, 1] }, randomState: 7, direction: 'minimize', studyName: 'qa', log: () => {},
      pruner: new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 }), storage: storage as never,
      f: async (p, ctx) => {
        let v = 0;
        for (let e = 1; e <= 20; e++) {
          v = (p.x - 0.3) ** 2 + 1 / e + 0.01 * Math.sin(13 * p.x * e);
          if (await ctx.report(e, v)) return v;
        }
        return v;
      },
    });
    await opt.maximize({ initPoints: 30, nIter: 0 });
    return opt.res.map((r) => (r.status === 'pruned' ? `P${r.step}` : 'C'));
  }

  it('a storage without report(): the rungs are kept with the unstored reports, so ASHA decides as in memory', async () => {
    const m = new MemoryStudyStorage();
    // a storage that keeps no reports (and is shared: every verdict reloads it first)
    const bare = { askWith: m.askWith.bind(m), tell: m.tell.bind(m), load: m.load.bind(m), prune: m.prune.bind(m) };
    const inMemory = await run(undefined);
    expect(inMemory.filter((s) => s !== 'C').length).toBeGreaterThan(10);
    expect(await run(bare)).toEqual(inMemory);
  });

  it("a trial's current rung is the first it has not recorded (Optuna's rule); only canonical keys count", async () => {
    const b = new MemoryJournalBackend();
    const study = Study.open(b, { space: SPACE, direction: 'minimize' });
    const t = await study.ask(() => ({ x: 0.5 }));
    await b.append(`${JSON.stringify({ op_code: 9, worker_id: 'py', trial_id: t.id, system_attr: { completed_rung_5: 0.1, completed_rung_00: 0.2, completed_rung_x: 0.3, completed_rung_1: 'a' } })}\n`);
    await study.load();
    expect(study.prunerTrials()[0].rungs).toEqual({ 5: 0.1 });
    // judged from rung 0 (not from rung 1, as a count of its keys would have it): at step 1 it is rung 0's first value
    const asha = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
    const trial = { ...study.prunerTrials()[0], steps: [1], values: [5] };
    expect(asha.judge({ direction: 'minimize', trial, trials: [trial] })).toEqual({ prune: false, systemAttrs: { completed_rung_0: 5 } });
  });
});
