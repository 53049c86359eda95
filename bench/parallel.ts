/**
 * Parallel benchmark: the same budget run sequentially and in parallel, on
 * bench:regret's functions (by default Branin, Hartmann6, Ackley-5; seeds
 * 1000.. as bench:regret's, so `sequential` is bench:regret's `bo` run), several seeds.
 *
 * - `sequential`: maximize({ initPoints, nIter })
 * - `async-k`: k asynchronous ask/tell workers: each finished trial is
 *   registered and its worker asks a new suggestion while the other k - 1 are
 *   still running. Trial durations are drawn (seeded) on a simulated clock, so
 *   the order of completions repeats exactly and nothing sleeps.
 * - `concurrency-4`: maximize({ concurrency: 4 }) with an objective that
 *   sleeps a seeded 20-60 ms (real time: completion order depends on load)
 * - `batch-4`: rounds of suggestBatch(4), all 4 registered before the next round
 * - `procs-k`: k OS processes sharing one journal file, each running
 *   maximize({ resume: true }) with the same seed until the journal holds the
 *   budget; the objective sleeps 100-300 ms (real time: completion order
 *   depends on load). Fails if a trial was lost, told twice or two trials
 *   share a point (./parallel-procs.ts)
 * - `random`: RandomSearch
 *
 * Prints a table of median simple regrets and the goals (parallel within 2x
 * of sequential plus a floor, and at least 5x below random), then the wall
 * time of maximize({ concurrency: 4 }) against a sequential run with an
 * objective that sleeps 200 ms. Writes bench/results/parallel.json. The
 * methods themselves run in ./parallel-methods.ts; this file reads the
 * flags, joins `--with` rows, and prints and writes the results.
 *
 *   npm run bench:parallel -- [--seeds 10] [--seed0 1000] [--budget 40] [--init 8] [--pending believer|lcb-believer|liar|fantasy|fantasies|qei|penalization|refit-liar]
 *     [--methods sequential,async-2,async-4,async-8,concurrency-4,batch-4,random] [--problems branin,hartmann6,ackley5,...]
 *     [--wall false] [--out bench/results/parallel.json] [--opt '{"acquisition":"logei"}'] [--with earlier.json]
 *     (`--pending lcb-believer --opt '{"pendingKappa":0.5}'`: running points half a posterior sd below their mean)
 *     [--curve-at T] (with --budget above T: the evaluations each mode needs to reach
 *     the sequential run's median regret after T trials; see ./parallel-curves.ts)
 *
 * The wall time alone (no regret rows; for an idle machine):
 *   npm run bench:parallel -- --methods '' --out bench/results/parallel-wall.json
 *
 * `--with a.json,b.json` joins the rows of earlier runs (same settings) to the
 * table and the goals, so that a method can be measured alone (`--methods ''`
 * only prints them); runs of consecutive seed ranges (`--seeds 5 --seed0 1000`,
 * then `--seed0 1005`) join as one of `--seeds 10`. `async-k` and `procs-k` take any k. `--problems` takes any of bench:regret's
 * functions (./parallel-problems.ts; `hartmann6-noisy` adds noise of sd 0.1 and is scored by the
 * true value at the recommended trial, as bench:regret scores it). The JSON is rewritten after each (problem, method)
 * row, so a long run stopped midway keeps what it measured.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BayesianOptimization, RandomSearch, type OptimizerOptions } from '../src/optimizer';
import { PENDING_STRATEGIES, type PendingStrategy } from '../src/optimizer';
import { branin, evaluateProblem } from '../src/problems';
import type { Params } from '../src/space/types';
import { NOISE_SD, PARALLEL_PROBLEMS } from './parallel-problems';
import { median, medianCurve, reachTable, type ReachRow } from './parallel-curves';
import { ParallelMethods, sleep } from './parallel-methods';
import { boolFlag, choiceFlag, fail, flagCheck, intFlag, jsonObjectFlag, listFlag, outFlag, parseFlags } from './args';

const values = parseFlags({
    seeds: { type: 'string', default: '10' },
    /** the first seed (seeds run from it up) */
    seed0: { type: 'string', default: '1000' },
    budget: { type: 'string', default: '40' },
    init: { type: 'string', default: '8' },
    pending: { type: 'string', default: 'believer' },
    methods: { type: 'string', default: 'sequential,async-4,async-8,concurrency-4,batch-4,random' },
    problems: { type: 'string', default: 'branin,hartmann6,ackley5' },
    wall: { type: 'string', default: 'true' },
    out: { type: 'string', default: 'bench/results/parallel.json' },
    /** extra optimizer options as JSON, merged over the defaults (for ablations) */
    opt: { type: 'string', default: '{}' },
    /** earlier runs' JSON files (comma-separated; same budget, init, pending and options) whose rows join the table and goals: a file with this run's seeds, or files of consecutive seed ranges that together cover them (in the order given) */
    with: { type: 'string' },
    /** T: also the evaluations each mode needs to reach the sequential run's median regret after T trials (median best-so-far curves; run with --budget above T) */
    'curve-at': { type: 'string' },
});
const seeds = intFlag('seeds', values.seeds);
const seed0 = intFlag('seed0', values.seed0, 0);
const budget = intFlag('budget', values.budget);
const init = intFlag('init', values.init, 0);
if (init > budget) fail(`--init: ${init} initial points do not fit a budget of ${budget}`);
const wallRun = boolFlag('wall', values.wall);
const pending: PendingStrategy = choiceFlag('pending', values.pending, PENDING_STRATEGIES);
const curveAt = values['curve-at'] === undefined ? undefined : intFlag('curve-at', values['curve-at']);
if (curveAt !== undefined && curveAt > budget) fail(`--curve-at: ${curveAt} is not a trial count in 1..${budget} (the budget)`);
const extra = jsonObjectFlag('opt', values.opt) as Partial<OptimizerOptions>;
const out = outFlag('out', values.out);
// checked before any run: sequential, random, batch-4, concurrency-4, async-k, procs-k ('': the wall time alone)
const methods = listFlag('methods', values.methods, undefined, { none: true });
const badMethods = methods.filter((m) => !/^(sequential|random|batch-4|concurrency-4|(async|procs)-[1-9]\d*)$/.test(m));
if (badMethods.length) fail(`--methods: unknown ${badMethods.join(', ')} (known: sequential, random, batch-4, concurrency-4, async-k, procs-k for a k >= 1)`);
// batch-4 registers whole rounds of 4: another budget was a crash after the rows before it (trimming
// the last round would compare a batch run of another shape; the README says so)
if (methods.includes('batch-4') && budget % 4 !== 0) fail(`--budget: batch-4 runs rounds of 4 trials: ${budget} is not a multiple of 4`);
const chosen = listFlag('problems', values.problems, Object.keys(PARALLEL_PROBLEMS)).map((n) => PARALLEL_PROBLEMS[n]);
const noisyProcs = methods.find((m) => m.startsWith('procs-')) && chosen.find((p) => NOISE_SD[p.name] !== undefined);
if (noisyProcs) fail(`--methods: procs-k does not run the noisy problem ${noisyProcs.name}`);
/** "within 2x of sequential plus a small floor": the floor is this fraction of random search's median regret */
const FLOOR = 0.01;

/** runs the methods, and keeps the curves (`--curve-at`) and the procs-k near pairs they find */
const methodRuns = new ParallelMethods({ budget, init, pending, extra, curveAt });
// --opt, as every selected problem's runs take it: an option that suits one space but not another crashed after the first rows
for (const prob of chosen) {
  flagCheck('opt', () => {
    for (const make of [...new Set(methods.map((m) => (m === 'random' ? RandomSearch : BayesianOptimization)))]) {
      new make(methodRuns.options(prob, seed0)).dispose();
    }
  }, prob.name);
}
const { curves, nearPairs, nearPairsInFlight } = methodRuns;
let reachRows: ReachRow[] | null = null;

interface Row { problem: string; method: string; medianRegret: number; regrets: number[] }
const rows: Row[] = [];
/** rows of `--with`: same settings, or the comparison means nothing */
const earlier: Row[] = [];
interface Saved { seeds: number; seed0?: number; budget: number; init: number; pending: string; options?: object; rows: Row[] }
const saved = (values.with === undefined ? [] : listFlag('with', values.with)).map((file) => {
  const e = flagCheck('with', () => JSON.parse(readFileSync(file, 'utf8')) as Saved, file);
  if (!Array.isArray(e?.rows) || !Number.isInteger(e.seeds)) fail(`--with: ${file}: not a bench:parallel result (no rows or seeds)`);
  const same = e.budget === budget && e.init === init && e.pending === pending && JSON.stringify(e.options ?? {}) === JSON.stringify(extra);
  if (!same) fail(`--with: ${file}: other settings (budget ${e.budget}, init ${e.init}, pending ${e.pending}, options ${JSON.stringify(e.options ?? {})})`);
  return { file, seed0: e.seed0 ?? 1000, seeds: e.seeds, rows: e.rows };
});
// A (problem, method) row joins from the files whose seed ranges, taken in the
// order given, tile this run's seeds (one file with all of them, or runs of
// consecutive seed ranges); a file whose range does not continue the tiling is skipped.
const pairs = new Set(saved.flatMap((f) => f.rows.map((r) => `${r.problem}\t${r.method}`)));
for (const pair of pairs) {
  const [problem, method] = pair.split('\t');
  if (methods.includes(method) || !chosen.some((p) => p.name === problem)) continue;
  const regrets: number[] = [];
  for (const f of saved) {
    const r = f.rows.find((x) => x.problem === problem && x.method === method);
    if (r && f.seed0 === seed0 + regrets.length && regrets.length + f.seeds <= seeds) regrets.push(...r.regrets);
  }
  if (regrets.length !== seeds) fail(`--with: ${problem} ${method} has ${regrets.length} of seeds ${seed0}..${seed0 + seeds - 1} in consecutive ranges`);
  earlier.push({ problem, method, medianRegret: median(regrets), regrets });
}
for (const prob of chosen) {
  for (const method of methods) {
    const regrets: number[] = [];
    for (let s = 0; s < seeds; s++) regrets.push(await methodRuns.run(method, prob, seed0 + s));
    rows.push({ problem: prob.name, method, medianRegret: median(regrets), regrets });
    const key = `${prob.name} ${method}`;
    if (nearPairs.has(key)) console.error(`${key}: ${nearPairs.get(key)} pair(s) of trials within 1e-3 of each other over ${seeds} seeds, ${nearPairsInFlight.get(key)} of them in flight together`);
    console.error(`${prob.name} ${method}: median regret ${median(regrets).toExponential(3)} [${regrets.map((r) => r.toPrecision(3)).join(', ')}]`);
    save(null, null); // each row as it is done: a long run stopped midway keeps what it measured
  }
}

rows.push(...earlier);
const rank = (m: string) => ['sequential', 'async', 'concurrency', 'batch', 'procs', 'random'].findIndex((p) => m.startsWith(p));
const methodsShown = [...new Set([...earlier.map((r) => r.method), ...methods])].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }));
const header = ['problem', ...methodsShown];
const body = chosen.map((p) => [p.name, ...methodsShown.map((m) => rows.find((r) => r.problem === p.name && r.method === m)?.medianRegret.toExponential(2) ?? '-')]);
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
  // where sequential itself stands: a parallel run cannot be asked to beat it by much
  console.log(`${prob.name} sequential: ${(rnd / seq).toFixed(1)}x below random`);
  for (const m of methodsShown) {
    if (m === 'sequential' || m === 'random') continue;
    const v = get(m);
    if (v === undefined) continue;
    const ok = v <= 2 * seq + FLOOR * rnd && rnd >= 5 * v;
    goals.push({ problem: prob.name, method: m, vsSequential: v / seq, belowRandom: rnd / v, ok });
    console.log(`${prob.name} ${m}: ${(v / seq).toFixed(2)}x sequential, ${(rnd / v).toFixed(1)}x below random -> ${ok ? 'meets' : 'MISSES'} the goal (<= 2x sequential + ${FLOOR} x random, >= 5x below random)`);
  }
}

if (curveAt !== undefined) {
  const t = reachTable(curves, chosen.map((p) => p.name), methods, curveAt, budget);
  console.log(`evaluations to reach the sequential run's median regret after ${curveAt} trials (median best-so-far over ${seeds} seeds, in the order told; > ${budget}: not within the budget)`);
  for (const line of t.lines) console.log(line);
  reachRows = t.rows;
}

let wall: Record<string, number> | null = null;
if (wallRun) {
  // 16 trials of an objective that sleeps 200 ms: sequential vs 4 in flight
  const time = async (concurrency: number) => {
    const opt = new BayesianOptimization(methodRuns.options(branin, 1, async (p: Params) => (await sleep(200), -evaluateProblem(branin, p))));
    const t0 = performance.now();
    await opt.maximize({ initPoints: 4, nIter: 12, concurrency });
    const ms = performance.now() - t0;
    const suggestMs = opt.res.reduce((a, r) => a + (r.suggestMs ?? 0), 0);
    opt.dispose();
    return { ms, suggestMs };
  };
  const seq = await time(1);
  const par = await time(4);
  // the goal's figure: a quarter of the sleeping plus the suggestions (made one at a time; they
  // overlap other calls' sleeping, so the run can take less)
  const expectedMs = (16 * 200) / 4 + par.suggestMs;
  wall = {
    sequentialMs: seq.ms, concurrency4Ms: par.ms, ratio: par.ms / seq.ms, sequentialSuggestMs: seq.suggestMs, concurrency4SuggestMs: par.suggestMs,
    expectedMs, expectedRatio: expectedMs / seq.ms,
  };
  console.log(`wall time, 16 trials of a 200 ms objective: sequential ${(seq.ms / 1000).toFixed(2)} s (suggestions ${(seq.suggestMs / 1000).toFixed(2)} s), ` +
    `concurrency 4 ${(par.ms / 1000).toFixed(2)} s (suggestions ${(par.suggestMs / 1000).toFixed(2)} s): ratio ${(par.ms / seq.ms).toFixed(2)} ` +
    `(goal: a quarter of the 3.2 s of sleeping plus the suggestions, ${(expectedMs / 1000).toFixed(2)} s, ratio ${(expectedMs / seq.ms).toFixed(2)})`);
}

save(goals, wall);
console.log(`wrote ${out}`);

function save(goals: unknown, wall: unknown): void {
  mkdirSync(dirname(out), { recursive: true });
  const medianCurves = Object.fromEntries([...curves].map(([k, c]) => [k, medianCurve(c)]));
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), seeds, seed0, budget, init, pending, options: extra, engine: 'cpu', rows, goals, wall,
    ...(curveAt === undefined ? {} : { curveAt, medianCurves, reach: reachRows }), nearPairs: Object.fromEntries(nearPairs), nearPairsInFlight: Object.fromEntries(nearPairsInFlight) }, null, 2));
}
