/**
 * Regenerate the shipped taxi sample: `npx tsx scripts/generate-taxi-sample.ts [out.csv]`
 * (default `data/nyc-taxi-sample.csv`). Output is deterministic, so the file
 * only changes when the generator does.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTaxiCsv, generateTaxiTrips, TAXI_SAMPLE_ROWS, TAXI_SAMPLE_SEED } from '../src/data/browser';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? resolve(root, 'data/nyc-taxi-sample.csv'));
const text = formatTaxiCsv(generateTaxiTrips(TAXI_SAMPLE_ROWS, { seed: TAXI_SAMPLE_SEED }));
await mkdir(dirname(out), { recursive: true });
await writeFile(out, text, 'utf8');
console.log(`wrote ${TAXI_SAMPLE_ROWS} rows (${text.length} bytes) to ${out}`);
