/**
 * Evaluation noise of the taxi study: how far the validation RMSE of one
 * configuration moves when only the weight seed (initialization and batch
 * order) changes, next to how far it moves between configurations. A search
 * can only tell configurations apart when the second is much larger than the
 * first, so this is what the `compare` defaults (batch, epochs, filtering)
 * were chosen from. Prints mean and standard deviation per configuration and
 * protocol and writes bench/results/taxi-noise.json.
 *
 *   npm run bench:taxi-noise -- [--repeats 6] [--protocols 128x3,512x6] [--split-seed 1] [--no-fare-filter] [--out bench/results/taxi-noise.json]
 */
import * as tf from '@tensorflow/tfjs';
import { taxiSamplePath } from '../src/cli/data';
import { DEFAULT_TAXI_BOUNDS, loadTaxiCsv, preprocessTaxi } from '../src/data';
import { taxiStudy } from '../src/studies';
import { setupTfjsBackend } from '../src/tfjs';
import { fail, intFlag, listFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  repeats: { type: 'string', default: '6' },
  protocols: { type: 'string', default: '128x3,512x6' },
  'split-seed': { type: 'string', default: '1' },
  'no-fare-filter': { type: 'boolean', default: false },
  out: { type: 'string', default: 'bench/results/taxi-noise.json' },
});
const repeats = intFlag('repeats', values.repeats, 2); // a seed spread needs two trainings
const splitSeed = intFlag('split-seed', values['split-seed'], 0);
const protocols = listFlag('protocols', values.protocols).map((p) => {
  const m = /^(\d+)x(\d+)$/.exec(p);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) fail(`--protocols: ${JSON.stringify(p)} is not <batch size>x<epochs>, e.g. 128x3`);
  return { batchSize: Number(m[1]), epochs: Number(m[2]) };
});
const out = outFlag('out', values.out);
/** A line through the basin along each axis, and the two edges that hurt. */
const CONFIGS = [
  { learning_rate: 3e-4, l2: 1e-3 },
  { learning_rate: 1e-3, l2: 1e-3 },
  { learning_rate: 3e-3, l2: 1e-3 },
  { learning_rate: 1e-2, l2: 1e-3 },
  { learning_rate: 3e-3, l2: 1e-4 },
  { learning_rate: 3e-3, l2: 1e-2 },
  { learning_rate: 3e-3, l2: 3e-2 },
];

const tfInfo = await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
const path = taxiSamplePath();
if (path === null) throw new Error('data/nyc-taxi-sample.csv not found');
const trips = await loadTaxiCsv(path);
const bounds = values['no-fare-filter'] ? { ...DEFAULT_TAXI_BOUNDS, fareForDistance: null } : DEFAULT_TAXI_BOUNDS;
const { splits } = preprocessTaxi(trips, { seed: splitSeed, bounds });

interface Row { batchSize: number; epochs: number; learning_rate: number; l2: number; mean: number; sd: number; values: number[]; sPerTrial: number }
const rows: Row[] = [];
for (const p of protocols) {
  for (const c of CONFIGS) {
    const vals: number[] = [];
    const t0 = performance.now();
    for (let k = 0; k < repeats; k++) {
      const r = await taxiStudy.train(c, splits, { epochs: p.epochs, batchSize: p.batchSize, seed: 100 + k });
      vals.push(r.valMetric);
    }
    const mean = vals.reduce((a, b) => a + b, 0) / repeats;
    const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, repeats - 1));
    rows.push({ ...p, ...c, mean, sd, values: vals, sPerTrial: (performance.now() - t0) / 1000 / repeats });
  }
}

const fmt = (r: Row) =>
  `${`${r.batchSize} x ${r.epochs}`.padEnd(10)} ${r.learning_rate.toExponential(0).padEnd(6)} ${r.l2.toExponential(0).padEnd(6)} ` +
  `${r.mean.toFixed(3).padStart(6)} ${r.sd.toFixed(3).padStart(6)} ${r.sPerTrial.toFixed(2).padStart(8)}`;
console.log(`taxi study, split seed ${splitSeed}, fare-for-distance filter ${values['no-fare-filter'] ? 'off' : 'on'}, ` +
  `${repeats} weight seeds per cell, tfjs ${tfInfo.backend}`);
console.log('batch x ep lr     l2       mean     sd  s/trial');
for (const r of rows) console.log(fmt(r));
for (const p of protocols) {
  const own = rows.filter((r) => r.batchSize === p.batchSize && r.epochs === p.epochs);
  const means = own.map((r) => r.mean);
  const noise = Math.sqrt(own.reduce((a, r) => a + r.sd ** 2, 0) / own.length);
  const spread = Math.max(...means) - Math.min(...means);
  console.log(`${p.batchSize} x ${p.epochs}: spread of means ${spread.toFixed(3)}, pooled seed sd ${noise.toFixed(3)}, ` +
    `ratio ${(spread / noise).toFixed(1)}`);
}
writeJson(out, {
  createdAt: new Date().toISOString(), tfjs: tf.version.tfjs, backend: tfInfo.backend, splitSeed,
  fareFilter: !values['no-fare-filter'], repeats, rows,
});
tfInfo.dispose();
