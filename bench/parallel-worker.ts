/**
 * One OS process of bench:parallel's `procs-k` method: a study on a journal
 * file shared with k - 1 other such processes, run with
 * maximize({ initPoints, nIter, resume: true }) so that the trials of all of
 * them together make the budget (the journal's lock decides who asks the
 * last ones). Every process gets the same seed, as workers started alike do:
 * they share out the one initial design and must still never evaluate the
 * same point. The objective sleeps a seeded 100-300 ms (real time), so that
 * trials of different processes overlap.
 *
 *   node --import tsx bench/parallel-worker.ts <journal> <problem> <seed> <budget> <init> <optionsJson>
 *
 * Prints "READY" once the journal is open, starts when `<journal>.go`
 * exists, and prints "DONE <trials it finished>" at the end.
 */
import { existsSync } from 'node:fs';
import { BayesianOptimization, type OptimizerOptions } from '../src/optimizer';
import type { Params } from '../src/space/types';
import { Rng } from '../src/util/rng';
import { PARALLEL_PROBLEMS } from './parallel-problems';
import { evaluateProblem } from '../src/problems';

const [journal, name, seedArg, budgetArg, initArg, json] = process.argv.slice(2);
const prob = PARALLEL_PROBLEMS[name];
if (!prob) throw new Error(`unknown problem ${name}`);
const budget = Number(budgetArg);
const init = Number(initArg);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const jitter = new Rng(Number(seedArg) ^ process.pid);
let finished = 0;
const opt = new BayesianOptimization({
  f: async (p: Params) => {
    await sleep(100 + 200 * jitter.random());
    finished++;
    return -evaluateProblem(prob, p);
  },
  pbounds: prob.bounds, randomState: Number(seedArg), engine: 'cpu', log: () => undefined, initPoints: init,
  journal, ...(JSON.parse(json ?? '{}') as Partial<OptimizerOptions>),
});
await opt.ready();
process.stdout.write('READY\n');
while (!existsSync(`${journal}.go`)) await sleep(5);
await opt.maximize({ initPoints: init, nIter: budget - init, resume: true });
opt.dispose();
process.stdout.write(`DONE ${finished}\n`);
