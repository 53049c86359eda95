/**
 * The reads a report makes of a study of many trials are kept between
 * reports (the journal's list of trials, its pending ones and finish order:
 * TrialReads; the pruners' curves: TrialCurves.list) and patched where
 * trials changed. Whatever sequence of asks, reports, tells, prunes,
 * attributes, enqueued trials, claims and retries two workers make, each
 * worker's reads after a load equal a fresh study's read of the same
 * journal, and so do the curves of the worker that acted, before it reads,
 * and the journal's reads of a reader that folds it as it grows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SpaceSpec } from '../../src/space/types';
import { Journal, MemoryJournalBackend, Study, type JournalState } from '../../src/storage/index';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };

/** 'record': a trial Optuna created finished (add_trial); 'orphan': a third worker's trial, retried */
const KINDS = ['ask', 'ask', 'report', 'report', 'report', 'tell', 'fail', 'prune', 'attr', 'enqueue', 'claim', 'record', 'orphan'] as const;

interface Op {
  kind: (typeof KINDS)[number];
  who: 0 | 1;
  pick: number;
  x: number;
}


const op = fc.record({
  kind: fc.constantFrom(...KINDS),
  who: fc.constantFrom(0 as const, 1 as const),
  pick: fc.nat({ max: 1000 }),
  x: fc.double({ min: 0, max: 1, noNaN: true }),
}) as fc.Arbitrary<Op>;

/** What a reader compares: the trials, their finish order, the pending ones and the pruners' curves. */
function reads(s: Study) {
  return { trials: s.trials, finished: s.finished().map((t) => t.id), pending: s.pending().map((t) => t.id), curves: s.prunerTrials() };
}

/** What the journal hands a reader: its trials, pending and orphaned ones, and the order they ended in. */
function journalReads(state: JournalState) {
  const ids = (ts: readonly { id: number }[]) => ts.map((t) => t.id);
  return { trials: state.trials, pending: ids(state.pending), orphaned: ids(state.orphaned), finishOrder: state.finishOrder, nextId: state.nextId };
}

/** Whether the journal's reducer says a trial is waiting (kept with its lists, not read off them). */
function readerWaiting(j: Journal): boolean {
  return (j as unknown as { reducer: { hasWaiting(): boolean } }).reducer.hasWaiting();
}

async function freshJournal(backend: MemoryJournalBackend) {
  const j = await Journal.open(new MemoryJournalBackend(backend.text), { worker: 'fresh-reader' });
  const out = journalReads(await j.load());
  await j.close();
  return out;
}

async function freshReads(backend: MemoryJournalBackend) {
  const s = Study.open(new MemoryJournalBackend(backend.text), { space: SPACE });
  await s.load();
  const out = reads(s);
  await s.close();
  return out;
}

/** Applies `o` through worker `s` (a no-op where it has nothing to act on); `steps` holds each trial's last step. */
async function apply(o: Op, s: Study, backend: MemoryJournalBackend, steps: Map<number, number>): Promise<void> {
  await s.load();
  const pending = s.pending().filter((t) => s.isMine(t.id));
  const one = pending.length ? pending[o.pick % pending.length] : undefined;
  switch (o.kind) {
    case 'ask':
      await s.ask(() => ({ x: o.x }));
      return;
    case 'enqueue':
      await s.enqueue({ x: o.x });
      return;
    case 'record': {
      // as Optuna's add_trial writes it: one CREATE_TRIAL, finished
      const distribution = JSON.stringify({ name: 'FloatDistribution', attributes: { step: null, low: 0, high: 1, log: false } });
      await backend.append(`${JSON.stringify({
        op_code: 4, worker_id: 'py', study_id: 0, state: 1, value: o.x, datetime_start: '2026-12-06T10:00:00.000000',
        datetime_complete: '2026-12-06T10:00:01.000000', params: { x: o.x }, distributions: { x: distribution },
      })}\n`);
      return;
    }
    case 'claim':
      await s.claimWaiting((p) => p);
      return;
    case 'orphan': {
      // a third worker asks, then closes: its trial is orphaned, and `s` retries it
      const c = Study.open(backend, { space: SPACE });
      const t = await c.ask(() => ({ x: o.x }));
      await c.close();
      await s.load();
      await s.reclaim(t.id);
      return;
    }
  }
  if (!one) return;
  const step = (steps.get(one.id) ?? 0) + 1 + (o.pick % 3);
  switch (o.kind) {
    case 'report':
      await s.report(one.id, step, o.x, o.pick % 4 === 0 ? { completed_rung_0: o.x } : undefined);
      steps.set(one.id, step);
      return;
    case 'tell':
      await s.tell(one.id, { target: o.x });
      return;
    case 'fail':
      await s.tell(one.id, { error: new Error('boom') });
      return;
    case 'prune':
      if (steps.has(one.id)) await s.prune(one.id);
      return;
    case 'attr':
      await s.setUserAttrs(one.id, { note: o.pick });
      return;
  }
}

describe('a study\'s reads kept between reports', () => {
  it('equal a fresh read after every operation of two workers sharing a journal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const backend = new MemoryJournalBackend();
        const workers = [Study.open(backend, { space: SPACE }), Study.open(backend, { space: SPACE })];
        const steps = new Map<number, number>();
        // a reader that folds the journal as it grows, read both ways (shared views, and copies)
        const reader = await Journal.open(backend, { worker: 'reader' });
        try {
          for (const w of workers) await w.ready();
          for (const o of ops) {
            await apply(o, workers[o.who], backend, steps);
            const want = await freshReads(backend);
            // the worker that acted (a record is Optuna's), before it reads again: its own changes are made in place
            if (o.kind !== 'record') expect(workers[o.who].prunerTrials()).toEqual(want.curves);
            for (const w of workers) {
              await w.load();
              expect(reads(w)).toEqual(want);
            }
            const fresh = await freshJournal(backend);
            expect(journalReads(await reader.loadViews())).toEqual(fresh);
            expect(journalReads(await reader.load())).toEqual(fresh);
            // the count of waiting trials kept with the lists (what a claim checks before taking the lock)
            expect(readerWaiting(reader)).toBe(fresh.trials.some((t) => t.status === 'waiting'));
          }
        } finally {
          for (const w of workers) await w.close();
          await reader.close();
        }
      }),
      { seed: 20261206, numRuns: 60 },
    );
  });

  it('leave out a retried trial\'s curve once its retry is read, and only then', async () => {
    const backend = new MemoryJournalBackend();
    const a = Study.open(backend, { space: SPACE });
    const b = Study.open(backend, { space: SPACE });
    await a.ready();
    const t0 = await a.ask(() => ({ x: 0.25 }));
    await a.report(t0.id, 1, 0.5);
    expect(a.prunerTrials().map((t) => [t.id, t.state, t.values])).toEqual([[0, 'running', [0.5]]]);
    await a.close(); // a's trial is orphaned; b retries it
    await b.load();
    expect(b.prunerTrials().map((t) => t.id)).toEqual([0]);
    const retry = await b.reclaim(t0.id);
    expect(retry?.retryOf).toBe(t0.id);
    await b.report(retry!.id, 1, 0.75);
    // the retry reports the point's curve again: the failed first try is not counted twice
    expect(b.prunerTrials().map((t) => [t.id, t.state, t.values])).toEqual([[1, 'running', [0.75]]]);
    await b.close();
  });
});
