/**
 * Studies on Redis, in Optuna's Redis journal layout, against a real
 * redis-server started here on a free loopback port, with Debian's
 * python3-optuna and python3-redis as the Python peer.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import type { Params, SpaceSpec } from '../../src/space/types';
import { Journal, RedisJournalBackend } from '../../src/storage';
import { RedisConflict } from '../../src/storage/redis-backend';
import { freePort, hasOptunaRedis, hasRedis, PYTHON, sharedRedisServer } from './redis-server';

/** Optuna 3.1's JournalRedisStorage.append_logs (use_cluster=False), verbatim: INCR and SET in one script. */
const OPTUNA_APPEND = "local i = redis.call('incr', string.format('%s:log_number', ARGV[1])) " +
  "redis.call('set', string.format('%s:log:%d', ARGV[1], i), ARGV[2])";

interface RawRedis {
  eval(script: string, nKeys: number, ...args: (string | number)[]): Promise<unknown>;
  incr(key: string): Promise<number>;
  set(key: string, value: string): Promise<unknown>;
  setnx(key: string, value: string | number): Promise<unknown>;
  quit(): Promise<unknown>;
}
async function rawClient(u: string): Promise<RawRedis> {
  const spec = 'ioredis';
  const Redis = ((await import(/* @vite-ignore */ spec)) as { default: new (url: string) => RawRedis }).default;
  return new Redis(u);
}
/** What an Optuna worker writes: one operation, appended as Optuna appends it. */
async function optunaAppend(raw: RawRedis, op: object): Promise<void> {
  await raw.setnx(':log_number', -1);
  await raw.eval(OPTUNA_APPEND, 0, '', JSON.stringify(op));
}

/** A Redis backend before whose first `times` appends that `when` picks an Optuna worker appends `op(k)` (k = 1, 2, ...). */
function interleaved(u: string, raw: RawRedis, times: number, when: (lines: string) => boolean, op: (k: number) => object): { backend: RedisJournalBackend; count: () => number } {
  let n = 0;
  class Interleaved extends RedisJournalBackend {
    override async append(lines: string): Promise<void> {
      if (when(lines) && n < times) await optunaAppend(raw, op(++n));
      return super.append(lines);
    }
  }
  return { backend: new Interleaved(u), count: () => n };
}

// In CI (scripts/setup.sh installs them) missing peers fail these tests instead of skipping them.
const maybe = (hasRedis && hasOptunaRedis) || process.env.CI ? describe : describe.skip;

const SPACE: SpaceSpec = {
  x: { type: 'float', low: -2, high: 2 },
  n: { type: 'int', low: 1, high: 5 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};
const f = (p: Params): number => ((p.x as number) - 0.5) ** 2 + (p.n as number) / 10 + (p.act === 'tanh' ? 0 : 0.3);

maybe('Redis storage (redis-server on a free loopback port)', () => {
  const { url } = sharedRedisServer();

  it('a reader of a Redis journal (read from an operation number) folds it again, once, when the study is widened: the trials skipped before fit', async () => {
    const u = url();
    const X: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };
    const a = await Journal.open(u, { space: X, worker: 'A' });
    const t0 = await a.ask({ x: 0.5 });
    await a.tell(t0.trial.id, { target: 1 });
    // Optuna's worker, its distribution wider, completes x = 1.5 outside the study's space
    const raw = new RedisJournalBackend(u);
    await raw.readAll();
    const dist = JSON.stringify({ name: 'FloatDistribution', attributes: { step: null, low: -1, high: 2, log: false } });
    await raw.append(`${JSON.stringify({ op_code: 4, worker_id: 'py', study_id: 0, state: 1, value: 2, datetime_start: '2026-12-06T10:00:00.000000',
      datetime_complete: '2026-12-06T10:00:01.000000', params: { x: 1.5 }, distributions: { x: dist } })}\n`);
    const reader = await Journal.open(u, { readOnly: true });
    expect((await reader.load()).trials.map((t) => t.params.x)).toEqual([0.5]);
    const w = await Journal.open(u, { space: { x: { type: 'float', low: -1, high: 2 } }, worker: 'W' });
    const read = await reader.load();
    expect(read.trials.map((t) => [t.id, t.params.x, t.target])).toEqual([[0, 0.5, 1], [1, 1.5, 2]]);
    expect(read.skipped).toEqual([]);
    expect(read.nextId).toBe(2);
    for (const j of [a, w, reader]) await j.close();
    await raw.close();
  });

  it('reading a Redis journal nothing was written to is "does not exist", as for a missing file; nothing is created', async () => {
    const u = url();
    const { readStudy } = await import('../../src/report');
    await expect(readStudy(u)).rejects.toThrow(new StorageError(`journal ${JSON.stringify(u)}: does not exist`));
    const probe = new RedisJournalBackend(u);
    expect(await probe.exists()).toBe(false);
    await (await Journal.open(u, { space: SPACE })).close();
    expect(await probe.exists()).toBe(true);
    expect((await readStudy(u)).trials).toEqual([]);
    // named by the whole URL, not its last segment (the database number)
    expect((await readStudy(u)).source).toBe(u);
    await expect(readStudy(u, { studyName: 'nope' })).rejects.toThrow(`journal ${JSON.stringify(u)}: no study named "nope"; it holds "default"`);
    await probe.close();
  });

  it('a database past the server\'s count is a StorageError on opening, and nothing lands in database 0', async () => {
    const base = url().replace(/\/\d+$/, '');
    await expect(Journal.open(`${base}/40`, { space: SPACE })).rejects.toThrow(StorageError);
    await expect(Journal.open(`${base}/40`, { space: SPACE })).rejects.toThrow(`journal "${base}/40": cannot use database 40: `);
    const zero = new RedisJournalBackend(`${base}/0`);
    expect(await zero.exists()).toBe(false);
    await zero.close();
  });

  it('a percent-encoded database number is that database (the client parsed it as NaN and crashed the process in the background)', async () => {
    const u = url();
    const [, base, db] = /^(.*)\/(\d+)$/.exec(u)!;
    const encoded = `${base}/${[...db].map((c) => `%3${c}`).join('')}`;
    await (await Journal.open(encoded, { space: SPACE })).close();
    const plain = new RedisJournalBackend(u);
    expect(await plain.exists()).toBe(true);
    await plain.close();
  });

  it("3 Node workers and an Optuna worker share one study: every trial there once, Optuna's layout", async () => {
    const u = url();
    const py = spawn(PYTHON, ['-c', `import sys, time, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalRedisStorage(sys.argv[1]))
study = optuna.create_study(study_name='shared', storage=storage, direction='minimize', load_if_exists=True, sampler=optuna.samplers.RandomSampler(seed=3))
def objective(trial):
    x = trial.suggest_float('x', -2, 2); n = trial.suggest_int('n', 1, 5); act = trial.suggest_categorical('act', ['relu', 'tanh'])
    time.sleep(0.01)
    return (x - 0.5) ** 2 + n / 10 + (0 if act == 'tanh' else 0.3)
study.optimize(objective, n_trials=15)
`, u], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    py.stderr.on('data', (d) => (stderr += d));
    const pyDone = new Promise<number | null>((resolve) => py.on('exit', resolve));

    const workers = [0, 1, 2].map((i) => new BayesianOptimization({
      space: SPACE, direction: 'minimize', randomState: 7, storage: u, studyName: 'shared', engine: 'cpu', candidates: 200, gp: { restarts: 0 }, log: () => undefined,
      f: async (p) => {
        await new Promise((r) => setTimeout(r, 5 + i));
        return f(p);
      },
    }));
    await Promise.all(workers.map((w) => w.maximize({ initPoints: 4, nIter: 4 })));
    expect(await pyDone, stderr).toBe(0);
    for (const w of workers) w.dispose();

    const dump = spawnSync(PYTHON, ['-c', `import sys, json, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.load_study(study_name='shared', storage=optuna.storages.JournalStorage(optuna.storages.JournalRedisStorage(sys.argv[1])))
print(json.dumps([[t.number, t.state.name, t.value, t.params] for t in s.trials]))
`, u], { encoding: 'utf8' });
    expect(dump.status, dump.stderr).toBe(0);
    const all = JSON.parse(dump.stdout) as [number, string, number, Params][];
    expect(all).toHaveLength(15 + 3 * 8);
    expect(all.map((t) => t[0])).toEqual(Array.from({ length: 39 }, (_, i) => i));
    expect(all.every((t) => t[1] === 'COMPLETE')).toBe(true);
    // every point evaluated once: no two trials share a point
    expect(new Set(all.map((t) => JSON.stringify(t[3]))).size).toBe(39);
    const j = await Journal.open(u, { readOnly: true, studyName: 'shared' });
    const s = await j.load();
    await j.close();
    expect(s.skipped).toEqual([]);
    expect(s.trials.map((t) => [t.id, t.target, t.params])).toEqual(all.map((t) => [t[0], t[2], t[3]]));
    expect(new Set(s.trials.filter((t) => t.worker).map((t) => t.worker)).size).toBe(3);
  });

  it("a stopped worker's pending trial is noticed by its expired heartbeat, failed and retried as a new trial", async () => {
    const u = url();
    const dead = new RedisJournalBackend(`${u}?heartbeatMs=300`); // the URL's setting: the default (10 s) would not expire in time
    const j = await Journal.open(dead, { space: SPACE });
    const { trial } = await j.ask({ x: 0.1, n: 2, act: 'relu' }, { source: 'init' });
    await dead.close(); // the worker stops: no more heartbeats
    await new Promise((r) => setTimeout(r, 600));
    const opt = new RandomSearch({ space: SPACE, storage: u, f, randomState: 1, log: () => undefined });
    await opt.maximize({ initPoints: 2, nIter: 0, resume: true });
    // the retry fills the failed trial's slot: the budget of 2 ends with 2 completed trials
    expect(opt.res.map((t) => [t.id, t.status])).toEqual([[trial.id, 'failed'], [1, 'complete'], [2, 'complete']]);
    expect(opt.res[0].error).toMatch(/^interrupted: worker .* stopped mid-trial/);
    expect(opt.res[1]).toMatchObject({ params: { x: 0.1, n: 2, act: 'relu' }, retryOf: trial.id, source: 'init' });
    opt.dispose();
  });

  it('workers that notice the same stopped trial at the same time retry it exactly once', async () => {
    const u = url();
    const dead = new RedisJournalBackend(u, { heartbeatMs: 300 });
    const { trial } = await (await Journal.open(dead, { space: SPACE })).ask({ x: 0.3, n: 3, act: 'relu' });
    await dead.close();
    await new Promise((r) => setTimeout(r, 600));
    const live = await Promise.all([0, 1, 2, 3].map(() => Journal.open(new RedisJournalBackend(u), { space: SPACE })));
    const got = await Promise.all(live.map((j) => j.reclaim(trial.id)));
    expect(got.filter((r) => r !== null)).toHaveLength(1);
    const s = await live[0].load();
    expect(s.trials.map((t) => [t.id, t.status, t.retryOf])).toEqual([[0, 'failed', undefined], [1, 'pending', 0]]);
    expect(s.trials[1].params).toEqual({ x: 0.3, n: 3, act: 'relu' });
    for (const j of live) await j.close();
  });

  it("a running worker fails and retries the trial of a worker that stopped mid-trial once its heartbeat expires", async () => {
    const u = url();
    const dead = new RedisJournalBackend(u, { heartbeatMs: 300 });
    const j = await Journal.open(dead, { space: SPACE });
    const { trial } = await j.ask({ x: -1, n: 4, act: 'tanh' }, { source: 'init' });
    const evaluated: Params[] = [];
    const opt = new RandomSearch({
      space: SPACE, storage: u, randomState: 2, log: () => undefined,
      f: async (p) => {
        evaluated.push(p);
        if (evaluated.length === 2) await dead.close(); // the other worker dies while this one runs
        await new Promise((r) => setTimeout(r, 100));
        return f(p);
      },
    });
    await opt.maximize({ initPoints: 1, nIter: 12 });
    const s = (await opt.study.load()) as Awaited<ReturnType<Journal['load']>>;
    expect(s.trials.find((t) => t.id === trial.id)).toMatchObject({ status: 'failed', params: { x: -1, n: 4, act: 'tanh' }, worker: j.worker });
    expect(s.trials.filter((t) => t.retryOf === trial.id)).toMatchObject([{ status: 'complete', params: { x: -1, n: 4, act: 'tanh' }, worker: opt.study.worker }]);
    expect(evaluated.filter((p) => p.x === -1 && p.n === 4)).toHaveLength(1);
    expect(s.pending).toEqual([]);
    expect(s.trials).toHaveLength(15); // the stopped worker's trial, its retry, 13 new ones
    opt.dispose();
  });

  it('an append after another writer moved the log on is refused (the Journal then re-reads and re-runs the step)', async () => {
    const u = url();
    const a = new RedisJournalBackend(u);
    const b = new RedisJournalBackend(u);
    await b.append('{"op_code":0,"worker_id":"b","study_name":"s","directions":[2]}\n');
    expect(await a.readAll()).toBe('{"op_code":0,"worker_id":"b","study_name":"s","directions":[2]}\n');
    await b.readAll();
    await b.append('{"op_code":0,"worker_id":"b","study_name":"t","directions":[2]}\n');
    await expect(a.append('{"op_code":0,"worker_id":"a","study_name":"u","directions":[2]}\n')).rejects.toThrow(new RedisConflict(`journal ${JSON.stringify(a.name)}: cannot append: the journal moved on since it was read (another worker appended; read it again)`));
    expect(new RedisConflict('x')).toBeInstanceOf(StorageError); // typed: a caller of append catches it as any storage failure
    expect((await a.readAll()).split('\n').filter(Boolean)).toHaveLength(2);
    await a.append('{"op_code":0,"worker_id":"a","study_name":"u","directions":[2]}\n');
    expect((await b.readAll()).split('\n').filter(Boolean).map((l) => JSON.parse(l).study_name)).toEqual(['s', 't', 'u']);
    await a.close();
    await b.close();
  });

  it("an initial design loses no point when Optuna appends between a Node worker's read and its write", async () => {
    const u = url();
    const raw = await rawClient(u);
    // before each of this worker's first 3 CREATE_TRIALs, an Optuna worker appends: the conditional append is refused and the ask re-run
    const { backend, count } = interleaved(u, raw, 3, (lines) => lines.includes('"op_code":4'),
      (k) => ({ op_code: 2, worker_id: 'optuna-worker-0', study_id: 0, user_attr: { [`k${k}`]: k } }));
    const opt = new BayesianOptimization({ space: SPACE, direction: 'minimize', randomState: 5, storage: backend, engine: 'cpu', candidates: 100, gp: { restarts: 0 }, log: () => undefined, f });
    await opt.maximize({ initPoints: 4, nIter: 1 });
    expect(count()).toBe(3);
    expect(opt.res.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'complete'], [3, 'complete'], [4, 'complete']]);
    // the four design points are the ones a worker with no interleaving asks
    const plain = new BayesianOptimization({ space: SPACE, direction: 'minimize', randomState: 5, engine: 'cpu', candidates: 100, gp: { restarts: 0 }, log: () => undefined, f });
    await plain.maximize({ initPoints: 4, nIter: 0 });
    expect(opt.res.slice(0, 4).map((t) => t.params)).toEqual(plain.res.map((t) => t.params));
    opt.dispose();
    plain.dispose();
    await backend.close();
    await raw.quit();
  });

  it('an enqueued trial an Optuna worker takes between our read and our claim goes to it; ours takes the next one', async () => {
    const u = url();
    const raw = await rawClient(u);
    // before this worker's first claim lands, an Optuna worker pops enqueued trial 0 (SET_TRIAL_STATE_VALUES RUNNING)
    const { backend, count } = interleaved(u, raw, 1, (lines) => lines.includes('"op_code":6') && lines.includes('"state":0'),
      () => ({ op_code: 6, worker_id: 'optuna-worker-0', trial_id: 0, state: 0, values: null, datetime_start: '2026-12-04T10:00:00.000000' }));
    const opt = new BayesianOptimization({ space: SPACE, direction: 'minimize', randomState: 5, storage: backend, engine: 'cpu', candidates: 100, gp: { restarts: 0 }, log: () => undefined });
    await opt.enqueue({ x: 0.5, n: 1, act: 'tanh' });
    await opt.enqueue({ x: -1, n: 2, act: 'relu' });
    expect(await opt.suggest()).toEqual({ x: -1, n: 2, act: 'relu' });
    expect(count()).toBe(1);
    const j = await Journal.open(u, { readOnly: true });
    const s = await j.load();
    expect(s.trials.map((t) => [t.id, t.status, t.source, t.params.x])).toEqual([[0, 'pending', 'enqueue', 0.5], [1, 'pending', 'enqueue', -1]]);
    expect(s.trials[0].worker).toBeUndefined(); // Optuna's: our refused claim wrote nothing to it
    expect(s.trials[1].worker).toMatch(/./);
    expect(s.skipped).toEqual([]);
    await j.close();
    opt.dispose();
    await backend.close();
    await raw.quit();
  });

  it("a read waits for an operation whose number is taken but not yet set (Optuna's cluster mode), and fails typed if it never comes", async () => {
    const u = url();
    const raw = await rawClient(u);
    await optunaAppend(raw, { op_code: 0, worker_id: 'optuna-worker-0', study_name: 's', directions: [1] });
    const reader = new RedisJournalBackend(u, { gapWaitMs: 300 });
    expect((await reader.readAll()).split('\n').filter(Boolean)).toHaveLength(1);
    // Optuna with use_cluster=True: INCR, then SET in a second command
    const n = await raw.incr(':log_number');
    const late = JSON.stringify({ op_code: 0, worker_id: 'optuna-worker-0', study_name: 't', directions: [1] });
    const reading = reader.readAll();
    await new Promise((r) => setTimeout(r, 100));
    await raw.set(`:log:${n}`, late);
    expect((await reading).split('\n').filter(Boolean).map((l) => JSON.parse(l).study_name)).toEqual(['s', 't']);
    // a number taken and never set (a writer that died between INCR and SET): a typed error, not a hang
    await raw.incr(':log_number');
    const e = await reader.readAll().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as Error).message).toBe(`journal ${JSON.stringify(u)}: operation 2 is missing: its number was taken but nothing was written there in 300 ms`);
    await reader.close();
    await raw.quit();
  });

  it('a lost connection is a StorageError', async () => {
    const port2 = await freePort();
    await expect(Journal.open(`redis://127.0.0.1:${port2}/0`)).rejects.toThrow(StorageError);
  });
});
