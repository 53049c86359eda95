/**
 * The rung values a successive-halving or Hyperband pruner records with a
 * report (Optuna's trial system attributes `completed_rung_<k>`) are kept on
 * the trial (`rungs`) by every storage, read back from a journal (also when
 * an Optuna worker writes them as an op of their own), and handed to the
 * pruners, which compare them as Optuna does.
 */
import { describe, expect, it } from 'vitest';
import type { SpaceSpec } from '../../src/space/types';
import { Journal, MemoryJournalBackend, Study } from '../../src/storage';

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
