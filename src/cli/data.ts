/**
 * The data of a study for one seed: taxi fares from a CSV (the shipped
 * 5,000-row sample by default) or digits: the real MNIST digits of the
 * optional `mnist` package when it is installed (else generated digits), or
 * a folder given with `--data` (per-class JSON files as in that package, or
 * MNIST IDX files).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError } from '../errors';
import {
  classCounts, generateTaxiTrips, isMnistJsonDir, loadMnistIdx, loadMnistJson, mnistPackageDir, preprocessTaxi,
  readTaxiCsvFile, stratifiedImageSplits, subsetImages, syntheticDigitSplits, TAXI_SAMPLE_ROWS, TAXI_SAMPLE_SEED,
} from '../data';
import { filterTaxiTrips } from '../data/taxi-features';
import type { ImageSplit, Splits, TabularSplit, TaxiTrip } from '../data/types';
import { describeSkipped } from './table';
import type { DataInfo, ResolvedOptions } from './types';

/**
 * One seed's data. `retrainSplits` (digits with `retrainRows`): the splits
 * the final retraining uses, with more training images than the search's and
 * the same validation and test images; absent: the retraining uses `splits`.
 */
export type StudyData =
  | { study: 'taxi'; splits: Splits<TabularSplit>; info: DataInfo }
  | { study: 'digits'; splits: Splits<ImageSplit>; info: DataInfo; retrainSplits?: Splits<ImageSplit> };

/** The shipped taxi sample, looked up next to the sources (src/cli) and the bundle (dist). */
export function taxiSamplePath(): string | null {
  for (const rel of ['../../data/nyc-taxi-sample.csv', '../data/nyc-taxi-sample.csv']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

/** Shares of each class held out for testing, and of the rest used for validation, on the per-class JSON digits. */
export const DIGITS_TEST_FRACTION = 0.2;
export const DIGITS_VAL_FRACTION = 0.1;

/** Where the digits come from: `--data` (JSON or IDX folder), else the `mnist` package, else the generator. */
export type DigitsSource =
  | { kind: 'idx'; dir: string }
  | { kind: 'json'; dir: string; fromPackage: boolean }
  | { kind: 'generated'; why: string };

export function digitsSource(data: string | null): DigitsSource {
  if (data !== null) return isMnistJsonDir(data) ? { kind: 'json', dir: data, fromPackage: false } : { kind: 'idx', dir: data };
  const dir = mnistPackageDir();
  if (dir !== null) return { kind: 'json', dir, fromPackage: true };
  return { kind: 'generated', why: 'the optional mnist package is not installed' };
}

function counts(s: Splits<ImageSplit>): NonNullable<DataInfo['classCounts']> {
  return {
    train: classCounts(s.train.labels, s.train.numClasses),
    val: classCounts(s.val.labels, s.val.numClasses),
    test: classCounts(s.test.labels, s.test.numClasses),
  };
}

/**
 * Loads what every seed shares (the raw taxi rows, the digit files) once and
 * returns a function giving one seed's splits. For digits, `log` gets one
 * line saying which data is used.
 */
export async function prepareData(
  o: ResolvedOptions, log: (line: string) => void = () => {},
): Promise<(seed: number) => Promise<StudyData>> {
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
  const src = digitsSource(o.data);
  if (src.kind === 'json') {
    const pool = await loadMnistJson(src.dir);
    // the size the network sees: --image-size resizes the 28 x 28 images
    const size = o.imageSize ? `28 x 28, resized to ${o.imageSize} x ${o.imageSize}` : '28 x 28';
    const source = src.fromPackage
      ? `real MNIST digits from the mnist package (${pool.n} images, ${size})`
      : `MNIST digits as per-class JSON in ${src.dir} (${pool.n} images, ${size})`;
    log(`data: ${source}; per seed a stratified split holds out ${100 * DIGITS_TEST_FRACTION}% of each class for testing`);
    return async (seed) => {
      const all = stratifiedImageSplits(pool, { testFraction: DIGITS_TEST_FRACTION, valFraction: DIGITS_VAL_FRACTION, seed });
      // Keep trials short: the first `rows` training images (their order interleaves the classes).
      return withRetrainRows(o, { train: subsetImages(all.train, range(Math.min(o.rows, all.train.n))), val: all.val, test: all.test }, all.train, source);
    };
  }
  if (src.kind === 'idx') {
    const dir = src.dir;
    log(`data: MNIST IDX files in ${dir}`);
    return async (seed: number) => {
      const all = await loadMnistIdx(dir, { seed });
      // Keep trials short: at most `rows` training images and a proportionate validation set.
      const nVal = Math.min(all.val.n, Math.max(200, Math.round(o.rows / 9)));
      const splits = {
        train: subsetImages(all.train, range(Math.min(o.rows, all.train.n))),
        val: subsetImages(all.val, range(nVal)),
        test: all.test,
      };
      return withRetrainRows(o, splits, all.train, dir);
    };
  }
  log(`data: generated digits (${src.why}; install it for real MNIST digits)`);
  return async (seed) => {
    // The generator has no fixed pool: 'all' is the search's rows; a count generates enough images for that many
    // training images once a tenth goes to validation, and the search takes the first `rows`.
    const nTrain = typeof o.retrainRows === 'number' ? Math.ceil((o.retrainRows + 1) / 0.9) : o.rows;
    const full = syntheticDigitSplits({ nTrain, nTest: Math.max(100, Math.round(o.rows / 5)), seed });
    const splits = { train: subsetImages(full.train, range(Math.min(o.rows, full.train.n))), val: full.val, test: full.test };
    return withRetrainRows(o, splits, full.train, `generated digits (seed ${seed}; ${src.why})`);
  };
}

/**
 * The digits of one seed with their info, and (when there is a retraining
 * and `o.retrainRows` asks for more training images than the search's) the
 * retraining's splits: the
 * first `retrainRows` of `pool` (every one for 'all'), the same validation and
 * test images.
 * @throws InvalidOptionError when `retrainRows` exceeds the images in `pool`
 */
function withRetrainRows(o: ResolvedOptions, splits: Splits<ImageSplit>, pool: ImageSplit, source: string): StudyData {
  const info: DataInfo = { source, train: splits.train.n, val: splits.val.n, test: splits.test.n, classCounts: counts(splits) };
  const want = o.retrainRows ?? null;
  if (want === null || o.retrainEpochs === 0) return { study: 'digits', splits, info };
  if (want !== 'all' && want > pool.n) {
    throw new InvalidOptionError(`option "retrainRows": the data has ${pool.n} training images (got ${want})`, 'retrainRows');
  }
  const n = want === 'all' ? pool.n : want;
  if (n <= splits.train.n) return { study: 'digits', splits, info };
  return {
    study: 'digits', splits, info: { ...info, retrainTrain: n },
    retrainSplits: { train: subsetImages(pool, range(n)), val: splits.val, test: splits.test },
  };
}

/** Rows not used, by reason (only reasons with a count). */
function skippedRows(malformed: number, dropped: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries({ malformed, ...dropped }).filter(([, n]) => n > 0));
}

function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
