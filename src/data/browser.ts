/**
 * The parts of the data module with no Node dependency (parsers, generators,
 * preprocessing), for bundling into browser code. `index.ts` adds the file
 * loaders on top.
 */
export type { ImageSplit, Splits, Standardization, TabularSplit, TaxiDataset, TaxiDropReason, TaxiTrip } from './types';
export { parseCsv, parseCsvRows, csvField, type CsvRow, type ParseCsvOptions } from './csv';
export {
  EARTH_RADIUS_KM,
  LANDMARKS,
  MANHATTAN_GRID_DEG,
  bearingRad,
  eastNorthKm,
  gridL1Km,
  haversineKm,
  nycLocalToUtcMs,
  nycUtcOffsetHours,
  utcToNycLocalMs,
  type LonLat,
} from './geo';
export { TAXI_CSV_COLUMNS, formatTaxiCsv, formatTaxiDatetime, parseTaxiCsv, parseTaxiDatetime, readTaxiCsv, type ParseTaxiCsvOptions, type TaxiCsvRead } from './taxi-csv';
export { FARE_INCREASE_2012_MS, meteredFare, tariffAt, type Tariff } from './taxi-tariff';
export { TAXI_SAMPLE_ROWS, TAXI_SAMPLE_SEED, generateTaxiTrips, inManhattan, type TaxiGeneratorOptions } from './taxi-generator';
export {
  DEFAULT_FARE_FOR_DISTANCE,
  DEFAULT_TAXI_BOUNDS,
  TAXI_FEATURE_NAMES,
  TAXI_NUM_FEATURES,
  emptyDropCounts,
  filterTaxiTrips,
  taxiDropReason,
  taxiFeatures,
  type TaxiBounds,
} from './taxi-features';
export { preprocessTaxi, syntheticTaxiDataset, type TaxiPreprocessOptions } from './taxi-preprocess';
export {
  applyStandardization,
  fitStandardization,
  shuffledIndices,
  splitImages,
  classCounts,
  splitIndices,
  stratifiedImageSplits,
  stratifiedSplitIndices,
  subsetImages,
  type SplitImagesOptions,
  type StratifiedImageSplitsOptions,
} from './splits';
export { GLYPHS, type Glyph, type Point, type Stroke } from './digit-glyphs';
export {
  DIGIT_SIZE,
  generateDigits,
  renderDigit,
  syntheticDigitSplits,
  type DigitOptions,
  type DigitSplitsOptions,
} from './digits-generator';
export {
  MNIST_JSON_FILES,
  MNIST_JSON_PIXELS,
  MNIST_JSON_SIDE,
  fetchMnistJson,
  mnistClassesToImages,
  parseMnistClass,
  parseMnistClassText,
} from './mnist-json';
export { shiftImages } from './shift';
export { encodeIdx, idxToImages, imagesToIdx, isGzip, parseIdx, type IdxArray, type IdxData, type IdxDtype } from './idx';
