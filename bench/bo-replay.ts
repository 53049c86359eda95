/**
 * Offline replay of a recorded search: the Bayesian optimizer is given the
 * first k evaluations of one strategy of a `compare --json` record (as
 * registered trials, no training) and asked for its next point, for each k.
 * Prints, per k, the fitted GP (lengthscale model, one lengthscale per
 * parameter on the unit cube, signal and noise variance in standardized
 * units), the proposal, and, at the incumbent, the posterior mean ± sd
 * (standardized units) at each level of every integer parameter: whether
 * the model believes in a trend along, say, the digits study's width.
 * Costs GP fits only (seconds), so a model change can be checked against a
 * study's recorded trajectories before any training is spent.
 * Suggestions run on the CPU engine (the run may have used WebGPU, so a
 * replayed proposal can differ from the recorded one in its last digits),
 * and the optimizer's random stream is fresh at each k, not the run's.
 * Writes bench/results/bo-replay.json.
 *
 *   npx tsx bench/bo-replay.ts --record digits.json [--strategy random] [--run 0] [--ks 2,3,4] [--options '{"gp":{"priorMean":0}}']
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BayesianOptimization } from '../src/optimizer';
import type { CompareRecord } from '../src/report/types';
import { Space } from '../src/space';
import type { Params, SpaceSpec } from '../src/space/types';
import { digitsStudy, taxiStudy } from '../src/studies';

const { values } = parseArgs({
  options: {
    record: { type: 'string' },
    strategy: { type: 'string', default: 'bayes' },
    run: { type: 'string', default: '0' },
    ks: { type: 'string' },
    options: { type: 'string', default: '{}' },
    out: { type: 'string', default: 'bench/results/bo-replay.json' },
  },
});
if (values.record === undefined) throw new Error('bench/bo-replay needs --record FILE (a compare --json record)');
const record = JSON.parse(readFileSync(values.record, 'utf8')) as CompareRecord;
const run = record.runs[Number(values.run)];
const row = run.strategies.find((s) => s.strategy === values.strategy);
if (row === undefined) throw new Error(`no strategy ${values.strategy} in run ${values.run} of ${values.record}`);
const spec: SpaceSpec = (record.study === 'digits' ? digitsStudy : taxiStudy).space; // either study's: points are plain Params here
const space = Space.fromOptions({ space: spec });
const trials = row.trials.filter((t) => t.value !== null).map((t) => ({ params: t.params, value: t.value as number }));
const ks = values.ks ? values.ks.split(',').map(Number) : trials.map((_, i) => i + 1).filter((k) => k >= 2 && k < trials.length + 1);
const overrides = JSON.parse(values.options!) as Record<string, unknown>;

const fmt = (p: Params) => space.names.map((n) => {
  const v = p[n];
  return `${n}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(3) : String(v)}`;
}).join(' ');
console.log(`${values.record}: run seed ${run.seed}, strategy ${values.strategy}, options ${values.options}`);
trials.forEach((t, i) => console.log(`  ${i + 1}: ${fmt(t.params)} -> ${t.value}`));

const rows: unknown[] = [];
for (const k of ks) {
  let asked: Params | null = null;
  const opt = new BayesianOptimization({
    f: (p: Params) => { asked = p; return trials[0].value; },
    space: spec, direction: record.direction, randomState: run.seed, engine: 'cpu', verbose: 0, ...overrides,
  });
  for (let i = 0; i < k; i++) await opt.register(trials[i].params, trials[i].value);
  await opt.maximize({ initPoints: 0, nIter: 1 });
  const stats = opt.fitStats;
  const h = opt.gp.hyperparameters;
  const sign = record.direction === 'maximize' ? 1 : -1;
  let inc = 0;
  for (let i = 1; i < k; i++) if (sign * trials[i].value > sign * trials[inc].value) inc = i;
  // Posterior along each integer parameter at the incumbent (the main GP only: an exploration step fits its own).
  const levels: Record<string, string[]> = {};
  if (stats?.model === 'main') {
    for (const l of space.layout) {
      if (l.kind !== 'integer') continue;
      levels[l.name] = [];
      for (let v = l.low; v <= l.high; v++) {
        const x = Float64Array.from(space.encode({ ...trials[inc].params, [l.name]: v }));
        const post = opt.gp.predict(x, 1, { standardized: true });
        levels[l.name].push(`${v}: ${post.mean[0].toFixed(2)} ± ${Math.sqrt(post.variance[0]).toFixed(2)}`);
      }
    }
  }
  const ls = stats?.model === 'main' ? space.names.map((n, j) => `${n} ${h.lengthscales[j].toFixed(3)}`).join(', ') : '(exploration step: own GP)';
  console.log(`k=${k} ${stats?.model ?? 'none'} ${stats?.lengthscales ?? ''}: lengthscales ${ls}; signal ${h.signalVariance.toFixed(3)}, noise ${h.noiseVariance.toExponential(2)}`);
  console.log(`     next: ${asked === null ? '-' : fmt(asked)}`);
  for (const [n, v] of Object.entries(levels)) console.log(`     at incumbent ${inc + 1}, posterior along ${n}: ${v.join(', ')}`);
  rows.push({
    k, model: stats?.model, lengthscaleModel: stats?.lengthscales, lengthscales: Array.from(h.lengthscales),
    signalVariance: h.signalVariance, noiseVariance: h.noiseVariance, next: asked, incumbent: inc + 1, levels,
  });
  opt.dispose();
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out!, JSON.stringify({ record: values.record, strategy: values.strategy, seed: run.seed, options: overrides, rows }, null, 2) + '\n');
