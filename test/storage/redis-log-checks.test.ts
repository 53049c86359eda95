/**
 * What a Redis journal checks of the log on the server before it reads on
 * or writes: that `<prefix>:log_number` is an operation number, and that
 * the log still holds the operations this worker read (a server that lost
 * its newest writes, or was wiped, and grew again). Against a real
 * redis-server on a free loopback port, with Python's Optuna 3.1 as a peer.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import { Journal, RedisJournalBackend } from '../../src/storage';
import { RedisConflict } from '../../src/storage/redis-backend';
import { hasOptunaRedis, hasRedis, PYTHON, rawRedis, sharedRedisServer, type RawRedis } from './redis-server';

const maybe = hasRedis || process.env.CI ? describe : describe.skip;
// In CI (scripts/setup.sh installs them) missing peers fail these tests instead of skipping them.
const maybeWithOptuna = (hasRedis && hasOptunaRedis) || process.env.CI ? describe : describe.skip;
const SPACE = { x: { type: 'float' as const, low: 0, high: 1 } };
const OP = '{"op_code":0,"worker_id":"a","study_name":"s","directions":[2]}\n';

/** `p` settled within `ms`, or a rejection saying it had not (a hang fails the test at once, not at its timeout). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);
}

maybe('Redis journal: the log on the server is checked', () => {
  const { url } = sharedRedisServer();

  it('a log_number that is not an operation number (a prefix clash) is a StorageError at once, for the lock, a read and an append; nothing written', async () => {
    // The lock script read it as nil and its caller as a lock holder: the holder flipped between
    // none and this worker's own token, the wait's timer restarted each time, and the lock was
    // waited for without end (a whole maximize hung). A read took it for an empty log.
    const u = url();
    const raw = await rawRedis(u);
    await raw.set(':log_number', 'abc');
    const b = new RedisJournalBackend(u, { lockTimeoutMs: 1500, heartbeatThread: false });
    const message = `journal ${JSON.stringify(u)}: :log_number holds "abc", not an operation number`;
    const t0 = Date.now();
    const e = await within(b.withLock(async () => 'ran'), 5000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(message);
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(within(b.readAll(), 5000)).rejects.toThrow(new StorageError(message));
    await expect(within(b.append(OP), 5000)).rejects.toThrow(new StorageError(message));
    expect(await raw.get(':log_number')).toBe('abc');
    expect(await raw.keys(':log:*')).toEqual([]);
    expect(await raw.exists(':wbo:lock')).toBe(0); // refused before the lock was taken
    await b.close();
    // a long value is shown cut, and a negative number is not an operation number either
    await raw.set(':log_number', 'x'.repeat(100));
    const c = new RedisJournalBackend(u, { heartbeatThread: false });
    await expect(within(c.readAll(), 5000)).rejects.toThrow(`: :log_number holds "${'x'.repeat(40)}…", not an operation number`);
    await raw.set(':log_number', '-5');
    await expect(within(c.withLock(async () => 'ran'), 5000)).rejects.toThrow(`: :log_number holds "-5", not an operation number`);
    await c.close();
    raw.disconnect();
  }, 30_000);

  it('operations whose log_number was deleted are refused, read and written: a new worker wrote a new study over them', async () => {
    const u = url();
    const first = new RandomSearch({ space: SPACE, storage: `${u}?prefix=orph`, randomState: 1, log: () => undefined, f: (p) => p.x as number });
    await first.maximize({ initPoints: 3, nIter: 0 });
    await first.close();
    const raw = await rawRedis(u);
    const before = await dump(raw);
    const ops = (await raw.keys('orph:log:*')).length;
    expect(ops).toBeGreaterThan(3);
    await raw.del('orph:log_number');
    const message = `journal ${JSON.stringify(`${u}?prefix=orph`)}: orph:log_number is missing while orph:log:0 and maybe more operations are there: ` +
      "the log's number was deleted or evicted; nothing is written over its operations. Set it to the last operation's number, or delete the log's keys";
    const second = new RandomSearch({ space: SPACE, storage: `${u}?prefix=orph`, randomState: 2, log: () => undefined, f: (p) => p.x as number });
    const e = await within(second.maximize({ initPoints: 2, nIter: 0 }), 10_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toContain(message.slice(message.indexOf(': orph:log_number')));
    second.dispose();
    // the raw backend's append refuses too (a reader that never read: the check is the script's)
    const b = new RedisJournalBackend(`${u}?prefix=orph`, { heartbeatThread: false });
    await expect(within(b.append(OP), 5000)).rejects.toThrow(message.slice(message.indexOf(': orph:log_number')));
    await b.close();
    const after = await dump(raw);
    delete before['orph:log_number'];
    expect(after).toEqual(before); // every operation as it was, nothing written over
    raw.disconnect();
  }, 30_000);

  it('a maximize worker on such a key fails at once, typed, where it hung', async () => {
    const u = url();
    const raw = await rawRedis(u);
    await raw.set('lab:log_number', 'abc');
    const opt = new RandomSearch({ space: SPACE, storage: `${u}?prefix=lab&lockTimeoutMs=1500`, randomState: 1, log: () => undefined, f: (p) => p.x as number });
    const e = await within(opt.maximize({ initPoints: 2, nIter: 0 }), 10_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toMatch(/: lab:log_number holds "abc", not an operation number/);
    expect(await raw.keys('lab:log:*')).toEqual([]);
    opt.dispose();
    raw.disconnect();
  }, 30_000);
});

/** The refusal of a worker whose copy of the log the server no longer holds (its operation `n` differs or is gone). */
const diverged = (u: string, n: number) => `journal ${JSON.stringify(u)}: the log on the server is not the one this worker read (writes lost, or a failover): ` +
  `operation ${n} is not the one it read; nothing is written on it. Open the study again to go on from what the server holds`;

/** Every key of the database and its value: what a refused step must leave as it was. */
async function dump(raw: RawRedis): Promise<Record<string, string | null>> {
  const keys = (await raw.keys('*')).filter((k) => !k.includes(':wbo:')).sort();
  return Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await raw.get(k)] as const)));
}

const op = (worker: string, study: string) => JSON.stringify({ op_code: 0, worker_id: worker, study_name: study, directions: [2] });

/** An Optuna 3.1 worker (Python) runs `n` trials of study 'mix' on `u`. */
function optunaTrials(u: string, n: number): void {
  const r = spawnSync(PYTHON, ['-c', `import sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalRedisStorage(sys.argv[1]))
study = optuna.create_study(study_name='mix', storage=storage, direction='minimize', load_if_exists=True, sampler=optuna.samplers.RandomSampler(seed=3))
study.optimize(lambda t: (t.suggest_float('x', -2, 2) - 0.5) ** 2 + t.suggest_int('n', 1, 1000) / 1000, n_trials=int(sys.argv[2]))
`, u, String(n)], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
}

maybeWithOptuna('Redis journal: a log that lost writes this worker read', () => {
  const { url } = sharedRedisServer();

  it('the server lost this worker\'s last write and another appended as many: its append, read and lock are refused, nothing written', async () => {
    // The append script compared counts only, and a read noticed lost data only when the server
    // held fewer operations than read: this worker appended on top of a log it had never read.
    const u = url();
    const raw = await rawRedis(u);
    const a = new RedisJournalBackend(u, { heartbeatThread: false });
    const b = new RedisJournalBackend(u, { heartbeatThread: false });
    await a.append(`${op('a', 's')}\n${op('a', 't')}\n`);
    // the server comes back without its last write (AOF everysec, a replica that lagged): op 1 is gone
    await raw.del(':log:1');
    await raw.set(':log_number', '0');
    expect(await b.readAll()).toBe(`${op('a', 's')}\n`);
    await b.append(`${op('b', 'u')}\n`); // the log holds 2 operations again, as a read
    const before = await dump(raw);
    const e = await a.append(`${op('a', 'v')}\n`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(diverged(u, 1));
    await expect(a.readAll()).rejects.toThrow(new StorageError(diverged(u, 1)));
    // others appended more since: the count is past what a read, the content still not its own
    await b.append(`${op('b', 'w')}\n`);
    const grown = await dump(raw);
    await expect(a.readAll()).rejects.toThrow(new StorageError(diverged(u, 1)));
    await expect(a.withLock(async () => 'ran')).rejects.toThrow(new StorageError(diverged(u, 1)));
    expect(await raw.exists(':wbo:lock')).toBe(0);
    expect(await dump(raw)).toEqual(grown);
    expect(Object.keys(grown).length).toBe(Object.keys(before).length + 1);
    // the other worker, whose copy is the server's, goes on
    await b.append(`${op('b', 'x')}\n`);
    await a.close();
    await b.close();
    raw.disconnect();
  });

  it('a last read operation the scripts cannot hash (U+FFFD in it): once a read is refused, a locked read and an append are refused too, nothing written', async () => {
    // The lock and append scripts skip their check for such an operation (its bytes on the server are
    // not known here), and the lock's log number was taken as read: after a read was refused, the next
    // locked step read on from the stale copy and appended onto a log it had never read.
    const u = url();
    const raw = await rawRedis(u);
    const a = new RedisJournalBackend(u, { heartbeatThread: false });
    const b = new RedisJournalBackend(u, { heartbeatThread: false });
    await a.append(`${op('a', 's')}\n${op('a', 'caf\uFFFD')}\n`);
    await raw.flushdb(); // a restart without persistence, then another worker writes as many operations and more
    await b.append(`${op('b', 'x')}\n${op('b', 'y')}\n${op('b', 'z')}\n`);
    const server = await dump(raw);
    await expect(a.readAll()).rejects.toThrow(new StorageError(diverged(u, 1)));
    await expect(a.withLock(async () => a.readAll())).rejects.toThrow(new StorageError(diverged(u, 1)));
    await expect(a.withLock(async () => {
      await a.readFrom(2);
      await a.append(`${op('a', 'q')}\n`);
    })).rejects.toThrow(new StorageError(diverged(u, 1)));
    expect(await dump(raw)).toEqual(server);
    expect(await raw.exists(':wbo:lock')).toBe(0);
    // the same operation, still on the server: the locked steps go on as before
    const c = new RedisJournalBackend(u, { heartbeatThread: false });
    await c.readAll();
    await c.append(`${op('c', 'caf\uFFFD')}\n`);
    expect(await c.withLock(async () => {
      await c.append(`${op('c', 'r')}\n`);
      return c.readFrom(3);
    })).toBe(`${op('c', 'caf\uFFFD')}\n${op('c', 'r')}\n`);
    await a.close();
    await b.close();
    await c.close();
    raw.disconnect();
  });

  it('appends of others (an Optuna worker, without the lock) on the log this worker read are still taken: the check is of what it read, not of what came after', async () => {
    const u = url();
    const raw = await rawRedis(u);
    const a = new RedisJournalBackend(u, { heartbeatThread: false });
    await a.append(`${op('a', 's')}\n`);
    await raw.set(':log:1', op('optuna', 't'));
    await raw.set(':log_number', '1');
    await expect(a.append(`${op('a', 'u')}\n`)).rejects.toThrow(new RedisConflict(`journal ${JSON.stringify(a.name)}: cannot append: the journal moved on since it was read (another worker appended; read it again)`));
    expect(await a.withLock(async () => a.readAll())).toBe(`${op('a', 's')}\n${op('optuna', 't')}\n`);
    await a.append(`${op('a', 'u')}\n`);
    // an operation that is not UTF-8 (another program's bytes) is read as it decodes, and written after
    await raw.set(':log:3', Buffer.from([0x7b, 0xff, 0x7d]) as unknown as string);
    await raw.set(':log_number', '3');
    expect((await a.readAll()).split('\n')[3]).toBe('{\uFFFD}');
    await a.append(`${op('a', 'v')}\n`);
    expect(await raw.get(':log_number')).toBe('4');
    await a.close();
    raw.disconnect();
  });

  it('an Optuna worker runs a trial after the server lost this worker\'s ask: the tell is refused, no phantom trial, nothing written', async () => {
    const u = url();
    const raw = await rawRedis(u);
    const space = { x: { type: 'float' as const, low: -2, high: 2 }, n: { type: 'int' as const, low: 1, high: 1000 } };
    const A = await Journal.open(new RedisJournalBackend(u, { heartbeatThread: false }), { space, studyName: 'mix', direction: 'minimize' });
    await A.record({ x: 0.9, n: 9 }, { target: 1 });
    const before = Number(await raw.get(':log_number'));
    const { trial } = await A.ask({ x: 0.111, n: 111 });
    const after = Number(await raw.get(':log_number'));
    expect(trial.id).toBe(1);
    for (let n = before + 1; n <= after; n++) await raw.del(`:log:${n}`);
    await raw.set(':log_number', String(before));
    optunaTrials(u, 1); // numbered trial 1, over as many operations as A's ask and more
    const server = await dump(raw);
    const e = await A.tell(trial.id, { target: 0.5 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(diverged(u, after));
    await expect(A.ask({ x: 0.222, n: 222 })).rejects.toThrow(new StorageError(diverged(u, after)));
    expect(await dump(raw)).toEqual(server);
    const fresh = await Journal.open(u, { readOnly: true, studyName: 'mix' });
    const s = await fresh.load();
    expect(s.trials.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [1, 'complete']]);
    expect(s.trials[1].params).not.toEqual({ x: 0.111, n: 111 });
    expect(s.skipped).toEqual([]);
    await fresh.close();
    await A.close();
    raw.disconnect();
  }, 60_000);

  it('the server is wiped and another worker creates the study again: the tell of a trial of the old log is refused, the new trials keep their values', async () => {
    const u = url();
    const raw = await rawRedis(u);
    const A = await Journal.open(new RedisJournalBackend(u, { heartbeatThread: false }), { space: SPACE, studyName: 'ws' });
    const { trial } = await A.ask({ x: 0.111 });
    const read = Number(await raw.get(':log_number')) + 1;
    await raw.flushdb(); // a restart without persistence
    const B = await Journal.open(new RedisJournalBackend(u, { heartbeatThread: false }), { space: SPACE, studyName: 'ws' });
    for (let i = 0; i < 3; i++) await B.record({ x: 0.5 + i / 10 }, { target: i });
    expect(Number(await raw.get(':log_number')) + 1).toBeGreaterThanOrEqual(read); // as many operations as A read, or more
    const server = await dump(raw);
    await expect(A.tell(trial.id, { target: 42 })).rejects.toThrow(new StorageError(diverged(u, read - 1)));
    expect(await dump(raw)).toEqual(server);
    const s = await B.load();
    expect(s.trials.map((t) => [t.id, t.status, t.params.x, t.target])).toEqual([[0, 'complete', 0.5, 0], [1, 'complete', 0.6, 1], [2, 'complete', 0.7, 2]]);
    await A.close();
    await B.close();
    raw.disconnect();
  });

  it('an optimizer whose trial was running as the server lost its data fails typed, not with "trial 1 had already ended"; the other worker\'s trials stand', async () => {
    const u = url();
    const raw = await rawRedis(u);
    let other: RandomSearch | undefined;
    const A = new RandomSearch({
      space: SPACE, storage: u, studyName: 'ws2', randomState: 1, log: () => undefined,
      f: async (p, ctx) => {
        if (ctx.trialId === 1) {
          await raw.flushdb();
          other = new RandomSearch({ space: SPACE, storage: u, studyName: 'ws2', randomState: 2, log: () => undefined, f: () => 1 });
          await other.maximize({ initPoints: 4, nIter: 0 });
        }
        return 42 + ctx.trialId;
      },
    });
    const e = await A.maximize({ initPoints: 3, nIter: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toMatch(/: the log on the server is not the one this worker read \(writes lost, or a failover\): operation \d+ is not the one it read;/);
    const j = await Journal.open(u, { readOnly: true, studyName: 'ws2' });
    const s = await j.load();
    expect(s.trials.map((t) => [t.id, t.status, t.target])).toEqual([0, 1, 2, 3].map((id) => [id, 'complete', 1]));
    await j.close();
    A.dispose();
    other?.dispose();
    raw.disconnect();
  }, 60_000);
});
