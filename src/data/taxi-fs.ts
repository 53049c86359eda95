/**
 * Node file access for the taxi fare CSV (the parsing itself is in
 * `taxi-csv.ts`, which has no Node dependency).
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { InvalidOptionError, StorageError } from '../errors';
import { parseCsv } from './csv';
import { checkMaxRows, formatTaxiCsv, readTaxiCsv, type TaxiCsvRead } from './taxi-csv';
import { preprocessTaxi, type TaxiPreprocessOptions } from './taxi-preprocess';
import type { TaxiDataset, TaxiTrip } from './types';

const CHUNK = 1 << 20;

/**
 * Read the text holding the header and the first `maxRows` data rows. The
 * full Kaggle file is 5.7 GB, so with `maxRows` we stop at the rows we need.
 */
async function readHead(path: string, maxRows: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const decoder = new TextDecoder('utf-8');
    const buf = Buffer.allocUnsafe(CHUNK);
    let text = '';
    let lines = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) return text + decoder.decode();
      const piece = decoder.decode(buf.subarray(0, bytesRead), { stream: true });
      text += piece;
      for (let i = piece.indexOf('\n'); i >= 0; i = piece.indexOf('\n', i + 1)) lines++;
      if (lines > maxRows) {
        // only complete lines: a row cut by the chunk boundary must not be parsed
        const complete = text.slice(0, text.lastIndexOf('\n') + 1);
        if (parseCsv(complete, maxRows + 1, { multiline: false, source: path }).length > maxRows) return complete;
      }
    }
  } finally {
    await fh.close();
  }
}

/** Options for {@link loadTaxiCsv}. */
export interface LoadTaxiCsvOptions {
  /** read only the first `maxRows` data rows; default all */
  maxRows?: number;
}

/**
 * Load a taxi fare CSV file (Kaggle train.csv layout) into trips. Junk values
 * are kept (as NaN where unparseable) for {@link preprocessTaxi} to filter.
 *
 * @throws StorageError when the file cannot be read or its header lacks a required column
 */
export async function loadTaxiCsv(path: string, options: LoadTaxiCsvOptions = {}): Promise<TaxiTrip[]> {
  return (await readTaxiCsvFile(path, options)).trips;
}

/**
 * {@link loadTaxiCsv} with the count of malformed rows (see {@link readTaxiCsv}).
 *
 * @throws StorageError when the file cannot be read, its header lacks a required column or a quote is not closed on its line
 */
export async function readTaxiCsvFile(path: string, options: LoadTaxiCsvOptions = {}): Promise<TaxiCsvRead> {
  const maxRows = checkMaxRows(options.maxRows);
  let text: string;
  try {
    text = Number.isFinite(maxRows) ? await readHead(path, maxRows) : await readFile(path, 'utf8');
  } catch (e) {
    throw new StorageError(`${path}: cannot read taxi CSV (${(e as Error).message})`, { cause: e });
  }
  return readTaxiCsv(text, { maxRows, source: path });
}

/** Write trips to `path` in the taxi fare CSV format. */
export async function writeTaxiCsv(path: string, trips: readonly TaxiTrip[]): Promise<void> {
  await writeFile(path, formatTaxiCsv(trips), 'utf8');
}

/**
 * Load a taxi fare CSV and preprocess it into standardized splits (see
 * {@link preprocessTaxi}).
 *
 * @param options.maxRows rows to read; default 5000, the reference study's subset
 */
export async function loadTaxiDataset(
  path: string,
  options: TaxiPreprocessOptions & LoadTaxiCsvOptions = {},
): Promise<TaxiDataset> {
  const read = await readTaxiCsvFile(path, { maxRows: options.maxRows ?? 5000 });
  const { malformed } = read;
  try {
    return { ...preprocessTaxi(read.trips, options), malformed };
  } catch (e) {
    // too few rows: the ones the file held that did not parse are part of why
    if (!(e instanceof InvalidOptionError) || malformed.count === 0) throw e;
    const more = malformed.count > malformed.lines.length ? ', ...' : '';
    throw new InvalidOptionError(`${e.message}; ${malformed.count} malformed row(s) of ${path} skipped (line ${malformed.lines.join(', ')}${more})`, e.option);
  }
}
