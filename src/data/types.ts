/** Dataset shapes shared by the loaders, generators, studies and training helpers. */

/** A dense design matrix with one target per row. */
export interface TabularSplit {
  /** `n x nFeatures` row-major features */
  x: Float32Array;
  /** `n` targets */
  y: Float32Array;
  n: number;
  nFeatures: number;
}

/** Grayscale images with class labels. */
export interface ImageSplit {
  /** `n x height x width` row-major pixels in [0, 1] (channels-last, 1 channel) */
  x: Float32Array;
  /** `n` labels in [0, numClasses) */
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  numClasses: number;
}

/** Train / validation / held-out test splits. */
export interface Splits<T> {
  train: T;
  val: T;
  test: T;
}

/**
 * One taxi ride, as a row of the NYC taxi fare CSV. Missing or unparseable
 * values are NaN (the loader keeps junk rows; preprocessing drops them).
 */
export interface TaxiTrip {
  /** unique row id (in the Kaggle files: the pickup time plus a counter) */
  key: string;
  /** fare in US dollars, tolls and surcharges included, tip excluded */
  fareAmount: number;
  /** pickup instant, ms since the Unix epoch (UTC) */
  pickupTime: number;
  /** degrees east */
  pickupLongitude: number;
  /** degrees north */
  pickupLatitude: number;
  dropoffLongitude: number;
  dropoffLatitude: number;
  passengerCount: number;
}

/** Why preprocessing dropped a taxi row; checked in this order, the first failure counts. */
export type TaxiDropReason = 'missing' | 'datetime' | 'coordinates' | 'fare' | 'passengers' | 'distance' | 'fareForDistance';

/** Per-feature standardization fitted on the training split: `z = (x - mean) / std`. */
export interface Standardization {
  mean: Float64Array;
  std: Float64Array;
}

/** The preprocessed taxi data set: splits plus what was done to get them. */
export interface TaxiDataset {
  /** standardized features (`n x nFeatures`), targets are raw `fare_amount` dollars */
  splits: Splits<TabularSplit>;
  featureNames: readonly string[];
  /** fitted on train only; apply to new rows with `applyStandardization` */
  standardization: Standardization;
  /** rows given to preprocessing */
  rowsRead: number;
  /** rows that passed the filters (train + val + test) */
  rowsKept: number;
  /** dropped rows by reason */
  dropped: Record<TaxiDropReason, number>;
  /**
   * rows of the file with more or fewer fields than its header, skipped before
   * preprocessing (`loadTaxiDataset` only: not among `rowsRead`); the first 10 line numbers
   */
  malformed?: { count: number; lines: number[] };
}
