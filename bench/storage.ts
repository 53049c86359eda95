/**
 * Storage benchmark: how long a study journal (Optuna's format) of n trials
 * takes to load, cold, from a file: `Journal.load()` read-only, and a
 * BayesianOptimization resuming on it (`ready()`: lock, read, fold, restore).
 * With python3-optuna installed, Optuna's own `load_study` + `trials` on the
 * same file is timed for reference. The journals are written as the library
 * writes them (a CREATE_TRIAL with params, distributions and system attrs,
 * a duration attr and a state change per trial), over a 5-parameter space.
 * Prints a table and writes JSON with the load average (timings on a shared
 * machine move with it).
 *
 * Then, on the same file, ask+tell as a worker appends trials: one
 * `Journal.ask` and one `Journal.tell` per step (each reads what is new,
 * under the lock, and appends with fsync), --file-steps steps: its median
 * and p95 per step, which should not grow with the study.
 *
 * With redis-server on the PATH (and ioredis installed), it also times ask+tell
 * on a local Redis (a server started on a free loopback port) with a study
 * already holding --redis-trials trials: one `Journal.ask` and one
 * `Journal.tell` per step, --redis-steps steps, one worker; with the wall
 * time, this process's CPU time and the commands the server ran per step
 * (from INFO commandstats), which a busy machine moves less.
 *
 *   npm run bench:storage -- [--sizes 1000,10000] [--reps 3] [--file-steps 50] [--redis-trials 1000] [--redis-steps 200] [--out bench/results/storage.json]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BayesianOptimization } from '../src/optimizer';
import type { SpaceSpec } from '../src/space/types';
import { Journal, RedisJournalBackend } from '../src/storage';
import { encodeParams, formatOps, isoTime } from '../src/storage/optuna-format';
import { OP, type JournalOp } from '../src/storage/types';
import { Rng } from '../src/util/rng';
import { intFlag, intListFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  sizes: { type: 'string', default: '1000,10000' },
  reps: { type: 'string', default: '3' },
  out: { type: 'string', default: 'bench/results/storage.json' },
  'redis-trials': { type: 'string', default: '1000' },
  'redis-steps': { type: 'string', default: '200' },
  'file-steps': { type: 'string', default: '50' },
});

const SPACE: SpaceSpec = {
  x: { type: 'float', low: -2, high: 2 },
  lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
  n: { type: 'int', low: 1, high: 64 },
  act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
  bn: { type: 'categorical', choices: [true, false] },
};

/** A journal of `n` finished trials, as the library writes them. */
function journalText(n: number, seed: number): string {
  const rng = new Rng(seed);
  const w = 'bench:1:abcdef';
  const ops: JournalOp[] = [
    { op_code: OP.CREATE_STUDY, worker_id: w, study_name: 'default', directions: [1] },
    { op_code: OP.SET_STUDY_SYSTEM_ATTR, worker_id: w, study_id: 0, system_attr: { 'wbo:space': SPACE } },
    { op_code: OP.SET_STUDY_SYSTEM_ATTR, worker_id: w, study_id: 0, system_attr: { 'wbo:created': 1e12 } },
  ];
  for (let i = 0; i < n; i++) {
    const p = {
      x: rng.uniform(-2, 2), lr: Math.exp(rng.uniform(Math.log(1e-5), Math.log(1e-1))), n: 1 + Math.floor(rng.random() * 64),
      act: ['relu', 'tanh', 'gelu'][Math.floor(rng.random() * 3)], bn: rng.random() < 0.5,
    };
    const enc = encodeParams(p, SPACE) as { params: Record<string, number>; distributions: Record<string, string> };
    const t = 1e12 + i * 1000;
    ops.push({
      op_code: OP.CREATE_TRIAL, worker_id: w, study_id: 0, datetime_start: isoTime(t), state: 0, value: null, values: null,
      params: enc.params, distributions: enc.distributions, user_attrs: {}, intermediate_values: {},
      system_attrs: {
        'wbo:source': 'suggest', 'wbo:worker': w, 'wbo:engine': 'webgpu', 'wbo:suggest_ms': rng.uniform(5, 50),
        'wbo:rng': [rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()],
        'wbo:model': { rng: [rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()], theta: Array.from({ length: 8 }, () => rng.normal()) },
      },
    });
    ops.push({ op_code: OP.SET_TRIAL_SYSTEM_ATTR, worker_id: w, trial_id: i, system_attr: { 'wbo:duration_ms': rng.uniform(100, 1000) } });
    ops.push({ op_code: OP.SET_TRIAL_STATE_VALUES, worker_id: w, trial_id: i, state: 1, values: [rng.normal()], datetime_complete: isoTime(t + 900) });
  }
  return formatOps(ops);
}

/** Mean ms per ask+tell on a local redis-server holding `prefill` trials; null without redis-server. */
/** Commands the server has run (INFO commandstats), the INFO calls themselves left out. */
function redisCalls(port: number): number {
  const out = spawnSync('redis-cli', ['-p', String(port), 'info', 'commandstats'], { encoding: 'utf8' }).stdout;
  let n = 0;
  for (const m of out.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) if (m[1] !== 'info') n += Number(m[2]);
  return n;
}

async function redisAskTell(prefill: number, steps: number): Promise<{ msPerAskTell: number; p50: number; p95: number; cpuMsPerAskTell: number; commandsPerAskTell: number } | null> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return null;
  const port = await new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG'; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = `redis://127.0.0.1:${port}/0`;
    const fill = new RedisJournalBackend(url);
    const text = journalText(prefill, 7);
    const lines = text.split('\n').filter(Boolean);
    await fill.readAll();
    for (let i = 0; i < lines.length; i += 500) {
      await fill.append(lines.slice(i, i + 500).join('\n') + '\n');
    }
    await fill.close();
    const j = await Journal.open(url, { space: SPACE, direction: 'minimize' });
    const rng = new Rng(1);
    const times: number[] = [];
    const calls0 = redisCalls(port);
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const { trial } = await j.ask({ x: rng.uniform(-2, 2), lr: 1e-3, n: 3, act: 'relu', bn: true });
      await j.tell(trial.id, { target: rng.normal(), durationMs: 1 });
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    const commands = (redisCalls(port) - calls0) / steps;
    const s = await j.load();
    if (s.trials.length !== prefill + steps) throw new Error(`redis study holds ${s.trials.length} trials`);
    await j.close();
    return {
      msPerAskTell: times.reduce((a, b) => a + b, 0) / steps, p50: median(times), p95: [...times].sort((a, b) => a - b)[Math.floor(0.95 * steps)],
      // less sensitive to a busy machine than wall time: this process's CPU time, and the commands the server ran
      cpuMsPerAskTell: (cpu.user + cpu.system) / 1000 / steps, commandsPerAskTell: commands,
    };
  } finally {
    server.kill('SIGTERM');
  }
}

/** Median and p95 ms per ask+tell on the journal file at `path` (a worker appending to the study). */
async function fileAskTell(path: string, steps: number): Promise<{ p50: number; p95: number }> {
  const j = await Journal.open(path, { space: SPACE, direction: 'minimize' });
  const rng = new Rng(2);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const { trial } = await j.ask({ x: rng.uniform(-2, 2), lr: 1e-3, n: 3, act: 'relu', bn: true });
    await j.tell(trial.id, { target: rng.normal(), durationMs: 1 });
    times.push(performance.now() - t0);
  }
  await j.close();
  return { p50: median(times), p95: [...times].sort((a, b) => a - b)[Math.floor(0.95 * steps)] };
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const hasOptuna = spawnSync('/usr/bin/python3', ['-c', 'import optuna'], { encoding: 'utf8' }).status === 0;
const PY = `
import sys, time, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
t0 = time.perf_counter()
s = optuna.load_study(study_name='default', storage=optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1])))
n = len(s.trials)
print(n, (time.perf_counter() - t0) * 1000)
`;

async function main(): Promise<void> {
  // all checked before the load benchmark (--file-steps 0 once failed after it)
  const sizes = intListFlag('sizes', values.sizes);
  const reps = intFlag('reps', values.reps);
  const fileSteps = intFlag('file-steps', values['file-steps']);
  const redisTrials = intFlag('redis-trials', values['redis-trials'], 0);
  const redisSteps = intFlag('redis-steps', values['redis-steps']);
  const out = outFlag('out', values.out);
  const dir = mkdtempSync(join(tmpdir(), 'bench-storage-'));
  const rows: Record<string, unknown>[] = [];
  try {
    for (const n of sizes) {
      const path = join(dir, `journal-${n}.log`);
      writeFileSync(path, journalText(n, n));
      const load: number[] = [];
      const resume: number[] = [];
      const optuna: number[] = [];
      for (let r = 0; r < reps; r++) {
        let t0 = performance.now();
        const j = await Journal.open(path, { readOnly: true });
        const s = await j.load();
        load.push(performance.now() - t0);
        if (s.trials.length !== n || s.skipped.length) throw new Error(`loaded ${s.trials.length} trials, ${s.skipped.length} skipped`);
        await j.close();
        t0 = performance.now();
        const opt = new BayesianOptimization({ space: SPACE, direction: 'minimize', storage: path, engine: 'cpu', log: () => undefined });
        await opt.ready();
        resume.push(performance.now() - t0);
        if (opt.res.length !== n) throw new Error(`resumed ${opt.res.length} trials`);
        opt.dispose();
        if (hasOptuna) {
          const out = spawnSync('/usr/bin/python3', ['-c', PY, path], { encoding: 'utf8' });
          const [count, ms] = out.stdout.trim().split(' ').map(Number);
          if (count !== n) throw new Error(`optuna loaded ${count} trials: ${out.stderr}`);
          optuna.push(ms);
        }
      }
      const megabytes = statSync(path).size / 2 ** 20;
      const file = await fileAskTell(path, fileSteps);
      rows.push({
        trials: n, lines: 3 * n + 3, megabytes,
        loadMs: median(load), resumeMs: median(resume), optunaLoadMs: hasOptuna ? median(optuna) : null,
        fileAskTellMs: file.p50, fileAskTellP95Ms: file.p95,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const redis = await redisAskTell(redisTrials, redisSteps);
  const f = (x: unknown) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toFixed(1)) : '–');
  console.log('| trials | lines | MiB | Journal.load ms | optimizer ready() ms | Optuna load_study ms | file ask+tell ms (median, p95) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.trials} | ${r.lines} | ${f(r.megabytes)} | ${f(r.loadMs)} | ${f(r.resumeMs)} | ${f(r.optunaLoadMs)} | ${f(r.fileAskTellMs)}, ${f(r.fileAskTellP95Ms)} |`);
  if (redis) {
    console.log(`\nRedis (local server), study of ${values['redis-trials']} trials: ask+tell ${f(redis.msPerAskTell)} ms mean, ${f(redis.p50)} ms median, ${f(redis.p95)} ms p95 over ${values['redis-steps']} steps; ` +
      `${redis.cpuMsPerAskTell.toFixed(2)} ms of this process's CPU and ${redis.commandsPerAskTell.toFixed(1)} server commands (Lua scripts' inner calls included) per ask+tell`);
  }
  const la = loadavg();
  console.log(`median of ${reps}; load average ${la.map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
  writeJson(out, { date: new Date().toISOString(), node: process.version, loadavg: la, cores: cpus().length, reps, rows, redis });
}

await main();
