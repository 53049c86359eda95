/**
 * A study's record after each read equals a fresh read of the storage,
 * whatever another worker changed meanwhile: the record keeps its copies of
 * the trials the storage did not change (Study.load), and must never keep a
 * stale one.
 */
import { describe, expect, it } from 'vitest';
import type { SpaceSpec } from '../../src/space/types';
import { MemoryJournalBackend, Study } from '../../src/storage/index';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };

async function fresh(backend: MemoryJournalBackend) {
  const s = Study.open(new MemoryJournalBackend(backend.text), { space: SPACE });
  await s.load();
  const out = { trials: s.trials, finished: s.finished().map((t) => t.id), curves: s.prunerTrials() };
  await s.close();
  return out;
}

describe('Study.load after another worker\'s changes', () => {
  it('equals a fresh read after asks, reports, attributes, tells, prunes, failures and enqueued trials of the other worker, and its own', async () => {
    const backend = new MemoryJournalBackend();
    const a = Study.open(backend, { space: SPACE });
    const b = Study.open(backend, { space: SPACE });
    await a.ready();
    await b.ready();
    const check = async () => {
      await b.load();
      const want = await fresh(backend);
      expect(b.trials).toEqual(want.trials);
      expect(b.finished().map((t) => t.id)).toEqual(want.finished);
      expect(b.prunerTrials()).toEqual(want.curves);
    };
    const t0 = await a.ask(() => ({ x: 0.1 }));
    const t1 = await a.ask(() => ({ x: 0.2 }));
    await check();
    await a.report(t0.id, 1, 0.5);
    await check();
    await a.setUserAttrs(t1.id, { note: 'n' });
    await check();
    const own = await b.ask(() => ({ x: 0.3 })); // b's own trial, then another of a's: ids interleave
    const t3 = await a.ask(() => ({ x: 0.4 }));
    await check();
    await a.tell(t1.id, { target: 2 });
    await a.report(t0.id, 2, 0.25);
    await check();
    await a.prune(t0.id);
    await b.tell(own.id, { target: 1 });
    await check();
    await a.tell(t3.id, { error: new Error('boom') });
    await a.enqueue({ x: 0.9 });
    await check();
    await b.claimWaiting((p) => p);
    await check();
    expect(b.trials.map((t) => t.status)).toEqual(['pruned', 'complete', 'complete', 'failed', 'pending']);
    await a.close();
    await b.close();
  });
});
