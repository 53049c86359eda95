/**
 * Cases where the reads kept between reports (./report-reads.test.ts) went
 * stale: a retried trial's id left out after the record no longer held the
 * retry, two ends glued onto one line ordered as they arrived, a shared
 * finish order a caller could change, and the 'auto' resource a pruner
 * recorded on a trial lost once that trial was retried.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeAndRecord } from '../../src/optimizer/judge-report';
import { HyperbandPruner, SuccessiveHalvingPruner } from '../../src/pruners';
import type { SpaceSpec } from '../../src/space/types';
import { Journal, MemoryJournalBackend, Study } from '../../src/storage/index';
import { useTempDirs } from './temp-dirs';

const dir = useTempDirs('report-reads-');
const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };
const DIST = JSON.stringify({ name: 'FloatDistribution', attributes: { step: null, low: 0, high: 1, log: false } });
const op = (o: object) => JSON.stringify({ worker_id: 'py', ...o });

async function freshStudy(text: string): Promise<Study> {
  const s = Study.open(new MemoryJournalBackend(text), { space: SPACE });
  await s.load();
  return s;
}

describe('reads kept between reports', () => {
  it('list every trial once the record no longer holds the retry that left one out', async () => {
    const b = new MemoryJournalBackend();
    const w = Study.open(b, { space: SPACE });
    await w.ready();
    const c = Study.open(b, { space: SPACE });
    const t0 = await c.ask(() => ({ x: 0.1 }));
    await c.close(); // orphaned: w retries it
    await w.load();
    const t1 = await w.reclaim(t0.id);
    expect(w.prunerTrials().map((t) => t.id)).toEqual([1]);
    // reports with no read of the curves between them, then the study deleted and created again (Optuna)
    await w.report(t1!.id, 1, 0.5);
    const t2 = await w.ask(() => ({ x: 0.3 }));
    await w.report(t2.id, 1, 0.5);
    await w.report(t2.id, 2, 0.6);
    await b.append(`${op({ op_code: 1, study_id: 0 })}\n${op({ op_code: 0, study_name: 'default', directions: [2] })}\n`);
    await w.load();
    const n0 = await w.ask(() => ({ x: 0.7 }));
    await w.report(n0.id, 1, 0.9);
    await w.load();
    const fresh = await freshStudy(b.text);
    expect(fresh.prunerTrials().map((t) => t.id)).toEqual([0]);
    expect(w.prunerTrials()).toEqual(fresh.prunerTrials());
    await w.close();
    await fresh.close();
  });

  it('order two ends glued onto one line as a fresh read does, and hand out a finish order no caller can change', async () => {
    const trial = (x: number) => op({ op_code: 4, study_id: 0, state: 0, datetime_start: '2026-01-01T00:00:00.000000', params: { x }, distributions: { x: DIST } });
    const done = (tid: number, v: number) => op({ op_code: 6, trial_id: tid, state: 1, values: [v], datetime_complete: '2026-01-01T00:00:01.000000' });
    // on a file, as writers append to it: a tell cut just before its newline, and another writer's tell glued onto it
    const path = join(dir(), 'study.log');
    writeFileSync(path, [op({ op_code: 0, study_name: 'default', directions: [2] }), trial(0.1), trial(0.2), trial(0.3)].join('\n') + '\n');
    const live = await Journal.open(path, { readOnly: true });
    await live.loadViews();
    appendFileSync(path, done(1, 0.5));
    await live.loadViews();
    appendFileSync(path, `${done(0, 0.7)}\n`);
    const fresh = await Journal.open(path, { readOnly: true });
    expect((await fresh.loadViews()).finishOrder).toEqual([0, 1]);
    const views = await live.loadViews();
    expect(views.finishOrder).toEqual([0, 1]);
    expect(() => (views.finishOrder as number[]).reverse()).toThrow(TypeError); // shared with later reads: frozen
    const copies = await live.load();
    (copies.finishOrder as number[]).reverse(); // a copy: the caller's own
    appendFileSync(path, `${done(2, 0.1)}\n`);
    expect((await live.loadViews()).finishOrder).toEqual([0, 1, 2]);
    expect((await live.load()).finishOrder).toEqual([0, 1, 2]);
    await live.close();
    await fresh.close();
  });

  for (const [name, make, attr] of [
    ['Hyperband', () => new HyperbandPruner({ minResource: 1, reductionFactor: 3 }), 'wbo:pruner:hyperband_max_resource'],
    ['ASHA', () => new SuccessiveHalvingPruner({ minResource: 'auto', reductionFactor: 3 }), 'wbo:pruner:asha_min_resource'],
  ] as const) {
    it(`keep the 'auto' resource ${name} recorded on a trial that was then retried`, async () => {
      const b = new MemoryJournalBackend();
      const s = Study.open(b, { space: SPACE });
      await s.ready();
      const first = make();
      const t0 = await s.ask(() => ({ x: 0.5 }));
      for (let step = 0; step <= 200; step += 50) await judgeAndRecord(s, first, t0.id, step, 1 - step / 1000, step === 200);
      await s.tell(t0.id, { target: 0.2 });
      // worker A's first report decides, and records, the resource; then A stops mid-trial
      const a = Study.open(b, { space: SPACE });
      const t1 = await a.ask(() => ({ x: 0.6 }));
      await judgeAndRecord(a, make(), t1.id, 1, 0.9, false);
      const recorded = (await freshStudy(b.text)).prunerTrials().find((t) => t.id === t1.id)?.attrs?.[attr];
      expect(recorded).toBeGreaterThan(0);
      // a longer trial completes: a pruner inferring afresh would now take another resource
      const t2 = await s.ask(() => ({ x: 0.7 }));
      for (let step = 0; step <= 1600; step += 400) await judgeAndRecord(s, first, t2.id, step, 1 - step / 10_000, step === 1600);
      await s.tell(t2.id, { target: 0.1 });
      await a.close();
      await s.load();
      await s.reclaim(t1.id);
      // a resumed process reads the study: its pruner takes the recorded resource, as the first one did
      const c = await freshStudy(b.text);
      const retried = c.prunerTrials().find((t) => t.id === t1.id);
      expect(retried).toEqual({ id: t1.id, state: 'failed', steps: [], values: [], rungs: {}, attrs: { [attr]: recorded } });
      const later = make();
      const t3 = await c.ask(() => ({ x: 0.8 }));
      await judgeAndRecord(c, later, t3.id, 1, 0.5, false);
      if (later instanceof HyperbandPruner && first instanceof HyperbandPruner) expect(later.maxResource).toBe(first.maxResource);
      if (later instanceof SuccessiveHalvingPruner && first instanceof SuccessiveHalvingPruner) expect(later.rungStep(0)).toBe(first.rungStep(0));
      for (const x of [s, c]) await x.close();
    });
  }
});
