/**
 * Mixed spaces: categorical, integer and flattened conditional parameters,
 * which bench:regret's continuous functions do not cover. Four problems with
 * a known optimum (0, minimized), BayesianOptimization against random search
 * at one budget; prints median regret (quartiles), the most evaluations one
 * choice took, mean wall time per evaluation, and writes the rows as JSON. With
 * `--speed K,...` it times instead a suggestion with a K-choice categorical
 * and two floats after `--n` random observations (first call and the next).
 *
 *   npm run bench:mixed -- [--seeds 15] [--budget 40] [--init 10] [--problems cat5-shift,...]
 *     [--methods bo,random] [--opt '{"gp":{"lengthscales":"ard"}}'] [--out bench/results/mixed.json]
 *   npm run bench:mixed -- --speed 50,1000 [--n 100]
 */
import { BayesianOptimization, RandomSearch } from '../src/optimizer';
import type { Params, SpaceSpec } from '../src/space/types';
import { Rng } from '../src/util/rng';
import { fail, flagCheck, intFlag, intListFlag, jsonObjectFlag, listFlag, outFlag, parseFlags, writeJson } from './args';

interface MixedProblem { space: SpaceSpec; f: (p: Params) => number; choice: string }

const floats = { x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } } as const;
const num = (p: Params, k: string) => p[k] as number;

/** A choice's level and the optimum it moves the quadratic to (five choices). */
const SHIFT = [[1.0, 0.2, 0.7], [0.6, 0.8, 0.2], [0.3, 0.5, 0.5], [0.0, 0.15, 0.85], [0.8, 0.9, 0.1]];
/** 40 choices, two good (c7 at 0, c29 at 0.1), the rest 0.5 to 1 by a fixed hash. */
const NEEDLE = Array.from({ length: 40 }, (_, i) => (i === 7 ? 0 : i === 29 ? 0.1 : 0.5 + 0.5 * (((Math.imul(i + 1, 2654435761) >>> 0) % 1000) / 1000)));

export const MIXED: Record<string, MixedProblem> = {
  // a 5-choice categorical sets the level and where the optimum of x, y lies
  'cat5-shift': {
    space: { c: { type: 'categorical', choices: ['a', 'b', 'c', 'd', 'e'] }, ...floats },
    f: (p) => {
      const [lv, ox, oy] = SHIFT['abcde'.indexOf(p.c as string)];
      return lv + 4 * ((num(p, 'x') - ox) ** 2 + (num(p, 'y') - oy) ** 2);
    },
    choice: 'c',
  },
  // four integers in [0, 20], two of them interacting, and a log-scaled float
  'int4-log1': {
    space: {
      k1: { type: 'int', low: 0, high: 20 }, k2: { type: 'int', low: 0, high: 20 }, k3: { type: 'int', low: 0, high: 20 },
      k4: { type: 'int', low: 0, high: 20 }, lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
    },
    f: (p) => ((num(p, 'k1') - 7) / 20) ** 2 + ((num(p, 'k2') - 13) / 20) ** 2 + 2 * ((num(p, 'k3') - num(p, 'k4') - 5) / 20) ** 2
      + ((num(p, 'k4') - 3) / 20) ** 2 + 0.1 * (Math.log10(num(p, 'lr')) + 2.7) ** 2,
    choice: 'k1',
  },
  // 40 choices of which two are good
  'cat40-needle': {
    space: { c: { type: 'categorical', choices: NEEDLE.map((_, i) => `c${i}`) }, ...floats },
    f: (p) => NEEDLE[Number((p.c as string).slice(1))] + (num(p, 'x') - 0.3) ** 2 + (num(p, 'y') - 0.6) ** 2,
    choice: 'c',
  },
  // an optimizer choice, each reading only its own parameters (a conditional space, flattened)
  'cond-optimizer': {
    space: {
      opt: { type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] },
      lr_sgd: { type: 'float', low: 1e-5, high: 1, log: true }, momentum: { type: 'float', low: 0, high: 0.99 },
      lr_adam: { type: 'float', low: 1e-5, high: 1, log: true }, beta1: { type: 'float', low: 0.5, high: 0.999 },
      lr_rms: { type: 'float', low: 1e-5, high: 1, log: true }, units: { type: 'int', low: 16, high: 256, log: true },
    },
    f: (p) => {
      const u = (0.2 * (Math.log2(num(p, 'units')) - 7) ** 2) / 9;
      if (p.opt === 'sgd') return 0.3 + 0.15 * (Math.log10(num(p, 'lr_sgd')) + 1.5) ** 2 + 0.5 * (num(p, 'momentum') - 0.9) ** 2 + u;
      if (p.opt === 'adam') return 0.15 * (Math.log10(num(p, 'lr_adam')) + 3) ** 2 + 0.3 * (num(p, 'beta1') - 0.9) ** 2 + u;
      return 0.15 + 0.15 * (Math.log10(num(p, 'lr_rms')) + 3.5) ** 2 + u;
    },
    choice: 'opt',
  },
};

const values = parseFlags({
  seeds: { type: 'string', default: '15' },
  budget: { type: 'string', default: '40' },
  init: { type: 'string', default: '10' },
  problems: { type: 'string', default: Object.keys(MIXED).join(',') },
  methods: { type: 'string', default: 'bo,random' },
  opt: { type: 'string', default: '{}' },
  speed: { type: 'string' },
  n: { type: 'string', default: '100' },
  out: { type: 'string', default: 'bench/results/mixed.json' },
});
// every flag is checked before any output, whichever mode reads it (`--n abc` was ignored without --speed)
const extra = jsonObjectFlag('opt', values.opt);
const out = outFlag('out', values.out);
const n = intFlag('n', values.n);
const speeds = values.speed === undefined ? undefined : intListFlag('speed', values.speed, 2);
const seeds = intFlag('seeds', values.seeds);
const budget = intFlag('budget', values.budget);
const init = intFlag('init', values.init, 0);
if (init > budget) fail(`--init: ${init} initial points do not fit a budget of ${budget}`);
const problems = listFlag('problems', values.problems, Object.keys(MIXED));
const methods = listFlag('methods', values.methods, ['bo', 'random'] as const);

/** --speed's space of K choices */
const speedSpace = (choices: string[]): SpaceSpec => ({ c: { type: 'categorical', choices }, ...floats });
const choicesOf = (K: number) => Array.from({ length: K }, (_, i) => `c${i}`);
// --opt as BO takes it on each space it will run on: a bad option was a stack trace once the run had begun
const spaces: [string, SpaceSpec][] = speeds ? speeds.map((K) => [`${K} choices`, speedSpace(choicesOf(K))])
  : methods.includes('bo') ? problems.map((name) => [name, MIXED[name].space]) : [];
for (const [name, space] of spaces) flagCheck('opt', () => new BayesianOptimization({ f: () => 0, space, engine: 'cpu', verbose: 0, ...extra }).dispose(), name);

const quantile = (v: number[], q: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))];
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (speeds) {
  const rows: Record<string, unknown>[] = [];
  console.log('| choices | observations | first suggestion (ms) | next (ms) | lengthscale model |');
  console.log('|---|---|---|---|---|');
  for (const K of speeds) {
    const choices = choicesOf(K);
    const space = speedSpace(choices);
    const f = (p: Params) => (choices.indexOf(p.c as string) % 7) / 7 + (num(p, 'x') - 0.3) ** 2 + (num(p, 'y') - 0.6) ** 2;
    const opt = new BayesianOptimization({ f, space, direction: 'minimize', randomState: 1, engine: 'cpu', verbose: 0, ...extra });
    const rng = new Rng(99);
    for (let i = 0; i < n; i++) {
      const p = { c: choices[rng.int(K)], x: rng.random(), y: rng.random() };
      await opt.register(p, f(p));
    }
    const ms: number[] = [];
    let model = '-';
    for (let r = 0; r < 2; r++) {
      const t0 = performance.now();
      const p = await opt.suggest();
      ms.push(performance.now() - t0);
      if (r === 0) model = opt.fitStats?.lengthscales ?? '-'; // the first call's fit (the next keeps it)
      await opt.register(p, f(p));
    }
    console.log(`| ${K} | ${n} | ${ms[0].toFixed(0)} | ${ms[1].toFixed(0)} | ${model} |`);
    rows.push({ choices: K, n, firstMs: ms[0], nextMs: ms[1], lengthscales: model });
    await opt.close();
  }
  writeJson(out, { kind: 'speed', opt: extra, rows });
} else {
  const rows: Record<string, unknown>[] = [];
  console.log('| problem | method | median regret | q25 | q75 | most evaluations of one choice (median) | ms per evaluation |');
  console.log('|---|---|---|---|---|---|---|');
  for (const name of problems) {
    const prob = MIXED[name];
    for (const method of methods) {
      const regrets: number[] = [];
      const most: number[] = [];
      const ms: number[] = [];
      for (let s = 1; s <= seeds; s++) {
        const opts = { f: prob.f, space: prob.space, direction: 'minimize' as const, randomState: s, engine: 'cpu' as const, verbose: 0 as const };
        const opt = method === 'bo' ? new BayesianOptimization({ ...opts, ...extra }) : new RandomSearch(opts);
        const t0 = performance.now();
        await opt.maximize({ initPoints: init, nIter: budget - init });
        ms.push((performance.now() - t0) / budget);
        const targets = opt.res.map((t) => t.target).filter((t): t is number => t !== null);
        regrets.push(Math.min(...targets)); // the optimum is 0
        const counts = new Map<unknown, number>();
        for (const t of opt.res) counts.set(t.params[prob.choice], (counts.get(t.params[prob.choice]) ?? 0) + 1);
        most.push(Math.max(...counts.values()));
        await opt.close();
      }
      const row = { problem: name, method, seeds, budget, init, median: median(regrets), q25: quantile(regrets, 0.25), q75: quantile(regrets, 0.75), regrets, mostOfOneChoice: median(most), msPerEvaluation: median(ms) };
      rows.push(row);
      console.log(`| ${name} | ${method} | ${row.median.toPrecision(3)} | ${row.q25.toPrecision(3)} | ${row.q75.toPrecision(3)} | ${row.mostOfOneChoice} | ${row.msPerEvaluation.toFixed(0)} |`);
    }
  }
  writeJson(out, { kind: 'regret', opt: extra, rows });
}
