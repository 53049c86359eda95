/**
 * Pruning decision cost: microseconds per report of the median, ASHA and
 * Hyperband pruners once the study holds 1,000 trials (goal: < 1 ms).
 *
 *   npm run bench:pruning -- [--trials 1100] [--measure-from 1000] [--epochs 27] [--workers 4] [--seed 1] [--storage memory|memory-journal|file]
 *     [--fsync except-progress|always|never] [--out bench/results/pruning.json]
 *
 * A seeded study of noisy learning curves runs through each pruner as the
 * optimizer would drive it (several workers interleaving reports; a pruned
 * trial stops, a full one completes), handing the pruner the whole study at
 * every report. Every prune() call is timed; the table shows the reports of
 * trials numbered >= --measure-from (the study then holds that many trials or
 * more) and, for context, all reports. A second table times the whole
 * `await context.report(step, value)` of an objective run by RandomSearch
 * (one worker; `--storage`: the study in memory [default], a journal in
 * memory, or a journal file in a temporary folder, its appends fsynced as
 * `--fsync` says, see FileJournalOptions.fsync): recording the value,
 * building the curves and the decision (with a journal, which other workers
 * may share, the study is read again before each decision). Wall-clock times: on a shared machine
 * they move with the load, which is recorded with them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomSearch } from '../src/optimizer';
import { FileJournalBackend, MemoryJournalBackend, type FsyncPolicy } from '../src/storage';
import { HyperbandPruner, MedianPruner, SuccessiveHalvingPruner, type Pruner, type PrunerTrial } from '../src/pruners';
import { Rng } from '../src/util/rng';
import { choiceFlag, fail, intFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  trials: { type: 'string', default: '1100' },
  'measure-from': { type: 'string', default: '1000' },
  epochs: { type: 'string', default: '27' },
  workers: { type: 'string', default: '4' },
  seed: { type: 'string', default: '1' },
  storage: { type: 'string', default: 'memory' },
  fsync: { type: 'string', default: 'except-progress' },
  out: { type: 'string', default: 'bench/results/pruning.json' },
});
const nTrials = intFlag('trials', values.trials);
const measureFrom = intFlag('measure-from', values['measure-from'], 0);
// the measured reports are those of trials from --measure-from on: some must exist
if (measureFrom >= nTrials) fail(`--measure-from: ${measureFrom} leaves no trial to measure in a study of --trials ${nTrials}`);
const epochs = intFlag('epochs', values.epochs);
const workers = intFlag('workers', values.workers);
const seed = intFlag('seed', values.seed, 0);
const storage = choiceFlag('storage', values.storage, ['memory', 'memory-journal', 'file'] as const);
const fsync: FsyncPolicy = choiceFlag('fsync', values.fsync, ['except-progress', 'always', 'never'] as const);
const out = outFlag('out', values.out);

type MutableTrial = { id: number; state: PrunerTrial['state']; steps: number[]; values: number[] };

function simulate(pruner: Pruner): { all: number[]; measured: number[]; pruned: number; reports: number } {
  const rng = new Rng(seed);
  const curves = Array.from({ length: nTrials }, () => ({ floor: rng.random(), speed: 0.3 + 2 * rng.random() }));
  const trials: MutableTrial[] = [];
  const active: { id: number; epoch: number }[] = [];
  const all: number[] = [];
  const measured: number[] = [];
  let nextId = 0;
  let pruned = 0;
  while (nextId < nTrials || active.length) {
    while (active.length < workers && nextId < nTrials) {
      trials.push({ id: nextId, state: 'running', steps: [], values: [] });
      active.push({ id: nextId++, epoch: 0 });
    }
    const slot = rng.int(active.length);
    const a = active[slot];
    const t = trials[a.id];
    const c = curves[a.id];
    a.epoch++;
    t.steps.push(a.epoch);
    t.values.push(c.floor + 2 / a.epoch ** c.speed + 0.05 * rng.normal());
    const t0 = performance.now();
    const stop = pruner.prune({ direction: 'minimize', trial: t, trials, studyName: 'bench' });
    const us = (performance.now() - t0) * 1000;
    all.push(us);
    if (a.id >= measureFrom) measured.push(us);
    if (stop || a.epoch === epochs) {
      t.state = stop ? 'pruned' : 'complete';
      if (stop) pruned++;
      active.splice(slot, 1);
    }
  }
  return { all, measured, pruned, reports: all.length };
}

function stats(xs: number[]): { mean: number; p50: number; p99: number; max: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { mean: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length), p50: q(0.5), p99: q(0.99), max: s[s.length - 1], n: xs.length };
}

const load0 = loadavg();
const rows = [
  { name: 'median', make: () => new MedianPruner() },
  { name: 'asha', make: () => new SuccessiveHalvingPruner() },
  { name: 'hyperband', make: () => new HyperbandPruner({ maxResource: epochs }) },
].map(({ name, make }) => {
  simulate(make()); // warm-up run (JIT)
  const r = simulate(make());
  return { pruner: name, reports: r.reports, prunedTrials: r.pruned, measured: stats(r.measured), all: stats(r.all) };
});

/** `await ctx.report()` as an objective sees it, one worker, the study as `--storage` says. */
async function endToEnd(name: 'median' | 'asha' | 'hyperband'): Promise<ReturnType<typeof stats>> {
  const rng = new Rng(seed);
  const measured: number[] = [];
  const dir = storage === 'file' ? mkdtempSync(join(tmpdir(), 'bench-pruning-')) : null;
  const journal = dir ? new FileJournalBackend(join(dir, 'study.log'), { fsync }) : storage === 'memory-journal' ? new MemoryJournalBackend() : undefined;
  const opt = new RandomSearch({
    pbounds: { q: [0, 1], speed: [0.3, 2.3] }, direction: 'minimize', randomState: seed, pruner: name, log: () => {}, journal,
    f: async ({ q, speed }, ctx) => {
      let v = NaN;
      for (let e = 1; e <= epochs; e++) {
        v = (q as number) + 2 / e ** (speed as number) + 0.05 * rng.normal();
        const t0 = performance.now();
        const stop = await ctx.report(e, v);
        if (ctx.trialId >= measureFrom) measured.push((performance.now() - t0) * 1000);
        if (stop) break;
      }
      return v;
    },
  });
  await opt.maximize({ initPoints: 0, nIter: nTrials });
  await opt.close();
  if (journal instanceof FileJournalBackend) await journal.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  return stats(measured);
}
const e2e: { pruner: string; measured: ReturnType<typeof stats> }[] = [];
for (const name of ['median', 'asha', 'hyperband'] as const) e2e.push({ pruner: name, measured: await endToEnd(name) });
const load1 = loadavg();

const f = (x: number) => x.toFixed(1).padStart(8);
console.log(`pruning decision cost, µs per report (study of ${nTrials} trials x <= ${epochs} epochs, ${workers} workers; measured: trials >= ${measureFrom})`);
console.log(`${'pruner'.padEnd(10)} ${'pruned'.padStart(7)} ${'reports'.padStart(8)} ${'mean'.padStart(8)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}   ${'mean(all)'.padStart(9)}  < 1 ms`);
for (const r of rows) {
  const m = r.measured;
  console.log(`${r.pruner.padEnd(10)} ${String(r.prunedTrials).padStart(7)} ${String(m.n).padStart(8)} ${f(m.mean)} ${f(m.p50)} ${f(m.p99)} ${f(m.max)}   ${f(r.all.mean).padStart(9)}  ${m.p99 < 1000 ? 'yes' : 'NO'}`);
}
const where = { memory: 'study in memory', 'memory-journal': 'a journal in memory', file: `a journal file, fsync ${fsync}` }[storage];
console.log(`\nthrough the optimizer: await context.report(step, value), µs (RandomSearch, ${where}, trials >= ${measureFrom})`);
console.log(`${'pruner'.padEnd(10)} ${'reports'.padStart(8)} ${'mean'.padStart(8)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}  < 1 ms`);
for (const r of e2e) {
  const m = r.measured;
  console.log(`${r.pruner.padEnd(10)} ${String(m.n).padStart(8)} ${f(m.mean)} ${f(m.p50)} ${f(m.p99)} ${f(m.max)}  ${m.p99 < 1000 ? 'yes' : 'NO'}`);
}
console.log(`load average ${load0.map((x) => x.toFixed(2)).join(' ')} -> ${load1.map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
writeJson(out, {
  date: new Date().toISOString(), trials: nTrials, measureFrom, epochs, workers, seed, storage, fsync: storage === 'file' ? fsync : undefined,
  loadavg: { before: load0, after: load1 }, cores: cpus().length, unit: 'microseconds per report', rows, throughOptimizer: e2e,
});
