/**
 * The data of a study for one seed: taxi fares from a CSV (the shipped
 * 5,000-row sample by default) or digits (generated, or MNIST IDX files).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError } from '../errors';
import {
  generateTaxiTrips, loadMnistIdx, preprocessTaxi, readTaxiCsvFile, subsetImages, syntheticDigitSplits,
  TAXI_SAMPLE_ROWS, TAXI_SAMPLE_SEED,
} from '../data';
import { filterTaxiTrips } from '../data/taxi-features';
import type { ImageSplit, Splits, TabularSplit, TaxiTrip } from '../data/types';
import { describeSkipped } from './table';
import type { DataInfo, ResolvedOptions } from './types';

export type StudyData =
  | { study: 'taxi'; splits: Splits<TabularSplit>; info: DataInfo }
  | { study: 'digits'; splits: Splits<ImageSplit>; info: DataInfo };

/** The shipped taxi sample, looked up next to the sources (src/cli) and the bundle (dist). */
export function taxiSamplePath(): string | null {
  for (const rel of ['../../data/nyc-taxi-sample.csv', '../data/nyc-taxi-sample.csv']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * Loads what every seed shares (the raw taxi rows, the MNIST files) once and
 * returns a function giving one seed's splits.
 */
export async function prepareData(o: ResolvedOptions): Promise<(seed: number) => Promise<StudyData>> {
  if (o.study === 'taxi') {
    let trips: TaxiTrip[];
    let source: string;
    let malformed = 0;
    const path = o.data ?? taxiSamplePath();
    if (path !== null) {
      const read = await readTaxiCsvFile(path, { maxRows: o.rows });
      trips = read.trips;
      malformed = read.malformed.count;
      source = path;
    } else {
      // The sample file is generated from this seed; without it, generate the same rows.
      trips = generateTaxiTrips(TAXI_SAMPLE_ROWS, { seed: TAXI_SAMPLE_SEED }).slice(0, o.rows);
      source = `generated taxi trips (seed ${TAXI_SAMPLE_SEED})`;
    }
    return async (seed) => {
      let ds: ReturnType<typeof preprocessTaxi>;
      try {
        ds = preprocessTaxi(trips, { seed });
      } catch (e) {
        // preprocessTaxi names its argument ("trips"); on the command line the culprit is --data.
        if (!(e instanceof InvalidOptionError)) throw e;
        const skipped = skippedRows(malformed, filterTaxiTrips(trips).dropped);
        throw new InvalidOptionError(
          `option "data": ${source}: ${e.message.replace(/^option "[^"]*": /, '')}; ${describeSkipped(trips.length + malformed, skipped)}`,
          'data',
        );
      }
      const s = ds.splits;
      const skipped = skippedRows(malformed, ds.dropped);
      return {
        study: 'taxi',
        splits: s,
        info: { source, rowsRead: ds.rowsRead + malformed, skipped, train: s.train.n, val: s.val.n, test: s.test.n },
      };
    };
  }
  if (o.data !== null) {
    const dir = o.data;
    return async (seed: number) => {
      const all = await loadMnistIdx(dir, { seed });
      // Keep trials short: at most `rows` training images and a proportionate validation set.
      const nVal = Math.min(all.val.n, Math.max(200, Math.round(o.rows / 9)));
      const splits = {
        train: subsetImages(all.train, range(Math.min(o.rows, all.train.n))),
        val: subsetImages(all.val, range(nVal)),
        test: all.test,
      };
      return {
        study: 'digits',
        splits,
        info: { source: dir, train: splits.train.n, val: splits.val.n, test: splits.test.n },
      };
    };
  }
  return async (seed) => {
    const splits = syntheticDigitSplits({ nTrain: o.rows, nTest: Math.max(100, Math.round(o.rows / 5)), seed });
    return {
      study: 'digits',
      splits,
      info: { source: `generated digits (seed ${seed})`, train: splits.train.n, val: splits.val.n, test: splits.test.n },
    };
  };
}

/** Rows not used, by reason (only reasons with a count). */
function skippedRows(malformed: number, dropped: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries({ malformed, ...dropped }).filter(([, n]) => n > 0));
}

function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
