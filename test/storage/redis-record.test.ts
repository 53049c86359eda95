/**
 * A point registered (evaluated elsewhere) on a Redis journal whose ask's
 * write landed but whose reply was lost, the connection not back within
 * reconnectMs: the point and its result are kept (see UntoldResults) and
 * asked again by the next call, which must find the trial the first write
 * made, by its `wbo:ask` id, as a step run again does. Against a real
 * redis-server on a free loopback port, paused (SIGSTOP) as the reply goes.
 */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import { Journal, RedisJournalBackend } from '../../src/storage';
import { ConnectionLost } from '../../src/storage/redis-backend';
import { hasRedis, pausableRedisServer, within } from './redis-server';

const maybe = hasRedis || process.env.CI ? describe : describe.skip;
const SPACE = { x: { type: 'float' as const, low: -2, high: 2 } };

maybe('a registered point whose ask\'s reply was lost (Redis)', () => {
  const { server, url } = pausableRedisServer();

  /** A backend whose first append of a registered point lands, then its reply is lost: the server pauses for `pauseMs`. */
  const lostAtRegister = (pauseMs: number) => {
    const lost = { at: -1 };
    class LostReply extends RedisJournalBackend {
      override async append(lines: string): Promise<void> {
        await super.append(lines);
        if (lost.at < 0 && lines.includes('"wbo:source":"register"')) {
          lost.at = Date.now();
          server().pause();
          setTimeout(() => server().resume(), pauseMs);
          throw new ConnectionLost(`journal ${JSON.stringify(this.name)}: cannot append: connection lost: no reply in 1000 ms`);
        }
      }
    }
    return { LostReply, lost };
  };

  it('optimizer.register: the kept point is asked again by the next call and found, not created twice', async () => {
    // The kept registration was asked again under a new ask id: a second trial at the same point,
    // the first left pending for good (its worker alive), and the point counted twice by the model.
    const u = url();
    const { LostReply, lost } = lostAtRegister(3000);
    const backend = new LostReply(u, { reconnectMs: 2000, heartbeatThread: false });
    const opt = new RandomSearch({ space: SPACE, storage: backend, randomState: 5, log: () => undefined, f: () => 0 });
    const e = await within(opt.register({ x: 0.25 }, 1.5), 10_000).catch((x: unknown) => x);
    expect(lost.at).toBeGreaterThan(0);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toMatch(/: the connection was lost and did not come back in 2000 ms \(.*\); the registered result is kept and written by the next call that reaches the storage$/);
    // the next call, once the server answers again, writes the kept point first
    const next = await within(opt.register({ x: -1 }, 0.5), 15_000);
    expect(next.id).toBe(1);
    const j = await Journal.open(u, { readOnly: true });
    const s = await j.load();
    await j.close();
    expect(s.trials.map((t) => [t.id, t.status, t.params.x, t.target, t.source])).toEqual([[0, 'complete', 0.25, 1.5, 'register'], [1, 'complete', -1, 0.5, 'register']]);
    expect(opt.study.trials.map((t) => [t.id, t.status, t.target])).toEqual([[0, 'complete', 1.5], [1, 'complete', 0.5]]);
    opt.dispose();
    await within(backend.close(), 5000);
  }, 40_000);

  it('Journal.record retried with the same askId finds its trial', async () => {
    const u = url();
    const { LostReply } = lostAtRegister(3000);
    const backend = new LostReply(u, { reconnectMs: 2000, heartbeatThread: false });
    const j = await Journal.open(backend, { space: SPACE });
    const e = await within(j.record({ x: 0.75 }, { target: 2 }, { askId: 'rec-1' }), 10_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    await within(new Promise((r) => setTimeout(r, 1500)), 5000); // the server answers again
    const t = await within(j.record({ x: 0.75 }, { target: 2 }, { askId: 'rec-1' }), 15_000);
    expect([t.id, t.status, t.target]).toEqual([0, 'complete', 2]);
    const s = await j.load();
    expect(s.trials.map((x) => [x.id, x.status, x.params.x, x.target])).toEqual([[0, 'complete', 0.75, 2]]);
    await j.close();
    await within(backend.close(), 5000);
  }, 40_000);
});
