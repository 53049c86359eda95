/**
 * Journals sharing one RedisJournalBackend read without the lock, at once:
 * the backend's copy of the log takes each operation once. Two reads that
 * started from the copy's length both pushed what was new, each Journal saw
 * phantom pending trials, and every later step took the server for one that
 * had lost data. Against a real redis-server on a free loopback port.
 */
import { describe, expect, it } from 'vitest';
import { Journal, RedisJournalBackend } from '../../src/storage';
import type { SpaceSpec } from '../../src/space/types';
import { hasRedis, sharedRedisServer } from './redis-server';

const maybe = hasRedis || process.env.CI ? describe : describe.skip;
const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };

maybe('one Redis backend shared by journals', () => {
  const { url } = sharedRedisServer();

  it('reads at once, and a read beside another journal\'s ask, fold each operation once', async () => {
    const u = url();
    const other = new RedisJournalBackend(u, { heartbeatThread: false });
    const shared = new RedisJournalBackend(u, { heartbeatThread: false });
    try {
      const w = await Journal.open(other, { space: SPACE, direction: 'maximize', worker: 'writer' });
      const a = await Journal.open(shared, { space: SPACE, direction: 'maximize', worker: 'a' });
      const b = await Journal.open(shared, { space: SPACE, direction: 'maximize', worker: 'b' });
      for (let i = 0; i < 5; i++) {
        const { trial } = await w.ask({ x: i / 10 });
        await w.tell(trial.id, { target: i });
      }
      const [sa, sb] = await Promise.all([a.loadViews(), b.loadViews()]);
      const view = (s: typeof sa) => s.trials.map((t) => [t.id, t.status, t.target]);
      const told = [0, 1, 2, 3, 4].map((i) => [i, 'complete', i]);
      expect([view(sa), sa.skipped]).toEqual([told, []]);
      expect([view(sb), sb.skipped]).toEqual([told, []]);
      // b reads while a asks and tells, and the writer goes on
      for (let round = 0; round < 3; round++) {
        const { trial } = await w.ask({ x: 0.5 + round / 10 });
        await w.tell(trial.id, { target: 10 + round });
        await Promise.all([
          a.ask({ x: 0.9 - round / 10 }).then(({ trial: t }) => a.tell(t.id, { target: 20 + round })),
          b.loadViews(), b.loadViews(),
        ]);
      }
      const reader = await Journal.open(u, { space: SPACE, readOnly: true });
      const fresh = await reader.load();
      await reader.close();
      const [la, lb] = [await a.loadViews(), await b.loadViews()];
      expect(fresh.trials).toHaveLength(11);
      expect(view(la)).toEqual(view(fresh));
      expect(view(lb)).toEqual(view(fresh));
      expect([la.skipped, lb.skipped]).toEqual([[], []]);
      await Promise.all([a.close(), b.close(), w.close()]);
    } finally {
      await shared.close();
      await other.close();
    }
  });
});
