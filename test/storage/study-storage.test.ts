/** The in-memory study storage (src/storage/study-storage.ts): retrying a trial whose worker stopped. */
import { describe, expect, it } from 'vitest';
import { MemoryStudyStorage } from '../../src/storage';

describe('MemoryStudyStorage.reclaim', () => {
  it('retries an interrupted trial, unless another trial completed its very point (it would be evaluated twice)', async () => {
    const m = new MemoryStudyStorage();
    const a = (await m.askWith(() => ({ x: 0.25 }))).trial;
    const b = (await m.askWith(() => ({ x: 0.75 }))).trial;
    const twin = (await m.askWith(() => ({ x: 0.25 }))).trial;
    m.tell(twin.id, { target: 1 });
    const kept = m.reclaim(a.id)!;
    expect(kept.retry).toBeNull();
    expect(kept.failed).toMatchObject({ id: 0, status: 'failed', target: null });
    expect(kept.failed.error).toBe(`interrupted: worker ${m.worker} stopped mid-trial (its process ended or its heartbeat expired); not retried: trial 2 completed the same point`);
    const retried = m.reclaim(b.id)!;
    expect(retried.retry).toMatchObject({ id: 3, params: { x: 0.75 }, status: 'pending', retryOf: 1 });
    expect(retried.failed.error).toMatch(/its params are retried as a new trial$/);
    expect(m.reclaim(a.id)).toBeNull(); // failed already
  });
});
