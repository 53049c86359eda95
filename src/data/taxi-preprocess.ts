/**
 * From raw taxi trips to standardized train / validation / test matrices, the
 * way the reference study prepared the NYC taxi fare data.
 */
import { InvalidOptionError } from '../errors';
import { checkOptionKeys, given } from '../util/option-keys';
import { fitStandardization, splitIndices, tabularSubset } from './splits';
import { checkTrips, featuresInto, filterChecked, resolveTaxiBounds, TAXI_FEATURE_NAMES, TAXI_NUM_FEATURES, type TaxiBounds } from './taxi-features';
import { generateTaxiTrips, type TaxiGeneratorOptions } from './taxi-generator';
import type { TaxiDataset, TaxiTrip } from './types';

/** Options for {@link preprocessTaxi}. */
export interface TaxiPreprocessOptions {
  /** share of kept rows held out as the test set; default 0.1 */
  testFraction?: number;
  /** share of the remaining rows used for validation; default 0.1 (the 90/10 split) */
  valFraction?: number;
  /** shuffle seed for the splits; default 0 */
  seed?: number;
  /** filtering bounds, merged over {@link DEFAULT_TAXI_BOUNDS} */
  bounds?: Partial<TaxiBounds>;
}

/** The keys of TaxiPreprocessOptions. */
export const TAXI_PREPROCESS_KEYS = ['testFraction', 'valFraction', 'seed', 'bounds'];

/**
 * Filter junk rows, compute the {@link TAXI_FEATURE_NAMES} features, shuffle
 * with `seed`, hold out `testFraction` as test, split the rest 90/10 (by
 * default) into train and validation, and standardize all three with the
 * mean/std of the training features. Targets stay raw `fare_amount` dollars,
 * so an RMSE on them is in dollars.
 *
 * @throws InvalidOptionError naming `trips` when it is not an array of trips (objects) or when fewer than 2 rows reach the training split,
 *   or an option: fractions outside [0, 1), a bad `bounds` key or range
 */
export function preprocessTaxi(trips: readonly TaxiTrip[], options: TaxiPreprocessOptions = {}): TaxiDataset {
  checkTrips(trips, 'preprocessTaxi');
  checkOptionKeys(options, 'preprocessTaxi', TAXI_PREPROCESS_KEYS);
  const bounds: TaxiBounds = resolveTaxiBounds(options.bounds);
  const { kept, dropped } = filterChecked(trips, bounds);
  const d = TAXI_NUM_FEATURES;
  const x = new Float64Array(kept.length * d);
  const y = new Float64Array(kept.length);
  kept.forEach((t, i) => {
    featuresInto(t, x, i * d);
    y[i] = t.fareAmount;
  });
  const idx = splitIndices(kept.length, options.testFraction ?? 0.1, options.valFraction ?? 0.1, given(options.seed, 0));
  if (idx.train.length < 2) {
    throw new InvalidOptionError(
      `option "trips": ${idx.train.length} training rows after filtering ${trips.length} (need at least 2)`,
      'trips',
    );
  }
  const trainX = new Float64Array(idx.train.length * d);
  idx.train.forEach((r, i) => trainX.set(x.subarray(r * d, r * d + d), i * d));
  const standardization = fitStandardization(trainX, idx.train.length, d);
  return {
    splits: {
      train: tabularSubset(x, y, d, idx.train, standardization),
      val: tabularSubset(x, y, d, idx.val, standardization),
      test: tabularSubset(x, y, d, idx.test, standardization),
    },
    featureNames: TAXI_FEATURE_NAMES,
    standardization,
    rowsRead: trips.length,
    rowsKept: kept.length,
    dropped,
  };
}

/** Generate `n` synthetic trips and preprocess them: a self-contained taxi data set. */
export function syntheticTaxiDataset(
  n: number,
  options: TaxiPreprocessOptions & { generator?: TaxiGeneratorOptions } = {},
): TaxiDataset {
  checkOptionKeys(options, 'syntheticTaxiDataset', [...TAXI_PREPROCESS_KEYS, 'generator']);
  const { generator, ...rest } = options;
  return preprocessTaxi(generateTaxiTrips(n, generator), rest);
}
