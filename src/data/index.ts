/**
 * Data sets for the reference studies: NYC taxi fares (tabular regression)
 * and MNIST-style digits (image classification), each with a seeded
 * generator and a loader for the real file format. File loaders
 * (`taxi-fs.ts`, `idx-fs.ts`, `mnist-json-fs.ts`) need Node; everything in `browser.ts` does not.
 */
export * from './browser';
export { loadTaxiCsv, loadTaxiDataset, readTaxiCsvFile, writeTaxiCsv, type LoadTaxiCsvOptions } from './taxi-fs';
export { loadMnistIdx, readIdx, saveMnistIdx, writeIdx, type LoadMnistOptions, type WriteIdxOptions } from './idx-fs';
export { isMnistJsonDir, loadMnistJson, mnistPackageDir } from './mnist-json-fs';
