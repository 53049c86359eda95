/**
 * Parallel benchmark: the same budget run sequentially and in parallel, on
 * bench:regret's functions (Branin, Hartmann6, Ackley-5), several seeds.
 *
 * - `sequential`: maximize({ initPoints, nIter })
 * - `async-k`: k asynchronous ask/tell workers: each finished trial is
 *   registered and its worker asks a new suggestion while the other k - 1 are
 *   still running. Trial durations are drawn (seeded) on a simulated clock, so
 *   the order of completions repeats exactly and nothing sleeps.
 * - `concurrency-4`: maximize({ concurrency: 4 }) with an objective that
 *   sleeps a seeded 20-60 ms (real time: completion order depends on load)
 * - `batch-4`: rounds of suggestBatch(4), all 4 registered before the next round
 * - `random`: RandomSearch
 *
 * Prints a table of median simple regrets and the goals (parallel within 2x
 * of sequential plus a floor, and at least 5x below random), then the wall
 * time of maximize({ concurrency: 4 }) against a sequential run with an
 * objective that sleeps 200 ms. Writes bench/results/parallel.json.
 *
 *   npm run bench:parallel -- [--seeds 10] [--budget 40] [--init 8] [--pending believer|liar|fantasy|fantasies|refit-liar]
 *     [--methods sequential,async-2,async-4,async-8,concurrency-4,batch-4,random] [--problems branin,hartmann6,ackley5]
 *     [--wall false] [--out bench/results/parallel.json]
 *
 * `async-k` takes any k. The JSON is rewritten after each (problem, method)
 * row, so a long run stopped midway keeps what it measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { BayesianOptimization, RandomSearch, type OptimizerOptions } from '../src/optimizer';
import type { PendingStrategy } from '../src/optimizer';
import { ackley, branin, evaluateProblem, hartmann6, type TestProblem } from '../src/problems';
import type { Params } from '../src/space/types';
import { Rng } from '../src/util/rng';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    budget: { type: 'string', default: '40' },
    init: { type: 'string', default: '8' },
    pending: { type: 'string', default: 'believer' },
    methods: { type: 'string', default: 'sequential,async-4,async-8,concurrency-4,batch-4,random' },
    problems: { type: 'string', default: 'branin,hartmann6,ackley5' },
    wall: { type: 'string', default: 'true' },
    out: { type: 'string', default: 'bench/results/parallel.json' },
  },
});
const seeds = Number(values.seeds);
const budget = Number(values.budget);
const init = Number(values.init);
const pending = values.pending as PendingStrategy;
const methods = values.methods!.split(',');
const problems: Record<string, TestProblem> = { branin, hartmann6, ackley5: ackley(5) };
const chosen = values.problems!.split(',').map((n) => problems[n]);
/** "within 2x of sequential plus a small floor": the floor is this fraction of random search's median regret */
const FLOOR = 0.01;

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function options(prob: TestProblem, seed: number, f?: OptimizerOptions['f']): OptimizerOptions {
  return {
    f: f ?? ((p: Params) => -evaluateProblem(prob, p)),
    pbounds: prob.bounds, randomState: seed, engine: 'cpu', log: () => undefined, pending, initPoints: init,
  };
}

/** k ask/tell workers on a simulated clock: durations uniform in [1, 3), the earliest finisher registers and asks again. */
async function asyncWorkers(opt: BayesianOptimization, prob: TestProblem, k: number, seed: number): Promise<void> {
  const clock = new Rng(seed ^ 0x5bd1e995);
  let now = 0;
  // the first k asks overlap: queued suggest() calls
  const first = await Promise.all(Array.from({ length: Math.min(k, budget) }, () => opt.suggest()));
  const running = first.map((params) => ({ params, end: now + 1 + 2 * clock.random() }));
  let asked = running.length;
  while (running.length) {
    let j = 0;
    for (let i = 1; i < running.length; i++) if (running[i].end < running[j].end) j = i;
    const [done] = running.splice(j, 1);
    now = done.end;
    await opt.register(done.params, -evaluateProblem(prob, done.params));
    if (asked < budget) {
      asked++;
      running.push({ params: await opt.suggest(), end: now + 1 + 2 * clock.random() });
    }
  }
}

async function run(method: string, prob: TestProblem, seed: number): Promise<number> {
  if (method === 'random') {
    const opt = new RandomSearch(options(prob, seed));
    await opt.maximize({ initPoints: init, nIter: budget - init });
    return -opt.max!.target - prob.minimum;
  }
  const jitter = new Rng(seed);
  const slowF = async (p: Params) => (await sleep(20 + 40 * jitter.random()), -evaluateProblem(prob, p));
  const opt = new BayesianOptimization(options(prob, seed, method === 'concurrency-4' ? slowF : undefined));
  try {
    if (method === 'sequential') await opt.maximize({ initPoints: init, nIter: budget - init });
    else if (method === 'concurrency-4') await opt.maximize({ initPoints: init, nIter: budget - init, concurrency: 4 });
    else if (method.startsWith('async-')) await asyncWorkers(opt, prob, Number(method.slice(6)), seed);
    else if (method === 'batch-4') {
      for (let r = 0; r < budget / 4; r++) {
        const batch = await opt.suggestBatch(4);
        for (const p of batch) await opt.register(p, -evaluateProblem(prob, p));
      }
    } else throw new Error(`unknown method ${method}`);
    if (opt.res.length !== budget) throw new Error(`${method}: ${opt.res.length} trials, expected ${budget}`);
    return -opt.max!.target - prob.minimum;
  } finally {
    opt.dispose();
  }
}

interface Row { problem: string; method: string; medianRegret: number; regrets: number[] }
const rows: Row[] = [];
for (const prob of chosen) {
  for (const method of methods) {
    const regrets: number[] = [];
    for (let s = 0; s < seeds; s++) regrets.push(await run(method, prob, 1000 + s));
    rows.push({ problem: prob.name, method, medianRegret: median(regrets), regrets });
    console.error(`${prob.name} ${method}: median regret ${median(regrets).toExponential(3)}`);
    save(null, null); // each row as it is done: a long run stopped midway keeps what it measured
  }
}

const methodsShown = methods;
const header = ['problem', ...methodsShown];
const body = chosen.map((p) => [p.name, ...methodsShown.map((m) => rows.find((r) => r.problem === p.name && r.method === m)!.medianRegret.toExponential(2))]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const fmt = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log(`median simple regret, ${seeds} seeds, budget ${budget} (${init} initial), pending: ${pending}, CPU engine`);
console.log(fmt(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const b of body) console.log(fmt(b));

const goals: { problem: string; method: string; vsSequential: number; belowRandom: number; ok: boolean }[] = [];
for (const prob of chosen) {
  const get = (m: string) => rows.find((r) => r.problem === prob.name && r.method === m)?.medianRegret;
  const seq = get('sequential');
  const rnd = get('random');
  if (seq === undefined || rnd === undefined) continue;
  for (const m of methodsShown) {
    if (m === 'sequential' || m === 'random') continue;
    const v = get(m)!;
    const ok = v <= 2 * seq + FLOOR * rnd && rnd >= 5 * v;
    goals.push({ problem: prob.name, method: m, vsSequential: v / seq, belowRandom: rnd / v, ok });
    console.log(`${prob.name} ${m}: ${(v / seq).toFixed(2)}x sequential, ${(rnd / v).toFixed(1)}x below random -> ${ok ? 'meets' : 'MISSES'} the goal (<= 2x sequential + ${FLOOR} x random, >= 5x below random)`);
  }
}

let wall: Record<string, number> | null = null;
if (values.wall === 'true') {
  // 16 trials of an objective that sleeps 200 ms: sequential vs 4 in flight
  const time = async (concurrency: number) => {
    const opt = new BayesianOptimization(options(branin, 1, async (p: Params) => (await sleep(200), -evaluateProblem(branin, p))));
    const t0 = performance.now();
    await opt.maximize({ initPoints: 4, nIter: 12, concurrency });
    const ms = performance.now() - t0;
    const suggestMs = opt.res.reduce((a, r) => a + (r.suggestMs ?? 0), 0);
    opt.dispose();
    return { ms, suggestMs };
  };
  const seq = await time(1);
  const par = await time(4);
  wall = { sequentialMs: seq.ms, concurrency4Ms: par.ms, ratio: par.ms / seq.ms, sequentialSuggestMs: seq.suggestMs, concurrency4SuggestMs: par.suggestMs };
  console.log(`wall time, 16 trials of a 200 ms objective: sequential ${(seq.ms / 1000).toFixed(2)} s (suggestions ${(seq.suggestMs / 1000).toFixed(2)} s), ` +
    `concurrency 4 ${(par.ms / 1000).toFixed(2)} s (suggestions ${(par.suggestMs / 1000).toFixed(2)} s): ratio ${(par.ms / seq.ms).toFixed(2)}`);
}

save(goals, wall);
console.log(`wrote ${values.out}`);

function save(goals: unknown, wall: unknown): void {
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, JSON.stringify({ date: new Date().toISOString(), seeds, budget, init, pending, engine: 'cpu', rows, goals, wall }, null, 2));
}
